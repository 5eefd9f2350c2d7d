"""Figure entry: the texts (sections 一, 五, 六) and the table 二 figures that do not come from
cases (decisions on licensing, penalties and enforcement; the fee item amount), entered per
agency and year by the people who state the report, each save audited."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from ...domain.bounds import is_report_year
from ...domain.codes import Role
from ...domain.errors import ValidationFailed
from ...domain.text import N_, Msg
from ...domain.workflow import WorkflowError
from ...extensions import db
from ...models import Agency, ReportYear
from ...timeutil import now
from .. import audit
from ..actors import Actor
from ..unit_of_work import unit_of_work

TEXT_FIELDS = ("narrative", "problems", "other_matters")
FIGURE_FIELDS = ("licensing_decisions", "penalty_decisions", "enforcement_decisions")
MAX_TEXT = 20000


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
    """Save one agency's texts and entered figures for a year, as one unit of work; one audit
    event with every change. WorkflowError("forbidden") unless ``actor`` is that agency's office
    head or administrator; ValidationFailed (nothing saved) for a bad year or figure."""
    require_owner(actor, agency.id, REFUSAL)
    if not is_report_year(year):
        raise ValidationFailed({"year": N_("年度无效")})
    clean = validate_entry(values)
    with unit_of_work():
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
    return row
