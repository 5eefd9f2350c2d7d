"""The unit of work: the only place a transaction begins and commits.

A service call that changes anything runs inside ``unit_of_work()`` (or is decorated with
``@atomic``, which is the same). The block starts afresh — anything the session held is
discarded, objects passed in are re-read under the lock — takes SQLite's write lock at BEGIN
(``database.writing``), commits when the block ends normally and rolls back on any error, so
nothing half-done is ever kept. Blocks nest: an inner one joins the outer transaction.

Jobs that work in batches (the sweep, the ledger import's phases) open one unit per batch.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager

from ..database import in_write_transaction, writing
from ..extensions import db


@contextmanager
def unit_of_work():
    if in_write_transaction():  # nested: already inside the outer transaction
        yield db.session
        return
    db.session.rollback()
    with writing():
        try:
            yield db.session
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def atomic(fn):
    """Run ``fn`` as one unit of work."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return fn(*args, **kwargs)
    return wrapper


def end_read() -> None:
    """End the current read-only snapshot (before a long wait, or to see others' commits)."""
    if not in_write_transaction():
        db.session.rollback()
