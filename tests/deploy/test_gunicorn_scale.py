"""The scale-out deployment (issue 7, docs/deployment.md) on PostgreSQL, as real processes:
gunicorn with 3 workers serving the JSON API while two ``flask --app disclosure sweep run``
processes are started at the same moment on a database with overdue cases, lapsed 补正 periods
and consultations past their 15 working days.

It proves that
- every submission answered 201 landed exactly once, whichever worker took it (distinct tracking
  numbers = number of distinct submissions; the access log shows all three workers answering
  POSTs), and one idempotency key sent at once to several workers makes one case;
- the sweep's effects happened once: one claim and one event per case and effect, the work split
  between the two processes adds up to one sweep, one digest per agency — and a third sweep the
  same day changes nothing it had already done.

Bounded (every wait has a timeout), loopback only. It works in its own schema of the PostgreSQL
server (TEST_DATABASE_URL, or postgresql://postgres@127.0.0.1:5432/test when unset), dropped at
the end, and stops every process it started. In ``make test``'s SQLite pass (TEST_DATABASE_URL
set empty) it is skipped: it runs in the PostgreSQL pass.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import send_notices

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent          # the virtualenv running the tests
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
SECRET = "deploy-test-secret"
SUBMIT_DAY = "2024-11-01"                  # a Friday: unconfirmed by the end of Monday 11-04
SWEEP_DAY = "2024-11-05"
WORKERS = 3
DISTINCT_SUBMISSIONS = 45
SAME_KEY_SENDS = 6
PROCESS_TIMEOUT = 120                      # seconds for any one process or request batch
PASSWORD = "Deploy-password-2026"


# -- the database: an own schema, dropped at the end --------------------------------------------
def _server_url() -> str:
    env = os.environ.get("TEST_DATABASE_URL")
    if env == "":
        pytest.skip("deployment test needs PostgreSQL: runs in the PostgreSQL pass of make test "
                    "(TEST_DATABASE_URL is set empty here)")
    url = (env or PG_DEFAULT).replace("postgresql+psycopg://", "postgresql://")
    try:
        import psycopg
        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 — any failure to connect means: not available
        pytest.skip(f"PostgreSQL at {url} does not answer ({type(exc).__name__}: {exc})".strip())
    return url


@pytest.fixture
def pg_url():
    """A fresh schema on the server; the URL that puts every connection in it."""
    import psycopg
    server = _server_url()
    schema = f"deploy_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in server else "?"
    try:
        yield f"{server}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _env(url: str, **extra) -> dict:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET,
            "DISCLOSURE_RATELIMIT_ENABLED": "false", "PYTHONUNBUFFERED": "1", **extra}


def _flask(url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "flask"), "--app", "disclosure", *args], cwd=ROOT,
                            env=_env(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _finish(proc: subprocess.Popen, what: str) -> str:
    try:
        out, err = proc.communicate(timeout=PROCESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
        pytest.fail(f"{what} did not finish within {PROCESS_TIMEOUT} s")
    assert proc.returncode == 0, f"{what} exited {proc.returncode}:\n{out}\n{err}"
    return out


# -- a database the sweep has work in -------------------------------------------------------------
def populate(url: str, instance: Path) -> dict[str, list[str]]:
    """Through the services, like an office would have: lapsed 补正 periods, overdue cases,
    consultations past 15 working days; staff to receive the digests."""
    from sqlalchemy import select

    from disclosure import create_app
    from disclosure.extensions import db
    from disclosure.models import Agency
    from disclosure.services import case_actions, cases
    from disclosure.services.actors import Actor
    from disclosure.services.users import create_agency, create_user

    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url,
                      "INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    made: dict[str, list[str]] = {"lapsed": [], "overdue": [], "consulting": []}
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        users = {role: create_user(role, PASSWORD, "BCZ", [role], f"{role}-name")
                 for role in ("registrar", "handler", "reviewer", "office_head")}
        for role, user in users.items():  # after the last service call (each starts afresh)
            user.email = f"{role}@example.cn"
        db.session.commit()
        who = {role: Actor.of(user) for role, user in users.items()}
        agency = db.session.execute(select(Agency).where(Agency.code == "BCZ")).scalar_one()

        def registered(received: date):
            return cases.register_paper(agency, _payload("登记"), "in_person", received,
                                        who["registrar"], received).case

        for _ in range(6):
            case = registered(date(2024, 9, 2))
            case_actions.request_supplement(case, "请写明道路名称", 15, who["handler"],
                                            date(2024, 9, 3))
            send_notices(case, date(2024, 9, 3))
            made["lapsed"].append(case.tracking_no)
        for _ in range(8):
            made["overdue"].append(registered(date(2024, 9, 27)).tracking_no)
        for _ in range(3):
            case = registered(date(2024, 9, 27))
            case_actions.start_consultation(case, "third_party", "某某有限公司", who["handler"],
                                       date(2024, 10, 8))
            made["consulting"].append(case.tracking_no)
        db.session.remove()
        db.engine.dispose()
    return made


def _payload(subject: str, key: str | None = None) -> dict:
    body = {"agency": "BCZ",
            "applicant": {"type": "natural_person", "name": "张三", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13800000000",
                          "email": "a@example.cn", "address": "包场镇1号"},
            "subject": subject, "description": "",
            "delivery": {"form": "electronic", "method": "online"}}
    if key:
        body["idempotency_key"] = key
    return body


# -- gunicorn --------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, url: str, tmp: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = tmp / "access.log"
        self.error_log = tmp / "error.log"
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}",
             "--access-logfile", str(self.access_log),
             "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
             "--error-logfile", str(self.error_log), "disclosure:create_app()"],
            cwd=ROOT, env=_env(url, DISCLOSURE_FIXED_TODAY=SUBMIT_DAY),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "gunicorn exited:\n" + self._errors()
            try:
                if self.get("/api/v1/openapi.json")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail("gunicorn did not answer within 60 s:\n" + self._errors())

    def wait_all_workers(self) -> None:
        """Concurrent GETs until the access log shows every worker answering (bounded)."""
        deadline = time.monotonic() + 60
        with ThreadPoolExecutor(8) as pool:
            while time.monotonic() < deadline:
                list(pool.map(lambda _i: self.get("/api/v1/openapi.json"), range(24)))
                if len(self.pids()) >= WORKERS:
                    return
        pytest.fail(f"only {len(self.pids())} of {WORKERS} workers answered within 60 s")

    def pids(self, method: str | None = None, status: str | None = None) -> Counter:
        found: Counter = Counter()
        if not self.access_log.exists():
            return found
        for line in self.access_log.read_text().splitlines():
            m = re.match(r"<(\d+)> (\S+) (\S+) (\d+)", line)
            if m and (method is None or m[2] == method) and (status is None or m[4] == status):
                found[m[1]] += 1
        return found

    def get(self, path: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(self.base + path, timeout=30) as resp:
            return resp.status, resp.read()

    def post_json(self, path: str, body: dict) -> tuple[int, dict]:
        req = urllib.request.Request(self.base + path, method="POST",
                                     data=json.dumps(body, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, {"body": exc.read().decode(errors="replace")}

    def _errors(self) -> str:
        return self.error_log.read_text()[-3000:] if self.error_log.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the session this test started
                self.proc.wait(10)


def _sweep_counts(output: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"^(\w+): (\d+)$", output, re.M)}


# -- the test --------------------------------------------------------------------------------------
def test_three_workers_and_two_sweeps_at_once_do_everything_exactly_once(pg_url, tmp_path):
    _finish(_flask(pg_url, "init-db"), "flask init-db")  # the upgrade path of the recipe
    made = populate(pg_url, tmp_path / "instance")

    server = Gunicorn(pg_url, tmp_path)
    sweeps: list[subprocess.Popen] = []
    try:
        server.wait_ready()
        server.wait_all_workers()
        bodies = [_payload(f"第{i}件：某村道路拓宽工程的立项批复", key=f"client-{i}")
                  for i in range(DISTINCT_SUBMISSIONS)]
        bodies += [_payload("网关重试的同一申请", key="gateway-retry-1")] * SAME_KEY_SENDS
        with ThreadPoolExecutor(9) as pool:
            pending = pool.map(lambda b: server.post_json("/api/v1/applications", b), bodies,
                               timeout=PROCESS_TIMEOUT)
            # both sweeps start at once, while the workers are taking submissions
            sweeps = [_flask(pg_url, "sweep", "run", "--today", SWEEP_DAY) for _ in range(2)]
            answers = list(pending)
        outputs = [_finish(p, f"sweep process {i + 1}") for i, p in enumerate(sweeps)]
        post_pids = server.pids("POST", "201")
    finally:
        for proc in sweeps:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate(timeout=10)
        server.stop()

    # -- submissions: each 201 landed once, from every worker ---------------------------------
    assert [status for status, _ in answers] == [201] * len(bodies), \
        [a for a in answers if a[0] != 201][:3]
    distinct = [body["tracking_no"] for _, body in answers[:DISTINCT_SUBMISSIONS]]
    same_key = {body["tracking_no"] for _, body in answers[DISTINCT_SUBMISSIONS:]}
    assert len(set(distinct)) == DISTINCT_SUBMISSIONS, "two submissions got one tracking number"
    assert len(same_key) == 1, f"one idempotency key made several cases: {same_key}"
    assert same_key.isdisjoint(distinct)
    assert len(post_pids) == WORKERS, f"submissions were not served by all workers: {post_pids}"

    third = _finish(_flask(pg_url, "sweep", "run", "--today", SWEEP_DAY), "third sweep")

    from sqlalchemy import create_engine, text
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            def rows(sql: str, **params) -> list:
                return conn.execute(text(sql), params).all()

            online = {tn for (tn,) in rows("SELECT tracking_no FROM case_file "
                                           "WHERE channel = 'online'")}
            assert online == set(distinct) | same_key, "the stored submissions differ"
            submit_events = Counter(tn for (tn,) in rows(
                "SELECT c.tracking_no FROM event e JOIN case_file c ON c.id = e.case_id "
                "WHERE e.action = 'submit_online'"))
            assert set(submit_events.values()) == {1} and len(submit_events) == len(online)

            # -- the sweep: every effect once ----------------------------------------------------
            events = Counter(rows(
                "SELECT c.tracking_no, e.action FROM event e JOIN case_file c ON c.id = e.case_id "
                "WHERE e.actor_id IS NULL AND e.action <> 'submit_online'"))
            assert max(events.values()) == 1, [k for k, n in events.items() if n > 1]
            status = dict(rows("SELECT tracking_no, status FROM case_file"))
            for tn in made["lapsed"]:
                assert status[tn] == "abandoned" and events[(tn, "lapse_supplement")] == 1
            for tn in made["overdue"]:
                assert status[tn] == "registered" and events[(tn, "overdue_notice")] == 1
            for tn in made["consulting"]:
                assert events[(tn, "end_consultation")] == 1
            for tn in online:  # flagged once, by one of the racing sweeps or by the third
                assert events[(tn, "unconfirmed_notice")] == 1, tn

            claims = Counter((job, key) for job, key in rows(
                "SELECT job, key FROM job_claim"))
            assert max(claims.values()) == 1
            by_job = Counter(job for job, _key in claims)
            assert by_job["lapse_supplement"] == len(made["lapsed"])
            assert by_job["end_consultation"] == len(made["consulting"])
            # issue 17: one digest a day per person with something to be told (e-mail here)
            digests = Counter(r for (r,) in rows(
                "SELECT recipient FROM outbox WHERE subject LIKE '%政府信息公开每日工作提醒'"))
            assert digests and set(digests.values()) == {1}, digests
            assert by_job["digest"] == len(digests)

            # the two racing sweeps shared the work; together they did one sweep's worth
            first, second, again = (_sweep_counts(o) for o in (*outputs, third))
            assert first["lapsed_supplement"] + second["lapsed_supplement"] == len(made["lapsed"])
            assert first["consultations_ended"] + second["consultations_ended"] == \
                len(made["consulting"])
            notices = Counter(action for (_tn, action) in events)
            assert first["overdue"] + second["overdue"] == notices["overdue_notice"]
            assert first["digests"] + second["digests"] + again["digests"] == \
                sum(digests.values())
            # the third sweep found nothing left to do but what arrived after the first two
            assert again["lapsed_supplement"] == again["consultations_ended"] == 0
            assert again["overdue"] == again["due_soon"] == 0
            assert first["unconfirmed"] + second["unconfirmed"] + again["unconfirmed"] == \
                len(online)
    finally:
        engine.dispose()
