"""Engine settings per dialect (docs/architecture.md, "Transactions and settings").

SQLite gets WAL, foreign keys and a busy timeout. Writing transactions (every unit of work,
see ``services.unit_of_work``) start with BEGIN IMMEDIATE: with a plain BEGIN two
connections can both read and then both try to upgrade to a write lock, and one fails at once
with "database is locked" — the busy timeout cannot help with that. Taking the write lock up
front makes the web app and the scheduler queue politely instead. Read-only transactions keep
a plain (deferred) BEGIN so readers never block writers.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import dbguards, search_ddl
from .extensions import db

_guards_attached = False


def _sqlite_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


_writing = contextvars.ContextVar("disclosure_writing", default=False)


@contextmanager
def writing():
    """Transactions begun inside this block take SQLite's write lock at BEGIN."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def in_write_transaction() -> bool:
    return _writing.get()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


def configure(app) -> None:
    global _guards_attached
    if not _guards_attached:
        dbguards.attach_to_metadata(db.metadata)
        search_ddl.attach_to_metadata(db.metadata)
        _guards_attached = True
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(
            engine, "connect", _sqlite_connect
        ):
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
