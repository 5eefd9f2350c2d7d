"""Issue 17: the staff daily digest — per user, what concerns them; e-mail always (with an
address), SMS with a gateway and a mobile, held in quiet hours; opt-out; one a day; and the
annual report reminder (条例第四十九条: published by 31 January)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Agency, JobClaim, Outbox, User
from disclosure.services import cases, digest, outbox, sweep
from disclosure.services.actors import Actor
from disclosure.services.review import catalogue
from disclosure.services.unit_of_work import unit_of_work
from tests.conftest import person_payload

D = date
BASE = "https://ysqgk.example.gov.cn"
SWEEP_DAY = D(2024, 11, 5)  # the case received on 27 September was due on 30 October
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def app(make_app):
    return make_app(PUBLIC_BASE_URL=BASE, FIXED_TODAY=SWEEP_DAY.isoformat())


@pytest.fixture
def gateway(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_URL", "http://127.0.0.1:9/sms")


@pytest.fixture
def people(staff):
    """The staff of BCZ with e-mail addresses."""
    with unit_of_work():
        for role, user in staff.items():
            db.session.get(User, user.id).email = f"{role}@bcz.example.cn"
    return {role: user.id for role, user in staff.items()}


def _user(uid: int) -> User:
    return db.session.get(User, uid)


def _set(uid: int, **values) -> None:
    with unit_of_work():
        user = db.session.get(User, uid)
        for k, v in values.items():
            setattr(user, k, v)


def _overdue_case(people):
    """Received 27 September, due 30 October, assigned to the handler: overdue on 5 November."""
    registrar = Actor.of(_user(people["registrar"]))
    return cases.register_paper(_user(people["registrar"]).agency, person_payload(), "in_person",
                                D(2024, 9, 27), registrar, D(2024, 9, 27),
                                handler_id=people["handler"]).case


def _mails(to: str | None = None) -> list[Outbox]:
    db.session.rollback()
    stmt = select(Outbox).where(Outbox.case_id.is_(None)).order_by(Outbox.id)
    if to is not None:
        stmt = stmt.where(Outbox.recipient == to)
    return list(db.session.execute(stmt).scalars())


def _digest_rows() -> list[Outbox]:
    return [r for r in _mails() if "每日工作提醒" in r.subject]


def _lines(uid: int, day: date = SWEEP_DAY) -> list[str]:
    db.session.rollback()
    return [i.mail for i in digest.items_for(_user(uid), day)]


# -- what each person is told --------------------

def test_each_person_is_told_what_concerns_them(people):
    case = _overdue_case(people)
    cases.submit_online(person_payload(), today=SWEEP_DAY)  # waits for the registrar
    handler = Actor.of(_user(people["handler"]))
    catalogue.save_entry(None, handler.agency_id, handler, title="关于某事项的通知",
                         doc_number=None, category="other", issued_on=D(2024, 11, 1),
                         body="正文")  # waits for the reviewer
    assert _lines(people["handler"]) == ["我承办的案件已超过答复期限：1 件",
                                         "我承办的案件待办理：1 件"]
    assert _lines(people["registrar"]) == ["在线申请待确认收到：1 件"]
    assert _lines(people["reviewer"]) == ["待保密审查：主动公开目录 1 项"]
    assert _lines(people["office_head"]) == ["本机关已超过答复期限：1 件"]
    assert _lines(people["admin"]) == []  # nothing failed, the calendar is there

    report = sweep.run(SWEEP_DAY)
    rows = _digest_rows()
    assert report.digests == 4 == len(rows)
    assert "admin@bcz.example.cn" not in {r.recipient for r in rows}  # nothing to say: no mail
    [mail] = _mails("handler@bcz.example.cn")
    assert mail.subject == "【包场镇人民政府】2024-11-05 政府信息公开每日工作提醒"
    assert "我承办的案件已超过答复期限：1 件" in mail.body and f"{BASE}/staff/" in mail.body
    assert f"{BASE}/account/" in mail.body  # where to turn it off
    assert case.tracking_no not in mail.body  # counts, no case details


def test_admin_is_told_of_failed_mails(people):
    case = _overdue_case(people)
    with unit_of_work():
        row = outbox.enqueue("x@example.cn", "【X】申请已收到", "正文", db.session.get(
            type(case), case.id))
        row.last_error = "SMTPRecipientsRefused"
    assert _lines(people["admin"]) == ["发件箱发送失败：1 封"]


def test_opting_out_stops_the_digest(people, gateway):
    _overdue_case(people)
    _set(people["handler"], digest_opt_out=True, mobile="13800000001")
    sweep.run(SWEEP_DAY)
    recipients = {r.recipient for r in _digest_rows()}
    assert "handler@bcz.example.cn" not in recipients and "sms:13800000001" not in recipients
    assert "office_head@bcz.example.cn" in recipients  # the others still get theirs


def test_inactive_accounts_get_nothing(people):
    _overdue_case(people)
    _set(people["handler"], active=False)
    sweep.run(SWEEP_DAY)
    assert "handler@bcz.example.cn" not in {r.recipient for r in _digest_rows()}


# -- SMS: gateway and mobile, quiet hours --------------------

def test_no_sms_without_a_gateway(people):
    _overdue_case(people)
    _set(people["handler"], mobile="13800000001")
    sweep.run(SWEEP_DAY)
    assert not [r for r in _digest_rows() if r.recipient.startswith("sms:")]


def test_sms_only_with_a_gateway_and_a_mobile(people, gateway):
    case = _overdue_case(people)
    _set(people["handler"], mobile="13800000001")  # the office head has none
    sweep.run(SWEEP_DAY)
    sms_rows = [r for r in _digest_rows() if r.recipient.startswith("sms:")]
    assert [r.recipient for r in sms_rows] == ["sms:13800000001"]
    [row] = sms_rows
    assert row.subject == "【每日工作提醒】2024-11-05"
    assert row.body == f"每日工作提醒：超期1件，待办1件。详见：{BASE}/staff/"
    assert case.tracking_no not in row.body and len(row.body) <= 70
    assert digest.gateway_fields(row.subject, row.body) == (
        "staff_digest", {"summary": "超期1件，待办1件", "link": f"{BASE}/staff/"})


def test_sms_alone_when_there_is_no_email(people, gateway):
    _overdue_case(people)
    _set(people["handler"], email=None, mobile="+86 138 0000 0001")
    sweep.run(SWEEP_DAY)
    mine = [r.recipient for r in _digest_rows() if "0000001" in r.recipient
            or r.recipient.startswith("handler")]
    assert mine == ["sms:13800000001"]


def _local(hour: int, minute: int = 0, day: date = SWEEP_DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def sent_sms(monkeypatch):
    sent = []
    monkeypatch.setattr("disclosure.services.sms.send",
                        lambda phone, text, event=None, params=None: sent.append(
                            (phone, event, params)))
    return sent


def test_quiet_hours_hold_the_sms_until_they_end(people, gateway, sent_sms):
    _overdue_case(people)  # with a gateway the applicant's receipt goes by SMS too
    _set(people["handler"], mobile="13900000001")
    sweep.run(SWEEP_DAY)  # 00:30: within 22:00–07:30
    result = outbox.send_pending(at=_local(0, 35))
    assert [p for p, _e, _x in sent_sms] == ["13800000000"]  # the applicant's: never held
    assert "quiet hours: 1 staff SMS held" in result["skipped"]
    outbox.send_pending(at=_local(7, 29))
    assert len(sent_sms) == 1
    outbox.send_pending(at=_local(7, 30))  # the quiet period is over
    assert [p for p, _e, _x in sent_sms] == ["13800000000", "13900000001"]
    assert sent_sms[1][1] == "staff_digest" and sent_sms[1][2]["link"] == f"{BASE}/staff/"
    [row] = [r for r in _digest_rows() if r.recipient == "sms:13900000001"]
    assert row.sent_at is not None
    outbox.send_pending(at=_local(23, 0))
    assert len(sent_sms) == 2  # sent once


def test_quiet_hours_never_hold_mail(app, people, gateway, sent_sms, monkeypatch):
    _overdue_case(people)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    mailed = []
    monkeypatch.setattr(outbox, "_send", lambda to, subject, body: mailed.append(to))
    _set(people["handler"], mobile="13800000001")
    sweep.run(SWEEP_DAY)
    outbox.send_pending(at=_local(23, 30))
    assert "handler@bcz.example.cn" in mailed and "13800000001" not in {p for p, *_x in sent_sms}


def test_empty_quiet_hours_send_at_once(app, people, gateway, sent_sms, monkeypatch):
    _overdue_case(people)
    monkeypatch.setitem(app.config, "STAFF_QUIET_HOURS", "")
    _set(people["handler"], mobile="13800000001")
    sweep.run(SWEEP_DAY)
    outbox.send_pending(at=_local(2, 0))
    assert "13800000001" in [p for p, _e, _x in sent_sms]


@pytest.mark.parametrize("raw,at,held", [
    ("22:00-07:30", (21, 59), False), ("22:00-07:30", (22, 0), True),
    ("22:00-07:30", (3, 0), True), ("22:00-07:30", (7, 30), False),
    ("12:00-13:30", (12, 30), True), ("12:00-13:30", (14, 0), False),
    ("", (3, 0), False), ("不是时间", (3, 0), True),  # unreadable: the default, stays quiet
])
def test_quiet_window(app, monkeypatch, ctx, raw, at, held):
    monkeypatch.setitem(app.config, "STAFF_QUIET_HOURS", raw)
    assert digest.held_now(_local(*at)) is held


# -- once a day --------------------

def test_one_digest_per_person_and_day_even_if_the_sweep_runs_twice(people, gateway):
    _overdue_case(people)
    _set(people["handler"], mobile="13800000001")
    first = sweep.run(SWEEP_DAY)
    rows = len(_digest_rows())
    second = sweep.run(SWEEP_DAY)
    assert first.digests == 2 and second.digests == 0 and len(_digest_rows()) == rows == 3
    db.session.rollback()
    keys = set(db.session.execute(select(JobClaim.key).where(
        JobClaim.job == "digest", JobClaim.day == SWEEP_DAY)).scalars())
    assert keys == {f"u{people['handler']}", f"u{people['office_head']}"}
    sweep.run(D(2024, 11, 6))  # the next day: the next digest
    assert len(_digest_rows()) == rows + 3


# -- the annual report (条例第四十九条) --------------------

def _joined(day: date) -> None:
    """The agency has been on the platform since ``day``."""
    with unit_of_work():
        agency = db.session.execute(select(Agency).where(Agency.code == "BCZ")).scalar_one()
        agency.created_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC)


REMIND = "2024 年度政府信息公开工作年度报告应于 1 月 31 日前公布，尚未公布"
OVERDUE = "2024 年度政府信息公开工作年度报告应于 1 月 31 日前公布，已逾期，尚未公布"


def test_annual_report_reminder_from_2_january_to_the_office_head_and_admin(people):
    _joined(D(2024, 3, 1))
    assert REMIND not in _lines(people["office_head"], D(2025, 1, 1))
    for role in ("office_head", "admin"):
        assert REMIND in _lines(people[role], D(2025, 1, 2))
        assert REMIND in _lines(people[role], D(2025, 1, 31))  # the last day: not yet overdue
        assert OVERDUE in _lines(people[role], D(2025, 2, 1))
    for role in ("handler", "registrar", "reviewer"):
        assert not [x for x in _lines(people[role], D(2025, 1, 2)) if "年度报告" in x]


def test_the_reminder_goes_out_with_the_digest_every_day(people, gateway):
    _joined(D(2024, 3, 1))
    _set(people["office_head"], mobile="13800000002")
    for day in (D(2025, 1, 2), D(2025, 1, 3), D(2025, 2, 3)):
        sweep.run(day)
    bodies = [r.body for r in _mails("office_head@bcz.example.cn")]
    assert len(bodies) == 3 and REMIND in bodies[0] and REMIND in bodies[1]
    assert OVERDUE in bodies[2]
    texts = [r.body for r in _mails("sms:13800000002")]
    assert texts[0].startswith("每日工作提醒：2024年度报告未公布")
    assert texts[2].startswith("每日工作提醒：2024年度报告逾期未公布")


def test_an_agency_that_joined_after_the_year_is_not_reminded_of_it(people):
    _joined(D(2025, 1, 10))
    assert not [x for x in _lines(people["office_head"], D(2025, 2, 1)) if "年度报告" in x]
