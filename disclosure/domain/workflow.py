"""Case workflow as data: {(status, action): new status} plus who may do it.

Every state change of a case goes through ``transition`` (docs/architecture.md); the service
layer writes exactly one audit event per call. Actions that record a fact without moving the
case (an extension decision, a deferred deadline) are in the table too, mapping a status to
itself, so they are checked and audited the same way.
"""
from __future__ import annotations

from .codes import Role, Status
from .text import N_, Msg

S = Status
OPEN = (S.REGISTERED, S.IN_PROGRESS, S.PAUSED)
NEW = ""  # the "status" of a case that does not exist yet

APPLICANT = "applicant"
SYSTEM = "system"


class WorkflowError(Exception):
    """A refused action. ``code`` is stable (tests, API); ``message`` is for people: Chinese, a
    ``N_`` label or a ``Msg`` the web layer can show in the reader's language."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self):  # picklable (the default would call __init__ with args = (message,))
        return (type(self), (self.code, self.message))


def _each(statuses, action, target=None):
    return {(s, action): (target if target is not None else s) for s in statuses}


TRANSITIONS: dict[tuple[str, str], str] = {
    (NEW, "submit_online"): S.SUBMITTED,                  # 条例第二十九条
    (NEW, "register"): S.REGISTERED,                      # 条例第三十一条 (paper channels)
    (NEW, "import"): S.REGISTERED,                        # ledger import; status then derived
    (S.SUBMITTED, "confirm_receipt"): S.REGISTERED,       # R2.2
    # issue 17 转办: a submission addressed to the wrong agency of the platform moves to the
    # right one before anyone confirmed it; that agency's confirmation starts the clock (R2.2).
    (S.SUBMITTED, "forward"): S.SUBMITTED,
    **_each((S.REGISTERED, S.IN_PROGRESS), "request_supplement", S.AWAITING_SUPPLEMENT),  # R4.1
    (S.AWAITING_SUPPLEMENT, "receive_supplement"): S.IN_PROGRESS,                          # R4.2
    (S.AWAITING_SUPPLEMENT, "extend_supplement_period"): S.AWAITING_SUPPLEMENT,            # R4.3
    **_each((S.REGISTERED, S.IN_PROGRESS), "request_clarification", S.IN_PROGRESS),       # R8.1
    **_each((S.REGISTERED, S.IN_PROGRESS), "start_consultation", S.PAUSED),               # R3.3
    (S.PAUSED, "end_consultation"): S.IN_PROGRESS,
    **_each(OPEN, "notify_third_party_disclosure"),       # 条例第三十二条: disclosed over objection
    **_each(OPEN, "request_extension"),                   # R3.2
    **_each(OPEN, "approve_extension"),
    **_each(OPEN, "refuse_extension"),
    **_each((S.REGISTERED, S.IN_PROGRESS), "notify_fee", S.PAUSED),   # R5.4
    (S.PAUSED, "record_fee_payment"): S.IN_PROGRESS,
    **_each(OPEN, "set_deferred_deadline"),               # R3.5
    **_each(OPEN + (S.SUBMITTED, S.AWAITING_SUPPLEMENT, S.IN_REVIEW), "withdraw", S.WITHDRAWN),
    (S.AWAITING_SUPPLEMENT, "lapse_supplement"): S.ABANDONED,         # R4.3
    (S.PAUSED, "lapse_fee"): S.ABANDONED,                             # R5.4
    **_each((S.REGISTERED, S.IN_PROGRESS), "draft_reply", S.IN_PROGRESS),       # R6.1 drafting
    **_each((S.REGISTERED, S.IN_PROGRESS), "submit_for_review", S.IN_REVIEW),
    **_each((S.IN_REVIEW,), "review_item"),                                   # R6.2 one decision
    (S.IN_REVIEW, "refer_review"): S.PAUSED,                                   # R6.4 referral
    **_each((S.IN_REVIEW,), "sign_off"),
    (S.IN_REVIEW, "return_to_drafting"): S.IN_PROGRESS,               # R6.4 rejection
    (S.IN_REVIEW, "release_reply"): S.REPLIED,                        # R6.3
    # issue 15: at registration / confirmation (registrar), then reassignment by the head
    **_each(OPEN + (S.AWAITING_SUPPLEMENT, S.IN_REVIEW), "assign_handler"),
}

R = Role
ACTION_ROLES: dict[str, frozenset[str]] = {
    "submit_online": frozenset({APPLICANT}),
    "register": frozenset({R.REGISTRAR}),
    "import": frozenset({R.ADMIN, R.PLATFORM_ADMIN, SYSTEM}),
    "confirm_receipt": frozenset({R.REGISTRAR}),
    "forward": frozenset({R.REGISTRAR}),
    "request_supplement": frozenset({R.HANDLER}),
    "receive_supplement": frozenset({R.HANDLER, R.REGISTRAR, APPLICANT}),  # 补正 online
    "extend_supplement_period": frozenset({R.HANDLER}),
    "request_clarification": frozenset({R.HANDLER}),
    "start_consultation": frozenset({R.HANDLER}),
    "end_consultation": frozenset({R.HANDLER, SYSTEM}),  # SYSTEM: R3.3 auto-end
    "notify_third_party_disclosure": frozenset({R.HANDLER}),
    "request_extension": frozenset({R.HANDLER}),
    "approve_extension": frozenset({R.OFFICE_HEAD}),
    "refuse_extension": frozenset({R.OFFICE_HEAD}),
    "notify_fee": frozenset({R.HANDLER}),
    "record_fee_payment": frozenset({R.HANDLER, R.REGISTRAR}),
    "set_deferred_deadline": frozenset({R.OFFICE_HEAD}),
    "withdraw": frozenset({R.HANDLER, R.REGISTRAR}),
    "lapse_supplement": frozenset({SYSTEM}),
    "lapse_fee": frozenset({SYSTEM}),
    "draft_reply": frozenset({R.HANDLER}),
    "submit_for_review": frozenset({R.HANDLER}),
    "review_item": frozenset({R.REVIEWER}),
    "refer_review": frozenset({R.REVIEWER}),
    "sign_off": frozenset({R.OFFICE_HEAD}),
    "return_to_drafting": frozenset({R.REVIEWER}),
    "release_reply": frozenset({R.HANDLER, R.OFFICE_HEAD}),
    "assign_handler": frozenset({R.REGISTRAR, R.OFFICE_HEAD}),
}

ACTION_LABELS = {
    "submit_online": N_("在线提交申请"),
    "register": N_("登记受理"),
    "import": N_("台账导入"),
    "confirm_receipt": N_("确认收到申请"),
    "forward": N_("转送有权机关（转办）"),
    "request_supplement": N_("发出补正告知"),
    "receive_supplement": N_("收到补正材料"),
    "extend_supplement_period": N_("因正当理由给予新的补正期限"),
    "request_clarification": N_("发出协助说明函（不影响期限）"),
    "start_consultation": N_("开始征求意见"),
    "end_consultation": N_("征求意见结束"),
    "notify_third_party_disclosure": N_("书面告知第三方决定公开"),
    "request_extension": N_("申请延期答复"),
    "approve_extension": N_("批准延期答复"),
    "refuse_extension": N_("不批准延期"),
    "notify_fee": N_("发出收费通知"),
    "record_fee_payment": N_("已缴纳信息处理费"),
    "set_deferred_deadline": N_("确定延后答复期限"),
    "withdraw": N_("申请人撤回申请"),
    "lapse_supplement": N_("逾期未补正，不再处理"),
    "lapse_fee": N_("逾期未缴费，不再处理"),
    "draft_reply": N_("起草答复"),
    "submit_for_review": N_("提交保密审查"),
    "review_item": N_("保密审查决定"),
    "refer_review": N_("报有关部门确定（暂停计时）"),
    "sign_off": N_("负责人签发"),
    "return_to_drafting": N_("审查退回修改"),
    "release_reply": N_("答复已发出"),
    "assign_handler": N_("指定承办人"),
    # events that record a fact without a transition (written by the services directly)
    "appeal_added": N_("登记行政复议/行政诉讼"),
    "appeal_result_recorded": N_("记录复议/诉讼结果"),
    "due_soon_notice": N_("即将到期提醒"),
    "overdue_notice": N_("超期提醒"),
    "unconfirmed_notice": N_("在线申请未及时确认提醒"),
    "calendar_rederived": N_("节假日调整后重新计算答复期限"),
    "notice_review": N_("告知文书保密审查"),
    "notice_released": N_("告知文书经审查发出"),
    "notice_revised": N_("修改告知文书"),
    "notice_delivered": N_("告知文书已送达"),
    "query_code_reissued": N_("补发查询码（原查询码失效）"),
}


def transition(status: str, action: str, roles: set[str] | frozenset[str]) -> str:
    """The status after ``action``, or WorkflowError if it is not allowed now or for these roles."""
    if action not in ACTION_ROLES:
        raise WorkflowError("unknown_action", Msg("未知操作：{action}", action=action))
    if not (set(roles) & ACTION_ROLES[action]):
        raise WorkflowError("forbidden",
                            Msg("当前用户无权执行“{action}”", action=ACTION_LABELS[action]))
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise WorkflowError("invalid_state", Msg("案件当前状态下不能执行“{action}”",
                                                action=ACTION_LABELS[action]))
    return target


def allowed_actions(status: str, roles: set[str] | frozenset[str]) -> list[str]:
    """Actions this user may take on a case in ``status`` (drives which buttons are shown)."""
    return [a for (s, a) in TRANSITIONS if s == status and set(roles) & ACTION_ROLES[a]]


def require_different_person(requester_id: int | None, decider_id: int | None, what: str) -> None:
    """R3.2 / R6.4 separation of duties: nobody approves their own request or draft.

    ``what`` is shown in the message: pass a label marked with ``N_`` so it is translated too.
    """
    if requester_id is not None and requester_id == decider_id:
        raise WorkflowError("same_person", Msg("{what}不能由申请人本人审批", what=what))


# What the applicant sees of the history (status page, API): ledger-style event codes and plain
# labels. Internal steps (assignment, review round-trips, refused extensions) stay internal.
PUBLIC_EVENTS: dict[str, tuple[str, str]] = {
    "submit_online": ("submitted", N_("已在线提交申请")),
    "register": ("registered", N_("已登记受理")),
    "import": ("registered", N_("已登记受理")),
    "confirm_receipt": ("registered", N_("已确认收到申请，登记受理")),
    "forward": ("forwarded", N_("申请已转送负责办理的机关，待其确认收到")),
    "receive_supplement": ("supplement_received", N_("已收到补正材料，重新计算答复期限")),
    "extend_supplement_period": ("supplement_period_extended", N_("给予新的补正期限")),
    "start_consultation": ("consultation_started", N_("征求意见中（暂停计时）")),
    "end_consultation": ("consultation_ended", N_("征求意见结束，恢复计时")),
    "approve_extension": ("extension_approved", N_("经批准延长答复期限")),
    "record_fee_payment": ("fee_paid", N_("已缴纳信息处理费，恢复计时")),
    "set_deferred_deadline": ("deferred_deadline_set", N_("确定延后答复期限")),
    "withdraw": ("withdrawn", N_("申请已撤回")),
    "lapse_supplement": ("concluded", N_("逾期未补正，不再处理该申请")),
    "lapse_fee": ("concluded", N_("逾期未缴费，不再处理该申请")),
    "release_reply": ("replied", N_("已作出答复")),
}

# Notices reach the applicant when a reviewer released them (R6.3), not when they were drafted:
# the applicant's history says "sent" from the release event, by the notice's kind.
PUBLIC_NOTICE_EVENTS: dict[str, tuple[str, str]] = {
    "supplement": ("supplement_requested", N_("已发出补正告知书")),
    "fee": ("fee_notified", N_("已发出收费通知（暂停计时）")),
    "clarification": ("clarification_requested", N_("已发出协助说明函")),
}
