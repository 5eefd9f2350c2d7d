"""Per-blueprint access guards (DESIGN 8) and the agency scope of a staff user."""
from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from ..domain.codes import Role
from ..services.actors import Actor

STAFF_ROLES = frozenset(r.value for r in Role)


def guard_blueprint(bp, roles: frozenset[str]) -> None:
    """Every endpoint of ``bp`` needs a signed-in, active user holding one of ``roles``."""

    @bp.before_request
    def _check():
        from ..extensions import login_manager
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not (current_user.roles & roles):
            abort(403)


def actor() -> Actor:
    return Actor.of(current_user)


def can_see(case) -> bool:
    """Staff see their own agency's cases; admins see all."""
    return Role.ADMIN in current_user.roles or case.agency_id == current_user.agency_id


def require_role(*roles: str) -> None:
    if not (current_user.roles & set(roles)):
        abort(403)


def wants_json() -> bool:
    return request.path.startswith("/api/")
