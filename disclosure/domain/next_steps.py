"""Which steps a case offers now, to this user — the one place the case page asks (issue 15).

The workflow table (workflow.py) says which actions a *status* allows a *role*; a case's facts
narrow that further (a 补正 is asked once, R4.1; one extension, R3.2; a fee payment needs a fee
notice, R5.4; the reply is released only when every item is approved at its current
fingerprint, R6.3, and signed off where 签发 is required). ``next_steps`` combines both, so the
page shows only steps that would not be refused, and says what a case is waiting for when this
user has nothing to do.

Steps are grouped: ``main`` steps are the usual next moves, shown open; ``rare`` ones (a new
补正 period, a 协助说明函, a fee, a deferred deadline, withdrawal) sit behind a disclosure.
``IRREVERSIBLE`` steps get a confirmation page that says what will happen.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .codes import Status
from .text import N_
from .workflow import ACTION_LABELS, allowed_actions

S = Status

# Acts that cannot be undone: the page asks for confirmation first (issue 15).
IRREVERSIBLE = frozenset({"withdraw", "release_reply"})

RARE = frozenset({"extend_supplement_period", "request_clarification", "notify_fee",
                  "notify_third_party_disclosure", "set_deferred_deadline", "withdraw",
                  "forward"})

# Steps that are not case-page forms of their own: the gate's per-item decisions are made in
# the review table, the sweep's lapses and the creation of cases happen elsewhere.
NOT_ON_PAGE = frozenset({"submit_online", "register", "import", "lapse_supplement", "lapse_fee",
                         "review_item", "refer_review", "return_to_drafting"})


@dataclass(frozen=True)
class Situation:
    """The facts of one case that decide its next steps (read by services.case_view)."""
    status: str
    supplement_requested: bool = False
    fee_notified: bool = False
    fee_paid: bool = False
    extension_pending: bool = False
    extension_granted: bool = False
    consultation_open: bool = False     # an open third-party / other-agency consultation
    third_party_consulted: bool = False
    reply_drafted: bool = False
    items_pending: int = 0              # reply items whose current version awaits a decision
    items_rejected: int = 0
    sign_off_required: bool = False
    signed_off: bool = False
    has_handler: bool = False


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    rare: bool = False
    irreversible: bool = False


@dataclass
class NextSteps:
    steps: list[Step] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # N_ labels: what the case waits for

    def has(self, action: str) -> bool:
        return any(s.action == action for s in self.steps)

    @property
    def main(self) -> list[Step]:
        return [s for s in self.steps if not s.rare]

    @property
    def rare(self) -> list[Step]:
        return [s for s in self.steps if s.rare]

    def first_label(self) -> str | None:
        main = self.main
        return main[0].label if main else (self.waiting[0] if self.waiting else None)


def _fits(action: str, f: Situation) -> bool:
    """The case's facts allow ``action`` (the status and role were checked by the table)."""
    return {
        "request_supplement": not f.supplement_requested,
        "request_extension": not (f.extension_pending or f.extension_granted),
        "approve_extension": f.extension_pending,
        "refuse_extension": f.extension_pending,
        "notify_fee": not f.fee_notified,
        "record_fee_payment": f.fee_notified and not f.fee_paid,
        "end_consultation": f.consultation_open,
        "notify_third_party_disclosure": f.third_party_consulted,
        "submit_for_review": f.reply_drafted,
        "sign_off": f.sign_off_required and not f.signed_off and f.items_pending == 0
        and f.items_rejected == 0,
        "release_reply": f.items_pending == 0 and f.items_rejected == 0 and f.reply_drafted
        and (f.signed_off or not f.sign_off_required),
        "assign_handler": True,
    }.get(action, True)


# In the order a case usually goes: the first main step is "the next step" of a case in lists.
ORDER = ("confirm_receipt", "assign_handler", "receive_supplement", "approve_extension",
         "refuse_extension", "record_fee_payment", "end_consultation", "release_reply",
         "sign_off", "submit_for_review", "draft_reply", "request_supplement",
         "start_consultation", "request_extension", "extend_supplement_period",
         "request_clarification", "notify_fee", "notify_third_party_disclosure",
         "set_deferred_deadline", "forward", "withdraw")


def _waiting(f: Situation) -> list[str]:
    out = []
    if f.status == S.SUBMITTED:
        out.append(N_("等待登记人员确认收到申请"))
    if f.status == S.AWAITING_SUPPLEMENT:
        out.append(N_("等待申请人补正"))
    if f.extension_pending:
        out.append(N_("延期申请等待负责人审批"))
    if f.fee_notified and not f.fee_paid:
        out.append(N_("等待申请人缴费"))
    if f.consultation_open:
        out.append(N_("征求意见中"))
    if f.status == S.IN_REVIEW:
        if f.items_pending:
            out.append(N_("等待保密审查"))
        elif f.items_rejected:
            out.append(N_("审查退回，等待修改"))
        elif f.sign_off_required and not f.signed_off:
            out.append(N_("等待负责人签发"))
        else:
            out.append(N_("审查已通过，等待发出答复"))
    if f.status in (S.REGISTERED, S.IN_PROGRESS) and not f.has_handler:
        out.append(N_("尚未指定承办人"))
    return out


# A step is named as something to do; the history's label names what was done.
STEP_LABELS = {"release_reply": N_("发出答复并办结")}


def next_steps(f: Situation, roles) -> NextSteps:
    """The steps this user may take on this case now (never one the services would refuse for
    its state or role), plus what the case is waiting for."""
    allowed = set(allowed_actions(f.status, roles))
    steps = [Step(a, STEP_LABELS.get(a, ACTION_LABELS[a]),
                  rare=a in RARE or (a == "assign_handler" and f.has_handler),
                  irreversible=a in IRREVERSIBLE)
             for a in ORDER if a in allowed and a not in NOT_ON_PAGE and _fits(a, f)]
    return NextSteps(steps=steps, waiting=_waiting(f))
