"""The agency tree of a county platform (issue 17): the county government at the root, its
departments and townships below. A platform administrator creates an agency under a parent and
moves an agency to another parent; a cycle (an agency under itself or under one of its own
descendants) is refused, so ``access.subtree_ids`` always walks a tree. The tree decides only
what a supervisor (Role.SUPERVISOR) reads (services.access)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..domain.codes import Role
from ..domain.errors import ValidationFailed
from ..domain.text import N_
from ..extensions import db
from ..models import Agency
from . import access, audit, users
from .actors import SYSTEM_ACTOR, Actor
from .unit_of_work import unit_of_work

NO_PARENT = ""  # the form's value for "top of the tree"


@dataclass(frozen=True)
class Node:
    agency: Agency
    depth: int


def ordered(agencies: list[Agency]) -> list[Node]:
    """``agencies`` in tree order (each parent followed by its children, by code), with their
    depth. An agency whose parent is not in the list starts a tree of its own (an agency's own
    administrator sees only its agency); an agency left over by a cycle (refused on edit, so
    only from a hand-written UPDATE) is listed at the end rather than lost."""
    by_id = {a.id: a for a in agencies}
    children: dict[int | None, list[Agency]] = {}
    for a in agencies:
        parent = a.parent_id if a.parent_id in by_id else None
        children.setdefault(parent, []).append(a)
    out: list[Node] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for a in sorted(children.get(parent, ()), key=lambda x: x.code):
            if a.id in seen:
                continue
            seen.add(a.id)
            out.append(Node(a, depth))
            walk(a.id, depth + 1)

    walk(None, 0)
    out.extend(Node(a, 0) for a in sorted(agencies, key=lambda x: x.code) if a.id not in seen)
    return out


def _require_platform_admin(actor: Actor) -> None:
    if actor.id is not None and Role.PLATFORM_ADMIN not in actor.roles:
        raise ValidationFailed({"parent": N_("只有平台管理员可以调整机关的上级机关")})


def _parent(value) -> tuple[Agency | None, str | None]:
    """The agency a form names as parent (None for the top), or an error."""
    text = str(value if value is not None else "").strip()
    if text == NO_PARENT:
        return None, None
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None, N_("上级机关不存在")
    parent = db.session.get(Agency, int(text))
    return (parent, None) if parent is not None else (None, N_("上级机关不存在"))


def cycle_problem(agency_id: int, parent_id: int | None) -> str | None:
    """Why ``parent_id`` cannot be the parent of ``agency_id`` (a Chinese message), or None."""
    if parent_id is None:
        return None
    if parent_id == agency_id:
        return N_("机关不能以自身为上级机关")
    if parent_id in access.subtree_ids(agency_id):
        return N_("不能把机关放到它自己的下级机关之下（会形成循环）")
    return None


def create(code: str, name: str, parent_value, actor: Actor = SYSTEM_ACTOR) -> Agency:
    """A new agency under the parent named by ``parent_value`` (its id, or "" for the top): one
    unit of work, the ``agency_created`` event (services.users) and, with a parent, one
    ``agency_parent_changed`` event. ValidationFailed (nothing created) on any error."""
    with unit_of_work():
        parent, problem = _parent(parent_value)
        try:  # users.create_agency refuses anyone but a platform administrator
            agency = users.create_agency(code, name, actor)
        except ValidationFailed as exc:
            errors = dict(exc.errors)
            if problem:
                errors["parent"] = problem
            raise ValidationFailed(errors) from None
        if problem:
            raise ValidationFailed({"parent": problem})
        if parent is not None:
            agency.parent_id = parent.id
            audit.record(actor, "agency_parent_changed", agency_id=agency.id,
                         data={"code": agency.code, "before": None, "after": parent.code})
    return agency


def set_parent(agency_id: int, parent_value, actor: Actor = SYSTEM_ACTOR) -> bool:
    """Move an agency under another parent (or to the top). True when it moved; one
    ``agency_parent_changed`` event then. ValidationFailed for an unknown parent, the agency
    itself, one of its descendants, or an actor who is not a platform administrator."""
    with unit_of_work():
        _require_platform_admin(actor)
        agency = db.session.get(Agency, agency_id)
        if agency is None:
            raise ValidationFailed({"agency": N_("机关不存在")})
        parent, problem = _parent(parent_value)
        problem = problem or cycle_problem(agency.id, parent.id if parent else None)
        if problem:
            raise ValidationFailed({"parent": problem})
        new_id = parent.id if parent is not None else None
        if new_id == agency.parent_id:
            return False
        before = db.session.get(Agency, agency.parent_id) if agency.parent_id else None
        agency.parent_id = new_id
        audit.record(actor, "agency_parent_changed", agency_id=agency.id,
                     data={"code": agency.code, "before": before.code if before else None,
                           "after": parent.code if parent else None})
    return True


def all_agencies() -> list[Agency]:
    return list(db.session.execute(select(Agency).order_by(Agency.code)).scalars())
