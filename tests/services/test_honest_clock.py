"""Issue 13 through the services: late acts are refused (R8.1), notices are delivered before
the applicant's periods run (R8.2), a good reason grants a new period (R4.3)."""
from datetime import date

import pytest

from disclosure.domain.errors import ValidationFailed
from disclosure.domain.workflow import WorkflowError
from disclosure.extensions import db
from disclosure.models import Notice
from disclosure.services import case_actions, cases, sweep
from disclosure.services.actors import Actor
from disclosure.services.review import notices
from tests.conftest import person_payload, send_notices

D = date


@pytest.fixture
def actors(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def _registered(agency, actors, received=D(2024, 9, 27), method="online"):
    payload = person_payload()
    payload["delivery"] = {"form": "paper" if method == "mail" else "electronic", "method": method}
    return cases.register_paper(agency, payload, "in_person", received, actors["registrar"],
                                received).case


def _notice(case, kind):
    return db.session.query(Notice).filter_by(case_id=case.id, kind=kind).one()


# -- R8.1 refused in the office's UI --------------------------------------------------------------
def test_a_late_supplement_notice_is_refused_with_the_law_and_the_alternative(agency, actors):
    case = _registered(agency, actors)  # 2024-09-27: the limit is Saturday 2024-10-12
    with pytest.raises(WorkflowError) as exc:
        case_actions.request_supplement(case, "请写明道路名称", 15, actors["handler"],
                                        D(2024, 10, 14))
    assert exc.value.code == "supplement_late"
    assert "条例第三十条" in exc.value.message and "2024-10-12" in exc.value.message
    assert "协助说明函" in exc.value.message
    db.session.refresh(case)
    assert case.status == "registered" and case.supplement_requested_on is None
    assert db.session.query(Notice).count() == 0
    case_actions.request_supplement(case, "请写明道路名称", 15, actors["handler"], D(2024, 10, 12))
    assert case.status == "awaiting_supplement"


def test_clarification_after_the_seven_days_needs_confirmation_and_leaves_the_clock(agency, actors):
    case = _registered(agency, actors)
    due = case.due_on
    with pytest.raises(ValidationFailed) as exc:
        case_actions.request_clarification(case, "请说明年份", None, actors["handler"],
                                           D(2024, 10, 14))
    assert "confirm" in exc.value.errors
    case_actions.request_clarification(case, "请说明年份", "1", actors["handler"], D(2024, 10, 14))
    send_notices(case, D(2024, 10, 14))
    assert case.due_on == due == D(2024, 10, 30) and case.status == "in_progress"
    sent = notices.for_case(case, applicant_only=True)
    assert [n.kind for n in sent] == ["clarification"] and "不影响本机关的答复期限" in sent[0].body


def test_fee_notice_and_deferral_after_the_due_date_are_refused(agency, actors):
    case = _registered(agency, actors)  # due 2024-10-30
    with pytest.raises(WorkflowError) as exc:
        case_actions.notify_fee(case, "per_page", 120, actors["handler"], D(2024, 10, 31))
    assert exc.value.code == "fee_late" and "2024-10-30" in exc.value.message
    with pytest.raises(WorkflowError) as exc:
        case_actions.set_deferred_deadline(case, D(2024, 12, 31), "数量明显超过合理范围",
                                      actors["office_head"], D(2024, 10, 31))
    assert exc.value.code == "deferral_late"
    case_actions.set_deferred_deadline(case, D(2024, 12, 31), "数量明显超过合理范围",
                                  actors["office_head"], D(2024, 10, 30))
    assert case.deferred_on == D(2024, 10, 30) and case.due_on == D(2024, 12, 31)


def test_an_approved_extension_records_its_day(agency, actors):
    case = _registered(agency, actors)
    case_actions.request_extension(case, 10, "需要调取档案", actors["handler"], D(2024, 10, 28))
    case_actions.decide_extension(case, True, actors["office_head"], D(2024, 10, 29))
    assert case.extension_on == D(2024, 10, 29) and case.due_on == D(2024, 11, 13)


# -- R8.2 delivery ------------------------------------------------------------------------------
def test_an_online_notice_is_delivered_when_released_and_its_period_runs_from_then(agency, actors):
    case = _registered(agency, actors)
    case_actions.request_supplement(case, "请写明道路名称", 15, actors["handler"], D(2024, 9, 30))
    assert case.supplement_undelivered  # drafted, not yet reviewed: nothing has left
    assert sweep.run(D(2025, 3, 1)).lapsed_supplement == 0
    send_notices(case, D(2024, 10, 8))  # reviewed and released a week later
    db.session.refresh(case)
    notice = _notice(case, "supplement")
    assert notice.delivery_method == "online" and notice.delivered_on == D(2024, 10, 8)
    assert case.supplement_delivered_on == D(2024, 10, 8) and not case.supplement_undelivered


def test_a_posted_notice_never_lapses_before_its_signed_for_date(agency, actors):
    case = _registered(agency, actors, method="mail")
    case_actions.request_supplement(case, "请写明道路名称", 15, actors["handler"], D(2024, 9, 30))
    send_notices(case, D(2024, 9, 30))
    notice = _notice(case, "supplement")
    assert notice.delivery_method == "post" and notice.delivered_on is None
    assert sweep.run(D(2024, 12, 20)).lapsed_supplement == 0  # months later: still waiting
    with pytest.raises(ValidationFailed):
        notices.record_delivery(case, notice.id, D(2024, 9, 29), actors["registrar"],
                                D(2024, 12, 20))
    notices.record_delivery(case, notice.id, D(2024, 10, 8), actors["registrar"], D(2024, 12, 20))
    with pytest.raises(WorkflowError):
        notices.record_delivery(case, notice.id, D(2024, 10, 9), actors["registrar"],
                                D(2024, 12, 20))
    # 15 working days from 2024-10-08 (Saturday 10-12 worked) end on 10-28; the lapse day is 10-29
    assert sweep.run(D(2024, 12, 21)).lapsed_supplement == 1
    db.session.refresh(case)
    assert case.concluded_on == D(2024, 10, 29) and case.outcome == "other.no_supplement"
    assert case.timely is True  # the notice was on time (R3.6)


def test_a_good_reason_gives_a_new_period_before_the_lapse_only(agency, actors):
    case = _registered(agency, actors)
    case_actions.request_supplement(case, "请写明道路名称", 15, actors["handler"], D(2024, 9, 30))
    send_notices(case, D(2024, 9, 30))  # delivered 09-30: the period ends 10-25 (National Day)
    case_actions.extend_supplement_period(case, 10, "申请人住院，无法按期提交", actors["handler"],
                                          D(2024, 10, 21))
    assert case.supplement_new_period_on == D(2024, 10, 21)
    assert sweep.run(D(2024, 10, 25)).lapsed_supplement == 0
    kinds = [n.kind for n in db.session.query(Notice).filter_by(case_id=case.id)]
    assert kinds == ["supplement", "supplement_period"]
    other = _registered(agency, actors)
    case_actions.request_supplement(other, "请写明道路名称", 15, actors["handler"], D(2024, 9, 30))
    send_notices(other, D(2024, 9, 30))
    with pytest.raises(WorkflowError) as exc:
        case_actions.extend_supplement_period(other, 10, "理由", actors["handler"], D(2024, 10, 28))
    assert exc.value.code == "supplement_lapsed"


def test_a_posted_fee_notice_pauses_until_delivered_and_lapses_20_working_days_after(
        agency, actors):
    case = _registered(agency, actors, method="mail")
    case_actions.notify_fee(case, "per_page", 120, actors["handler"], D(2024, 10, 8))
    send_notices(case, D(2024, 10, 8))
    notice = _notice(case, "fee")
    assert sweep.run(D(2025, 1, 20)).lapsed_fee == 0
    notices.record_delivery(case, notice.id, D(2024, 10, 10), actors["registrar"], D(2025, 1, 20))
    assert sweep.run(D(2025, 1, 21)).lapsed_fee == 1
    db.session.refresh(case)
    assert case.outcome == "other.fee_unpaid" and case.timely is True
