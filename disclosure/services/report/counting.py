"""The counting rules as SQL (``domain.report.counting`` is the same rule on plain records): one
conditional GROUP BY scan of the case table for table 三 and the rates, the catalogue for
table 二, the appeals for table 四, the fees, reviews and unconfirmed submissions."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from ...domain import report as rules
from ...extensions import db
from ...models import Appeal, Case, CatalogueEntry, ItemVersion, ReleaseItem, ReportYear, Review
from .scoping import Scope


def seq(column):
    """SQLite: ``+column`` (a no-op) keeps the planner from following a date or agency index to
    most rows of the table one lookup at a time; a year's counts touch most rows, and reading
    the table in order is 5–10× faster (bench/report.py). PostgreSQL plans for itself."""
    if db.session.get_bind().dialect.name != "sqlite":
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def in_scope(s: Scope, col=lambda c: c):
    """Every case that can enter a count of the year (a superset of each rule's cases): received
    by its end and still open at its start or received in the year. The counts of the report and
    the dashboard read it in two disjoint parts (``restricted`` and ``early``) that indexes
    serve; this single condition is for the drill-down lists and supervision."""
    received, concluded = col(Case.received_on), col(Case.concluded_on)
    return and_(received <= s.end, or_(concluded.is_(None), concluded >= s.start,
                                       received >= s.start), s.on(col(Case.agency_id)))


def restricted(s: Scope):
    """``in_scope`` for every case concluded on or after it was received: open at the year's
    start (or never concluded) and received by its end. A range of ``ix_case_concluded_scan``,
    which covers every column the counts read, so the scan is O(cases of the year + open
    cases), not O(all history) (SQLite: a MULTI-INDEX OR over the two ranges; PostgreSQL: see
    docs/performance.md)."""
    return and_(or_(Case.concluded_on.is_(None), Case.concluded_on >= s.start),
                Case.received_on <= s.end, s.on(Case.agency_id))


def early(s: Scope):
    """The rest of ``in_scope``: a data error, concluded before it was received and before the
    year's start but received in the year — counted as before, so the checks of table 三 show
    it. Served by the partial index ``ix_case_concluded_early`` (normally empty)."""
    return and_(Case.concluded_on < Case.received_on, Case.concluded_on < s.start,
                Case.received_on.between(s.start, s.end), s.on(Case.agency_id))


def scan_rows(s: Scope, columns: list, group_by: list = ()) -> list:
    """``SELECT columns WHERE in_scope GROUP BY group_by`` in its two indexed parts, the counts of
    rows with the same group summed (``columns`` = the group columns, then counts)."""
    out: dict[tuple, list] = {}
    for where, index in ((restricted(s), "ix_case_concluded_scan"),
                         (early(s), "ix_case_concluded_early")):
        # SQLite would follow an agency index to the rows for one agency: name the index
        stmt = select(*columns).where(where).with_hint(Case, f"INDEXED BY {index}", "sqlite")
        if group_by:
            stmt = stmt.group_by(*group_by)
        for row in db.session.execute(stmt):
            key, counts = tuple(row[:len(group_by)]), list(row[len(group_by):])
            if key in out:
                out[key] = [a + b for a, b in zip(out[key], counts)]
            else:
                out[key] = counts
    return [(*key, *counts) for key, counts in out.items()]


def predicates(s: Scope) -> dict:
    """Each counting rule of table 三 and the rates (domain.report.FLAGS) as a SQL condition."""
    open_at = lambda day: or_(Case.concluded_on.is_(None), Case.concluded_on > day)  # noqa: E731
    concluded = Case.concluded_on.between(s.start, s.end)
    return {"new": Case.received_on >= s.start,
            "carried_over": and_(Case.received_on < s.start, or_(
                Case.concluded_on.is_(None), Case.concluded_on >= s.start)),
            "concluded": concluded, "carried_forward": open_at(s.end),
            "timely": and_(concluded, Case.timely.is_(True)),
            "open_due": and_(open_at(s.end), Case.due_on <= s.end),
            "prev_forward": and_(Case.received_on <= s.prev_end, open_at(s.prev_end))}


def count_if(pred):
    return func.count(case((pred, 1)))


def table3_groups(s: Scope) -> list[rules.GroupCount]:
    """One scan: every figure of table 三 and the rates, per (applicant type, outcome)."""
    preds = predicates(s)
    keys = [Case.applicant_type, Case.outcome]
    rows = scan_rows(s, [*keys, *[count_if(p).label(name) for name, p in preds.items()]], keys)
    return [rules.GroupCount(*row) for row in rows]


def has_previous_year(s: Scope) -> bool:
    """Any case of the scope received before the year: the continuity check applies."""
    stmt = select(Case.id).where(Case.received_on <= s.prev_end, s.on(Case.agency_id)).limit(1)
    return db.session.execute(stmt).first() is not None


# -- table 二: the catalogue and the entered figures -----------------------------------------------
def catalogue_predicates(s: Scope) -> dict:
    c = CatalogueEntry
    return {"issued": c.issued_on.between(s.start, s.end),
            "repealed": c.repealed_on.between(s.start, s.end),
            "in_force": and_(c.issued_on <= s.end,
                             or_(c.repealed_on.is_(None), c.repealed_on > s.end))}


def entered_years(s: Scope) -> list[ReportYear]:
    return list(db.session.execute(select(ReportYear).where(
        ReportYear.year == s.year, s.on(ReportYear.agency_id))).scalars())


def table2(s: Scope, entered: list[ReportYear]) -> dict:
    preds = catalogue_predicates(s)
    out = {k: dict.fromkeys(preds, 0) for k in ("regulation", "normative_document")}
    stmt = (select(CatalogueEntry.category, *[count_if(p) for p in preds.values()])
            .where(CatalogueEntry.category.in_(list(out)), CatalogueEntry.published_on.is_not(None),
                   s.on(CatalogueEntry.agency_id))
            .group_by(CatalogueEntry.category))
    for category, *counts in db.session.execute(stmt):
        out[category] = dict(zip(preds, counts))
    for key in ("licensing", "penalty", "enforcement"):
        out[key] = {"decisions": sum(getattr(r, f"{key}_decisions") or 0 for r in entered)}
    out["fee_item"] = {"amount_10k_yuan": rules.money(sum(
        (Decimal(r.fee_item_amount_10k or 0) for r in entered), Decimal(0)))}
    return out


# -- table 四: appeals filed in the year, with their result as known on 31 December -------------
def _effective_result(s: Scope):
    known = and_(Appeal.decided_on.is_not(None), Appeal.decided_on <= s.end,
                 Appeal.result != "pending")
    return case((known, Appeal.result), else_=literal("pending"))


def appeals_in(s: Scope):
    return (select(Appeal.id, Appeal.kind, _effective_result(s).label("result"))
            .join(Case, Case.id == Appeal.case_id)
            .where(Appeal.filed_on.between(s.start, s.end), s.on(Case.agency_id)))


def table4(s: Scope) -> dict:
    sub = appeals_in(s).subquery()
    rows = db.session.execute(select(sub.c.kind, sub.c.result, func.count())
                              .group_by(sub.c.kind, sub.c.result)).all()
    return rules.table4(rows)


# -- section 六's fee line, section 一's reviews, the unconfirmed submissions -------------------
def fee_filter(s: Scope):
    return and_(Case.fee_paid_on.between(s.start, s.end), Case.fee_amount.is_not(None),
                s.on(seq(Case.agency_id)))


def fees_collected(s: Scope) -> str:
    total = db.session.execute(select(func.coalesce(func.sum(Case.fee_amount), 0))
                               .where(fee_filter(s))).scalar_one()
    return rules.money(total)


def reviews_performed(s: Scope) -> int:
    """Confidentiality reviews decided in the year on this scope's letters and catalogue items."""
    lo, hi = s.utc_bounds()
    owner = func.coalesce(Case.agency_id, CatalogueEntry.agency_id)
    stmt = (select(func.count(Review.id))
            .join(ItemVersion, ItemVersion.id == Review.version_id)
            .join(ReleaseItem, ReleaseItem.id == ItemVersion.item_id)
            .outerjoin(Case, Case.id == ReleaseItem.case_id)
            .outerjoin(CatalogueEntry, CatalogueEntry.id == ReleaseItem.entry_id)
            .where(Review.decided_at >= lo, Review.decided_at < hi, s.on(owner)))
    return db.session.execute(stmt).scalar_one()


def unconfirmed_filter(s: Scope):
    """Submitted online in the year and never confirmed as received: counted nowhere."""
    lo, hi = s.utc_bounds()
    return and_(Case.received_on.is_(None), Case.submitted_at >= lo, Case.submitted_at < hi,
                s.on(Case.agency_id))


def unconfirmed_count(s: Scope) -> int:
    return db.session.execute(select(func.count()).select_from(Case)
                              .where(unconfirmed_filter(s))).scalar_one()
