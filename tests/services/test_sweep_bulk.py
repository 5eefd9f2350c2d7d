"""Issue 18: the sweep's bulk paths give the same results as the per-case ORM path."""
import random
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, insert, select

from disclosure.extensions import db
from disclosure.models import Case, CasePause, Event, JobClaim
from disclosure.services import sweep, sweep_bulk
from disclosure.services.cases import deadline_of

TODAY = date(2024, 12, 16)
DERIVED = ("clock_started_on", "due_on", "due_provisional", "timely", "late_acts")


def _seed(agency_id: int, n: int, status: str = "paused", seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    stamp = datetime.now(timezone.utc)
    rows = []
    for i in range(n):
        received = TODAY - timedelta(days=rng.randrange(1, 90))
        row = dict(agency_id=agency_id, tracking_no=f"SB-{seed}-{i:05d}", channel="online",
                   status=status, applicant_type="natural_person", applicant_name=f"甲{i}",
                   subject=f"信息{i}", received_on=received, created_at=stamp,
                   extension_workdays=rng.choice((0, 0, 10, 20)), concluded_by_sweep=False,
                   # stale or wrong stored copies: the refresh must put them right
                   clock_started_on=rng.choice((None, received)),
                   due_on=rng.choice((None, received + timedelta(days=rng.randrange(0, 40)))),
                   due_provisional=rng.random() < 0.5, timely=rng.choice((None, True, False)),
                   late_acts=rng.choice(("", "reply")))
        if row["extension_workdays"]:
            row["extension_on"] = received + timedelta(days=rng.randrange(5, 25))
        if rng.random() < 0.3:
            row.update(supplement_requested_on=received + timedelta(days=1),
                       supplement_period_workdays=15,
                       supplement_received_on=received + timedelta(days=rng.randrange(2, 9)))
        if rng.random() < 0.3:
            notified = received + timedelta(days=rng.randrange(2, 20))
            row.update(fee_notified_on=notified,
                       fee_delivered_on=rng.choice((None, notified + timedelta(days=2))),
                       fee_undelivered=rng.random() < 0.2)
        rows.append(row)
    db.session.execute(insert(Case), rows)
    ids = sorted(db.session.execute(select(Case.id).where(
        Case.tracking_no.like(f"SB-{seed}-%"))).scalars())
    pauses = []
    for cid in ids:
        case_received = db.session.get(Case, cid).received_on
        start = case_received + timedelta(days=rng.randrange(1, 10))
        for _ in range(rng.randrange(0, 3)):
            end = start + timedelta(days=rng.randrange(1, 20))
            pauses.append(dict(case_id=cid, kind=rng.choice(("third_party", "agency", "fee")),
                               start_on=start, end_on=end if end < TODAY else None))
            start = end + timedelta(days=rng.randrange(0, 5))
        if rng.random() < 0.7 and start < TODAY:
            pauses.append(dict(case_id=cid, kind=rng.choice(("third_party", "agency", "fee")),
                               start_on=start, end_on=None))
    if pauses:
        db.session.execute(insert(CasePause), pauses)
    db.session.commit()
    return ids


def test_bulk_refresh_matches_the_per_case_derivation(agency):
    ids = _seed(agency.id, 300)
    expected, moved = {}, 0
    for cid in ids:  # the old path: ORM object, services.cases.deadline_of
        case = db.session.get(Case, cid)
        dl = deadline_of(case, TODAY, explain=False)
        expected[cid] = (dl.clock_started_on, dl.due_on, dl.provisional, dl.timely,
                         " ".join(dl.late_acts))
        moved += case.due_on != dl.due_on
    db.session.rollback()
    assert sweep_bulk.refresh(ids, TODAY) == moved
    db.session.commit()
    db.session.expire_all()
    got = {r.id: tuple(getattr(r, f) for f in DERIVED) for r in db.session.execute(
        select(Case.id, *(getattr(Case, f) for f in DERIVED)).where(Case.id.in_(ids)))}
    assert got == expected
    assert moved > 0
    # a second refresh the same day finds nothing to write
    assert sweep_bulk.derive_rows(ids, TODAY) == []


def test_refresh_paused_in_the_sweep_counts_moved_due_dates(agency):
    ids = _seed(agency.id, 60, seed=8)
    report = sweep.SweepReport(TODAY)
    sweep.refresh_paused(TODAY, report)
    assert report.refreshed > 0
    again = sweep.SweepReport(TODAY)
    sweep.refresh_paused(TODAY, again)
    assert again.refreshed == 0 and sweep_bulk.derive_rows(ids, TODAY) == []


def test_lapses_go_through_the_workflow_once_with_one_event_each(agency):
    stamp = datetime.now(timezone.utc)
    rows = [dict(agency_id=agency.id, tracking_no=f"LP-{i}", channel="online",
                 status="awaiting_supplement", applicant_type="natural_person",
                 applicant_name="乙", subject="信息", received_on=date(2024, 10, 8),
                 created_at=stamp, extension_workdays=0, concluded_by_sweep=False,
                 due_provisional=False, supplement_requested_on=date(2024, 10, 9),
                 supplement_period_workdays=15, supplement_delivered_on=date(2024, 10, 10),
                 email=f"a{i}@example.cn") for i in range(5)]
    db.session.execute(insert(Case), rows)
    db.session.commit()
    ids = sorted(db.session.execute(select(Case.id).where(
        Case.tracking_no.like("LP-%"))).scalars())
    # someone else moved the last case after the sweep read its candidates
    report = sweep.SweepReport(TODAY)
    real = sweep._allowed

    def moved_elsewhere(case, action):
        return case.id != ids[-1] and real(case, action)
    sweep._allowed = moved_elsewhere
    try:
        sweep.conclude_lapsed_supplements(TODAY, report)
    finally:
        sweep._allowed = real
    assert report.lapsed_supplement == 4
    events = db.session.execute(select(Event).where(
        Event.action == "lapse_supplement").order_by(Event.seq)).scalars().all()
    assert [e.case_id for e in events] == ids[:-1]
    for ev in events:
        case = db.session.get(Case, ev.case_id)
        assert case.status != "awaiting_supplement" and case.concluded_by_sweep
        assert ev.before_status == "awaiting_supplement" and ev.after_status == case.status
        assert ev.on_date == case.concluded_on
    assert db.session.get(Case, ids[-1]).status == "awaiting_supplement"
    # claimed, so a second run changes nothing, not even the case left alone
    again = sweep.SweepReport(TODAY)
    sweep.conclude_lapsed_supplements(TODAY, again)
    assert again.lapsed_supplement == 0
    assert db.session.scalar(select(func.count()).select_from(Event).where(
        Event.action == "lapse_supplement")) == 4
    assert db.session.scalar(select(func.count()).select_from(JobClaim).where(
        JobClaim.job == "lapse_supplement")) == 5
