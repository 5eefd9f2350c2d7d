"""The drill-down: the records behind any figure of the report — a cell of tables 二, 三 or 四,
a rate's numerator or denominator, the fees, the unconfirmed submissions — by the same SQL
conditions that count them (``counting``)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from ...domain import report as rules
from ...domain.text import N_, compose
from ...extensions import db
from ...models import Appeal, Case, CatalogueEntry
from .counting import (
    appeals_in,
    catalogue_predicates,
    fee_filter,
    in_scope,
    predicates,
    unconfirmed_filter,
)
from .scoping import Scope


@dataclass
class Drill:
    kind: str  # cases / appeals / catalogue
    ids: list[int]
    title: str


RATE_PARTS = {
    "reply_rate": ("concluded", ("concluded", "open_due")),
    "timely_rate": ("timely", ("concluded",)),
    "completion_rate": ("concluded", ("new", "carried_over")),
}


def _case_ids(*where) -> list[int]:
    return list(db.session.execute(select(Case.id).where(*where).order_by(Case.id)).scalars())


def _drill_table3(s: Scope, row: str, col: str) -> Drill:
    p = predicates(s)
    where = [in_scope(s), p[row] if row in ("new", "carried_over", "carried_forward")
             else p["concluded"]]
    if row in rules.RESULT_ROWS:
        where.append(Case.outcome == row)
    if col != "total":
        where.append(Case.applicant_type == col)
    title = compose("{row} · {column}", row=rules.ROW_LABELS[row], column=rules.COLUMN_LABELS[col])
    return Drill("cases", _case_ids(*where), title)


def _drill_rate(s: Scope, key: str, col: str) -> Drill:
    p = predicates(s)
    num, den = RATE_PARTS[key]
    pred = p[num] if col == "numerator" else or_(*[p[n] for n in den])
    part = N_("分子") if col == "numerator" else N_("分母")
    return Drill("cases", _case_ids(in_scope(s), pred),
                 compose("{rate} · {part}", rate=rules.RATE_LABELS[key], part=part))


def _drill_table4(s: Scope, kind: str, col: str) -> Drill:
    sub = appeals_in(s).subquery()
    stmt = select(sub.c.id).where(sub.c.kind == kind).order_by(sub.c.id)
    if col != "total":
        stmt = stmt.where(sub.c.result == col)
    return Drill("appeals", list(db.session.execute(stmt).scalars()),
                 compose("{kind} · {result}", kind=rules.APPEAL_KIND_LABELS[kind],
                         result=rules.APPEAL_RESULT_LABELS[col]))


def _drill_table2(s: Scope, category: str, col: str) -> Drill:
    stmt = (select(CatalogueEntry.id)
            .where(CatalogueEntry.category == category, CatalogueEntry.published_on.is_not(None),
                   s.on(CatalogueEntry.agency_id), catalogue_predicates(s)[col])
            .order_by(CatalogueEntry.id))
    label = N_("规章") if category == "regulation" else N_("行政规范性文件")
    return Drill("catalogue", list(db.session.execute(stmt).scalars()),
                 compose("{category} · {column}", category=label,
                         column=rules.CATALOGUE_COLUMNS[col]))


def drill(s: Scope, row: str, col: str) -> Drill:
    """The ids behind a cell (row key × column key) or a rate's numerator / denominator.
    KeyError for a pair the report does not have."""
    kind, _, key = row.partition(".")
    if row in rules.ROW_KEYS and col in rules.COLUMNS:
        return _drill_table3(s, row, col)
    if kind == "rate" and key in RATE_PARTS and col in ("numerator", "denominator"):
        return _drill_rate(s, key, col)
    if kind == "table4" and key in rules.APPEAL_KINDS and col in rules.APPEAL_RESULTS:
        return _drill_table4(s, key, col)
    if kind == "table2" and key in ("regulation", "normative_document") \
            and col in rules.CATALOGUE_COLUMNS:
        return _drill_table2(s, key, col)
    if row == "fees" and col == "collected_yuan":
        return Drill("cases", _case_ids(fee_filter(s)), N_("本年收取信息处理费的申请"))
    if row == "unconfirmed" and col == "total":
        return Drill("cases", _case_ids(unconfirmed_filter(s)),
                     N_("本年在线提交但未确认收到的申请（未计入报表）"))
    raise KeyError((row, col))


def drill_items(d: Drill, ids: list[int]) -> list:
    """The records of one page of a drill-down (appeals come with their case)."""
    if not ids:
        return []
    if d.kind == "appeals":
        return [tuple(row) for row in db.session.execute(
            select(Appeal, Case).join(Case, Case.id == Appeal.case_id)
            .where(Appeal.id.in_(ids)).order_by(Appeal.id))]
    model = {"cases": Case, "catalogue": CatalogueEntry}[d.kind]
    stmt = select(model).where(model.id.in_(ids)).order_by(model.id)
    return list(db.session.execute(stmt).scalars())


def appeal_of(case: Case, appeal_id: int) -> Appeal | None:
    """One appeal of ``case`` (a record behind table 四); None when it is another case's."""
    appeal = db.session.get(Appeal, appeal_id)
    return appeal if appeal is not None and appeal.case_id == case.id else None
