"""The daily deadline sweep (R2.2, R3.3, R3.7, R4.3, R5.4, R1.2).

It concludes cases whose 补正 period or fee period lapsed, ends unanswered consultations after
15 working days, refreshes the drifting due dates of paused cases, records due-soon and overdue
notices once per case and due date, flags unconfirmed online submissions, and checks calendar
coverage. Every effect is claimed first (services.claims), so the sweep is idempotent: a re-run,
a catch-up after days of downtime or a second scheduler started by mistake changes nothing more.
It never writes "overdue" into a status: flags are derived, only real transitions happen.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import settings
from ..domain import deadlines
from ..domain.codes import Outcome, PauseKind, Status
from ..domain.workflow import NEW, WorkflowError, transition
from ..extensions import db
from ..models import Case, CasePause
from ..timeutil import local_date
from . import audit, claims, digest, notify, outbox, sweep_bulk
from .actors import SYSTEM_ACTOR
from .calendar import add_workdays, get_calendar
from .dashboard import calendar_alert_years
from .unit_of_work import unit_of_work

RUNNING = (Status.REGISTERED, Status.IN_PROGRESS, Status.PAUSED, Status.IN_REVIEW)
BATCH = 1000


@dataclass
class SweepReport:
    today: date
    lapsed_supplement: int = 0
    lapsed_fee: int = 0
    consultations_ended: int = 0
    refreshed: int = 0
    due_soon: int = 0
    overdue: int = 0
    unconfirmed: int = 0
    calendar_missing: list[int] = field(default_factory=list)
    digests: int = 0
    claims_pruned: int = 0
    mails_pruned: int = 0

    def lines(self) -> list[str]:
        return [f"{k}: {v}" for k, v in self.__dict__.items()]


def _ids(stmt) -> list[int]:
    return list(db.session.execute(stmt).scalars())


def _act_once(job: str, action: str, items: list[tuple[date, int]], prepare,
              today: date, after=None) -> int:
    """Claim (job, day, case) in bulk, then load the won cases of the chunk with one SELECT
    (pauses included) and take ``action`` on each through the workflow (sweep_bulk.apply_many:
    ``domain.workflow.transition`` per case, one audit event each), committing per chunk.
    ``prepare(case, day)`` sets the facts of the step and returns (on, data); ``after(case)``
    runs once the step is taken. A case someone else already moved — its status no longer
    allows the action — is left alone (checked before anything is touched, so no savepoint is
    needed). Returns how many cases were changed."""
    done = 0
    for chunk in _chunks(items, 200):
        with unit_of_work():
            won = claims.claim_many(job, [(d, str(cid)) for d, cid in chunk])
            mine = [(d, cid) for d, cid in chunk if (d, str(cid)) in won]
            if not mine:
                continue
            loaded = {c.id: c for c in db.session.execute(
                select(Case).where(Case.id.in_([cid for _, cid in mine]))
                .options(selectinload(Case.pauses))).scalars()}
            steps, moved = [], []
            for day, cid in mine:
                case = loaded.get(cid)
                if case is None or not _allowed(case, action):
                    continue
                on, data = prepare(case, day)
                steps.append((case, action, on, data))
                moved.append(case)
            sweep_bulk.apply_many(steps, SYSTEM_ACTOR, today)
            if after is not None:
                for case in moved:
                    after(case)
            done += len(steps)
    return done


def _allowed(case: Case, action: str) -> bool:
    try:
        transition(case.status or NEW, action, SYSTEM_ACTOR.roles)
    except WorkflowError:
        return False
    return True


def _concluder(outcome: str):
    def prepare(case: Case, on: date):
        case.outcome, case.concluded_on, case.concluded_by_sweep = outcome, on, True
        return on, None
    return prepare


def conclude_lapsed_supplements(today: date, report: SweepReport) -> None:
    """R4.3/R8.2, 条例第三十条: no supplement by the end of the period — which runs from the
    day the notice reached the applicant, or from a new period granted for a good reason — →
    other.no_supplement on the first day after it. A notice not yet delivered never lapses."""
    cal = get_calendar()
    items = []
    for r in db.session.execute(select(
            Case.id, Case.supplement_requested_on, Case.supplement_period_workdays,
            Case.supplement_delivered_on, Case.supplement_undelivered,
            Case.supplement_new_period_on, Case.supplement_new_period_workdays).where(
            Case.status == Status.AWAITING_SUPPLEMENT, Case.supplement_received_on.is_(None),
            Case.supplement_requested_on < today)).all():
        end = deadlines.supplement_period_end(deadlines.ClockFacts(
            None, supplement_requested_on=r.supplement_requested_on,
            supplement_period_workdays=r.supplement_period_workdays,
            supplement_delivered_on=r.supplement_delivered_on,
            supplement_undelivered=bool(r.supplement_undelivered),
            supplement_new_period_on=r.supplement_new_period_on,
            supplement_new_period_workdays=r.supplement_new_period_workdays), cal)
        if end is not None and today > end:
            items.append((end + timedelta(days=1), r.id))
    report.lapsed_supplement += _act_once(
        "lapse_supplement", "lapse_supplement", sorted(items, key=lambda it: it[1]),
        _concluder(Outcome.OTHER_NO_SUPPLEMENT), today,
        after=lambda case: notify.applicant_event(case, "lapse_supplement"))  # issue 16


def conclude_unpaid_fees(today: date, report: SweepReport) -> None:
    """R5.4/R8.2, 条例第四十二条: fee unpaid 20 working days after the notice reached the
    applicant → other.fee_unpaid. A notice not yet delivered never lapses."""
    cal = get_calendar()
    items = []
    for r in db.session.execute(select(
            Case.id, Case.fee_notified_on, Case.fee_delivered_on, Case.fee_undelivered).where(
            Case.status == Status.PAUSED, Case.fee_notified_on.is_not(None),
            Case.fee_paid_on.is_(None), Case.fee_notified_on < today - timedelta(days=20))).all():
        end = deadlines.fee_payment_end(deadlines.ClockFacts(
            None, fee_notified_on=r.fee_notified_on, fee_delivered_on=r.fee_delivered_on,
            fee_undelivered=bool(r.fee_undelivered)), cal)
        if end is not None and today > end:
            items.append((end + timedelta(days=1), r.id))
    report.lapsed_fee += _act_once(
        "lapse_fee", "lapse_fee", sorted(items, key=lambda it: it[1]),
        _concluder(Outcome.OTHER_FEE_UNPAID), today,
        after=lambda case: notify.applicant_event(case, "lapse_fee"))  # issue 16


def end_unanswered_consultations(today: date, report: SweepReport) -> None:
    """R3.3: a consultation with no answer ends by itself after 15 working days."""
    cal = get_calendar()
    items = []
    for cid, start in db.session.execute(
            select(CasePause.case_id, CasePause.start_on).join(Case).where(
                Case.status == Status.PAUSED, CasePause.end_on.is_(None),
                CasePause.kind.in_((PauseKind.THIRD_PARTY, PauseKind.AGENCY)),
                CasePause.start_on < today - timedelta(days=15))).all():
        end = deadlines.consultation_auto_end(start, cal)
        if today > end:
            items.append((end, cid))

    def close(case: Case, end: date):
        for pause in case.pauses:
            if pause.end_on is None and pause.kind != PauseKind.FEE:
                pause.end_on = end
        return end, {"auto": True}
    report.consultations_ended += _act_once(
        "end_consultation", "end_consultation", sorted(items, key=lambda it: it[1]), close, today)


def refresh_paused(today: date, report: SweepReport) -> None:
    """R3.4: while a pause is open the due date assumes it ends today, so it moves every day.
    Re-derived in bulk (sweep_bulk.refresh: Core reads, one executemany UPDATE per batch)."""
    ids = sorted(_ids(select(Case.id).where(Case.status == Status.PAUSED)))
    for i in range(0, len(ids), BATCH):
        with unit_of_work():
            report.refreshed += sweep_bulk.refresh(ids[i:i + BATCH], today)


def _chunks(rows, size=BATCH):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _claim_and_note(kind: str, rows, today: date, report: SweepReport) -> None:
    """Bulk: claim (kind, day, case id) for each row, write one event per newly claimed case.
    (Staff hear of them in their daily digest, which reads the workbench queues.)"""
    for chunk in _chunks(rows):
        with unit_of_work():
            won = claims.claim_many(kind, [(r.day, str(r.id)) for r in chunk])
            fresh = [r for r in chunk if (r.day, str(r.id)) in won]
            audit.record_many(SYSTEM_ACTOR, f"{kind}_notice", [
                {"case_id": r.id, "agency_id": r.agency_id, "status": r.status,
                 "data": {"day": r.day.isoformat()}} for r in fresh], on=today)
        setattr(report, kind, getattr(report, kind) + len(fresh))


def deadline_notices(today: date, report: SweepReport) -> None:
    """R3.7: one due-soon and one overdue notice per case and due date (claimed in bulk)."""
    soon_until = add_workdays(today, settings.current()["DUE_SOON_WORKDAYS"])
    cols = (Case.id, Case.agency_id, Case.status, Case.tracking_no, Case.subject,
            Case.due_on.label("day"))
    for kind, cond in (("overdue", Case.due_on < today),
                       ("due_soon", Case.due_on.between(today, soon_until))):
        rows = sorted(db.session.execute(select(*cols).where(Case.status.in_(RUNNING), cond))
                      .all(), key=lambda r: r.id)
        _claim_and_note(kind, rows, today, report)


def flag_unconfirmed(today: date, report: SweepReport) -> None:
    """R2.2: online submissions not confirmed by the end of the next working day."""
    cal = get_calendar()
    rows = db.session.execute(select(
        Case.id, Case.agency_id, Case.status, Case.tracking_no, Case.subject, Case.submitted_at,
        Case.forwarded_on).where(Case.status == Status.SUBMITTED)).all()
    rows.sort(key=lambda r: r.id)
    late = []
    for r in rows:
        # a forwarded submission reached its agency on the forwarding day (issue 17)
        day = r.forwarded_on or (local_date(r.submitted_at) if r.submitted_at else today)
        if deadlines.confirmation_overdue(day, today, cal):
            late.append(_Row(r.id, r.agency_id, r.status, r.tracking_no, r.subject, day))
    _claim_and_note("unconfirmed", late, today, report)


@dataclass
class _Row:
    id: int
    agency_id: int
    status: str
    tracking_no: str
    subject: str
    day: date


def send_digests(today: date, report: SweepReport) -> None:
    """Issue 17: one digest per staff member and day — what concerns them, by e-mail and (with
    a gateway and a mobile) SMS; nothing to someone with nothing to be told or who opted out
    (services.digest). It carries the calendar alert and the annual report reminder
    (条例第四十九条) too."""
    report.digests += digest.send_all(today)


def check_calendar(today: date, report: SweepReport) -> None:
    """R1.2: from 1 November, next year's holidays must be entered. The administrators are told
    in their daily digest (services.digest), which reads the same years."""
    report.calendar_missing = calendar_alert_years(today)


def run(today: date) -> SweepReport:
    """The whole sweep as of ``today`` (the scheduler job and `flask sweep run` call this)."""
    return _run(today)


def _run(today: date) -> SweepReport:
    report = SweepReport(today)
    conclude_lapsed_supplements(today, report)
    conclude_unpaid_fees(today, report)
    end_unanswered_consultations(today, report)
    refresh_paused(today, report)
    deadline_notices(today, report)
    flag_unconfirmed(today, report)
    check_calendar(today, report)
    send_digests(today, report)
    with unit_of_work():  # bounded tables (issue 18): what can no longer matter goes
        report.claims_pruned = claims.prune(today)
        report.mails_pruned = outbox.prune(today)
    return report


def open_count() -> int:
    return db.session.execute(select(func.count()).select_from(Case).where(
        Case.concluded_on.is_(None))).scalar_one()
