"""Issue 16: the applicant is told at each step that concerns them — receipt, a notice released
(补正, extension, fee…), the reply released, a lapse — by e-mail, and by SMS when the phone is a
mainland mobile and an SMS gateway is configured. Texts carry the tracking number and the status
page link, nothing personal and never the query code."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Outbox
from disclosure.services import case_actions, cases, notify, sms, sweep
from disclosure.services.actors import Actor
from disclosure.services.review import replies
from disclosure.services.review import seen as review_seen
from tests.conftest import draft_complete, person_payload, send_notices

D = date
BASE = "https://ysqgk.example.gov.cn"
PERSONAL = ("张三", "11010519491231002X", "包场镇1号", "13800000000", "a@example.cn",
            "2023年某村道路拓宽工程")  # name, identity number, address, phone, e-mail, request


@pytest.fixture
def app(make_app):
    return make_app(PUBLIC_BASE_URL=BASE + "/")


@pytest.fixture
def gateway(app, monkeypatch):
    """An SMS gateway is configured (nothing is sent here: only rows are written)."""
    monkeypatch.setitem(app.config, "SMS_URL", "http://127.0.0.1:9/sms")


@pytest.fixture
def actors(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def _register(agency, actors, received=D(2024, 9, 27), **applicant):
    payload = person_payload(applicant={**person_payload()["applicant"], **applicant})
    return cases.register_paper(agency, payload, "in_person", received, actors["registrar"],
                                received)


def _rows(case, title: str | None = None) -> list[Outbox]:
    stmt = select(Outbox).where(Outbox.case_id == case.id).order_by(Outbox.id)
    if title is not None:
        stmt = stmt.where(Outbox.subject == f"【{case.tracking_no}】{title}")
    return list(db.session.execute(stmt).scalars())


def _assert_minimal(row: Outbox, case, code: str | None = None) -> None:
    """Tracking number and link in; nothing personal, never the query code."""
    link = f"{BASE}/status?no={case.tracking_no}"
    assert case.tracking_no in row.subject and case.tracking_no in row.body and link in row.body
    text = row.subject + row.body
    for value in PERSONAL:
        assert value not in text.replace(row.recipient, ""), value
    if code:
        assert code not in text


# -- receipt ---------------------------------------------------------------------------------

def test_receipt_by_email_with_the_link_and_nothing_personal(agency, actors):
    sub = _register(agency, actors)
    [row] = _rows(sub.case)
    assert row.recipient == "a@example.cn" and row.sent_at is None
    assert row.subject == f"【{sub.case.tracking_no}】申请已收到"
    assert "2024年9月27日" in row.body  # the receipt date the clock counts from
    _assert_minimal(row, sub.case, sub.query_code)


def test_online_receipt_says_the_clock_waits_for_confirmation(agency):
    sub = cases.submit_online(person_payload(), today=D(2024, 9, 27))
    [row] = _rows(sub.case, "申请已收到")
    assert "确认收到后" in row.body
    _assert_minimal(row, sub.case, sub.query_code)
    again = cases.submit_online({**person_payload(), "idempotency_key": "k-1"},
                                today=D(2024, 9, 27))
    cases.submit_online({**person_payload(), "idempotency_key": "k-1"}, today=D(2024, 9, 27))
    assert len(_rows(again.case)) == 1  # a replayed submission is not a new receipt


def test_no_sms_without_a_gateway(agency, actors):
    sub = _register(agency, actors)
    assert [r.recipient for r in _rows(sub.case)] == ["a@example.cn"]


def test_sms_with_a_gateway_and_a_mobile(agency, actors, gateway):
    sub = _register(agency, actors)
    mail, text = _rows(sub.case)
    assert mail.recipient == "a@example.cn" and text.recipient == "sms:13800000000"
    assert text.subject == mail.subject and len(text.body) <= 140  # two SMS segments at most
    link = f"{BASE}/status?no={sub.case.tracking_no}"
    assert sub.case.tracking_no in text.body and text.body.endswith(link)
    assert sub.query_code not in text.body and "张三" not in text.body


@pytest.mark.parametrize("phone,recipients", [
    ("010-62345678", ["a@example.cn"]),  # a landline: no SMS
    ("0513 8765 4321", ["a@example.cn"]),
    ("+86 138 0000 0001", ["a@example.cn", "sms:13800000001"]),
])
def test_sms_only_to_a_mainland_mobile(agency, actors, gateway, phone, recipients):
    sub = _register(agency, actors, phone=phone)
    assert [r.recipient for r in _rows(sub.case)] == recipients


def test_a_number_outside_the_mobile_ranges_gets_no_sms():
    # (the application form refuses it too; records imported earlier may still hold one)
    assert sms.mobile("12800000000") is None and sms.mobile("+86 139 0000 0000") == "13900000000"


def test_sms_only_when_there_is_no_email(agency, actors, gateway):
    sub = _register(agency, actors, email="")
    assert [r.recipient for r in _rows(sub.case)] == ["sms:13800000000"]
    nothing = _register(agency, actors, email="", phone="010-62345678")
    assert _rows(nothing.case) == []


# -- notices, released only ------------------------------------------------------------------

def test_supplement_is_told_when_the_notice_is_released_not_before(agency, actors, gateway):
    sub = _register(agency, actors)
    case_actions.request_supplement(sub.case, "请写明道路名称", 15, actors["handler"],
                                    D(2024, 9, 30))
    assert _rows(sub.case, "请补正申请") == []  # drafted, awaiting review
    send_notices(sub.case, D(2024, 9, 30))
    mail, text = _rows(sub.case, "请补正申请")
    assert (mail.recipient, text.recipient) == ("a@example.cn", "sms:13800000000")
    _assert_minimal(mail, sub.case, sub.query_code)
    assert "补正申请告知书" in mail.body and "请写明道路名称" not in mail.body  # not the letter


def test_email_delivery_serves_the_notice_itself_by_email(agency, actors, gateway):
    """R8.2: an applicant who asked for delivery by e-mail is served on the day of release —
    that e-mail carries the letter (to their own address); the SMS still only points."""
    payload = person_payload(delivery={"form": "electronic", "method": "email"})
    case = cases.register_paper(agency, payload, "in_person", D(2024, 9, 27),
                                actors["registrar"], D(2024, 9, 27)).case
    case_actions.request_supplement(case, "请写明道路名称", 15, actors["handler"],
                                    D(2024, 9, 30))
    send_notices(case, D(2024, 9, 30))
    mail, text = _rows(case, "请补正申请")
    assert "电子邮件送达" in mail.body and "请写明道路名称" in mail.body
    assert "请写明道路名称" not in text.body and text.recipient.startswith("sms:")


def test_extension_fee_and_deferral_notices(agency, actors, staff):
    sub = _register(agency, actors)
    case = sub.case
    case_actions.request_extension(case, 20, "需要调取档案", actors["handler"], D(2024, 10, 20))
    case_actions.decide_extension(case, True, actors["office_head"], D(2024, 10, 21))
    send_notices(case, D(2024, 10, 21))
    [ext] = _rows(case, "答复期限延长")
    assert "延期答复告知书" in ext.body and "需要调取档案" not in ext.body
    case_actions.set_deferred_deadline(case, D(2024, 12, 20), "申请数量明显超过合理范围",
                                       actors["office_head"], D(2024, 10, 22))
    send_notices(case, D(2024, 10, 22))
    [deferred] = _rows(case, "答复期限延后")
    case_actions.notify_fee(case, "per_page", 120, actors["handler"], D(2024, 10, 23))
    send_notices(case, D(2024, 10, 23))
    [fee] = _rows(case, "信息处理费缴纳通知")
    for row in (ext, deferred, fee):
        _assert_minimal(row, case, sub.query_code)
    assert "元" not in fee.body  # the amount is in the notice, on the status page


# -- reply and lapse -------------------------------------------------------------------------

def test_reply_released(agency, actors, gateway):
    sub = _register(agency, actors)
    case = sub.case
    draft_complete(case, "art36_2", actors["handler"], D(2024, 10, 8))
    replies.submit_for_review(case, actors["handler"], D(2024, 10, 9))
    for item in replies.items_of(case):
        replies.decide(case, item.id, "approved", None, actors["reviewer"], D(2024, 10, 10),
                       **review_seen(item))
    assert _rows(case, "申请已答复") == []
    replies.release_reply(case, actors["handler"], D(2024, 10, 11))
    mail, text = _rows(case, "申请已答复")
    assert text.recipient == "sms:13800000000"
    _assert_minimal(mail, case, sub.query_code)
    assert "见本机关网站" not in mail.body  # the letter stays on the status page


def test_lapsed_supplement_closes_the_case_and_says_so_once(agency, actors):
    sub = _register(agency, actors)
    case_actions.request_supplement(sub.case, "事项", 15, actors["handler"], D(2024, 9, 30))
    send_notices(sub.case, D(2024, 9, 30))
    assert sweep.run(D(2024, 11, 5)).lapsed_supplement == 1
    [row] = _rows(sub.case, "申请已终止办理（逾期未补正）")
    assert "视为放弃申请" in row.body
    _assert_minimal(row, sub.case, sub.query_code)
    sweep.run(D(2024, 11, 5))
    sweep.run(D(2024, 11, 6))
    assert len(_rows(sub.case, "申请已终止办理（逾期未补正）")) == 1


def test_unpaid_fee_closes_the_case_and_says_so(agency, actors):
    sub = _register(agency, actors)
    case_actions.notify_fee(sub.case, "per_page", 120, actors["handler"], D(2024, 10, 8))
    send_notices(sub.case, D(2024, 10, 8))
    assert sweep.run(D(2024, 12, 2)).lapsed_fee == 1
    [row] = _rows(sub.case, "申请已终止办理（逾期未缴费）")
    _assert_minimal(row, sub.case, sub.query_code)


# -- every event's text ----------------------------------------------------------------------

@pytest.mark.parametrize("event", sorted(notify.EVENTS))
def test_every_event_text_is_minimal(agency, actors, gateway, event):
    sub = _register(agency, actors)
    rows = notify.applicant_event(sub.case, event)
    assert [r.recipient for r in rows] == ["a@example.cn", "sms:13800000000"]
    for row in rows:
        _assert_minimal(row, sub.case, sub.query_code)
    # the SMS row's subject tells the sender which template it is
    assert notify.gateway_fields(rows[1].subject, rows[1].body) == (
        event, {"no": sub.case.tracking_no, "link": f"{BASE}/status?no={sub.case.tracking_no}"})


def test_relative_link_without_a_public_base_url(make_app):
    with make_app().app_context():
        assert notify.status_link("BCZ-2024-000001") == "/status?no=BCZ-2024-000001"


def test_mobile_numbers_and_masks():
    assert sms.mobile("138 0000 0000") == "13800000000"
    assert sms.mobile("+8613800000000") == "13800000000"
    assert sms.mobile("010-62345678") is None and sms.mobile(None) is None
    assert sms.mask("13800000000") == "138****0000"
