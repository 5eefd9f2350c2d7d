"""R7.1: one append-only event per state change, decision, login, permission or calendar edit.

R7.2: every event is linked into the hash chain (domain.chain) as it is written. Writers take
the chain in turn — a transaction-scoped advisory lock on PostgreSQL; SQLite's writing
transactions already hold the database's write lock — and ``seq`` is unique, so a writer that
somehow read a stale head fails instead of forking the chain.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select, text

from ..domain import chain
from ..extensions import db
from ..models import Event
from ..timeutil import now
from .actors import Actor

CHAIN_LOCK = 7_212_026  # pg_advisory_xact_lock key of the event chain


def build(actor: Actor, action: str, *, case=None, agency_id: int | None = None,
          before: str | None = None, after: str | None = None, on: date | None = None,
          data: dict | None = None) -> Event:
    """An event not yet linked nor added (bulk writers link a batch with ``link_all``)."""
    if case is not None and case.id is None:
        db.session.flush()  # the new case needs its id before the event can point at it
    return Event(
        case_id=case.id if case is not None else None,
        agency_id=case.agency_id if case is not None else agency_id,
        actor_id=actor.id,
        actor_label=str(actor.label),
        action=action,
        before_status=before,
        after_status=after,
        on_date=on,
        data=data or None,
        occurred_at=now(),
    )


def head() -> tuple[int, str]:
    """The chain head (last seq, its hash), taking the chain lock for this transaction.
    Pending events of this session are flushed first, so they count."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
    db.session.flush()  # events added earlier in this transaction are part of the chain
    row = db.session.execute(
        select(Event.seq, Event.hash).order_by(Event.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, chain.GENESIS)


def link_all(events: list, start: tuple[int, str] | None = None) -> tuple[int, str]:
    """Give each event (Event objects or column dicts) its place in the chain, in list order."""
    seq, prev = start or head()
    for ev in events:
        is_dict = isinstance(ev, dict)
        fields = {k: (ev.get(k) if is_dict else getattr(ev, k)) for k in chain.CONTENT_FIELDS}
        seq += 1
        digest = chain.link(seq, prev, fields)
        if is_dict:
            ev.update(seq=seq, prev_hash=prev, hash=digest)
        else:
            ev.seq, ev.prev_hash, ev.hash = seq, prev, digest
        prev = digest
    return seq, prev


def record(actor: Actor, action: str, *, case=None, agency_id: int | None = None,
           before: str | None = None, after: str | None = None, on: date | None = None,
           data: dict | None = None) -> Event:
    """Add the event to the current transaction (the caller commits once)."""
    ev = build(actor, action, case=case, agency_id=agency_id, before=before, after=after, on=on,
               data=data)
    link_all([ev])
    db.session.add(ev)
    return ev


def record_many(actor: Actor, action: str, rows: list[dict], on: date | None = None) -> None:
    """Bulk form for the sweep: rows of {case_id, agency_id, status, data} — one event each."""
    if not rows:
        return
    stamp = now()
    events = [dict(
        case_id=r["case_id"], agency_id=r["agency_id"], actor_id=actor.id,
        actor_label=str(actor.label),
        action=action, before_status=r.get("status"), after_status=r.get("status"), on_date=on,
        data=r.get("data"), occurred_at=stamp) for r in rows]
    link_all(events)
    db.session.execute(insert(Event), events)
