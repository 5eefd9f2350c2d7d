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
    """services.access: staff (admins too) see their own agency; a platform admin all."""
    from ..services.access import can_see_agency
    return can_see_agency(actor(), case.agency_id)


def case_or_404(case_id: int):
    """The case, if this user may see it (the same 404 for unknown and not visible)."""
    from ..services.access import load_case
    case = load_case(actor(), case_id)
    if case is None:
        abort(404)
    return case


def require_role(*roles: str) -> None:
    if not (current_user.roles & set(roles)):
        abort(403)


def wants_json() -> bool:
    return request.path.startswith("/api/")
