"""Read side of the outbox: the mails as written, as an administrator may see them."""
from __future__ import annotations

from sqlalchemy import or_, select

from ..extensions import db
from ..models import Case, Outbox, User
from . import access
from .actors import Actor

SHOWN = 200


def visible_mails(actor: Actor, limit: int = SHOWN) -> list[Outbox]:
    """The latest mails, newest first. An agency's administrator sees its own agency's only
    (mails about its cases, and mails about no case sent to its staff); a platform
    administrator all (services.access)."""
    stmt = select(Outbox)
    if not access.sees_all(actor):  # (all: no join, no filter)
        staff_mail = select(User.email).where(access.visible(actor, User.agency_id),
                                              User.email.is_not(None))
        stmt = stmt.outerjoin(Case, Case.id == Outbox.case_id).where(or_(
            access.visible(actor, Case.agency_id),
            (Outbox.case_id.is_(None)) & Outbox.recipient.in_(staff_mail)))
    return list(db.session.execute(stmt.order_by(Outbox.id.desc()).limit(limit)).scalars())
