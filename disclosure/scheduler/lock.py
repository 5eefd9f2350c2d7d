"""One scheduler at a time: a second `flask scheduler run` idles until the first one stops.

PostgreSQL: a session-level advisory lock held on a dedicated connection (released by the
server if the process dies). SQLite: an exclusive flock on instance/scheduler.lock (released by
the kernel if the process dies). The jobs are idempotent anyway; the lock just avoids the
second process doing the same work for nothing.
"""
from __future__ import annotations

import fcntl
import os

from sqlalchemy import text

LOCK_KEY = 0x6469_7363  # "disc": this application's advisory-lock id


class SchedulerLock:
    def __init__(self, engine, instance_path: str):
        self.engine = engine
        self.path = os.path.join(instance_path, "scheduler.lock")
        self._conn = None
        self._fh = None

    def acquire(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            # Autocommit: the lock belongs to the session, no transaction is left open.
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
                self._conn = conn
                return True
            conn.close()
            return False
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        return True

    def release(self) -> None:
        if self._conn is not None:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            self._conn.close()
            self._conn = None
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
