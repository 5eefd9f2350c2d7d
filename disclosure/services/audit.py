"""R7.1: one append-only event per state change, decision, login, permission or calendar edit."""
from __future__ import annotations

from datetime import date

from ..extensions import db
from ..models import Event
from ..timeutil import now
from .actors import Actor


def record(actor: Actor, action: str, *, case=None, agency_id: int | None = None,
           before: str | None = None, after: str | None = None, on: date | None = None,
           data: dict | None = None) -> Event:
    """Add the event to the current transaction (the caller commits once)."""
    if case is not None and case.id is None:
        db.session.flush()  # the new case needs its id before the event can point at it
    ev = Event(
        case_id=case.id if case is not None else None,
        agency_id=case.agency_id if case is not None else agency_id,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        before_status=before,
        after_status=after,
        on_date=on,
        data=data or None,
        occurred_at=now(),
    )
    db.session.add(ev)
    return ev


def record_many(actor: Actor, action: str, rows: list[dict], on: date | None = None) -> None:
    """Bulk form for the sweep: rows of {case_id, agency_id, status, data} — one event each."""
    if not rows:
        return
    from sqlalchemy import insert
    stamp = now()
    db.session.execute(insert(Event), [dict(
        case_id=r["case_id"], agency_id=r["agency_id"], actor_id=actor.id, actor_label=actor.label,
        action=action, before_status=r.get("status"), after_status=r.get("status"), on_date=on,
        data=r.get("data"), occurred_at=stamp) for r in rows])
