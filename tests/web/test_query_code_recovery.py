"""A lost query code (issue 16): POST /api/v1/applications/{no}/query-code, staff reissue on the
case page, and tracking numbers typed in any case."""
from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import Case, Event, Outbox
from disclosure.services import cases
from disclosure.services.actors import Actor
from disclosure.services.code_recovery import REISSUE_ACTION
from disclosure.services.review import replies
from disclosure.services.review import seen as review_seen
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, client_anon, client_for, draft_complete, person_payload

D = date
TODAY = "2024-10-09"
CODE = re.compile(r"新的?查询码：?([A-Z2-9]{10})")


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY)


def _register(agency, staff, **applicant):
    payload = person_payload(applicant={**person_payload()["applicant"], **applicant})
    sub = cases.register_paper(agency, payload, "in_person", D(2024, 10, 8),
                               Actor.of(staff["registrar"]), D(2024, 10, 8))
    return sub.case.tracking_no, sub.query_code, sub.case.id


@pytest.fixture
def registered(agency, staff):
    return _register(agency, staff)


def recover(client, no):
    return client.post(f"/api/v1/applications/{no}/query-code")


def follow(client, no, code):
    return client.get(f"/api/v1/applications/{no}", headers={"X-Query-Code": code})


def _outbox(case_id) -> list[Outbox]:
    """The case's outbox rows about its query code (not the receipt sent at registration)."""
    db.session.rollback()
    return list(db.session.execute(select(Outbox).where(
        Outbox.case_id == case_id, Outbox.subject.notlike("%申请已收到"))
        .order_by(Outbox.id)).scalars())


def _events(case_id) -> list[Event]:
    db.session.rollback()
    return list(db.session.execute(select(Event).where(
        Event.case_id == case_id, Event.action == REISSUE_ACTION)).scalars())


# -- the applicant (API) ---------------------------------------------------------------------------

def test_same_202_whether_or_not_the_number_exists(client, registered):
    no, _code, _id = registered
    answers = [recover(client, n) for n in (no, no.lower(), "BCZ-2024-999999", "nothing-here")]
    assert {r.status_code for r in answers} == {202}
    assert len({r.get_data() for r in answers}) == 1
    assert answers[0].get_json()["message"]


def test_new_code_by_email_and_the_old_one_stops_working(client, registered):
    no, old, case_id = registered
    assert follow(client, no, old).status_code == 200
    assert recover(client, no).status_code == 202
    [row] = _outbox(case_id)
    assert row.recipient == "a@example.cn" and no in row.subject and no in row.body
    new = CODE.search(row.body).group(1)
    assert new != old
    assert follow(client, no, old).status_code == 404
    assert follow(client, no, new).status_code == 200
    [ev] = _events(case_id)
    assert ev.data["channel"] == "email" and ev.actor_id is None
    assert new not in str(ev.data) and new not in (ev.after_status or "")


def test_only_a_phone_on_file_queues_an_sms_row(client, agency, staff):
    no, old, case_id = _register(agency, staff, email="")
    assert recover(client, no).status_code == 202
    [row] = _outbox(case_id)
    assert row.recipient == "sms:13800000000" and len(row.body) <= 70
    new = CODE.search(row.body).group(1)
    assert follow(client, no, new).status_code == 200 and follow(client, no, old).status_code == 404
    assert _events(case_id)[0].data["channel"] == "sms"


def test_sms_rows_are_not_sent_as_mail(make_app, agency, staff, client, monkeypatch):
    from disclosure.services import outbox
    no, _old, case_id = _register(agency, staff, email="")
    recover(client, no)
    sent = []
    monkeypatch.setattr(outbox, "_send", lambda recipient, *_: sent.append(recipient))
    client.application.config["MAIL_SERVER"] = "localhost"
    try:
        outbox.send_pending()
    finally:
        client.application.config["MAIL_SERVER"] = None
    assert not [r for r in sent if r.startswith("sms:")]
    assert _outbox(case_id)[0].sent_at is None


def test_no_code_in_logs_or_cookies(client, registered, caplog):
    no, _old, case_id = registered
    caplog.set_level(logging.DEBUG)
    resp = recover(client, no.lower())
    new = CODE.search(_outbox(case_id)[0].body).group(1)
    assert new not in caplog.text
    assert new not in " ".join(resp.headers.getlist("Set-Cookie"))
    assert new not in resp.get_data(as_text=True)


def test_at_most_three_reissues_per_case_per_day(client, registered):
    no, _old, case_id = registered
    answers = [recover(client, no) for _ in range(5)]
    assert len({(r.status_code, r.get_data()) for r in answers}) == 1
    rows = _outbox(case_id)
    assert len(rows) == 3 and len(_events(case_id)) == 3
    last = CODE.search(rows[-1].body).group(1)
    assert follow(client, no, last).status_code == 200  # the refused ones changed nothing


def test_rate_limited_per_client(make_app, tmp_path):
    app = make_app(RATELIMIT_ENABLED=True, QUERY_CODE_RATE_LIMIT="2/hour")
    client = app.test_client()
    codes_ = [recover(client, "BCZ-2024-999999").status_code for _ in range(3)]
    assert codes_ == [202, 202, 429]


def test_listed_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/applications/{tracking_no}/query-code"]["post"]
    assert "202" in op["responses"]


# -- tracking numbers in any case ------------------------------------------------------------------

def test_lower_case_numbers_on_follow_documents_and_status_page(client, agency, staff):
    who = {k: Actor.of(u) for k, u in staff.items()}
    no, code, case_id = _register(agency, staff)
    case = db.session.get(Case, case_id)
    day = D(2024, 10, 9)
    draft_complete(case, "art36_2", who["handler"], day)
    replies.submit_for_review(case, who["handler"], day)
    for item in replies.items_of(case):
        replies.decide(case, item.id, "approved", None, who["reviewer"], day, **review_seen(item))
    replies.release_reply(case, who["handler"], day)
    low = no.lower()
    assert low != no
    view = follow(client, f" {low} ", code)
    assert view.status_code == 200 and view.get_json()["tracking_no"] == no
    url = view.get_json()["reply"]["documents"][0]["url"]
    release_id = url.rsplit("/", 1)[1]
    doc = client.get(f"/api/v1/applications/{low}/documents/{release_id}",
                     headers={"X-Query-Code": code.lower()})
    assert doc.status_code == 200
    doc.close()
    page = client.post("/status", data={"tracking_no": low, "query_code": code})
    assert page.status_code == 200 and no in page.get_data(as_text=True)
    assert follow(client, low, "WRONGCODE1").status_code == 404


# -- staff reissue ---------------------------------------------------------------------------------

@pytest.fixture
def outsider(agency, staff):
    create_agency("OTH", "另一镇人民政府")
    create_user("outsider", PASSWORD, "OTH", ["registrar", "handler"], "外机关人员")


@pytest.mark.parametrize("role", ["registrar", "handler", "office_head"])
def test_staff_reissue_shows_the_code_once(app, registered, outsider, role):
    no, old, case_id = registered
    db.session.commit()
    c = client_for(app, role)
    assert "补发查询码" in c.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    resp = c.post(f"/staff/cases/{case_id}/query-code")
    assert resp.status_code == 200
    assert "no-store" in resp.headers["Cache-Control"]
    html = resp.get_data(as_text=True)
    new = re.search(r'id="new-query-code">([A-Z2-9]{10})<', html).group(1)
    assert html.count(new) == 1
    assert new not in " ".join(resp.headers.getlist("Set-Cookie"))
    assert new not in c.get(f"/staff/cases/{case_id}").get_data(as_text=True)  # once
    anon = client_anon(app)
    assert follow(anon, no, old).status_code == 404
    assert follow(anon, no, new).status_code == 200
    [ev] = _events(case_id)
    assert ev.actor_id is not None and ev.data["channel"] == "staff" and new not in str(ev.data)
    assert _outbox(case_id) == []  # shown to staff, not mailed


def test_staff_reissue_refused_to_other_agencies_and_roles(app, registered, outsider):
    no, old, case_id = registered
    db.session.commit()
    assert client_for(app, "outsider").post(f"/staff/cases/{case_id}/query-code").status_code == 404
    for role in ("reviewer", "admin"):
        c = client_for(app, role)
        assert c.post(f"/staff/cases/{case_id}/query-code").status_code in (403, 409), role
        assert "补发查询码" not in c.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Event.id)).where(
        Event.action == REISSUE_ACTION)) == 0
    assert follow(client_anon(app), no, old).status_code == 200


def test_an_over_long_number_is_a_400(client):
    assert recover(client, "B" * 65).status_code == 400


# -- the web page: GET/POST /status/recover ------------------------------------------------------

def recover_page(client, no, **extra):
    return client.post("/status/recover", data={"tracking_no": no, **extra})


def test_the_lookup_form_links_to_the_recovery_page(client, agency):
    assert 'href="/status/recover"' in client.get("/status").get_data(as_text=True)
    page = client.get("/status/recover")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/status/recover"' in html and 'name="tracking_no"' in html
    assert "no-store" in page.headers["Cache-Control"]


def test_recovery_page_gives_the_same_answer_whether_or_not_the_number_exists(client, registered):
    no, _code, _id = registered
    answers = [recover_page(client, n) for n in (no, f" {no.lower()} ", "BCZ-2024-999999",
                                                 "nothing-here")]
    assert {r.status_code for r in answers} == {200}
    assert len({r.get_data() for r in answers}) == 1
    html = answers[0].get_data(as_text=True)
    assert "如该申请编号存在且留有电子邮箱或手机号码，新的查询码将发送至预留的联系方式" in html
    assert no not in html


def test_recovery_page_sends_a_new_code_and_the_old_one_stops_working(client, registered):
    no, old, case_id = registered
    resp = recover_page(client, no)
    [row] = _outbox(case_id)
    new = CODE.search(row.body).group(1)
    assert row.recipient == "a@example.cn" and new != old
    assert new not in resp.get_data(as_text=True)
    assert new not in " ".join(resp.headers.getlist("Set-Cookie"))
    assert follow(client, no, old).status_code == 404
    assert follow(client, no, new).status_code == 200
    [ev] = _events(case_id)
    assert ev.actor_id is None and ev.data == {"channel": "email", "by": "applicant"}
    # the status page takes the new code
    page = client.post("/status", data={"tracking_no": no, "query_code": new})
    assert page.status_code == 200


def test_recovery_page_keeps_the_daily_limit_per_case(client, registered):
    no, _old, case_id = registered
    answers = [recover_page(client, no) for _ in range(5)]
    assert len({(r.status_code, r.get_data()) for r in answers}) == 1
    assert len(_outbox(case_id)) == 3


@pytest.mark.parametrize("number, message", [("", "请填写申请编号"),
                                             ("B" * 65, "申请编号格式不正确")])
def test_recovery_page_refuses_an_empty_or_impossible_number(client, registered, number,
                                                             message):
    _no, _old, case_id = registered
    resp = recover_page(client, number)
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    assert _outbox(case_id) == []


def test_recovery_page_is_rate_limited_per_client(make_app):
    app = make_app(RATELIMIT_ENABLED=True, QUERY_CODE_RATE_LIMIT="2/hour")
    client = app.test_client()
    assert [recover_page(client, "BCZ-2024-999999").status_code for _ in range(3)] \
        == [200, 200, 429]
    assert client.get("/status/recover").status_code == 200  # reading the form is not limited


def test_recovery_page_needs_the_csrf_token(make_app, registered):
    no, old, case_id = registered
    app = make_app(FIXED_TODAY=TODAY, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    refused = recover_page(client, no)
    assert refused.status_code == 400 and "页面已过期" in refused.get_data(as_text=True)
    assert _outbox(case_id) == [] and _events(case_id) == []
    assert follow(client, no, old).status_code == 200
    form = client.get("/status/recover").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    assert recover_page(client, no, csrf_token=token).status_code == 200
    assert len(_outbox(case_id)) == 1
