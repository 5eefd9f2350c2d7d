"""转办 before acceptance (issue 17): an online submission addressed to the wrong agency of the
platform goes to the agency that should handle it, before anyone confirmed its receipt.

The law knows no transfer of an *accepted* application: once an agency confirmed receipt, the
answer is its own reply 无法提供 — 不属于本机关负责公开 (条例第三十六条第五项), naming the agency
that holds the information (services.review.replies, the holding agency picked from the
platform's list). Before acceptance, nobody's clock runs yet (R2.2: the clock starts with the
confirming agency's receipt date), so moving the submission is fair to the applicant: the
receiving agency confirms it from the forwarding day on, under its own deadline.

The applicant is told by a 申请转送告知书 in the receiving agency's name — a notice like any
other, released only through the review gate (R6.1/R6.3). The tracking number and query code do
not change, so the applicant follows the same case.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..domain.errors import ValidationFailed
from ..domain.text import N_
from ..extensions import db
from ..models import Agency, Case
from ..timeutil import local_date
from . import cases
from .actors import Actor
from .review import notices
from .unit_of_work import atomic

REASON_MAX = 500


def targets(case: Case) -> list[Agency]:
    """The agencies of the platform a submission can be forwarded to: every other one."""
    return list(db.session.execute(
        select(Agency).where(Agency.id != case.agency_id).order_by(Agency.code)).scalars())


def _target(case: Case, to_agency_id) -> Agency | None:
    try:
        agency = db.session.get(Agency, int(to_agency_id))
    except (TypeError, ValueError, OverflowError):
        return None
    return agency if agency is not None and agency.id != case.agency_id else None


@atomic
def forward(case: Case, to_agency_id, reason: str | None, actor: Actor, today: date) -> Agency:
    """Forward an unconfirmed online submission to another agency of the platform, with the
    reason; draft the 申请转送告知书 (reviewed by the receiving agency before it is sent).
    One audited ``forward`` event names both agencies."""
    cases.guard(case, "forward", actor)
    errors = {}
    target = _target(case, to_agency_id)
    if target is None:
        errors["to_agency"] = N_("请选择接收转办的机关（本平台的其他机关）")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = N_("请填写转办理由（为什么应由该机关办理）")
    elif len(reason) > REASON_MAX:
        errors["reason"] = N_("转办理由过长（最多 500 字）")
    if errors:
        raise ValidationFailed(errors)
    source = case.agency
    if case.idempotency_key and db.session.execute(select(Case.id).where(
            Case.agency_id == target.id, Case.idempotency_key == case.idempotency_key)).first():
        # a client retry key is unique per agency: the receiving agency already has one like it
        case.idempotency_key = None
    case.agency_id, case.agency = target.id, target
    case.forwarded_from_id, case.forwarded_on = source.id, today
    case.handler_id = case.handler = None  # the sending agency's handler cannot handle it
    cases.apply(case, "forward", actor, today, data={
        "from_agency": source.code, "from_agency_name": source.name,
        "to_agency": target.code, "to_agency_name": target.name, "reason": reason})
    notices.issue(case, "forwarded", today, actor, from_agency=source.name, reason=reason,
                  submitted_on=local_date(case.submitted_at) if case.submitted_at else today)
    return target
