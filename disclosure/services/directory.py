"""Read side for agencies and staff accounts: the lists the public and admin pages show,
each limited by services.access."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Agency, User
from . import access
from .actors import Actor


def public_agencies() -> list[Agency]:
    """Every agency, as the public pages offer them (the first is the default)."""
    return list(db.session.execute(select(Agency).order_by(Agency.id)).scalars())


def visible_agencies(actor: Actor) -> list[Agency]:
    """The agencies ``actor`` may see (an agency's administrator: its own), by code."""
    return list(db.session.execute(select(Agency).where(access.visible(actor, Agency.id))
                                   .order_by(Agency.code)).scalars())


def own_agency(actor: Actor) -> Agency | None:
    """The agency ``actor`` works for."""
    return db.session.get(Agency, actor.agency_id) if actor.agency_id is not None else None


def visible_users(actor: Actor) -> list[User]:
    """The staff accounts of the agencies ``actor`` may see, by user name."""
    return list(db.session.execute(select(User).where(access.visible(actor, User.agency_id))
                                   .order_by(User.username)).scalars())
