"""转办 before acceptance (issue 17): the submission moves, the receiving agency's confirmation
starts the clock (R2.2), the applicant is told only through the gate, both agencies are in the
history; after acceptance only the reply of 第三十六条第五项 names the holding agency."""
from datetime import date

import pytest
from sqlalchemy import select

from disclosure.domain.errors import ValidationFailed
from disclosure.domain.workflow import WorkflowError
from disclosure.extensions import db
from disclosure.models import Agency, Event, Notice, Outbox
from disclosure.services import cases, forwarding
from disclosure.services.actors import Actor
from disclosure.services.applicant_view import public_history
from disclosure.services.review import notices, replies
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, person_payload, send_notices

D = date


@pytest.fixture
def county(staff):
    town_id = create_agency("XQZ", "西桥镇人民政府").id
    users = {r: create_user(f"x-{r}", PASSWORD, "XQZ", [r], f"x-{r}")
             for r in ("registrar", "handler", "reviewer")}
    town = db.session.get(Agency, town_id)
    town.address, town.phone = "西桥镇人民路1号", "0513-1234567"
    db.session.commit()
    return town, users


def _submitted(day=D(2026, 3, 2)):
    return cases.submit_online(person_payload(), today=day).case


def test_forwarded_submission_moves_and_its_clock_starts_with_the_receiving_confirmation(
        staff, county):
    town, x = county
    case = _submitted()
    forwarding.forward(case, town.id, "申请的是西桥镇的村庄规划", Actor.of(staff["registrar"]),
                       D(2026, 3, 4))
    db.session.refresh(case)
    assert case.agency_id == town.id and case.status == "submitted"
    assert case.forwarded_from.code == "BCZ" and case.forwarded_on == D(2026, 3, 4)
    assert case.received_on is None and case.due_on is None  # nobody's clock runs yet
    # the receiving agency cannot date its receipt before the submission reached it
    with pytest.raises(ValidationFailed) as exc:
        cases.confirm_receipt(case, D(2026, 3, 3), Actor.of(x["registrar"]), D(2026, 3, 5))
    assert "received_on" in exc.value.errors
    cases.confirm_receipt(case, D(2026, 3, 5), Actor.of(x["registrar"]), D(2026, 3, 5))
    assert case.received_on == D(2026, 3, 5) and case.status == "registered"
    # 20 working days counted from the receiving agency's receipt (2026-03-05 → 04-02)
    assert case.due_on == D(2026, 4, 2)


def test_the_sending_agency_loses_the_case_and_cannot_act_on_it(staff, county):
    town, x = county
    case = _submitted()
    registrar = Actor.of(staff["registrar"])
    forwarding.forward(case, town.id, "不属于本机关", registrar, D(2026, 3, 3))
    with pytest.raises(WorkflowError):
        cases.confirm_receipt(case, None, registrar, D(2026, 3, 3))
    with pytest.raises(WorkflowError):  # nor send it on again
        forwarding.forward(case, staff["registrar"].agency_id, "回转", registrar, D(2026, 3, 3))


def test_only_an_unconfirmed_submission_is_forwarded(staff, county):
    town, _ = county
    case = _submitted()
    registrar = Actor.of(staff["registrar"])
    cases.confirm_receipt(case, None, registrar, D(2026, 3, 3))
    with pytest.raises(WorkflowError):  # accepted: the law's answer is a reply (第三十六条第五项)
        forwarding.forward(case, town.id, "晚了", registrar, D(2026, 3, 3))
    case2 = _submitted()
    with pytest.raises(WorkflowError):  # a handler does not forward
        forwarding.forward(case2, town.id, "x", Actor.of(staff["handler"]), D(2026, 3, 3))


@pytest.mark.parametrize("target, reason, field", [
    (None, "理由", "to_agency"), ("abc", "理由", "to_agency"), (999999, "理由", "to_agency"),
    ("own", "理由", "to_agency"), ("town", "  ", "reason"), ("town", "长" * 501, "reason")])
def test_bad_forwarding_input_is_refused_and_changes_nothing(staff, county, target, reason,
                                                             field):
    town, _ = county
    case = _submitted()
    target = {"own": case.agency_id, "town": town.id}.get(target, target)
    with pytest.raises(ValidationFailed) as exc:
        forwarding.forward(case, target, reason, Actor.of(staff["registrar"]), D(2026, 3, 3))
    assert field in exc.value.errors
    db.session.rollback()
    db.session.refresh(case)
    assert case.agency.code == "BCZ" and case.forwarded_from_id is None


def test_applicant_is_told_only_through_the_gate_and_history_names_both(staff, county):
    town, x = county
    case = _submitted()
    mails_before = db.session.scalar(select(db.func.count()).select_from(Outbox))
    forwarding.forward(case, town.id, "村庄规划由西桥镇编制", Actor.of(staff["registrar"]),
                       D(2026, 3, 3))
    notice = db.session.execute(select(Notice).where(Notice.case_id == case.id)).scalar_one()
    assert notice.kind == "forwarded" and notice.released_on is None
    assert "西桥镇人民政府" in notice.body and "包场镇人民政府" in notice.body
    assert "村庄规划由西桥镇编制" in notice.body
    # not yet reviewed: nothing reached the applicant
    assert notices.for_case(case, applicant_only=True) == []
    assert db.session.scalar(select(db.func.count()).select_from(Outbox)) == mails_before
    # the receiving agency's reviewer is the one who can release it (the case is theirs now)
    with pytest.raises(WorkflowError):
        notices.decide(case, notice.id, "approved", None, Actor.of(staff["reviewer"]),
                       D(2026, 3, 3), **_seen(notice))
    db.session.rollback()
    send_notices(case, D(2026, 3, 3))
    sent = notices.for_case(case, applicant_only=True)
    assert [n.kind for n in sent] == ["forwarded"] and sent[0].doc_number.startswith("西政信转")
    assert db.session.scalar(select(db.func.count()).select_from(Outbox)) > mails_before
    ev = db.session.execute(select(Event).where(Event.case_id == case.id,
                                                Event.action == "forward")).scalar_one()
    assert ev.data["from_agency"] == "BCZ" and ev.data["to_agency"] == "XQZ"
    assert ev.data["reason"] == "村庄规划由西桥镇编制"
    assert "forwarded" in [h["event"] for h in public_history(case)]


def _seen(notice):
    from disclosure.services.review import seen
    return seen(notices.item_of(notice))


def test_reply_not_held_names_the_holding_agency_picked_from_the_platform(staff, county):
    town, _ = county
    case = _submitted()
    cases.confirm_receipt(case, None, Actor.of(staff["registrar"]), D(2026, 3, 3))
    handler = Actor.of(staff["handler"])
    reply = replies.draft_reply(case, "art36_5", None, handler, D(2026, 3, 4), holder_id=town.id)
    letter = replies.items_of(case)[0].current.text
    assert "西桥镇人民政府（地址：西桥镇人民路1号；联系电话：0513-1234567）" in letter
    assert replies.HOLDER_PLACEHOLDER not in letter and reply.outcome == "unavailable.not_held"
    with pytest.raises(ValidationFailed) as exc:  # never the case's own agency
        replies.draft_reply(case, "art36_5", None, handler, D(2026, 3, 4),
                            holder_id=case.agency_id)
    assert "holder" in exc.value.errors
