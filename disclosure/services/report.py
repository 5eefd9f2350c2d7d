"""The annual report and the statistics dashboard, counted in SQL (one conditional GROUP BY
scan of the case table per report); rules, checks, rates and layout come from ``domain.report``.

Spec: shared/spec/annual-report.md. One scope (a year and one, several or all agencies) feeds
every output: the page, the JSON contract, CSV, xlsx, the drill-down lists and the dashboard.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, true
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from ..domain import report as rules
from ..domain.codes import Role
from ..domain.text import N_, Msg
from ..domain.workflow import WorkflowError
from ..extensions import db
from ..models import (Agency, Appeal, Case, CatalogueEntry, ItemVersion, ReleaseItem, ReportYear,
                      Review)
from ..timeutil import now, tz
from . import audit, due_changes, integrity
from . import spreadsheet_safety as safe_cells
from .actors import Actor
from .calendar import get_calendar
from ..domain.errors import ValidationFailed
from .cases import compose

TEXT_FIELDS = ("narrative", "problems", "other_matters")
FIGURE_FIELDS = ("licensing_decisions", "penalty_decisions", "enforcement_decisions")
MAX_TEXT = 20000
FEE_LINE = "本年度收取信息处理费（元，据收费记录）"


class UnknownAgency(LookupError):
    """An agency code that does not exist."""


@dataclass(frozen=True)
class Scope:
    year: int
    agencies: tuple[Agency, ...]
    everyone: bool  # all agencies: no agency filter at all

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)

    @property
    def prev_end(self) -> date:
        return date(self.year - 1, 12, 31)

    @property
    def ids(self) -> list[int]:
        return [a.id for a in self.agencies]

    @property
    def codes(self) -> list[str]:
        return [a.code for a in self.agencies]

    def on(self, column):
        """The agency filter for ``column`` (none when the scope is every agency)."""
        return true() if self.everyone else column.in_(self.ids)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The local calendar year (Asia/Shanghai) as UTC instants [start, next start)."""
        zone = tz()
        def utc(day: date) -> datetime:
            return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)
        return utc(self.start), utc(date(self.year + 1, 1, 1))


def scope(year: int, codes: list[str] | tuple[str, ...] | None = None) -> Scope:
    """One agency, several, or (no codes) every agency; UnknownAgency for a code not found."""
    codes = sorted({c.strip().upper() for c in codes or () if c and c.strip()})
    stmt = select(Agency).order_by(Agency.code)
    if codes:
        stmt = stmt.where(Agency.code.in_(codes))
    found = tuple(db.session.execute(stmt).scalars())
    missing = set(codes) - {a.code for a in found}
    if missing:
        raise UnknownAgency(", ".join(sorted(missing)))
    return Scope(year, found, not codes)


# -- the counting rules as SQL (domain.report.flags is the same rule on plain records) -----------
def _seq(column):
    """SQLite: ``+column`` (a no-op) keeps the planner from following a date or agency index to
    most rows of the table one lookup at a time; a year's counts touch most rows, and reading
    the table in order is 5–10× faster (bench/report.py). PostgreSQL plans for itself."""
    if db.session.get_bind().dialect.name != "sqlite":
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _in_scope(s: Scope, col=lambda c: c):
    """Every case that can enter a count of the year (a superset of each rule's cases)."""
    received, concluded = col(Case.received_on), col(Case.concluded_on)
    return and_(received <= s.end, or_(concluded.is_(None), concluded >= s.start,
                                       received >= s.start), s.on(col(Case.agency_id)))


def _predicates(s: Scope) -> dict:
    open_at = lambda day: or_(Case.concluded_on.is_(None), Case.concluded_on > day)  # noqa: E731
    concluded = Case.concluded_on.between(s.start, s.end)
    return {"new": Case.received_on >= s.start,
            "carried_over": and_(Case.received_on < s.start, or_(
                Case.concluded_on.is_(None), Case.concluded_on >= s.start)),
            "concluded": concluded, "carried_forward": open_at(s.end),
            "timely": and_(concluded, Case.timely.is_(True)),
            "open_due": and_(open_at(s.end), Case.due_on <= s.end),
            "prev_forward": and_(Case.received_on <= s.prev_end, open_at(s.prev_end))}


def _count_if(pred):
    return func.count(case((pred, 1)))


def table3_groups(s: Scope) -> list[rules.GroupCount]:
    """One scan: every figure of table 三 and the rates, per (applicant type, outcome)."""
    preds = _predicates(s)
    stmt = (select(Case.applicant_type, Case.outcome,
                   *[_count_if(p).label(name) for name, p in preds.items()])
            .where(_in_scope(s, _seq))
            .group_by(Case.applicant_type, Case.outcome))
    return [rules.GroupCount(*row) for row in db.session.execute(stmt)]


def _catalogue_predicates(s: Scope) -> dict:
    c = CatalogueEntry
    return {"issued": c.issued_on.between(s.start, s.end),
            "repealed": c.repealed_on.between(s.start, s.end),
            "in_force": and_(c.issued_on <= s.end,
                             or_(c.repealed_on.is_(None), c.repealed_on > s.end))}


def table2(s: Scope, entered: list[ReportYear]) -> dict:
    preds = _catalogue_predicates(s)
    out = {k: dict.fromkeys(preds, 0) for k in ("regulation", "normative_document")}
    stmt = (select(CatalogueEntry.category, *[_count_if(p) for p in preds.values()])
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


def _effective_result(s: Scope):
    known = and_(Appeal.decided_on.is_not(None), Appeal.decided_on <= s.end,
                 Appeal.result != "pending")
    return case((known, Appeal.result), else_=literal("pending"))


def _appeals_in(s: Scope):
    return (select(Appeal.id, Appeal.kind, _effective_result(s).label("result"))
            .join(Case, Case.id == Appeal.case_id)
            .where(Appeal.filed_on.between(s.start, s.end), s.on(Case.agency_id)))


def table4(s: Scope) -> dict:
    sub = _appeals_in(s).subquery()
    rows = db.session.execute(select(sub.c.kind, sub.c.result, func.count())
                              .group_by(sub.c.kind, sub.c.result)).all()
    return rules.table4(rows)


def _fee_filter(s: Scope):
    return and_(Case.fee_paid_on.between(s.start, s.end), Case.fee_amount.is_not(None),
                s.on(_seq(Case.agency_id)))


def fees_collected(s: Scope) -> str:
    total = db.session.execute(select(func.coalesce(func.sum(Case.fee_amount), 0))
                               .where(_fee_filter(s))).scalar_one()
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


def _unconfirmed_filter(s: Scope):
    lo, hi = s.utc_bounds()
    return and_(Case.received_on.is_(None), Case.submitted_at >= lo, Case.submitted_at < hi,
                s.on(Case.agency_id))


def _has_previous_year(s: Scope) -> bool:
    stmt = select(Case.id).where(Case.received_on <= s.prev_end, s.on(Case.agency_id)).limit(1)
    return db.session.execute(stmt).first() is not None


def entered_years(s: Scope) -> list[ReportYear]:
    return list(db.session.execute(select(ReportYear).where(
        ReportYear.year == s.year, s.on(ReportYear.agency_id))).scalars())


# -- the report ------------------------------------------------------------------------------------
@dataclass
class AnnualReport:
    scope: Scope
    table2: dict
    rows: dict
    table4: dict
    rates: dict
    fees_yuan: str
    checks: list
    reviews: int
    unconfirmed: int
    texts: dict = field(default_factory=dict)
    drafted: dict = field(default_factory=dict)
    entered: ReportYear | None = None
    # R7.2: the audit chain head when the report was made — an inspector notes it to compare
    chain_head: tuple[int, str] | None = None
    # R8.3: the office's own statistics for the notes (not part of the State Council format,
    # nor of the JSON contract): due-date moves per cause, late acts per flag (services.due_changes)
    due_changes: dict | None = None

    @property
    def year(self) -> int:
        return self.scope.year

    @property
    def has_continuity(self) -> bool:
        return any(c.name.startswith("continuity.") for c in self.checks)

    @property
    def failing(self) -> list:
        return [c for c in self.checks if not c.ok]

    @property
    def title(self) -> str:
        names = "、".join(a.name for a in self.scope.agencies) if not self.scope.everyone \
            else "全部机关（汇总）"
        return f"{names}{self.year}年政府信息公开工作年度报告"


def build(s: Scope) -> AnnualReport:
    groups = table3_groups(s)
    rows = rules.table3(groups)
    sums = {n: rules.column_sums(groups, n)["total"] for n in ("timely", "open_due")}
    prev = rules.column_sums(groups, "prev_forward") if _has_previous_year(s) else None
    entered = entered_years(s)
    r = AnnualReport(
        scope=s, table2=table2(s, entered), rows=rows, table4=table4(s),
        rates=rules.rates(rows["total"]["total"], sums["timely"], sums["open_due"],
                          rows["new"]["total"], rows["carried_over"]["total"]),
        fees_yuan=fees_collected(s), checks=rules.run_checks(rows, s.year, prev),
        reviews=reviews_performed(s),
        unconfirmed=db.session.execute(select(func.count()).select_from(Case)
                                       .where(_unconfirmed_filter(s))).scalar_one(),
        entered=entered[0] if len(s.agencies) == 1 and entered else None,
        chain_head=integrity.chain_head(),
        due_changes=due_changes.counts(s.year, None if s.everyone else s.ids))
    _fill_texts(r, entered)
    return r


def _fill_texts(r: AnnualReport, entered: list[ReportYear]) -> None:
    drafts = {"narrative": rules.draft_narrative(rules.NarrativeFigures(
                  r.year, r.table2, r.rows, r.rates, r.table4, r.reviews, r.fees_yuan)),
              "problems": "", "other_matters": ""}  # 六 opens with the fee line from the records
    names = {a.id: a.name for a in r.scope.agencies}
    for key in TEXT_FIELDS:
        saved = [(names.get(e.agency_id, ""), getattr(e, key)) for e in entered if getattr(e, key)]
        if not saved or (key == "narrative" and len(r.scope.agencies) != 1):
            r.texts[key], r.drafted[key] = drafts[key], True
        elif len(r.scope.agencies) == 1:
            r.texts[key], r.drafted[key] = saved[0][1], False
        else:
            r.texts[key] = "\n".join(f"【{name}】{text}" for name, text in saved)
            r.drafted[key] = False


def annual(year: int, codes=None) -> AnnualReport:
    return build(scope(year, codes))


def to_json(r: AnnualReport) -> dict:
    """The JSON contract of annual-report.md, keys in the spec's order."""
    return {
        "year": r.year,
        "agencies": r.scope.codes,
        "table2": r.table2,
        "table3": {"columns": list(rules.COLUMNS),
                   "rows": {k: dict(r.rows[k]) for k in rules.ROW_KEYS}},
        "table4": r.table4,
        "rates": {k: v.as_json() for k, v in r.rates.items()},
        "fees": {"collected_yuan": r.fees_yuan},
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in r.checks],
    }


def csv_text(r: AnnualReport) -> str:
    import csv
    buf = io.StringIO()
    rows = safe_cells.csv_rows(rules.csv_rows(to_json(r)))  # no cell read as a formula
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


# -- who states the report (issue 12) -------------------------------------------------------------
# The texts and entered figures of the report, and the appeals behind its table 四, are the
# agency's own official statement: only its office head or its administrator enters them — and
# only for their own agency (not a platform administrator, who sees every agency but belongs to
# none of them). Checked here, in the services, so no view or script can skip it.
REPORT_OWNERS = frozenset({Role.OFFICE_HEAD, Role.ADMIN})
REFUSAL = N_("只有本机关的政府信息公开工作机构负责人或管理员可以编辑年度报告的文字和填报数据")


def may_state(actor: Actor, agency_id: int | None) -> bool:
    """May ``actor`` edit the report texts / figures and the appeals of agency ``agency_id``?"""
    return (agency_id is not None and actor.agency_id == agency_id
            and bool(actor.roles & REPORT_OWNERS))


def require_owner(actor: Actor, agency_id: int | None, refusal: str) -> None:
    if not may_state(actor, agency_id):
        raise WorkflowError("forbidden", refusal)


# -- entered figures and texts (sections 一, 二, 五, 六) -----------------------------------------
def _int_figure(value, label: str) -> tuple[int | None, str | None]:
    text = str(value if value is not None else "").strip() or "0"
    if not text.isdecimal() or len(text) > 9:  # full-width digits from an IME are fine
        return None, Msg("{label}须为不小于 0 的整数", label=label)
    return int(text), None


def _amount(value) -> tuple[Decimal | None, str | None]:
    text = str(value if value is not None else "").strip() or "0"
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= 10**12 \
            or amount.normalize().as_tuple().exponent < -2:
        return None, N_("收费金额须为不小于 0 的数，单位万元，最多两位小数")
    return amount.quantize(Decimal("0.01")), None


FIGURE_LABELS = {"licensing_decisions": N_("行政许可处理决定数量"),
                 "penalty_decisions": N_("行政处罚处理决定数量"),
                 "enforcement_decisions": N_("行政强制处理决定数量")}


def validate_entry(values: dict) -> dict:
    errors, clean = {}, {}
    for key in FIGURE_FIELDS:
        clean[key], err = _int_figure(values.get(key), FIGURE_LABELS[key])
        if err:
            errors[key] = err
    clean["fee_item_amount_10k"], err = _amount(values.get("fee_item_amount_10k"))
    if err:
        errors["fee_item_amount_10k"] = err
    for key in TEXT_FIELDS:
        text = (values.get(key) or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT:
            errors[key] = Msg("不能超过 {max_len} 字", max_len=MAX_TEXT)
        clean[key] = text or None
    if errors:
        raise ValidationFailed(errors)
    return clean


def _jsonable(v):
    return str(v) if isinstance(v, Decimal) else v


def save_year(agency: Agency, year: int, values: dict, actor: Actor) -> ReportYear:
    """Save one agency's texts and entered figures for a year; one audit event with every change.
    WorkflowError("forbidden") unless ``actor`` is that agency's office head or administrator."""
    require_owner(actor, agency.id, REFUSAL)
    if not 2000 <= year <= 2100:
        raise ValidationFailed({"year": N_("年度无效")})
    clean = validate_entry(values)
    try:
        row = db.session.execute(select(ReportYear).where(
            ReportYear.agency_id == agency.id, ReportYear.year == year)).scalar_one_or_none()
        if row is None:
            row = ReportYear(agency_id=agency.id, year=year, licensing_decisions=0,
                             penalty_decisions=0, enforcement_decisions=0,
                             fee_item_amount_10k=Decimal("0.00"))
            db.session.add(row)
        changes = {}
        for key, value in clean.items():
            before = getattr(row, key)
            before = Decimal(before).quantize(Decimal("0.01")) if key == "fee_item_amount_10k" \
                and before is not None else before
            if before != value:
                changes[key] = {"before": _jsonable(before), "after": _jsonable(value)}
                setattr(row, key, value)
        if changes:
            row.updated_at = now()
            audit.record(actor, "report_year_saved", agency_id=agency.id,
                         data={"year": year, "agency": agency.code, "changes": changes})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row


# -- drill-down: the records behind any figure ------------------------------------------------
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
    p = _predicates(s)
    where = [_in_scope(s), p[row] if row in ("new", "carried_over", "carried_forward")
             else p["concluded"]]
    if row in rules.RESULT_ROWS:
        where.append(Case.outcome == row)
    if col != "total":
        where.append(Case.applicant_type == col)
    title = compose("{row} · {column}", row=rules.ROW_LABELS[row], column=rules.COLUMN_LABELS[col])
    return Drill("cases", _case_ids(*where), title)


def _drill_rate(s: Scope, key: str, col: str) -> Drill:
    p = _predicates(s)
    num, den = RATE_PARTS[key]
    pred = p[num] if col == "numerator" else or_(*[p[n] for n in den])
    part = N_("分子") if col == "numerator" else N_("分母")
    return Drill("cases", _case_ids(_in_scope(s), pred),
                 compose("{rate} · {part}", rate=rules.RATE_LABELS[key], part=part))


def _drill_table4(s: Scope, kind: str, col: str) -> Drill:
    sub = _appeals_in(s).subquery()
    stmt = select(sub.c.id).where(sub.c.kind == kind).order_by(sub.c.id)
    if col != "total":
        stmt = stmt.where(sub.c.result == col)
    return Drill("appeals", list(db.session.execute(stmt).scalars()),
                 compose("{kind} · {result}", kind=rules.APPEAL_KIND_LABELS[kind],
                         result=rules.APPEAL_RESULT_LABELS[col]))


def _drill_table2(s: Scope, category: str, col: str) -> Drill:
    stmt = (select(CatalogueEntry.id)
            .where(CatalogueEntry.category == category, CatalogueEntry.published_on.is_not(None),
                   s.on(CatalogueEntry.agency_id), _catalogue_predicates(s)[col])
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
        return Drill("cases", _case_ids(_fee_filter(s)), N_("本年收取信息处理费的申请"))
    if row == "unconfirmed" and col == "total":
        return Drill("cases", _case_ids(_unconfirmed_filter(s)),
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


# -- statistics dashboard ---------------------------------------------------------------------
def _month_in(column, s: Scope):
    return case((column.between(s.start, s.end), func.extract("month", column)))


def stats(s: Scope) -> dict:
    """Figures for the dashboard from one grouped scan: received and concluded per month, the
    timely rate per month, the outcome mix, applicant types; then the processing times."""
    sub = (select(Case.applicant_type.label("kind"), Case.outcome.label("outcome"),
                  _month_in(Case.received_on, s).label("rm"),
                  _month_in(Case.concluded_on, s).label("cm"),
                  case((Case.timely.is_(True), 1), else_=0).label("timely"))
           .where(s.on(_seq(Case.agency_id)), Case.received_on.is_not(None),
                  or_(_seq(Case.received_on).between(s.start, s.end),
                      _seq(Case.concluded_on).between(s.start, s.end))).subquery())
    cols = (sub.c.kind, sub.c.outcome, sub.c.rm, sub.c.cm)
    received, concluded, timely = [0] * 13, [0] * 13, [0] * 13
    outcomes = dict.fromkeys(rules.RESULT_ROWS, 0)
    by_type = dict.fromkeys(rules.TYPE_COLUMNS, 0)
    for kind, outcome, rm, cm, n, t in db.session.execute(
            select(*cols, func.count(), func.sum(sub.c.timely)).group_by(*cols)):
        if rm is not None:
            received[int(rm)] += n
            by_type[kind] = by_type.get(kind, 0) + n
        if cm is not None:
            concluded[int(cm)] += n
            timely[int(cm)] += int(t or 0)
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    months = [{"month": m, "received": received[m], "concluded": concluded[m],
               "timely": rules.Rate(timely[m], concluded[m])} for m in range(1, 13)]
    return {"year": s.year, "months": months,
            "outcomes": {k: outcomes[k] for k in rules.RESULT_ROWS},
            "outcome_groups": {g: sum(n for k, n in outcomes.items() if rules.outcome_group(k) == g)
                               for g in rules.OUTCOME_GROUPS},
            "by_type": {k: by_type[k] for k in rules.TYPE_COLUMNS},
            "processing": processing_times(s),
            "unconfirmed": db.session.execute(select(func.count()).select_from(Case)
                                              .where(_unconfirmed_filter(s))).scalar_one()}


def processing_times(s: Scope) -> dict:
    """Working days from the clock start to the conclusion, per outcome group, over the cases
    concluded in the year. Dates come as ISO text (no per-row conversion) and each distinct date
    is looked up in the calendar once: working days in (a, b] = index(b) − index(a), both
    counted from a day before the earliest start."""
    cal = get_calendar()
    started, ended = cast(Case.clock_started_on, String), cast(Case.concluded_on, String)
    rows = db.session.execute(
        select(Case.outcome, started, ended, func.count())
        .where(_seq(Case.concluded_on).between(s.start, s.end), s.on(_seq(Case.agency_id)),
               Case.received_on.is_not(None), Case.clock_started_on.is_not(None))
        .group_by(Case.outcome, Case.clock_started_on, Case.concluded_on)).all()
    origin = min((date.fromisoformat(a[:10]) for _o, a, _b, _n in rows), default=s.start)
    origin -= timedelta(days=1)
    index: dict[str, int] = {}

    def position(text: str) -> int:
        if text not in index:
            index[text] = cal.workdays_between(origin, date.fromisoformat(text[:10]))
        return index[text]

    values: dict[str, list[int]] = {g: [] for g in rules.OUTCOME_GROUPS}
    for outcome, a, b, n in rows:
        values.setdefault(rules.outcome_group(outcome), []).extend(
            [max(0, position(b) - position(a))] * n)
    out = {g: rules.summary_stats(v) for g, v in values.items()}
    out["all"] = rules.summary_stats([x for v in values.values() for x in v])
    return out


# -- xlsx: the official layout -------------------------------------------------------------------
def xlsx_bytes(r: AnnualReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "年度报告"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="F2F2F2")
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for i, width in enumerate([14, 12, 30] + [11] * 12, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    def line(row: int, text: str, bold=False, span=10, height=None) -> int:
        # The texts are typed by staff: written as text, never as a formula (spreadsheet_safety).
        safe_cells.xlsx_set(ws.cell(row, 1), text).font = Font(
            bold=bold, size=14 if bold and row == 1 else 11)
        ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
        if height:
            ws.row_dimensions[row].height = height
        return row + 1

    def grid(top: int, cells: list[list[rules.Cell]]) -> int:
        taken, row = set(), top
        for cells_row in cells:
            col = 1
            for c in cells_row:
                while (row, col) in taken:
                    col += 1
                value = c.value
                target = safe_cells.xlsx_set(ws.cell(row, col), value)
                if isinstance(value, Decimal):
                    target.number_format = "0.00"
                target.alignment = wrap
                for i in range(c.rowspan):
                    for j in range(c.colspan):
                        taken.add((row + i, col + j))
                        edge = ws.cell(row + i, col + j)
                        edge.border = box
                        if c.header:
                            edge.fill = head_fill
                if c.rowspan > 1 or c.colspan > 1:
                    ws.merge_cells(start_row=row, start_column=col,
                                   end_row=row + c.rowspan - 1, end_column=col + c.colspan - 1)
                col += c.colspan
            row += 1
        return row + 1

    def text_height(text: str) -> float:
        return min(400, 15 * (text.count("\n") + 1 + len(text) // 60))

    row = line(1, r.title, bold=True)
    row = line(row + 1, rules.SECTIONS[0], bold=True)
    row = line(row, r.texts["narrative"], height=text_height(r.texts["narrative"]))
    row = line(row + 1, rules.SECTIONS[1], bold=True)
    row = grid(row, rules.table2_grid(r.table2))
    row = line(row, rules.SECTIONS[2], bold=True)
    row = grid(row, rules.table3_grid(r.rows))
    row = line(row, rules.SECTIONS[3], bold=True, span=15)
    row = grid(row, rules.table4_grid(r.table4))
    row = line(row, rules.SECTIONS[4], bold=True)
    row = line(row, r.texts["problems"] or "", height=text_height(r.texts["problems"] or ""))
    row = line(row + 1, rules.SECTIONS[5], bold=True)
    row = line(row, FEE_LINE, span=3)
    safe_cells.xlsx_set(ws.cell(row - 1, 4), Decimal(r.fees_yuan)).number_format = "0.00"
    line(row, r.texts["other_matters"] or "", height=text_height(r.texts["other_matters"] or ""))
    _xlsx_checks(wb.create_sheet("校验与比率"), r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_checks(ws, r: AnnualReport) -> None:
    put = safe_cells.xlsx_append  # every cell as a value, never a formula (spreadsheet_safety)
    put(ws, ["比率", "分子", "分母", "数值", "计算方法"])
    for key, rate in r.rates.items():
        num, den = rules.RATE_FORMULAS[key]
        put(ws, [rules.RATE_LABELS[key], rate.numerator, rate.denominator,
                 Decimal(rate.value) if rate.value is not None else "—", f"{num} ÷（{den}）"])
        if rate.value is not None:
            ws.cell(ws.max_row, 4).number_format = "0.00%"
    put(ws, [])
    put(ws, ["校验", "结果", "数字", "说明"])
    for c in r.checks:
        put(ws, [c.name, "通过" if c.ok else "不通过", c.detail, c.label])
    if r.chain_head:
        put(ws, [])
        put(ws, ["办理记录链头（生成本报告时）", f"第 {r.chain_head[0]} 条", r.chain_head[1],
                 "可据此核对此后办理记录是否被改动（flask check 输出同一链头）"])
    for letter, width in zip("ABCDE", (28, 10, 40, 60, 50)):
        ws.column_dimensions[letter].width = width
