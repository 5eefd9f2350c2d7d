"""Who handles a case (issue 15): a handler is named at registration / confirmation — the
agency's default handler unless the registrar picks another — and the office head may reassign
it later. Only an active account with the handler role in the case's own agency qualifies."""
from __future__ import annotations

from datetime import date

from ..domain.errors import ValidationFailed
from ..domain.text import N_
from ..models import Case
from .actors import Actor
from .cases import apply, guard
from .handlers import qualified
from .unit_of_work import atomic


@atomic
def assign(case: Case, handler_id, actor: Actor, today: date) -> None:
    """Name (or change) the handler of an open case — one workflow step, one audit event."""
    guard(case, "assign_handler", actor)
    user = qualified(case.agency_id, handler_id)
    if user is None:
        raise ValidationFailed({"handler_id": N_("请选择本机关的承办人")})
    if user.id == case.handler_id:
        raise ValidationFailed({"handler_id": N_("该承办人已在办理此案件")})
    before = case.handler
    case.handler_id = user.id
    case.handler = user
    apply(case, "assign_handler", actor, today, data={
        "handler_id": user.id, "handler": user.display_name,
        "previous_handler_id": before.id if before else None})
