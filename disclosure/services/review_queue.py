"""The reviewer's queue: items of cases in review whose current version awaits a decision."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain.codes import Status
from ..extensions import db
from ..models import Case, ReleaseItem
from . import review
from .actors import Actor
from .calendar import get_calendar


@dataclass
class QueueRow:
    case: Case
    item: ReleaseItem
    days_left: int | None


def queue(actor: Actor, today: date) -> list[QueueRow]:
    stmt = select(Case).where(Case.status == Status.IN_REVIEW).order_by(Case.due_on.nulls_last(), Case.id)
    if not actor.is_admin:
        stmt = stmt.where(Case.agency_id == actor.agency_id)
    cal = get_calendar()
    rows = []
    for case in db.session.execute(stmt).scalars():
        items = db.session.execute(select(ReleaseItem).where(
            ReleaseItem.case_id == case.id, ReleaseItem.withdrawn.is_(False))
            .order_by(ReleaseItem.kind != "letter", ReleaseItem.id)).scalars()
        left = cal.workdays_between(today, case.due_on) if case.due_on else None
        if case.due_on and today > case.due_on:
            left = -cal.workdays_between(case.due_on, today)
        rows += [QueueRow(case, i, left) for i in items if review.status_of(i) == "pending"]
    return rows
