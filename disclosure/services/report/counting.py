"""The counting rules as SQL (``domain.report.counting`` is the same rule on plain records): one
conditional GROUP BY scan of the case table for table 三 and the rates, the catalogue for
table 二, the appeals for table 四, the fees, reviews and unconfirmed submissions."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select

from ...database import seq
from ...domain import report as rules
from ...extensions import db
from ...models import Appeal, Case, CatalogueEntry, ItemVersion, ReleaseItem, ReportYear, Review
from .scoping import Scope


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
    docs/performance.md). ``seq`` keeps SQLite off the agency and received-date indexes, which
    would lead it to most rows one lookup at a time (SQLAlchemy renders no ``INDEXED BY`` hint
    for SQLite, so the plan is steered by the condition itself)."""
    return and_(or_(Case.concluded_on.is_(None), Case.concluded_on >= s.start),
                seq(Case.received_on) <= s.end, s.on(seq(Case.agency_id)))


def early(s: Scope):
    """The rest of ``in_scope``: a data error, concluded before it was received and before the
    year's start but received in the year — counted as before, so the checks of table 三 show
    it. Served by the covering partial index ``ix_case_concluded_early`` (normally empty),
    whose condition (``concluded_on < received_on``) is repeated here word for word so that
    SQLite can use it."""
    return and_(Case.concluded_on < Case.received_on, Case.concluded_on < s.start,
                Case.received_on.between(s.start, s.end), s.on(seq(Case.agency_id)))


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


# Within ``restricted`` (open at the year's start, received by its end) three of the seven rules
# follow from the others: carried over = received before the year = open at the end of the
# previous one (prev_forward), and carried forward = not concluded in the year. The scan computes
# the other four and the row count — five aggregates instead of seven per group.
FOLDED = ("new", "concluded", "timely", "open_due")


def _expand(n: int, new: int, concluded: int, timely: int, open_due: int) -> dict[str, int]:
    """The seven figures of a group of ``restricted`` cases from its five aggregates."""
    return {"new": new, "carried_over": n - new, "concluded": concluded,
            "carried_forward": n - concluded, "timely": timely, "open_due": open_due,
            "prev_forward": n - new}


def counts_by(s: Scope, group_by: list = ()) -> dict[tuple, dict[str, int]]:
    """Every figure of ``predicates`` over ``in_scope`` per group, read in its two indexed parts:
    ``restricted`` (five aggregates, ``_expand``) and ``early`` (each rule as it stands)."""
    p, k = predicates(s), len(group_by)
    out: dict[tuple, dict[str, int]] = {}
    stmt = (select(*group_by, func.count(), *[count_if(p[name]) for name in FOLDED])
            .where(restricted(s)))
    for row in db.session.execute(stmt.group_by(*group_by) if group_by else stmt):
        if row[k]:
            out[tuple(row[:k])] = _expand(*row[k:])
    stmt = select(*group_by, func.count(), *[count_if(x) for x in p.values()]).where(early(s))
    for row in db.session.execute(stmt.group_by(*group_by) if group_by else stmt):
        if not row[k]:
            continue
        figures = dict(zip(p, row[k + 1:]))
        key = tuple(row[:k])
        if key in out:
            figures = {name: out[key][name] + n for name, n in figures.items()}
        out[key] = figures
    return out


def table3_groups(s: Scope) -> list[rules.GroupCount]:
    """One scan: every figure of table 三 and the rates, per (applicant type, outcome)."""
    return [rules.GroupCount(kind, outcome, **figures) for (kind, outcome), figures
            in counts_by(s, [Case.applicant_type, Case.outcome]).items()]


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


def appeals_in(s: Scope, with_case: bool = True):
    """The appeals filed in the year against the scope's cases. ``with_case`` False: the case
    table is joined only if the scope needs its agency (every agency: no join)."""
    stmt = select(Appeal.id, Appeal.kind, _effective_result(s).label("result"))
    if with_case or not s.everyone:
        stmt = stmt.join(Case, Case.id == Appeal.case_id).where(s.on(Case.agency_id))
    return stmt.where(Appeal.filed_on.between(s.start, s.end))


def table4(s: Scope) -> dict:
    sub = appeals_in(s, with_case=False).subquery()
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
                s.on(seq(Case.agency_id)))  # read through the partial ix_case_unconfirmed


def unconfirmed_count(s: Scope) -> int:
    return db.session.execute(select(func.count()).select_from(Case)
                              .where(unconfirmed_filter(s))).scalar_one()
