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
import functools
import sqlite3
import time
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from . import dbguards, search_ddl
from .extensions import db

_guards_attached = False


def cache_kib(config) -> int:
    """SQLite's page cache per connection (``SQLITE_CACHE_MB``, in KiB): its default of 2 MB
    holds little of the case table's indexes at 1 000 000 cases; 64 MB made the ledger import
    15 % faster there (docs/performance.md). Memory is taken as pages are read, not up front."""
    mb = config.get("SQLITE_CACHE_MB", 64)
    if isinstance(mb, bool) or not isinstance(mb, int) or not 1 <= mb <= 65536:
        raise RuntimeError(f"SQLITE_CACHE_MB must be a whole number of megabytes from 1 to "
                           f"65536, not {mb!r}")
    return mb * 1024


def _sqlite_connect(dbapi_conn, _record, cache_kib: int = 64 * 1024) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA cache_size=-{cache_kib}")
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


BUSY_TIMEOUT_MS = 30000
# How long a writer polls for the write lock before leaving the wait to SQLite's busy timeout.
_POLL_S = 0.05


def _begin_immediate_polling(raw) -> bool:
    """BEGIN IMMEDIATE, retried every 0.1–1 ms for up to ``_POLL_S``. SQLite's own busy handler
    sleeps 1, 2, 5, 10 … ms between tries: while another process holds the write lock for the
    ~1 ms of a submission, a waiter would sleep several times as long as the lock is held
    (bench/run.py, docs/performance.md). False: still locked — the caller waits as before."""
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline, delay = time.monotonic() + _POLL_S, 0.0001
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return True
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    return False
            time.sleep(delay)
            delay = min(delay * 1.5, 0.001)
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _sqlite_begin(conn) -> None:
    if not _writing.get():
        conn.exec_driver_sql("BEGIN")
    elif not _begin_immediate_polling(conn.connection.driver_connection):
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the busy timeout's wait, then its error


def configure(app) -> None:
    global _guards_attached
    kib = cache_kib(app.config)
    if not _guards_attached:
        dbguards.attach_to_metadata(db.metadata)
        search_ddl.attach_to_metadata(db.metadata)
        _guards_attached = True
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(
            engine, "begin", _sqlite_begin
        ):  # each app's engine with its own settings
            event.listen(engine, "connect", functools.partial(_sqlite_connect, cache_kib=kib))
            event.listen(engine, "begin", _sqlite_begin)


def seq(column):
    """SQLite: ``+column`` (a no-op) keeps the planner from using an index on ``column``. The
    report's scan uses it to stay on its covering index instead of following a date or agency
    index to most rows of the table one lookup at a time (5–10× slower, bench/report.py); the
    calendar banner, to read its partial index. PostgreSQL plans for itself."""
    if db.session.get_bind().dialect.name != "sqlite":
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)
