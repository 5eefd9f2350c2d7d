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

from sqlalchemy import ColumnElement, select, true

from ..domain.codes import Role
from ..extensions import db
from ..models import (
    Agency,
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


def subtree_ids(agency_id: int | None) -> frozenset[int]:
    """``agency_id`` and every agency below it in the tree (issue 17). The tree is a dozen or a
    few hundred rows, read in one query and walked here; a cycle (refused on edit) cannot loop."""
    if agency_id is None:
        return frozenset()
    children: dict[int | None, list[int]] = {}
    for aid, parent in db.session.execute(select(Agency.id, Agency.parent_id)):
        children.setdefault(parent, []).append(aid)
    seen, todo = {agency_id}, [agency_id]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return frozenset(seen)


def readable_agency_ids(actor: Actor) -> frozenset[int] | None:
    """The agencies whose cases ``actor`` may read — None for every agency (a platform
    administrator). A supervisor (主管部门, 条例第三条) reads its own agency and those below it;
    never an agency beside or above. Everybody else: their own agency."""
    if sees_all(actor):
        return None
    if Role.SUPERVISOR in actor.roles:
        return subtree_ids(actor.agency_id)
    return frozenset({actor.agency_id}) if actor.agency_id is not None else frozenset()


def can_see_agency(actor: Actor, agency_id: int | None) -> bool:
    if sees_all(actor) or (agency_id is not None and agency_id == actor.agency_id):
        return True
    if agency_id is None or Role.SUPERVISOR not in actor.roles:
        return False
    return agency_id in subtree_ids(actor.agency_id)


def visible(actor: Actor, agency_column) -> ColumnElement[bool]:
    """The WHERE clause limiting a query to what ``actor`` may see."""
    ids = readable_agency_ids(actor)
    if ids is None:
        return true()
    return agency_column == actor.agency_id if len(ids) == 1 else agency_column.in_(sorted(ids))


def scoped(stmt, actor: Actor, agency_column):
    """``stmt`` limited to what ``actor`` may see — unchanged for a platform administrator (no
    ``WHERE true``: the statement, and so its plan, stays the same)."""
    return stmt if sees_all(actor) else stmt.where(visible(actor, agency_column))


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
    """A staff account of ``actor``'s own agency (every agency for a platform administrator).
    Not the supervisor's reach: reading an agency's cases is not managing its people."""
    user = _get(User, user_id)
    if user is None or not (sees_all(actor) or user.agency_id == actor.agency_id):
        return None
    return user
