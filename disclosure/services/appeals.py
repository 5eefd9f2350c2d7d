"""Appeals about a case's handling — 行政复议 and 行政诉讼 (report table 四, codes.md).

An appeal is a fact recorded on the case: kind, the day it was filed, its result and the day the
result was decided. It does not move the case's status; each entry writes one audit event.
"""
from __future__ import annotations

from datetime import date

from ..domain.codes import AppealKind, AppealResult
from ..domain.errors import ValidationFailed
from ..domain.text import N_, Msg
from ..extensions import db
from ..models import Appeal, Case
from . import audit
from .actors import Actor
from .report import may_state, require_owner
from .unit_of_work import atomic

KIND_LABELS = {AppealKind.RECONSIDERATION: N_("行政复议"),
               AppealKind.LITIGATION_DIRECT: N_("行政诉讼·未经复议直接起诉"),
               AppealKind.LITIGATION_AFTER_RECONSIDERATION: N_("行政诉讼·复议后起诉")}
RESULT_LABELS = {AppealResult.UPHELD: N_("结果维持"), AppealResult.CORRECTED: N_("结果纠正"),
                 AppealResult.OTHER: N_("其他结果"), AppealResult.PENDING: N_("尚未审结")}


def _date(value, field: str, label: str, required: bool) -> date | None:
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationFailed({field: Msg("请填写{label}", label=label)})
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed({field: Msg("{label}无效，请按 年-月-日 填写真实存在的日期",
                                           label=label)}) from None


def _result(values, filed_on: date, today: date) -> tuple[str, date | None]:
    result = (values.get("result") or AppealResult.PENDING).strip()
    if result not in {r.value for r in AppealResult}:
        raise ValidationFailed(
            {"result": N_("请选择结果（结果维持、结果纠正、其他结果或尚未审结）")})
    decided_on = _date(values.get("decided_on"), "decided_on", N_("审结日期"),
                       required=result != AppealResult.PENDING)
    if result == AppealResult.PENDING and decided_on is not None:
        raise ValidationFailed({"decided_on": N_("尚未审结的，不填写审结日期")})
    if decided_on is not None and decided_on > today:
        raise ValidationFailed({"decided_on": N_("审结日期不能晚于今天")})
    if decided_on is not None and decided_on < filed_on:
        raise ValidationFailed({"decided_on": Msg("审结日期不能早于提起日期（{filed_on}）",
                                                   filed_on=filed_on.isoformat())})
    return result, decided_on


# Appeals feed table 四 of the annual report: entered by the same people who state the report
# (services.report.REPORT_OWNERS of the case's agency).
REFUSAL = N_("只有本机关的政府信息公开工作机构负责人或管理员可以登记行政复议、行政诉讼及其结果")


def may_record(actor: Actor, case: Case) -> bool:
    return may_state(actor, case.agency_id)


def _as_data(appeal: Appeal) -> dict:
    return {"appeal_id": appeal.id, "kind": appeal.kind, "filed_on": appeal.filed_on.isoformat(),
            "result": appeal.result,
            "decided_on": appeal.decided_on.isoformat() if appeal.decided_on else None}


@atomic
def add_appeal(case: Case, values, actor: Actor, today: date) -> Appeal:
    """Record that the applicant applied for 行政复议 or brought 行政诉讼 about this case."""
    require_owner(actor, case.agency_id, REFUSAL)
    kind = (values.get("kind") or "").strip()
    if kind not in {k.value for k in AppealKind}:
        raise ValidationFailed({"kind": N_("请选择类型（行政复议、直接起诉或复议后起诉）")})
    filed_on = _date(values.get("filed_on"), "filed_on", N_("提起日期"), required=True)
    if filed_on > today:
        raise ValidationFailed({"filed_on": N_("提起日期不能晚于今天")})
    if case.received_on is not None and filed_on < case.received_on:
        raise ValidationFailed({"filed_on": Msg("提起日期不能早于收到申请之日（{received_on}）",
                                                 received_on=case.received_on.isoformat())})
    result, decided_on = _result(values, filed_on, today)
    appeal = Appeal(case_id=case.id, kind=kind, filed_on=filed_on, result=result,
                    decided_on=decided_on)
    db.session.add(appeal)
    db.session.flush()
    audit.record(actor, "appeal_added", case=case, before=case.status, after=case.status,
                 on=filed_on, data=_as_data(appeal))
    return appeal


@atomic
def record_result(appeal: Appeal, values, actor: Actor, today: date) -> Appeal:
    """Record (or correct) the result of an appeal and the day it was decided."""
    case = db.session.get(Case, appeal.case_id)
    require_owner(actor, case.agency_id, REFUSAL)
    before = _as_data(appeal)
    appeal.result, appeal.decided_on = _result(values, appeal.filed_on, today)
    after = _as_data(appeal)
    if after != before:
        audit.record(actor, "appeal_result_recorded", case=case, before=case.status,
                     after=case.status, on=appeal.decided_on or today,
                     data={**after, "before": {k: before[k] for k in ("result", "decided_on")}})
    return appeal
