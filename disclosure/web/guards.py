"""Per-blueprint access guards (docs/security.md, "Access and personal data") and the one
place a staff view turns "not visible" into 404: which agency's rows a user may see is decided
by services.access alone."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..domain.codes import Role
from ..services import access
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


def found_or_404(row):
    """``row`` as a services.access loader returned it; None (unknown or not visible) → 404."""
    if row is None:
        abort(404)
    return row


def case_or_404(case_id: int):
    """The case, if this user may see it (the same 404 for unknown and not visible)."""
    return found_or_404(access.load_case(actor(), case_id))


def require_role(*roles: str) -> None:
    if not (current_user.roles & set(roles)):
        abort(403)
