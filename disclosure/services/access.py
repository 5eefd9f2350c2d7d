"""Who may see what: the one rule every view, the CLI and the API use (issue 12;
docs/security.md, "Access and personal data").

Staff — administrators included — see and act on their own agency only. A platform
administrator (Role.PLATFORM_ADMIN, which cannot review: domain.codes.INCOMPATIBLE_ROLES) sees
every agency. The case-action services check the same rule in ``cases.guard``, so a form posted
with another agency's case id is refused even if a view forgot to ask.

The loaders below return a row only if it exists and ``actor`` may see the agency it belongs
to, and None alike for both refusals (a view answers 404 either way: nothing tells an unknown
id from another agency's). Given ``case_id`` (or ``item_id``), they also refuse a row that does
not belong to that case (that item): the ids of a URL must agree with each other.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, true

from ..domain.codes import Role
from ..extensions import db
from ..models import (
    Appeal,
    Attachment,
    Case,
    CatalogueEntry,
    ItemVersion,
    Notice,
    ReleaseItem,
    User,
)
from .actors import Actor


def sees_all(actor: Actor) -> bool:
    return Role.PLATFORM_ADMIN in actor.roles


def can_see_agency(actor: Actor, agency_id: int | None) -> bool:
    return sees_all(actor) or (agency_id is not None and agency_id == actor.agency_id)


def visible(actor: Actor, agency_column) -> ColumnElement[bool]:
    """The WHERE clause limiting a query to what ``actor`` may see."""
    return true() if sees_all(actor) else agency_column == actor.agency_id


def scoped(stmt, actor: Actor, agency_column):
    """``stmt`` limited to what ``actor`` may see — unchanged for a platform administrator (no
    ``WHERE true``: the statement, and so its plan, stays the same)."""
    return stmt if sees_all(actor) else stmt.where(agency_column == actor.agency_id)


def may_act_on(actor: Actor, agency_id: int | None) -> bool:
    """Acting (not just seeing) needs membership of the agency — even a platform
    administrator does not handle, review or release another agency's cases. The applicant
    and the system (no user id) act through their own checks."""
    return actor.id is None or agency_id == actor.agency_id


def _get(model, key):
    try:
        return db.session.get(model, int(key))
    except (TypeError, ValueError, OverflowError):
        return None


def load_case(actor: Actor, case_id) -> Case | None:
    """The case if it exists and ``actor`` may see it; None alike for both refusals."""
    case = _get(Case, case_id)
    return case if case is not None and can_see_agency(actor, case.agency_id) else None


def load_entry(actor: Actor, entry_id) -> CatalogueEntry | None:
    entry = _get(CatalogueEntry, entry_id)
    return entry if entry is not None and can_see_agency(actor, entry.agency_id) else None


def _of_visible_case(actor: Actor, row, case_id):
    """``row`` (anything with a ``case_id``) if it belongs to ``case_id`` (when given) and to a
    case ``actor`` may see."""
    if row is None or (case_id is not None and row.case_id != case_id):
        return None
    return row if load_case(actor, row.case_id) is not None else None


def load_notice(actor: Actor, notice_id, case_id: int | None = None) -> Notice | None:
    return _of_visible_case(actor, _get(Notice, notice_id), case_id)


def load_attachment(actor: Actor, attachment_id, case_id: int | None = None) -> Attachment | None:
    return _of_visible_case(actor, _get(Attachment, attachment_id), case_id)


def load_appeal(actor: Actor, appeal_id, case_id: int | None = None) -> Appeal | None:
    return _of_visible_case(actor, _get(Appeal, appeal_id), case_id)


def load_item(actor: Actor, item_id, case_id: int | None = None) -> ReleaseItem | None:
    """A release item of a case (or of a catalogue entry) ``actor`` may see."""
    item = _get(ReleaseItem, item_id)
    if item is None or (case_id is not None and item.case_id != case_id):
        return None
    if item.case_id is not None:
        return item if load_case(actor, item.case_id) is not None else None
    return item if load_entry(actor, item.entry_id) is not None else None


def load_version(actor: Actor, version_id, item_id: int | None = None,
                 case_id: int | None = None) -> ItemVersion | None:
    """One version of a release item ``actor`` may see (of ``item_id`` and its item of
    ``case_id``, when given)."""
    version = _get(ItemVersion, version_id)
    if version is None or (item_id is not None and version.item_id != item_id):
        return None
    return version if load_item(actor, version.item_id, case_id) is not None else None


def load_user(actor: Actor, user_id) -> User | None:
    """A staff account of an agency ``actor`` may see (an administrator manages those)."""
    user = _get(User, user_id)
    return user if user is not None and can_see_agency(actor, user.agency_id) else None
