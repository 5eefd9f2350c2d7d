"""Staff pages: paper registration (R2.1), confirming online submissions (R2.2), the case page
and the case list (filters, sort, pagination, masked identity numbers)."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from disclosure.extensions import db
from disclosure.models import Case, Event
from disclosure.services import cases
from disclosure.services.actors import Actor
from disclosure.services.calendar import add_workdays
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, login, person_payload

TODAY = date(2024, 10, 8)
VALID_ID = "11010519491231002X"
MASKED_ID = "110" + "*" * 11 + "002X"
FORM = {
    "applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
    "id_number": VALID_ID, "phone": "13800000000", "email": "a@example.cn",
    "address": "包场镇1号", "subject": "2023年某村道路拓宽工程的立项批复", "description": "",
    "delivery_form": "paper", "delivery_method": "mail",
}


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY.isoformat())


def multipart(fields: dict) -> dict:
    boundary, body = encode_multipart(MultiDict(fields))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def register(client, **over):
    data = {**FORM, "channel": "mail_signed", "received_on": "2024-09-27", **over}
    return client.post("/staff/register", **multipart(data))


def case_count() -> int:
    return db.session.execute(select(func.count()).select_from(Case)).scalar_one()


def due_on_shown(html: str) -> str:
    m = re.search(r'id="due-on">(?:<time datetime="([0-9-]+)">|([^<]*))', html)
    assert m, "case page shows no due date"
    return (m.group(1) or m.group(2)).strip()


def listed_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/staff/cases/(\d+)"', html)]


def paper(staff, *, subject="某文件", channel="in_person", received=date(2024, 9, 27),
          applicant=None):
    body = person_payload(subject=subject)
    if applicant:
        body["applicant"] = applicant
    return cases.register_paper(staff["registrar"].agency, body, channel, received,
                                Actor.of(staff["registrar"]), TODAY).case


# -- registering a paper application --------------------------------------------------------------

def test_register_form_explains_the_receipt_date_of_each_channel(login_as):
    html = login_as("registrar").get("/staff/register").get_data(as_text=True)
    assert "签收" in html                     # signed-for mail: the signing day
    channel_select = re.search(r'<select[^>]*name="channel".*?</select>', html, re.S).group(0)
    assert 'value="online"' not in channel_select  # online applications are not typed in
    assert 'value="2024-10-08"' in html       # the date defaults to today


def test_registrar_registers_signed_for_mail_with_the_statutory_due_date(login_as):
    client = login_as("registrar")
    resp = register(client)
    assert resp.status_code == 302
    case = db.session.execute(select(Case)).scalar_one()
    assert resp.headers["Location"] == f"/staff/cases/{case.id}"
    assert case.channel == "mail_signed" and case.status == "registered"
    assert case.received_on == date(2024, 9, 27)
    assert case.due_on == date(2024, 10, 30)
    assert case.tracking_no == "BCZ-2024-000001"
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert due_on_shown(html) == "2024-10-30"
    assert "2024-09-27" in html
    assert "邮寄（需签收" in html
    code = re.search(r'id="query-code">([^<]+)<', html).group(1)
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    # the query code is shown once only
    again = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert code not in again
    [ev] = db.session.execute(select(Event).where(Event.case_id == case.id)).scalars()
    assert (ev.action, ev.on_date, ev.after_status) == ("register", date(2024, 9, 27), "registered")


@pytest.mark.parametrize("channel", ["in_person", "mail_signed", "mail_ordinary", "fax", "email"])
def test_every_paper_channel_can_be_registered(login_as, channel):
    resp = register(login_as("registrar"), channel=channel, received_on="2024-10-08")
    assert resp.status_code == 302
    case = db.session.execute(select(Case)).scalar_one()
    assert case.channel == channel
    assert case.due_on == add_workdays(date(2024, 10, 8), 20) == date(2024, 11, 4)


def test_received_on_in_the_future_is_refused_and_input_kept(login_as):
    resp = register(login_as("registrar"), received_on="2024-10-09", name="李小明",
                    subject="关于某某的批复")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "不能晚于今天" in html
    assert 'value="李小明"' in html and "关于某某的批复" in html
    assert 'value="2024-10-09"' in html
    assert case_count() == 0


@pytest.mark.parametrize("bad", ["2024-02-30", "2024-13-01", "yesterday", "2024/09/27x"])
def test_invalid_date_gives_a_chinese_error_not_a_500(login_as, bad):
    resp = register(login_as("registrar"), received_on=bad, name="李小明")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "日期无效" in html
    assert 'value="李小明"' in html
    assert case_count() == 0


def test_implausible_receipt_year_never_yields_a_malformed_tracking_number(login_as):
    resp = register(login_as("registrar"), received_on="0024-09-27")
    if resp.status_code == 302:
        case = db.session.execute(select(Case)).scalar_one()
        assert re.fullmatch(r"BCZ-\d{4}-\d{6}", case.tracking_no), case.tracking_no
    else:
        assert resp.status_code == 400 and case_count() == 0


def test_missing_receipt_date_is_refused(login_as):
    resp = register(login_as("registrar"), received_on="")
    assert resp.status_code == 400
    assert "请填写收到申请之日" in resp.get_data(as_text=True)
    assert case_count() == 0


def test_register_refuses_the_online_channel(login_as):
    resp = register(login_as("registrar"), channel="online")
    assert resp.status_code == 400
    assert case_count() == 0


def test_register_with_a_bad_id_keeps_the_input(login_as):
    resp = register(login_as("registrar"), id_number="110105194912310021", name="李小明")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "身份证号码最后一位不对，请核对" in html and 'value="李小明"' in html
    assert case_count() == 0


def test_handler_cannot_register(login_as):
    client = login_as("handler")
    assert client.get("/staff/register").status_code == 403
    assert register(client).status_code == 403
    assert case_count() == 0


# -- confirming an online submission --------------------------------------------------------------

def test_registrar_confirms_an_online_submission(login_as, staff):
    sub = cases.submit_online(person_payload(), today=TODAY)
    client = login_as("registrar")
    page = client.get(f"/staff/cases/{sub.case.id}").get_data(as_text=True)
    assert "确认收到申请" in page and due_on_shown(page) == "—"
    resp = client.post(f"/staff/cases/{sub.case.id}/confirm", data={"received_on": "2024-10-08"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert sub.case.status == "registered" and sub.case.received_on == TODAY
    html = client.get(f"/staff/cases/{sub.case.id}").get_data(as_text=True)
    assert due_on_shown(html) == "2024-11-04" == add_workdays(TODAY, 20).isoformat()
    assert "已确认收到申请" in html
    actions = [e.action for e in db.session.execute(
        select(Event).where(Event.case_id == sub.case.id).order_by(Event.id)).scalars()]
    assert actions == ["submit_online", "confirm_receipt"]


def test_confirm_without_a_date_uses_today(login_as, staff):
    sub = cases.submit_online(person_payload(), today=date(2024, 9, 30))
    client = login_as("registrar")
    assert client.post(f"/staff/cases/{sub.case.id}/confirm", data={}).status_code == 302
    db.session.expire_all()
    assert sub.case.received_on == TODAY


@pytest.mark.parametrize("when, message", [
    ("2024-10-09", "不能晚于今天"),
    ("2024-09-29", "不能早于提交之日"),
    ("2024-02-30", "日期无效"),
])
def test_confirm_refuses_bad_dates(login_as, staff, when, message):
    sub = cases.submit_online(person_payload(), today=date(2024, 9, 30))
    client = login_as("registrar")
    resp = client.post(f"/staff/cases/{sub.case.id}/confirm", data={"received_on": when},
                       follow_redirects=True)
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    db.session.expire_all()
    assert sub.case.status == "submitted" and sub.case.received_on is None


def refused_post(client, case_id: int, data: dict) -> str:
    """POST a confirmation that the service refuses, then look at the case page as the browser
    would after the redirect. The test shares one session with the app (the ``ctx`` fixture);
    in production the session is discarded at the end of the request, so do the same here."""
    resp = client.post(f"/staff/cases/{case_id}/confirm", data=data)
    assert resp.status_code == 302
    db.session.rollback()
    return client.get(f"/staff/cases/{case_id}").get_data(as_text=True)


def test_confirm_twice_is_refused_politely(login_as, staff):
    sub = cases.submit_online(person_payload(), today=TODAY)
    client = login_as("registrar")
    client.post(f"/staff/cases/{sub.case.id}/confirm", data={"received_on": "2024-10-08"})
    html = refused_post(client, sub.case.id, {"received_on": "2024-10-08"})
    assert "不能执行" in html
    assert db.session.execute(select(func.count()).select_from(Event).where(
        Event.action == "confirm_receipt")).scalar_one() == 1


def test_handler_cannot_confirm(login_as, staff):
    sub = cases.submit_online(person_payload(), today=TODAY)
    client = login_as("handler")
    page = client.get(f"/staff/cases/{sub.case.id}").get_data(as_text=True)
    assert f'action="/staff/cases/{sub.case.id}/confirm"' not in page  # no button…
    html = refused_post(client, sub.case.id, {"received_on": "2024-10-08"})
    assert "无权" in html  # …and the domain refuses too
    assert sub.case.status == "submitted" and sub.case.received_on is None


def test_confirming_a_paper_case_is_refused(login_as, staff):
    case = paper(staff)
    client = login_as("registrar")
    html = refused_post(client, case.id, {"received_on": "2024-10-08"})
    assert "不能执行" in html
    assert case.received_on == date(2024, 9, 27)
    assert due_on_shown(html) == "2024-10-30"


def test_refused_confirmation_leaves_nothing_pending(staff):
    """A refused service call keeps nothing it changed, even if the caller commits later."""
    from disclosure.domain.workflow import WorkflowError
    case = paper(staff)
    with pytest.raises(WorkflowError):
        cases.confirm_receipt(case, date(2024, 10, 8), Actor.of(staff["registrar"]), TODAY)
    assert not db.session.dirty
    db.session.commit()  # e.g. a batch that goes on to the next case
    db.session.expire_all()
    assert case.received_on == date(2024, 9, 27)


# -- the case page --------------------------------------------------------------------------------

def test_case_page_shows_applicant_request_dates_and_history(login_as, staff):
    case = paper(staff, subject="某某工程的环评批复", channel="fax")
    html = login_as("registrar").get(f"/staff/cases/{case.id}").get_data(as_text=True)
    for text in (case.tracking_no, "张三", "某某工程的环评批复", "传真", "2024-09-27",
                 "13800000000", "登记受理", "registrar-name", "已登记受理"):
        assert text in html, text
    assert due_on_shown(html) == "2024-10-30"


def test_reviewer_sees_the_identity_number_masked(login_as, staff):
    case = paper(staff)
    client = login_as("reviewer")
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert VALID_ID not in html
    assert MASKED_ID in html
    listing = client.get("/staff/cases").get_data(as_text=True)
    assert VALID_ID not in listing


@pytest.mark.parametrize("id_type, number", [("passport", "E12345678"),
                                             ("hk_macao_permit", "H12345678")])
def test_reviewer_sees_other_documents_masked(login_as, staff, id_type, number):
    body = person_payload()
    body["applicant"].update(id_type=id_type, id_number=number)
    case = cases.register_paper(staff["registrar"].agency, body, "in_person", TODAY,
                                Actor.of(staff["registrar"]), TODAY).case
    html = login_as("reviewer").get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert number not in html
    assert number[:3] + "*" * (len(number) - 7) + number[-4:] in html


@pytest.mark.parametrize("number", ["AB12345", "X1234"])
def test_reviewer_never_sees_a_short_document_number_in_full(login_as, staff, number):
    body = person_payload()
    body["applicant"].update(id_type="other", id_number=number)
    case = cases.register_paper(staff["registrar"].agency, body, "in_person", TODAY,
                                Actor.of(staff["registrar"]), TODAY).case
    html = login_as("reviewer").get(f"/staff/cases/{case.id}").get_data(as_text=True)
    shown = re.search(r"<dt>证件</dt><dd>([^<]*)</dd>", html).group(1)
    assert number not in shown.replace(" ", "")
    assert "*" in shown


@pytest.mark.parametrize("role", ["registrar", "handler", "office_head"])
def test_case_workers_see_the_full_identity_number(login_as, staff, role):
    case = paper(staff)
    client = login_as(role)
    assert VALID_ID in client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert VALID_ID not in client.get("/staff/cases").get_data(as_text=True)


def test_identity_number_search_does_not_leak_through_the_list(login_as, staff):
    paper(staff)
    html = login_as("reviewer").get("/staff/cases", query_string={"q": VALID_ID}).get_data(
        as_text=True)
    assert VALID_ID not in html.replace(f'value="{VALID_ID}"', "")


# -- the case list --------------------------------------------------------------------------------

@pytest.fixture
def mixed(staff):
    """Four cases that differ in status, channel, applicant type, receipt date and text."""
    a = cases.submit_online(person_payload(subject="甲-在线申请"), today=TODAY).case
    b = paper(staff, subject="乙-当面申请", channel="in_person", received=date(2024, 9, 2))
    c = paper(staff, subject="丙-挂号信申请", channel="mail_signed", received=date(2024, 9, 20),
              applicant={"type": "commercial_enterprise", "name": "某某有限公司",
                         "credit_code": "91110000600037341L", "contact_name": "王五",
                         "phone": "010-12345678"})
    d_body = person_payload(subject="丁-电子邮件申请")
    d_body["applicant"]["name"] = "李四"
    d = cases.register_paper(staff["registrar"].agency, d_body, "email", date(2024, 10, 8),
                             Actor.of(staff["registrar"]), TODAY).case
    return {"a": a, "b": b, "c": c, "d": d}


def _listed(client, **params) -> list[int]:
    resp = client.get("/staff/cases", query_string=params)
    assert resp.status_code == 200
    return listed_ids(resp.get_data(as_text=True))


@pytest.mark.parametrize("params, expected", [
    ({}, "abcd"),
    ({"status": "submitted"}, "a"),
    ({"status": "registered"}, "bcd"),
    ({"status": ["submitted", "registered"]}, "abcd"),
    ({"status": "replied"}, ""),
    ({"channel": "mail_signed"}, "c"),
    ({"channel": "online"}, "a"),
    ({"applicant_type": "commercial_enterprise"}, "c"),
    ({"applicant_type": "natural_person"}, "abd"),
    ({"from": "2024-09-10", "to": "2024-09-30"}, "c"),
    ({"from": "2024-09-20"}, "cd"),
    ({"to": "2024-09-20"}, "bc"),
    ({"q": "乙"}, "b"),
    ({"q": "李四"}, "d"),
    ({"q": "有限公司"}, "c"),
    ({"q": "申请"}, "abcd"),
    ({"q": "%"}, ""),
    ({"q": "_"}, ""),
    ({"channel": "in_person", "q": "丙"}, ""),
])
def test_case_list_filters(login_as, mixed, params, expected):
    got = set(_listed(login_as("registrar"), **params))
    assert got == {mixed[k].id for k in expected}


def test_case_list_search_ignores_latin_letter_case(login_as, staff):
    body = person_payload(subject="Annual budget of the town")
    body["applicant"].update(name="Zhang San", id_type="passport", id_number="E12345678")
    case = cases.register_paper(staff["registrar"].agency, body, "in_person", TODAY,
                                Actor.of(staff["registrar"]), TODAY).case
    client = login_as("registrar")
    for q in ("zhang", "ZHANG SAN", "annual BUDGET", case.tracking_no.lower()):
        assert _listed(client, q=q) == [case.id], q


def test_case_list_search_by_tracking_number(login_as, mixed):
    assert _listed(login_as("registrar"), q=mixed["c"].tracking_no) == [mixed["c"].id]


def test_case_list_ignores_malformed_parameters(login_as, mixed):
    client = login_as("registrar")
    for params in ({"page": "abc"}, {"page": "-3"}, {"page": "99999999999999999999"},
                   {"from": "2024-13-01"}, {"to": "garbage"}, {"sort": "password_hash"},
                   {"dir": "sideways"}, {"status": "no_such_status"}, {"q": "x" * 5000}):
        assert client.get("/staff/cases", query_string=params).status_code == 200, params


@pytest.mark.parametrize("param", ["q", "channel", "applicant_type", "from", "sort", "status"])
def test_case_list_with_a_nul_byte_in_a_filter_is_not_a_500(login_as, mixed, param):
    # (a 500 on PostgreSQL before the NUL guard in security.py)
    client = login_as("registrar")
    assert client.get("/staff/cases", query_string={param: "a\x00b"}).status_code in (200, 400)
    # a second value of the same parameter is not looked at by the guard
    resp = client.get("/staff/cases", query_string=[(param, "ok"), (param, "a\x00b")])
    assert resp.status_code in (200, 400)


def test_case_list_sorts_by_receipt_date(login_as, mixed):
    client = login_as("registrar")
    m = {k: v.id for k, v in mixed.items()}
    assert _listed(client, sort="received_on", dir="asc") == [m["b"], m["c"], m["d"], m["a"]]
    assert _listed(client, sort="received_on", dir="desc") == [m["d"], m["c"], m["b"], m["a"]]


def test_case_list_sorts_by_tracking_number_and_due_date(login_as, mixed):
    client = login_as("registrar")
    by_no = sorted(mixed.values(), key=lambda c: c.tracking_no)
    assert _listed(client, sort="tracking_no", dir="asc") == [c.id for c in by_no]
    assert _listed(client, sort="tracking_no", dir="desc") == [c.id for c in reversed(by_no)]
    due = _listed(client, sort="due_on", dir="asc")
    assert due[:3] == [mixed["b"].id, mixed["c"].id, mixed["d"].id] and due[3] == mixed["a"].id


def test_case_list_paginates_server_side(login_as, staff):
    for i in range(60):
        paper(staff, subject=f"批量申请{i:02d}", received=date(2024, 9, 1 + i % 28))
    client = login_as("registrar")
    page1 = client.get("/staff/cases").get_data(as_text=True)
    page2 = client.get("/staff/cases", query_string={"page": 2}).get_data(as_text=True)
    ids1, ids2 = listed_ids(page1), listed_ids(page2)
    assert len(ids1) == 50 and len(ids2) == 10
    assert not set(ids1) & set(ids2)
    assert "共 60 件" in page1 and "第 1 / 2 页" in page1 and "第 2 / 2 页" in page2
    assert "page=2" in page1 and "page=1" in page2
    # a page beyond the end shows the last page
    assert listed_ids(client.get("/staff/cases", query_string={"page": 9}).get_data(
        as_text=True)) == ids2


def test_pager_links_keep_the_filters(login_as, staff):
    for i in range(55):
        paper(staff, subject=f"批量申请{i:02d}", channel="fax")
    html = login_as("registrar").get(
        "/staff/cases", query_string={"channel": "fax", "sort": "tracking_no"}).get_data(
        as_text=True)
    link = re.search(r'<a href="(/staff/cases\?[^"]*page=2[^"]*)"', html).group(1)
    assert "channel=fax" in link and "sort=tracking_no" in link


def test_cases_per_page_setting_is_honoured(make_app):
    app = make_app(FIXED_TODAY=TODAY.isoformat(), CASES_PER_PAGE=10)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        user = create_user("registrar", PASSWORD, "BCZ", ["registrar"])
        for i in range(12):
            cases.register_paper(user.agency, person_payload(subject=f"申请{i}"), "in_person",
                                 date(2024, 9, 27), Actor.of(user), TODAY)
        client = app.test_client()
        assert login(client, "registrar").status_code == 302
        assert len(listed_ids(client.get("/staff/cases").get_data(as_text=True))) == 10
        page2 = client.get("/staff/cases", query_string={"page": 2}).get_data(as_text=True)
        assert len(listed_ids(page2)) == 2 and "第 2 / 2 页" in page2


def test_dashboard_counts_unconfirmed_submissions(login_as, mixed):
    html = login_as("registrar").get("/staff/").get_data(as_text=True)
    assert re.search(r"<strong>1</strong>\s*件在线申请待确认收到", html)
