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
  so that the planner walks the due-date index (which holds received_on) instead of sorting;
- next / previous pages seek (keyset): the link carries the last (first) row's sort value and
  id (``Cursor``), the page is read from there in index order, O(log N + p) at any depth, and
  the capped count only counts ahead of it; a page number (a jump) reads with OFFSET.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import false, func, literal_column, or_, select, tuple_
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from ..domain.codes import Role
from ..domain.text import N_
from ..extensions import db
from ..models import Case, Event, User, UserRole
from . import access
from .actors import Actor

# the rows' timing lives in case_timing; re-exported for the list's callers
from .case_timing import RUNNING, ListRow, Timing, rows_of, timing  # noqa: F401

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
    after: Cursor | None = None      # next page: the rows after this one (keyset)
    before: Cursor | None = None     # previous page: the rows before this one


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
    next_cursor: str | None = None   # the `after` of the next page, `before` of the previous
    prev_cursor: str | None = None


@dataclass(frozen=True)
class Cursor:
    """A row's place in the list's order: its sort value (None: in the NULLS LAST tail) and id.
    Written ``sort.dir.id.value`` in a link; one of another sort or direction is ignored."""
    value: object
    id: int


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


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)


def cursor_text(f: CaseFilter, case: Case) -> str:
    name = f.sort if f.sort in SORTS else "received_on"
    return f"{name}.{'d' if f.descending else 'a'}.{case.id}.{_text(getattr(case, name))}"


def parse_cursor(f: CaseFilter, text: str | None) -> Cursor | None:
    """The cursor of a link, or None when it is missing, malformed or of another order."""
    if not text or len(text) > 200:
        return None
    parts = text.split(".", 3)
    name = f.sort if f.sort in SORTS else "received_on"
    if len(parts) != 4 or parts[0] != name or parts[1] != ("d" if f.descending else "a") \
            or not parts[2].isdigit() or len(parts[2]) > 18:
        return None
    raw = parts[3]
    if raw == "" and name in NOT_NULL:
        return None
    try:
        if raw == "":
            value = None
        elif name in ("received_on", "due_on"):
            value = date.fromisoformat(raw)
        elif name == "submitted_at":
            value = datetime.fromisoformat(raw)
        else:
            value = raw
    except ValueError:
        return None
    return Cursor(value, int(parts[2]))


def _capped(stmts, limit: int) -> int:
    """Count the rows of several statements in turn, up to ``limit`` in all."""
    total = 0
    for stmt in stmts:
        if total >= limit:
            break
        total += _count(stmt, limit - total)
    return total


def _seek(base, head, col, name, f: CaseFilter, per_page: int):
    """The page after ``f.after`` or before ``f.before`` in the order ``col NULLS LAST, id``
    (either direction), read from the cursor in index order; and the statements of the rows
    from the page's start onward (for the count). ``head``: the cases with a value."""
    desc = f.descending
    key = col.desc() if desc else col.asc()
    tie = Case.id.desc() if desc else Case.id.asc()
    rkey = col.asc() if desc else col.desc()
    rtie = Case.id.asc() if desc else Case.id.desc()
    nulls = None if name in NOT_NULL else base.where(col.is_(None))
    cur = f.after or f.before
    pair = tuple_(col, Case.id)

    def later(c, strict=True):  # the cases of the valued part after c (c itself unless strict)
        if desc:
            return pair < (c.value, c.id) if strict else pair <= (c.value, c.id)
        return pair > (c.value, c.id) if strict else pair >= (c.value, c.id)

    def later_id(c, strict=True):
        if desc:
            return Case.id < c.id if strict else Case.id <= c.id
        return Case.id > c.id if strict else Case.id >= c.id

    if f.after is not None:
        if cur.value is None:
            if nulls is None:
                return [], []
            items = _rows(nulls.where(later_id(cur)), (tie,), per_page, 0)
            return items, [nulls.where(later_id(cur))]
        items = _rows(head.where(later(cur)), (key, tie), per_page, 0)
        if len(items) < per_page and nulls is not None:
            items += _rows(nulls, (tie,), per_page - len(items), 0)
        return items, [head.where(later(cur))] + ([nulls] if nulls is not None else [])
    # before: read backwards from the cursor (one row more: is there a page before this
    # one?), then put the page back in order
    per_page += 1
    if cur.value is None:
        if nulls is None:
            return [], []
        items = _rows(nulls.where(~later_id(cur, strict=False)), (rtie,), per_page, 0)
        if len(items) < per_page:
            items += _rows(head, (rkey, rtie), per_page - len(items), 0)
    else:
        items = _rows(head.where(~later(cur, strict=False)), (rkey, rtie), per_page, 0)
    if len(items) < per_page:  # the first page: the offset path answers
        return [], []
    items = items[-2::-1]
    first = items[0]
    start = Cursor(getattr(first, name), first.id)
    if start.value is None:
        return items, [nulls.where(later_id(start, strict=False))]
    return items, [head.where(later(start, strict=False))] + \
        ([nulls] if nulls is not None else [])


def list_cases(actor: Actor, f: CaseFilter) -> CasePage:
    if f.after is not None or f.before is not None:
        page = _list_seek(actor, f)
        if page is not None:
            return page
        f = replace(f, after=None, before=None, page=1 if f.before is not None else f.page)
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
    name, col, head = _head(actor, f, base)
    key = col.desc() if f.descending else col.asc()
    tie = Case.id.desc() if f.descending else Case.id.asc()
    items = _rows(head, (key, tie), per_page, offset)
    if len(items) < per_page and name not in NOT_NULL:
        # NULLS LAST in two parts: the cases with a value, then those without (by id)
        before = offset + len(items) if items else _count(head)
        items += _rows(base.where(col.is_(None)), (tie,), per_page - len(items),
                       max(0, offset - before))
    return _page(f, items, total, page, pages, capped)


def _head(actor: Actor, f: CaseFilter, base):
    """The sort's name, column, and the statement of the cases with a value (all of them for
    a column that is never NULL)."""
    name = f.sort if f.sort in SORTS else "received_on"
    col = SORTS[name]
    if name in NOT_NULL:
        return name, col, base
    valued = col.is_not(None)
    if name == "due_on":  # walk the due-date index in order (and seek to the start date)
        head = _scoped(select(Case.id), actor, f, received=_seq(Case.received_on))
        if f.received_from:
            valued = Case.due_on >= f.received_from  # redundant seek predicate (see above)
    else:
        head = base
    return name, col, head.where(valued)


def _page(f: CaseFilter, items, total, page, pages, capped) -> CasePage:
    result = CasePage(items, total, page, pages, capped, rows_of(items, f.today, f.soon_until))
    if items:
        result.prev_cursor = cursor_text(f, items[0]) if page > 1 else None
        if page < pages or capped:
            result.next_cursor = cursor_text(f, items[-1])
    return result


def _list_seek(actor: Actor, f: CaseFilter) -> CasePage | None:
    """The next or previous page by keyset; None when the offset path must answer (nothing
    after the cursor any more, or fewer than a page before it: then it is the first page)."""
    per_page = max(1, f.per_page)
    base = _scoped(select(Case.id), actor, f)
    name, col, head = _head(actor, f, base)
    items, ahead = _seek(base, head, col, name, f, per_page)
    if not items:
        return None
    page = max(2, f.page)  # there are rows before this page: not the first
    # the count: the rows from the page's start on, up to ten pages past this one
    cap = (COUNT_AHEAD_PAGES + 1) * per_page + 1
    counted = _capped(ahead, cap)
    if counted >= cap:
        total, pages, capped = (page + COUNT_AHEAD_PAGES) * per_page, page + COUNT_AHEAD_PAGES, True
    else:
        total, capped = (page - 1) * per_page + counted, False
        pages = max(page, -(-total // per_page))
    return _page(f, items, total, page, pages, capped)


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
