"""Issue 18: job_claim and the outbox do not grow without bound — the sweep prunes what can no
longer matter, and never what still stops a notice from being sent twice."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import Event, JobClaim, Outbox
from disclosure.services import case_actions, cases, claims, outbox, sweep
from disclosure.services.actors import Actor
from disclosure.services.unit_of_work import unit_of_work
from tests.conftest import person_payload

D = date


def _paper(staff, received):
    return cases.register_paper(staff["registrar"].agency, person_payload(), "in_person",
                                received, Actor.of(staff["registrar"]), received).case


def _claims() -> set[tuple[str, date, str]]:
    db.session.rollback()
    return {(c.job, c.day, c.key) for c in db.session.execute(select(JobClaim)).scalars()}


def test_claims_are_pruned_only_when_they_can_no_longer_stop_anything(staff):
    today = D(2024, 12, 2)
    open_case = _paper(staff, D(2024, 9, 2))
    old_done = _paper(staff, D(2024, 9, 2))
    new_done = _paper(staff, D(2024, 9, 2))
    h = Actor.of(staff["handler"])
    case_actions.withdraw(old_done, h, D(2024, 10, 8), reason="书面撤回")
    case_actions.withdraw(new_done, h, today, reason="书面撤回")
    with unit_of_work():
        for job, day, key in [
                ("digest", D(2024, 11, 1), "1"), ("digest", today, "1"),
                ("calendar_alert", D(2024, 11, 1), ""),
                ("overdue", D(2024, 10, 1), str(open_case.id)),       # open: kept forever
                ("overdue", D(2024, 10, 1), str(old_done.id)),        # concluded long ago
                ("due_soon", D(2024, 9, 20), str(new_done.id))]:      # concluded this week
            claims.claim(job, day, key)
    with unit_of_work():
        assert claims.prune(today) == 0  # all made just now: a racing sweep may need them
        for c in db.session.execute(select(JobClaim)).scalars():
            c.claimed_at = datetime(2024, 11, 1, tzinfo=UTC)
    with unit_of_work():
        assert claims.prune(today) == 3
    assert _claims() == {("digest", today, "1"), ("overdue", D(2024, 10, 1), str(open_case.id)),
                         ("due_soon", D(2024, 9, 20), str(new_done.id))}


def test_an_overdue_notice_stays_sent_once_across_pruning_sweeps(staff):
    case = _paper(staff, D(2024, 8, 1))  # long overdue by October, still open
    for day in (D(2024, 10, 8), D(2024, 11, 20), D(2025, 1, 6)):
        sweep.run(day)
        with unit_of_work():  # the claims age as the days pass (claimed_at is the real clock)
            for c in db.session.execute(select(JobClaim)).scalars():
                c.claimed_at = datetime(2024, 9, 1, tzinfo=UTC)
    assert ("overdue", case.due_on, str(case.id)) in _claims()  # kept: the case is open
    db.session.rollback()
    n = db.session.execute(select(func.count()).select_from(Event).where(
        Event.case_id == case.id, Event.action == "overdue_notice")).scalar_one()
    assert n == 1


def test_sent_mails_go_after_the_keep_period_unsent_ones_never(staff):
    today = D(2024, 12, 2)
    stamp = datetime(2024, 12, 2, 2, 0, tzinfo=UTC)
    with unit_of_work():
        old_sent = outbox.enqueue("a@example.cn", "旧", "正文")
        recent = outbox.enqueue("a@example.cn", "近", "正文")
        old_unsent = outbox.enqueue("sms:13800000000", "未发", "正文")
        old_sent.sent_at = stamp - timedelta(days=181)
        recent.sent_at = stamp - timedelta(days=10)
        old_unsent.created_at = stamp - timedelta(days=400)
    with unit_of_work():
        assert outbox.prune(today) == 1
    db.session.rollback()
    left = set(db.session.execute(select(Outbox.subject)).scalars())
    assert left == {"近", "未发"}
