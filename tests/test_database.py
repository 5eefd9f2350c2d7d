"""``database``: how a SQLite writer waits for the write lock (issue 18). Plain sqlite3
connections on a file, no app: polling gives up while another connection holds the lock (the
caller then waits in SQLite's busy handler as before), takes the lock once it is free, and
always leaves the connection's busy timeout as it was."""
from __future__ import annotations

import sqlite3

import pytest

from disclosure import database


@pytest.fixture
def pair(tmp_path, monkeypatch):
    monkeypatch.setattr(database, "_POLL_S", 0.005)
    path = tmp_path / "lock.sqlite"
    conns = []
    for _ in range(2):
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA busy_timeout={database.BUSY_TIMEOUT_MS}")
        conns.append(conn)
    conns[0].execute("CREATE TABLE t (x INTEGER)")
    yield conns
    for conn in conns:
        conn.close()


def _timeout(conn) -> int:
    return conn.execute("PRAGMA busy_timeout").fetchone()[0]


def test_a_held_lock_is_polled_then_left_to_the_busy_timeout(pair):
    holder, waiter = pair
    holder.execute("BEGIN IMMEDIATE")
    assert database._begin_immediate_polling(waiter) is False
    assert not waiter.in_transaction
    assert _timeout(waiter) == database.BUSY_TIMEOUT_MS  # restored for every other statement
    holder.execute("COMMIT")
    assert database._begin_immediate_polling(waiter) is True
    assert waiter.in_transaction
    waiter.execute("INSERT INTO t VALUES (1)")
    waiter.execute("COMMIT")
    assert _timeout(waiter) == database.BUSY_TIMEOUT_MS
    assert holder.execute("SELECT count(*) FROM t").fetchone()[0] == 1


def test_another_error_is_not_retried(pair):
    _holder, waiter = pair
    waiter.execute("BEGIN")  # already in a transaction: BEGIN fails at once, not "locked"
    assert database._begin_immediate_polling(waiter) is False
    assert _timeout(waiter) == database.BUSY_TIMEOUT_MS
    waiter.execute("ROLLBACK")


def test_each_sqlite_connection_gets_the_configured_page_cache(make_app):
    from sqlalchemy import text

    from disclosure.extensions import db
    app = make_app(SQLITE_CACHE_MB=8)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("a SQLite setting")
        assert db.session.execute(text("PRAGMA cache_size")).scalar_one() == -8 * 1024
        db.session.rollback()


@pytest.mark.parametrize("value", [0, -1, "64MB", True, 10**6])
def test_a_page_cache_setting_that_is_not_a_size_stops_the_start(value):
    with pytest.raises(RuntimeError, match="SQLITE_CACHE_MB"):
        database.cache_kib({"SQLITE_CACHE_MB": value})
    assert database.cache_kib({"SQLITE_CACHE_MB": 8}) == 8 * 1024
    assert database.cache_kib({}) == 64 * 1024
