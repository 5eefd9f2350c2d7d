"""A lost query code (issue 16): a new one replaces it and the old one stops working — asked
for by the applicant (sent to the contact on file) or given by staff at the counter.
The code itself (hashing, checking, the receipt) is ``services.query_codes``."""
from __future__ import annotations

from sqlalchemy import func, select

from .. import settings, timeutil
from ..domain.text import N_
from ..domain.workflow import WorkflowError
from ..extensions import db
from ..models import Case, Event
from . import audit, outbox, query_codes
from .access import may_act_on
from .actors import APPLICANT_ACTOR
from .cases import find_by_tracking
from .unit_of_work import unit_of_work

# -- a lost code (issue 16): a new one replaces it, the old one stops working -----------------
#
# The applicant asks with the tracking number only (API POST …/query-code): the answer is the
# same whether or not the number exists, so numbers cannot be probed. A new code goes to the
# e-mail address on file through the outbox; with only a phone number, an SMS outbox row
# (recipient "sms:<phone>") is queued instead — sent through the SMS gateway (services.sms)
# when one is configured, held in the outbox (and the outbox page says so) until then. At most
# QUERY_CODE_REISSUES_PER_DAY applicant requests per case per day (counted from the audit
# events), on top of the per-client rate limit of the route. Staff can reissue a code on the
# case page; it is shown to them once (never e-mailed, never put in a cookie). The event says
# who and by which channel, never the code.

REISSUE_ACTION = "query_code_reissued"
REISSUES_PER_DAY = 3
SMS_PREFIX = "sms:"
REISSUE_ROLES = frozenset({"registrar", "handler", "office_head"})


def _replace_code(case) -> str:
    code = query_codes.new_code()
    case.query_code_hash = query_codes.hash_code(case.tracking_no, code)
    return code


def applicant_reissues_on(case, day) -> int:
    return db.session.execute(select(func.count(Event.id)).where(
        Event.case_id == case.id, Event.action == REISSUE_ACTION, Event.actor_id.is_(None),
        Event.on_date == day)).scalar_one()


def recover(tracking_no: str) -> str | None:
    """The applicant lost the code: send a new one to the contact on file. Returns the channel
    used ("email" / "sms") or None (unknown number, no contact, the day's limit reached); the
    caller must answer the same in every case."""
    day = timeutil.today()
    with unit_of_work():
        case = find_by_tracking(tracking_no)
        if case is None or not (case.email or case.phone):
            return None
        limit = int(settings.current().get("QUERY_CODE_REISSUES_PER_DAY", REISSUES_PER_DAY))
        if applicant_reissues_on(case, day) >= limit:
            return None
        code = _replace_code(case)
        if case.email:
            channel = "email"
            outbox.enqueue(case.email, f"【{case.tracking_no}】新的查询码", (
                f"您的政府信息公开申请（申请编号 {case.tracking_no}）"
                "已按您的请求重新生成查询码。\n\n"
                f"新的查询码：{code}\n\n"
                "原查询码已失效。请凭申请编号和新的查询码查询办理进度、查看答复。"
                "如非本人操作，请与受理机关联系。"), case)
        else:
            channel = "sms"
            outbox.enqueue(f"{SMS_PREFIX}{case.phone}", f"【{case.tracking_no}】新的查询码",
                           f"申请{case.tracking_no}的新查询码：{code}，原查询码已失效。", case)
        audit.record(APPLICANT_ACTOR, REISSUE_ACTION, case=case, on=day,
                     data={"channel": channel, "by": "applicant"})
        return channel


def reissue_by_staff(case, actor) -> str:
    """Staff of the case's agency (registrar, handler, office head) give the applicant a new
    code — on the phone or at the counter. Returns the code, to be shown once; the old one
    stops working."""
    if not (set(actor.roles) & REISSUE_ROLES) or actor.id is None \
            or not may_act_on(actor, case.agency_id):
        raise WorkflowError("forbidden", N_("当前用户无权补发查询码"))
    case_id = case.id
    with unit_of_work():
        case = db.session.get(Case, case_id)
        code = _replace_code(case)
        audit.record(actor, REISSUE_ACTION, case=case, on=timeutil.today(),
                     data={"channel": "staff", "by": "staff"})
        return code
