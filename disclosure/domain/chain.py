"""R7.2: the audit events as a hash chain — plain functions, no database.

Each event stores ``prev_hash`` (the hash of the event before it in ``seq`` order) and ``hash``
= SHA-256 of its predecessor's hash and a canonical serialisation of its own content. Rewriting
any event, or the rows whose fingerprints the events recorded, breaks the chain or disagrees
with it; an inspector who noted the chain head (``seq``, ``hash``) can tell later whether
anything before it changed.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

GENESIS = "0" * 64

# The columns an event's hash covers, in this order (everything but id, seq's own hash).
CONTENT_FIELDS = ("case_id", "agency_id", "actor_id", "actor_label", "action", "before_status",
                  "after_status", "on_date", "data", "occurred_at")


def _instant(value: datetime | None) -> str | None:
    """A timestamp as the database gives it back, whatever the dialect: UTC, microseconds,
    no offset (SQLite returns naive UTC, PostgreSQL aware)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def canonical(seq: int, prev_hash: str, fields: dict) -> str:
    body = []
    for name in CONTENT_FIELDS:
        value = fields.get(name)
        if name == "occurred_at":
            value = _instant(value)
        elif isinstance(value, date):
            value = value.isoformat()
        body.append(value)
    return json.dumps([seq, prev_hash, *body], sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), default=str)


def link(seq: int, prev_hash: str, fields: dict) -> str:
    """The hash of an event at position ``seq`` after ``prev_hash``."""
    return hashlib.sha256(canonical(seq, prev_hash, fields).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    event_id: int | None
    problem: str  # "prev" (does not follow its predecessor), "hash" (content changed), "gap"


def verify(events) -> tuple[list[Break], tuple[int, str]]:
    """Walk events (objects or mappings with id, seq, prev_hash, hash and CONTENT_FIELDS) in
    ``seq`` order. Returns the breaks found and the chain head (last seq, its hash)."""
    breaks: list[Break] = []
    prev_seq, prev_hash = 0, GENESIS
    for ev in events:
        get = ev.get if isinstance(ev, dict) else (lambda k, _e=ev: getattr(_e, k))
        seq, eid = get("seq"), get("id")
        if seq != prev_seq + 1:
            breaks.append(Break(seq, eid, "gap"))
        if get("prev_hash") != prev_hash:
            breaks.append(Break(seq, eid, "prev"))
        fields = {k: get(k) for k in CONTENT_FIELDS}
        if link(seq, get("prev_hash"), fields) != get("hash"):
            breaks.append(Break(seq, eid, "hash"))
        prev_seq, prev_hash = seq, get("hash")
    return breaks, (prev_seq, prev_hash)
