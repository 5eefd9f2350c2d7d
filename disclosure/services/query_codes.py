"""The applicant's query code (查询码): shown once, stored only as a keyed hash.

The hash is an HMAC with the app's secret, so a copied database alone does not reveal codes.
For a submission with an idempotency key the code is *derived* (HMAC of agency, key and
tracking number) instead of drawn at random, so a retried request can be answered with the
original body — including its code — without storing the code itself.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta, timezone

from sqlalchemy import delete

from .. import settings, timeutil
from ..extensions import db
from ..models import ReceiptCode
from .unit_of_work import unit_of_work

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
LENGTH = 10


def _key() -> bytes:
    return settings.current()["SECRET_KEY"].encode()


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def derived_code(agency_code: str, idempotency_key: str, tracking_no: str) -> str:
    digest = hmac.new(_key(), f"idem|{agency_code}|{idempotency_key}|{tracking_no}".encode(),
                      hashlib.sha256).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:LENGTH])


def hash_code(tracking_no: str, code: str) -> str:
    normalised = code.strip().upper()
    return hmac.new(_key(), f"qc|{tracking_no}|{normalised}".encode(), hashlib.sha256).hexdigest()


def verify(tracking_no: str, stored_hash: str | None, code: str | None) -> bool:
    if not stored_hash or not code or len(code) > 64:
        return False
    return hmac.compare_digest(stored_hash, hash_code(tracking_no, code))


# -- the receipt page (issue 12): the code never travels in the session cookie -----------------
#
# Between the POST of the online form and the receipt page the code must be kept somewhere.
# The Flask session cookie is signed, not encrypted, so it may not hold the code. Instead the
# code is split in two one-time-pad halves: a random pad (same length, each character a random
# shift in ALPHABET) goes into the session, and the padded code into a ReceiptCode row found by
# the hash of a random token that is also in the session. Neither half alone tells anything
# about the code; the row expires after RECEIPT_CODE_MINUTES and is deleted when the
# applicant is done with the receipt.

RECEIPT_CODE_MINUTES = 30


def _shift(code: str, pad: str, sign: int) -> str:
    n = len(ALPHABET)
    return "".join(ALPHABET[(ALPHABET.index(c) + sign * ALPHABET.index(p)) % n]
                   for c, p in zip(code, pad))


def _token_hash(token: str) -> str:
    return hashlib.sha256(f"receipt|{token}".encode()).hexdigest()


def keep_for_receipt(case, code: str) -> dict:
    """Store the code for the receipt page; returns what the session may hold (no code)."""
    code = code.strip().upper()
    token = secrets.token_urlsafe(32)
    pad = "".join(secrets.choice(ALPHABET) for _ in code)
    current = timeutil.now()
    minutes = int(settings.current().get("RECEIPT_CODE_MINUTES", RECEIPT_CODE_MINUTES))
    with unit_of_work():
        db.session.execute(delete(ReceiptCode).where(ReceiptCode.expires_at <= current))
        db.session.add(ReceiptCode(token_hash=_token_hash(token), case_id=case.id,
                                   masked_code=_shift(code, pad, +1),
                                   expires_at=current + timedelta(minutes=minutes)))
    return {"tracking_no": case.tracking_no, "token": token, "pad": pad}


def code_for_receipt(kept: dict | None, case) -> str | None:
    """The code kept by ``keep_for_receipt`` for this case and session, or None (expired,
    discarded, another case, or no such session)."""
    if not isinstance(kept, dict) or not isinstance(kept.get("token"), str) \
            or not isinstance(kept.get("pad"), str):
        return None
    row = db.session.get(ReceiptCode, _token_hash(kept["token"]))
    if row is None or row.case_id != case.id or len(kept["pad"]) != len(row.masked_code) \
            or any(c not in ALPHABET for c in kept["pad"]):
        return None
    expires = row.expires_at
    if expires.tzinfo is None:  # SQLite keeps no zone: stored in UTC
        expires = expires.replace(tzinfo=timezone.utc)
    if expires <= timeutil.now():
        return None
    return _shift(row.masked_code, kept["pad"], -1)


def discard_receipt(kept: dict | None) -> None:
    """The applicant is done with the receipt: forget the code."""
    if not isinstance(kept, dict) or not isinstance(kept.get("token"), str):
        return
    with unit_of_work():
        db.session.execute(delete(ReceiptCode).where(
            ReceiptCode.token_hash == _token_hash(kept["token"])))
