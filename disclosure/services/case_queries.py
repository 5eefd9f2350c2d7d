"""Read side for staff: the filtered, sorted, paginated case list and a case's history.

Filtering and sorting happen in SQL over indexed columns (agency_id, status, received_on,
due_on). The list stays fast at a million cases (docs/performance.md, "The case list"):

- the count is capped: it counts at most (page + 10) × per_page + 1 matching cases, so it
  costs O(page), not O(matching cases); when the cap is reached the page says "more than N";
- the page is a deferred join: the ids are picked with ORDER BY/LIMIT/OFFSET from an index
  (the skipped entries are never read from the table), then joined to their rows;
- a nullable sort column is read in two parts, the cases that have a value (in index order,
  both directions) and then the cases without one (NULLS LAST, by id): the same order as
  ``ORDER BY col NULLS LAST, id``, but each part can walk an index;
- sorted by due date with a start date, the first part also carries ``due_on >= from``: true
  of every case received on or after ``from`` (a due date is never before the receipt date,
  see domain.deadlines), it lets the index seek start at the range instead of walking the
  earlier years; on SQLite the receipt-date filter of that part is written ``+received_on``,
  so that the planner walks the due-date index (which holds received_on) instead of sorting.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import false, func, literal_column, or_, select
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from ..domain.codes import Role
from ..domain.text import N_
from ..domain.workdays import WorkCalendar
from ..extensions import db
from ..models import Case, Event, User, UserRole
from . import access
from .actors import Actor
from .calendar import get_calendar

RUNNING = ("registered", "in_progress", "paused", "in_review")

# The flags of a listed case (badges, the flag filter, the export), in the order shown.
FLAG_LABELS = {
    "overdue": N_("超期"),          # clock running, due date passed (R3.7)
    "due_soon": N_("即将到期"),     # clock running, due within DUE_SOON_WORKDAYS (R3.7)
    "late_acts": N_("超期行为"),    # an act recorded after its period (R8.1)
    "provisional": N_("暂定"),      # open case, due date on a calendar not yet confirmed (R1.2)
}
HANDLER_NONE, HANDLER_MINE = "none", "mine"  # the handler filter besides a user id

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
    flag: str | None = None          # overdue / due_soon (R3.7) on `today`; late_acts (R8.1);
    #                                  provisional (R1.2)
    handler: str | None = None       # "none" (未指定), "mine" (the actor), or a user id
    today: date | None = None
    soon_until: date | None = None
    sort: str = "received_on"
    descending: bool = True
    page: int = 1
    per_page: int = 50


@dataclass
class CasePage:
    """``total`` and ``pages`` are exact unless ``capped``: then there are more than ``total``
    matching cases (more than ``pages`` pages), and at least ten pages after this one."""
    items: list[Case]
    total: int
    page: int
    pages: int
    capped: bool = False
    rows: list[ListRow] = field(default_factory=list)  # the items with their timing, in order


@dataclass(frozen=True)
class Timing:
    """Where a case stands against its reply deadline on ``today`` (no SQL: one calendar)."""
    days_left: int | None = None         # clock running, due today or later: working days left
    overdue_workdays: int | None = None  # clock running, due date passed: working days past it
    concluded_on: date | None = None     # concluded: the day, and whether in time (R3.6)
    timely: bool | None = None
    flags: tuple[str, ...] = ()          # keys of FLAG_LABELS


@dataclass(frozen=True)
class ListRow:
    case: Case
    timing: Timing


COUNT_AHEAD_PAGES = 10  # the count stops (page + 10) pages in
NOT_NULL = {"tracking_no", "status"}  # sort columns that are never NULL


def _seq(column):
    """SQLite: ``+column`` (a no-op) keeps the planner from choosing an index on ``column``.
    Without real range statistics it takes a two-sided date range for a handful of rows and
    would rather read a receipt-date index (then the rows, then sort) than walk the due-date
    index in order. PostgreSQL plans for itself."""
    if db.session.get_bind().dialect.name != "sqlite":
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _scoped(stmt, actor: Actor, f: CaseFilter, received=Case.received_on):
    stmt = access.scoped(stmt, actor, Case.agency_id)
    if f.agency_id and access.sees_all(actor):  # one agency of those a platform admin sees
        stmt = stmt.where(Case.agency_id == f.agency_id)
    if f.status:
        stmt = stmt.where(Case.status.in_(f.status))
    if f.channel:
        stmt = stmt.where(Case.channel == f.channel)
    if f.applicant_type:
        stmt = stmt.where(Case.applicant_type == f.applicant_type)
    if f.received_from:
        stmt = stmt.where(received >= f.received_from)
    if f.received_to:
        stmt = stmt.where(received <= f.received_to)
    if f.flag in ("overdue", "due_soon") and f.today:
        stmt = stmt.where(Case.status.in_(RUNNING))
        stmt = stmt.where(Case.due_on < f.today) if f.flag == "overdue" else \
            stmt.where(Case.due_on >= f.today, Case.due_on <= (f.soon_until or f.today))
    if f.flag == "late_acts":  # R8.1: an act recorded after its period
        stmt = stmt.where(Case.late_acts != "")
    if f.flag == "provisional":  # R1.2: an open case whose due date may still move
        stmt = stmt.where(Case.due_provisional.is_(True), Case.concluded_on.is_(None))
    if f.handler:
        stmt = stmt.where(_handler_clause(actor, f.handler))
    if f.q:
        like = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # ilike: Latin letters match either case on PostgreSQL as on SQLite
        stmt = stmt.where(or_(Case.subject.ilike(like, escape="\\"),
                              Case.applicant_name.ilike(like, escape="\\"),
                              Case.tracking_no.ilike(like, escape="\\")))
    return stmt


def _handler_clause(actor: Actor, handler: str):
    """The handler filter. A user id the actor may not see (another agency's account, or no
    such account) matches nothing: the list never tells whom another agency's cases go to."""
    if handler == HANDLER_NONE:
        return Case.handler_id.is_(None)
    if handler == HANDLER_MINE:
        return Case.handler_id == actor.id if actor.id is not None else false()
    if not handler.isdigit() or len(handler) > 9 or access.load_user(actor, handler) is None:
        return false()
    return Case.handler_id == int(handler)


def _count(stmt, limit: int | None = None) -> int:
    inner = stmt.with_only_columns(literal_column("1"), maintain_column_froms=True)
    if limit is not None:
        inner = inner.limit(limit)
    return db.session.execute(select(func.count()).select_from(inner.subquery())).scalar_one()


def _rows(ids, order, limit: int, offset: int) -> list[Case]:
    """Deferred join: the ids of the page from the index, then their rows."""
    if limit <= 0:
        return []
    page = ids.order_by(*order).limit(limit).offset(offset).subquery()
    # the list shows no pauses: not loaded with the page (one statement less; on access they
    # would still load, one case at a time)
    # the handler (its name is a column) comes in the same statement, without its roles
    stmt = select(Case).join(page, Case.id == page.c.id).order_by(*order) \
        .options(lazyload(Case.pauses), joinedload(Case.handler).lazyload(User.role_rows))
    return list(db.session.execute(stmt).scalars())


def list_cases(actor: Actor, f: CaseFilter) -> CasePage:
    per_page = max(1, f.per_page)
    wanted = max(1, f.page)
    base = _scoped(select(Case.id), actor, f)
    cap = (wanted + COUNT_AHEAD_PAGES) * per_page + 1
    counted = _count(base, cap)
    capped = counted >= cap
    if capped:  # more than (wanted + 10) pages: the wanted page exists
        total, pages, page = cap - 1, wanted + COUNT_AHEAD_PAGES, wanted
    else:
        total = counted
        pages = max(1, -(-total // per_page))
        page = min(wanted, pages)
    offset = (page - 1) * per_page
    name = f.sort if f.sort in SORTS else "received_on"
    col = SORTS[name]
    key = col.desc() if f.descending else col.asc()
    tie = Case.id.desc() if f.descending else Case.id.asc()
    if name in NOT_NULL:
        items = _rows(base, (key, tie), per_page, offset)
        return CasePage(items, total, page, pages, capped, rows_of(items, f.today, f.soon_until))
    # NULLS LAST in two parts: the cases with a value, then those without (by id)
    valued = col.is_not(None)
    if name == "due_on":  # walk the due-date index in order (and seek to the start date)
        head = _scoped(select(Case.id), actor, f, received=_seq(Case.received_on))
        if f.received_from:
            valued = Case.due_on >= f.received_from  # redundant seek predicate (see above)
    else:
        head = base
    head = head.where(valued)
    items = _rows(head, (key, tie), per_page, offset)
    if len(items) < per_page:
        before = offset + len(items) if items else _count(head)
        items += _rows(base.where(col.is_(None)), (tie,), per_page - len(items),
                       max(0, offset - before))
    return CasePage(items, total, page, pages, capped, rows_of(items, f.today, f.soon_until))


def order_of(f: CaseFilter) -> tuple:
    """The list's order as one ORDER BY (NULLS LAST, then id): what the export reads."""
    col = SORTS.get(f.sort, Case.received_on)
    key = col.desc() if f.descending else col.asc()
    tie = Case.id.desc() if f.descending else Case.id.asc()
    return (key if f.sort in NOT_NULL else key.nulls_last()), tie


def filtered(stmt, actor: Actor, f: CaseFilter):
    """``stmt`` limited to the cases of the list (the actor's scope and every filter)."""
    return _scoped(stmt, actor, f)


# -- timing and flags of listed cases ------------------------------------------------------------
def timing(c, cal: WorkCalendar | None, today: date | None,
           soon_until: date | None = None) -> Timing:
    """``c``: a Case, or a row with its status, due_on, due_provisional, concluded_on, timely
    and late_acts. Without ``today`` (or a calendar) only the stored flags are known."""
    flags = []
    days_left = overdue = None
    running = c.status in RUNNING and c.concluded_on is None
    if running and c.due_on is not None and today is not None and cal is not None:
        if c.due_on < today:
            overdue = cal.workdays_between(c.due_on, today)
            flags.append("overdue")
        else:
            days_left = cal.workdays_between(today, c.due_on)
            if c.due_on <= (soon_until or today):
                flags.append("due_soon")
    if c.late_acts:
        flags.append("late_acts")
    if c.due_provisional and c.concluded_on is None:
        flags.append("provisional")
    return Timing(days_left, overdue, c.concluded_on, c.timely if c.concluded_on else None,
                  tuple(flags))


def rows_of(items, today: date | None, soon_until: date | None) -> list[ListRow]:
    cal = get_calendar() if today is not None else None
    return [ListRow(c, timing(c, cal, today, soon_until)) for c in items]


def handler_choices(actor: Actor, agency_id: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the handlers whose cases the actor may list: the accounts with the
    handler role in the agencies the actor sees (deactivated ones too: their cases remain)."""
    stmt = select(User.id, User.display_name).join(UserRole, UserRole.user_id == User.id) \
        .where(UserRole.role == Role.HANDLER).order_by(User.display_name, User.id)
    stmt = access.scoped(stmt, actor, User.agency_id)
    if agency_id and access.sees_all(actor):
        stmt = stmt.where(User.agency_id == agency_id)
    return [(uid, name) for uid, name in db.session.execute(stmt).all()]


def history(case: Case) -> list[Event]:
    return list(db.session.execute(
        select(Event).where(Event.case_id == case.id).order_by(Event.id)).scalars())
