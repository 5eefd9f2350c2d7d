"""Who may see what: the one rule every view, the CLI and the API use (issue 12).

Staff — administrators included — see and act on their own agency only. A platform
administrator (Role.PLATFORM_ADMIN, which cannot review: domain.codes.INCOMPATIBLE_ROLES) sees
every agency. The case-action services check the same rule in ``cases.guard``, so a form posted
with another agency's case id is refused even if a view forgot to ask.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, true

from ..domain.codes import Role
from ..extensions import db
from ..models import Case, CatalogueEntry
from .actors import Actor


def sees_all(actor: Actor) -> bool:
    return Role.PLATFORM_ADMIN in actor.roles


def can_see_agency(actor: Actor, agency_id: int | None) -> bool:
    return sees_all(actor) or (agency_id is not None and agency_id == actor.agency_id)


def visible(actor: Actor, agency_column) -> ColumnElement[bool]:
    """The WHERE clause limiting a query to what ``actor`` may see."""
    return true() if sees_all(actor) else agency_column == actor.agency_id


def load_case(actor: Actor, case_id) -> Case | None:
    """The case if it exists and ``actor`` may see it; None alike for both refusals."""
    try:
        case = db.session.get(Case, int(case_id))
    except (TypeError, ValueError, OverflowError):
        return None
    return case if case is not None and can_see_agency(actor, case.agency_id) else None


def load_entry(actor: Actor, entry_id) -> CatalogueEntry | None:
    try:
        entry = db.session.get(CatalogueEntry, int(entry_id))
    except (TypeError, ValueError, OverflowError):
        return None
    return entry if entry is not None and can_see_agency(actor, entry.agency_id) else None


def may_act_on(actor: Actor, agency_id: int | None) -> bool:
    """Acting (not just seeing) needs membership of the agency — even a platform
    administrator does not handle, review or release another agency's cases. The applicant
    and the system (no user id) act through their own checks."""
    return actor.id is None or agency_id == actor.agency_id
