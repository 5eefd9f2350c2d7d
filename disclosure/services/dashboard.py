"""Staff home: what needs attention today, counted in SQL over the stored deadline fields."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .. import settings
from ..database import seq
from ..domain.codes import Status
from ..extensions import db
from ..models import Case, Notice
from . import access
from .actors import Actor
from .calendar import add_workdays, get_calendar

CLOCK_RUNNING = (Status.REGISTERED, Status.IN_PROGRESS, Status.PAUSED, Status.IN_REVIEW)


@dataclass
class Summary:
    by_status: dict[str, int]
    overdue: int
    due_soon: int
    unconfirmed: int
    soon_until: date
    missing_years: list[int]
    soon: list = None  # (case, working days left), nearest first
    undelivered: list = None  # (notice, case, working days since sent): R8.2 post unsigned


def _scope(stmt, actor: Actor):
    return access.scoped(stmt, actor, Case.agency_id)


def summary(actor: Actor, today: date) -> Summary:
    rows = db.session.execute(_scope(
        select(Case.status, func.count()).group_by(Case.status), actor)).all()
    soon_until = add_workdays(today, settings.current()["DUE_SOON_WORKDAYS"])
    running = _scope(select(func.count()).select_from(Case)
                     .where(Case.status.in_(CLOCK_RUNNING)), actor)
    overdue = db.session.execute(running.where(Case.due_on < today)).scalar_one()
    due_soon = db.session.execute(
        running.where(Case.due_on >= today, Case.due_on <= soon_until)).scalar_one()
    cal = get_calendar()
    soon_cases = db.session.execute(_scope(select(Case).where(
        Case.status.in_(CLOCK_RUNNING), Case.due_on >= today, Case.due_on <= soon_until)
        .order_by(Case.due_on, Case.id).limit(20), actor)).scalars().all()
    return Summary(
        by_status={s: n for s, n in rows}, overdue=overdue, due_soon=due_soon,
        unconfirmed=dict(rows).get(Status.SUBMITTED, 0), soon_until=soon_until,
        missing_years=calendar_alert_years(today),
        soon=[(c, cal.workdays_between(today, c.due_on)) for c in soon_cases],
        undelivered=undelivered_notices(actor, today))


UNDELIVERED_ALERT_WORKDAYS = 5


def undelivered_notices(actor: Actor, today: date) -> list:
    """R8.2: notices sent by post (or to be handed over) with no delivery date recorded 5
    working days after they were sent — the applicant's period cannot start until someone
    enters the signed-for date from the postal receipt."""
    cal = get_calendar()
    stmt = select(Notice, Case).join(Case, Case.id == Notice.case_id).where(
        Notice.released_on.is_not(None), Notice.delivered_on.is_(None),
        Notice.delivery_method.in_(("post", "in_person")),
        Case.concluded_on.is_(None)).order_by(Notice.released_on, Notice.id)
    rows = db.session.execute(_scope(stmt, actor)).all()
    out = []
    for notice, case in rows:
        waited = cal.workdays_between(notice.released_on, today)
        if waited >= UNDELIVERED_ALERT_WORKDAYS:
            out.append((notice, case, waited))
    return out[:50]


def calendar_alert_years(today: date) -> list[int]:
    """R1.2: from 1 November, next year must be in the calendar; this year always; and every
    year an open case's provisional due date runs into — the alert stays until the year's
    notice is recorded (a single override day does not count)."""
    years = {today.year} | ({today.year + 1} if today.month >= 11 else set())
    # the partial index ix_case_provisional (few rows), not the open cases (many): ``seq``
    lo, hi = db.session.execute(select(func.min(Case.due_on), func.max(Case.due_on)).where(
        seq(Case.concluded_on).is_(None), Case.due_provisional.is_(True))).one()
    if lo is not None and hi is not None:
        years |= set(range(lo.year, min(hi.year, today.year + 5) + 1))
    return get_calendar().missing_years(sorted(years))
