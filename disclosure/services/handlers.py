"""The handlers of an agency (issue 15): who may be named to handle its cases — an active
account with the handler role in that agency — and the default one new cases go to. Read-only;
services.assignment changes a case's handler, services.cases names it at registration."""
from __future__ import annotations

from sqlalchemy import select

from ..domain.codes import Role
from ..domain.errors import ValidationFailed
from ..domain.text import N_
from ..extensions import db
from ..models import Agency, User, UserRole


def handlers_of(agency_id: int) -> list[User]:
    """The active handlers of an agency, by name (the choices of the handler select)."""
    return list(db.session.execute(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.agency_id == agency_id, User.active.is_(True),
               UserRole.role == Role.HANDLER)
        .order_by(User.display_name, User.id)).scalars().unique())


def qualified(agency_id: int, handler_id) -> User | None:
    """The handler with this id if it may handle the agency's cases, else None."""
    try:
        handler_id = int(handler_id)
    except (TypeError, ValueError):
        return None
    user = db.session.get(User, handler_id)
    if user is None or user.agency_id != agency_id or not user.active \
            or Role.HANDLER not in user.roles:
        return None
    return user


def default_handler(agency: Agency) -> User | None:
    """The agency's default handler, if it is still an active handler there."""
    return qualified(agency.id, agency.default_handler_id) if agency.default_handler_id else None


def pick(agency: Agency, handler_id, field: str = "handler_id") -> User | None:
    """The handler a registrar chose: None (no choice made) → the agency's default handler;
    "" (chose "not yet") → nobody; a choice that is not one of the agency's handlers is a field
    error, never silently replaced."""
    if handler_id is None:
        return default_handler(agency)
    if handler_id == "":
        return None
    user = qualified(agency.id, handler_id)
    if user is None:
        raise ValidationFailed({field: N_("请选择本机关的承办人")})
    return user
