from datetime import date

import pytest

from disclosure.domain.workflow import WorkflowError
from disclosure.services import case_actions, cases, sweep
from disclosure.services.actors import Actor
from tests.conftest import person_payload, send_notices

D = date


@pytest.fixture
def actors(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def _registered(agency, actors, received=D(2024, 9, 27)):
    return cases.register_paper(agency, person_payload(), "in_person", received,
                                actors["registrar"], received).case


def test_supplement_restarts_clock_and_notice_is_stored(agency, actors):
    case = _registered(agency, actors)
    case_actions.request_supplement(case, "请写明道路名称", None, actors["handler"], D(2024, 9, 30))
    send_notices(case, D(2024, 9, 30))
    assert case.status == "awaiting_supplement" and case.due_on is None
    with pytest.raises(WorkflowError):  # 一次性告知
        case_actions.request_supplement(case, "again", None, actors["handler"], D(2024, 10, 8))
        send_notices(case, D(2024, 10, 8))
    case_actions.receive_supplement(case, D(2024, 10, 9), actors["handler"], D(2024, 10, 9))
    assert case.clock_started_on == D(2024, 10, 9)
    # 20 working days after 2024-10-09 (10-12 is a 调休 Saturday)
    assert case.due_on == D(2024, 11, 5)
    from disclosure.services.review import notices
    assert [n.kind for n in notices.for_case(case)] == ["supplement"]


def test_extension_needs_another_person_and_moves_due(agency, actors, staff):
    from disclosure.services.users import set_roles
    set_roles(staff["handler"], ["handler", "office_head"], actors["admin"])
    both = Actor.of(staff["handler"])
    case = _registered(agency, actors)
    case_actions.request_extension(case, 20, "需要调取档案", both, D(2024, 10, 20))
    with pytest.raises(WorkflowError) as exc:
        case_actions.decide_extension(case, True, both, D(2024, 10, 21))
    assert exc.value.code == "same_person"
    case_actions.decide_extension(case, True, actors["office_head"], D(2024, 10, 21))
    assert case.extension_workdays == 20 and case.due_on == D(2024, 11, 27)


def test_extension_refused_after_due_date(agency, actors):
    case = _registered(agency, actors)
    case_actions.request_extension(case, 5, "理由", actors["handler"], D(2024, 10, 30))
    with pytest.raises(WorkflowError) as exc:
        case_actions.decide_extension(case, True, actors["office_head"], D(2024, 10, 31))
    assert exc.value.code == "extension_too_late"
    assert case.extension_workdays == 0


def test_sweep_concludes_lapsed_supplement_once(agency, actors):
    case = _registered(agency, actors)
    case_actions.request_supplement(case, "事项", 15, actors["handler"], D(2024, 9, 30))
    send_notices(case, D(2024, 9, 30))
    first = sweep.run(D(2024, 11, 5))
    assert first.lapsed_supplement == 1
    assert case.status == "abandoned" and case.outcome == "other.no_supplement"
    assert case.concluded_on == D(2024, 10, 26)  # period ends 2024-10-25 (15 workdays after 9-30)
    assert case.timely is True
    again = sweep.run(D(2024, 11, 5))
    assert again.lapsed_supplement == 0 and again.overdue == 0


def test_sweep_overdue_notice_once_per_due_date(agency, actors):
    case = _registered(agency, actors)
    r1 = sweep.run(D(2024, 11, 1))
    r2 = sweep.run(D(2024, 11, 2))
    assert (r1.overdue, r2.overdue) == (1, 0)
    assert case.status == "registered"  # the sweep never writes "overdue" into the status


def test_fee_per_case_tier_and_lapse(agency, actors):
    made = [_registered(agency, actors, D(2024, 9, 2)) for _ in range(11)]
    eleventh = made[-1]
    case_actions.notify_fee(eleventh, "per_case", None, actors["handler"], D(2024, 9, 3))
    send_notices(eleventh, D(2024, 9, 3))
    assert str(eleventh.fee_amount) == "100.00" and eleventh.status == "paused"
    with pytest.raises(cases.ValidationFailed):
        # 1st: free
        case_actions.notify_fee(made[0], "per_case", None, actors["handler"], D(2024, 9, 3))
    report = sweep.run(D(2024, 10, 15))
    assert report.lapsed_fee == 1 and eleventh.outcome == "other.fee_unpaid"
