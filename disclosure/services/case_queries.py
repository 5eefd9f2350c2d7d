"""Read side for staff: the filtered, sorted, paginated case list and a case's history.

Filtering and sorting happen in SQL over indexed columns (agency_id, status, received_on,
due_on); the page is fetched with LIMIT/OFFSET, so the list stays fast at a million rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Case, Event
from .actors import Actor

RUNNING = ("registered", "in_progress", "paused", "in_review")

SORTS = {
    "received_on": Case.received_on,
    "due_on": Case.due_on,
    "tracking_no": Case.tracking_no,
    "submitted_at": Case.submitted_at,
    "status": Case.status,
}


@dataclass
class CaseFilter:
    status: list[str] = field(default_factory=list)
    channel: str | None = None
    applicant_type: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str | None = None
    agency_id: int | None = None
    flag: str | None = None          # overdue / due_soon (R3.7), evaluated on `today`
    today: date | None = None
    soon_until: date | None = None
    sort: str = "received_on"
    descending: bool = True
    page: int = 1
    per_page: int = 50


@dataclass
class CasePage:
    items: list[Case]
    total: int
    page: int
    pages: int


def _scoped(stmt, actor: Actor, f: CaseFilter):
    if not actor.is_admin:
        stmt = stmt.where(Case.agency_id == actor.agency_id)
    elif f.agency_id:
        stmt = stmt.where(Case.agency_id == f.agency_id)
    if f.status:
        stmt = stmt.where(Case.status.in_(f.status))
    if f.channel:
        stmt = stmt.where(Case.channel == f.channel)
    if f.applicant_type:
        stmt = stmt.where(Case.applicant_type == f.applicant_type)
    if f.received_from:
        stmt = stmt.where(Case.received_on >= f.received_from)
    if f.received_to:
        stmt = stmt.where(Case.received_on <= f.received_to)
    if f.flag in ("overdue", "due_soon") and f.today:
        stmt = stmt.where(Case.status.in_(RUNNING))
        stmt = stmt.where(Case.due_on < f.today) if f.flag == "overdue" else \
            stmt.where(Case.due_on >= f.today, Case.due_on <= (f.soon_until or f.today))
    if f.q:
        like = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # ilike: Latin letters match either case on PostgreSQL as on SQLite
        stmt = stmt.where(or_(Case.subject.ilike(like, escape="\\"),
                              Case.applicant_name.ilike(like, escape="\\"),
                              Case.tracking_no.ilike(like, escape="\\")))
    return stmt


def list_cases(actor: Actor, f: CaseFilter) -> CasePage:
    total = db.session.execute(_scoped(select(func.count(Case.id)), actor, f)).scalar_one()
    pages = max(1, -(-total // f.per_page))
    page = min(max(1, f.page), pages)
    col = SORTS.get(f.sort, Case.received_on)
    order = col.desc() if f.descending else col.asc()
    tie = Case.id.desc() if f.descending else Case.id.asc()
    stmt = _scoped(select(Case), actor, f).order_by(order.nulls_last(), tie) \
        .limit(f.per_page).offset((page - 1) * f.per_page)
    return CasePage(list(db.session.execute(stmt).scalars()), total, page, pages)


def history(case: Case) -> list[Event]:
    return list(db.session.execute(
        select(Event).where(Event.case_id == case.id).order_by(Event.id)).scalars())
