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

from flask import current_app

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
LENGTH = 10


def _key() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


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
