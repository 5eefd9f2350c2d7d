"""The case action forms on the staff case page: one POST endpoint, one service call each."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..domain.errors import ValidationFailed
from ..services import case_actions


def _date(form, name: str, required: bool = False) -> date | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        if required:
            raise ValidationFailed({name: _("请填写日期")})
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({name: _("日期无效，请按 年-月-日 填写真实存在的日期")}) from None


# action → (service call, fields the form has). The service checks roles and state itself.
DISPATCH = {
    "request_supplement": lambda c, f, a, t: case_actions.request_supplement(
        c, f.get("items"), f.get("period_workdays"), a, t, on=_date(f, "on")),
    "receive_supplement": lambda c, f, a, t: case_actions.receive_supplement(
        c, _date(f, "on"), a, t),
    "request_clarification": lambda c, f, a, t: case_actions.request_clarification(
        c, f.get("items"), f.get("confirm"), a, t),
    "extend_supplement_period": lambda c, f, a, t: case_actions.extend_supplement_period(
        c, f.get("workdays"), f.get("reason"), a, t),
    "start_consultation": lambda c, f, a, t: case_actions.start_consultation(
        c, f.get("kind"), f.get("party"), a, t, on=_date(f, "on")),
    "end_consultation": lambda c, f, a, t: case_actions.end_consultation(
        c, a, t, on=_date(f, "on")),
    "notify_third_party_disclosure": lambda c, f, a, t: case_actions.notify_third_party_disclosure(
        c, f.get("party"), f.get("content"), f.get("reasons"), a, t),
    "request_extension": lambda c, f, a, t: case_actions.request_extension(
        c, f.get("workdays"), f.get("reason"), a, t),
    "approve_extension": lambda c, f, a, t: case_actions.decide_extension(c, True, a, t),
    "refuse_extension": lambda c, f, a, t: case_actions.decide_extension(c, False, a, t),
    "notify_fee": lambda c, f, a, t: case_actions.notify_fee(
        c, f.get("method"), f.get("pages"), a, t),
    "record_fee_payment": lambda c, f, a, t: case_actions.record_fee_payment(
        c, a, t, on=_date(f, "on")),
    "set_deferred_deadline": lambda c, f, a, t: case_actions.set_deferred_deadline(
        c, _date(f, "due_on", required=True), f.get("reason"), a, t),
    "withdraw": lambda c, f, a, t: case_actions.withdraw(c, a, t, on=_date(f, "on"),
                                                        reason=f.get("reason")),
}

# Flashed after the action (str() at flash time: a flash is stored in the session).
DONE = {
    "request_supplement": _l("补正告知书已起草，经保密审查后发出"),
    "receive_supplement": _l("已记录收到补正材料，答复期限重新计算"),
    "request_clarification": _l("协助说明函已起草，经保密审查后发出（不影响答复期限）"),
    "extend_supplement_period": _l("已给予新的补正期限，告知书经保密审查后发出"),
    "start_consultation": _l("已开始征求意见（暂停计时）"),
    "end_consultation": _l("征求意见已结束，恢复计时"),
    "notify_third_party_disclosure": _l("向第三方告知公开决定书已起草，经保密审查后发出"),
    "request_extension": _l("延期申请已提交，等待负责人审批"),
    "approve_extension": _l("已批准延期并生成延期答复告知书"),
    "refuse_extension": _l("已不批准延期"),
    "notify_fee": _l("已发出收费通知书（暂停计时）"),
    "record_fee_payment": _l("已记录缴费，恢复计时"),
    "set_deferred_deadline": _l("已确定延后答复期限"),
    "withdraw": _l("已记录撤回申请，案件办结"),
}
