"""Crash safety (issue 6, reliability): the real app under gunicorn is killed with SIGKILL in
the middle of a stream of submissions. After a restart every submission that was answered
201 is in the database, and nothing is half-written.

The server runs on 127.0.0.1 on a free port, against a temporary SQLite file or a dedicated
PostgreSQL schema (``?options=-csearch_path%3D<schema>``); the schema is created with the real
`flask --app disclosure init-db` (the Alembic migrations). At most ~150 requests are sent, and
every loop is bounded.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from disclosure.config import normalise_db_url
from tests.conftest import PG_URL, person_payload

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SECRET = "crash-test-secret-key"
KILL_AFTER = 25          # 201s received before the server is killed
FIRST_STREAM_MAX = 90    # requests sent before the kill, at most
AFTER_RESTART = 10       # new submissions after the restart
CLIENTS = 3              # client threads, so requests are in flight when the kill lands
BOOT_TIMEOUT = 60.0      # seconds for gunicorn to answer after start


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn 'disclosure:create_app()' on 127.0.0.1:<port>, in its own process group."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.port, self.proc = env, log, 0, None

    def start(self) -> None:
        self.port = _free_port()
        with self.log.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
                 "--worker-class", "gthread", "--threads", "4", "--timeout", "60",
                 "--graceful-timeout", "5", "disclosure:create_app()"],
                cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True)
        deadline = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < deadline:  # readiness poll, bounded
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited: {self.log.read_text()[-3000:]}")
            try:
                status, _ = self.request("GET", "/api/v1/openapi.json", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            threading.Event().wait(0.1)
        raise AssertionError(f"gunicorn did not answer: {self.log.read_text()[-3000:]}")

    def request(self, method: str, path: str, body: dict | None = None,
                headers: dict | None = None, timeout: float = 20) -> tuple[int, dict | None]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers={
                "Content-Type": "application/json", **(headers or {})})
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw.startswith(b"{") else None)
        finally:
            conn.close()

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # master and workers at once, no cleanup
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(30)


@pytest.fixture
def database_url(tmp_path):
    """A database of its own: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'crash.sqlite'}"
        return
    import psycopg
    schema = f"crash_{os.getpid()}"
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in plain else "?"
    yield f"{plain}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def server_env(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISCLOSURE_", "FLASK_"))
           and k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET,
               DISCLOSURE_RATELIMIT_ENABLED="false",  # one client sends the whole stream
               PYTHONDONTWRITEBYTECODE="1")
    subprocess.run([sys.executable, "-m", "flask", "--app", "disclosure", "init-db"], cwd=ROOT,
                   env=env, check=True, capture_output=True, timeout=120)
    engine = create_engine(normalise_db_url(database_url))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agency (code, name, created_at) "
                          "VALUES ('BCZ', '包场镇人民政府', CURRENT_TIMESTAMP)"))
    engine.dispose()
    return env


def _stream(server: Server, answered: list, failures: list, enough: threading.Event,
            budget: list[int], lock: threading.Lock, n: int) -> None:  # noqa: PLR0913
    """Submit until the server dies or the budget is spent; record every 201."""
    while True:
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
            seq = FIRST_STREAM_MAX - budget[0]
        try:
            status, body = server.request("POST", "/api/v1/applications",
                                          person_payload(subject=f"崩溃测试 {n}-{seq}"))
        except (OSError, http.client.HTTPException) as exc:  # killed mid-request or refused
            failures.append(type(exc).__name__)
            return
        if status != 201:
            failures.append(f"HTTP {status}: {body}")
            return
        with lock:
            answered.append(body)
            if len(answered) >= KILL_AFTER:
                enough.set()


@pytest.mark.slow
def test_every_201_survives_a_sigkill_and_nothing_is_half_written(server_env, database_url,
                                                                 tmp_path):
    server = Server(server_env, tmp_path / "gunicorn.log")
    answered: list[dict] = []
    failures: list[str] = []
    try:
        server.start()
        enough, lock, budget = threading.Event(), threading.Lock(), [FIRST_STREAM_MAX]
        clients = [threading.Thread(target=_stream, daemon=True,
                                    args=(server, answered, failures, enough, budget, lock, n))
                   for n in range(CLIENTS)]
        for c in clients:
            c.start()
        assert enough.wait(120), f"the stream stalled: {failures} {server.log.read_text()[-2000:]}"
        server.kill()  # while the other clients are still sending
        for c in clients:
            c.join(60)
        assert not any(c.is_alive() for c in clients)
        assert not [f for f in failures if f.startswith("HTTP")], failures
        assert len(failures) == CLIENTS, "the kill did not cut the stream off mid-way"
        print("client errors at the kill:", failures)
        before_kill = list(answered)
        assert len(before_kill) >= KILL_AFTER

        server.start()  # restart on the same database
        for body in before_kill:  # every 201 can be followed with its own query code
            status, view = server.request("GET", f"/api/v1/applications/{body['tracking_no']}",
                                          headers={"X-Query-Code": body["query_code"]})
            assert status == 200 and view["status"] == "submitted", (body, status, view)
        after = []
        for k in range(AFTER_RESTART):  # and the restarted server takes new submissions
            status, body = server.request("POST", "/api/v1/applications",
                                          person_payload(subject=f"重启后 {k}"))
            assert status == 201, (status, body)
            after.append(body)
    finally:
        server.stop()

    engine = create_engine(normalise_db_url(database_url))
    try:
        with engine.connect() as conn:
            _check_database(conn, before_kill + after)
    finally:
        engine.dispose()


def _check_database(conn, answered: list[dict]) -> None:
    rows = conn.execute(text(
        "SELECT id, tracking_no, status, query_code_hash FROM case_file")).all()
    stored = {r.tracking_no for r in rows}
    numbers = [b["tracking_no"] for b in answered]
    assert len(set(numbers)) == len(numbers), "a tracking number was given twice"
    missing = set(numbers) - stored
    assert not missing, f"answered 201 but not in the database: {sorted(missing)}"
    # none half-written: every case is whole, with its one submit_online event
    assert all(r.status == "submitted" and r.query_code_hash for r in rows)
    without_event = conn.execute(text(
        "SELECT c.tracking_no FROM case_file c WHERE NOT EXISTS (SELECT 1 FROM event e "
        "WHERE e.case_id = c.id AND e.action = 'submit_online')")).scalars().all()
    assert without_event == []
    doubled = conn.execute(text(
        "SELECT case_id FROM event WHERE action = 'submit_online' "
        "GROUP BY case_id HAVING COUNT(*) > 1")).scalars().all()
    assert doubled == []
    orphans = conn.execute(text(
        "SELECT e.id FROM event e LEFT JOIN case_file c ON c.id = e.case_id "
        "WHERE e.case_id IS NOT NULL AND c.id IS NULL")).scalars().all()
    assert orphans == []
    # numbers are gap-free: a killed transaction gave its number back with everything else
    seqs = sorted(int(tn.rsplit("-", 1)[1]) for tn in stored)
    assert seqs == list(range(1, len(seqs) + 1))
    last = conn.execute(text("SELECT MAX(last) FROM tracking_counter")).scalar_one()
    assert last == len(seqs)
    if conn.dialect.name == "sqlite":
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    # the schema made by init-db (migrations) keeps the audit table append-only
    conn.rollback()
    with pytest.raises(DBAPIError, match="append-only"), conn.begin():
        conn.execute(text("DELETE FROM event"))
