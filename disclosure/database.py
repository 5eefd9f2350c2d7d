"""Engine settings per dialect (DESIGN 6).

SQLite gets WAL, foreign keys and a busy timeout. Writing transactions (every service call, see
``atomic``, and the sweep, see ``writing``) start with BEGIN IMMEDIATE: with a plain BEGIN two
connections can both read and then both try to upgrade to a write lock, and one fails at once
with "database is locked" — the busy timeout cannot help with that. Taking the write lock up
front makes the web app and the scheduler queue politely instead. Read-only transactions keep
a plain (deferred) BEGIN so readers never block writers.
"""
from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import dbguards
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


def atomic(fn):
    """A service call is one writing transaction: it starts afresh (objects passed in are
    re-read under the lock), and on any error nothing it changed is kept."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _writing.get():  # nested service call: already inside the outer transaction
            return fn(*args, **kwargs)
        db.session.rollback()
        with writing():
            try:
                return fn(*args, **kwargs)
            except BaseException:
                db.session.rollback()
                raise
    return wrapper


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


def configure(app) -> None:
    global _guards_attached
    if not _guards_attached:
        dbguards.attach_to_metadata(db.metadata)
        _guards_attached = True
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_connect):
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
