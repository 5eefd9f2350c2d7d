"""Concurrency on SQLite and PostgreSQL (issue 6, reliability): simultaneous submissions, one
idempotency key sent many times at once, two sweeps at once, the web app and the scheduler
writing together, and the HTTP API from several threads.

Every worker thread opens its own application context (so its own session and connection),
waits on a barrier so the calls really start together, and removes its session at the end.
The main thread rolls back before counting, so it reads what was committed, not a snapshot.
"""
from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select, text

from disclosure.extensions import db
from disclosure.models import Agency, Case, Event, JobClaim, Outbox, TrackingCounter
from disclosure.services import case_actions, cases, sweep
from disclosure.services.actors import Actor
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, PG_SCHEMA, PG_URL, person_payload, send_notices

D = date
SUBMIT_DAY = D(2024, 9, 27)
SWEEP_DAY = D(2024, 11, 5)
JOIN_TIMEOUT = 120  # seconds; a hung thread fails the test instead of hanging the run


def run_in_threads(app, n: int, work) -> tuple[list, list[tuple[int, BaseException]]]:
    """Run ``work(i)`` in ``n`` threads that start together; (results by i, errors)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[tuple[int, BaseException]] = []

    def target(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=JOIN_TIMEOUT)
                results[i] = work(i)
            except BaseException as exc:  # noqa: BLE001 — reported by the test
                errors.append((i, exc))
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a worker thread did not finish"
    return results, errors


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def assert_no_errors(errors) -> None:
    assert errors == [], "\n".join(f"thread {i}: {type(e).__name__}: {e}" for i, e in errors)


# -- 50 simultaneous submissions ------------------------------------------------------------------

@pytest.mark.slow  # ~5 s: fifty full submissions, serialised by the database
def test_fifty_simultaneous_submissions_get_fifty_distinct_tracking_numbers(app, ctx, agency):
    def submit(i: int) -> tuple[str, str]:
        sub = cases.submit_online(person_payload(subject=f"并发申请第{i}件"), today=SUBMIT_DAY)
        return sub.case.tracking_no, sub.query_code

    results, errors = run_in_threads(app, 50, submit)
    assert_no_errors(errors)
    db.session.rollback()
    numbers = [tn for tn, _code in results]
    assert len(set(numbers)) == 50, "duplicate tracking numbers"
    stored = set(db.session.execute(select(Case.tracking_no)).scalars())
    assert stored == set(numbers), "a submission that returned a number is missing"
    # gap-free per agency and year: exactly 000001 … 000050, and the counter agrees
    assert stored == {f"BCZ-2024-{n:06d}" for n in range(1, 51)}
    assert db.session.execute(select(TrackingCounter.last)).scalar_one() == 50
    # every case was written whole: its subject and exactly one submit_online event
    subjects = set(db.session.execute(select(Case.subject)).scalars())
    assert subjects == {f"并发申请第{i}件" for i in range(50)}
    per_case = Counter(db.session.execute(
        select(Event.case_id).where(Event.action == "submit_online")).scalars())
    assert len(per_case) == 50 and set(per_case.values()) == {1}


def test_one_idempotency_key_sent_ten_times_at_once_makes_one_case(app, ctx, agency):
    payload = person_payload(idempotency_key="gateway-retry-7f3a")

    def submit(_i: int) -> tuple[str, str]:
        sub = cases.submit_online(payload, today=SUBMIT_DAY)
        return sub.case.tracking_no, sub.query_code

    results, errors = run_in_threads(app, 10, submit)
    assert_no_errors(errors)
    db.session.rollback()
    assert count(Case) == 1
    assert len(set(results)) == 1, f"different answers for one key: {set(results)}"
    tracking_no, code = results[0]
    case = db.session.execute(select(Case)).scalar_one()
    assert case.tracking_no == tracking_no
    assert cases.lookup_for_applicant(tracking_no, code) is not None  # the code really works
    submitted = db.session.execute(select(func.count()).select_from(Event).where(
        Event.action == "submit_online")).scalar_one()
    assert submitted == 1


# -- two sweeps at once ---------------------------------------------------------------------------

def populate() -> dict[str, list[str]]:
    """A database the sweep has work in: lapsed 补正 periods, overdue cases, consultations past
    15 working days, unconfirmed online submissions (all in the current app context)."""
    create_agency("BCZ", "包场镇人民政府")
    who = {role: Actor.of(create_user(role, PASSWORD, "BCZ", [role], f"{role}-name"))
           for role in ("registrar", "handler", "reviewer", "office_head", "admin")}

    agency = db.session.execute(select(Agency).where(Agency.code == "BCZ")).scalar_one()

    def registered(received: date) -> Case:
        return cases.register_paper(agency, person_payload(), "in_person", received,
                                    who["registrar"], received).case

    made: dict[str, list[str]] = {"lapsed": [], "overdue": [], "consulting": [], "unconfirmed": []}
    for _ in range(4):
        case = registered(D(2024, 9, 2))
        case_actions.request_supplement(case, "请写明道路名称", 15, who["handler"], D(2024, 9, 3))
        send_notices(case, D(2024, 9, 3))
        made["lapsed"].append(case.tracking_no)
    for _ in range(4):
        made["overdue"].append(registered(D(2024, 9, 27)).tracking_no)
    for _ in range(2):
        case = registered(D(2024, 9, 27))
        case_actions.start_consultation(case, "third_party", "某某有限公司", who["handler"],
                                        D(2024, 10, 8))
        made["consulting"].append(case.tracking_no)
    for _ in range(2):
        made["unconfirmed"].append(
            cases.submit_online(person_payload(), today=D(2024, 10, 30)).case.tracking_no)
    return made


def snapshot() -> dict:
    """What a sweep may change, in a form two databases can be compared by."""
    db.session.rollback()
    case_rows = sorted(db.session.execute(select(
        Case.tracking_no, Case.status, Case.outcome, Case.concluded_on, Case.due_on)).all())
    events = Counter(
        (tn, action, before, after, on, json.dumps(data, sort_keys=True, ensure_ascii=False))
        for tn, action, before, after, on, data in db.session.execute(
            select(Case.tracking_no, Event.action, Event.before_status, Event.after_status,
                   Event.on_date, Event.data).select_from(Event)
            .outerjoin(Case, Event.case_id == Case.id)).all())
    claims = sorted(db.session.execute(select(JobClaim.job, JobClaim.day, JobClaim.key)).all())
    return {"cases": case_rows, "events": events, "event_rows": count(Event),
            "claims": claims, "claim_rows": count(JobClaim), "outbox_rows": count(Outbox)}


@pytest.fixture
def reference_app(app, make_app, tmp_path):
    """A second, empty database for the single-sweep reference run (a SQLite file next to the
    test's, or a second PostgreSQL schema). Depends on ``app`` so the test database is set up
    first."""
    if not PG_URL:
        ref = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'reference.sqlite'}")
        with ref.app_context():
            db.create_all()
        yield ref
        return
    schema = f"{PG_SCHEMA}_ref"
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
    options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    ref = make_app(SQLALCHEMY_ENGINE_OPTIONS=options)
    with ref.app_context():
        db.create_all()
    yield ref
    with ref.app_context():
        db.session.remove()
        db.engine.dispose()
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


def test_two_sweeps_at_once_end_exactly_like_one_sweep(app, reference_app):
    with reference_app.app_context():
        populate()
        one = sweep.run(SWEEP_DAY)
        expected = snapshot()
        db.session.remove()
    with app.app_context():
        made = populate()
        before = snapshot()

    reports, errors = run_in_threads(app, 2, lambda _i: sweep.run(SWEEP_DAY))
    assert_no_errors(errors)

    with app.app_context():
        after = snapshot()
        assert before["cases"] != after["cases"], "the scenario gave the sweep nothing to do"
        assert after["cases"] == expected["cases"]
        assert after["event_rows"] == expected["event_rows"]
        assert after["events"] == expected["events"]
        assert after["claim_rows"] == expected["claim_rows"]
        assert after["claims"] == expected["claims"]
        assert after["outbox_rows"] == expected["outbox_rows"]
        # the work was shared, never done twice
        for attr in ("lapsed_supplement", "consultations_ended", "overdue", "unconfirmed"):
            assert sum(getattr(r, attr) for r in reports) == getattr(one, attr), attr
        assert one.lapsed_supplement == 4 and one.consultations_ended == 2
        assert one.overdue >= 4 and one.unconfirmed == 2
        statuses = dict(db.session.execute(select(Case.tracking_no, Case.status)).all())
        assert {statuses[tn] for tn in made["lapsed"]} == {"abandoned"}
        assert {statuses[tn] for tn in made["overdue"]} == {"registered"}  # never "overdue"
        # and a third sweep later the same day changes nothing
        sweep.run(SWEEP_DAY)
        assert snapshot() == after


# -- the web app and the scheduler writing at once -------------------------------------------------

def test_web_and_scheduler_writing_at_once_never_hit_database_is_locked(make_app):
    """Web requests (read, then write) and sweeps (read, then write, many commits) interleave.
    With a deferred BEGIN, SQLite refuses the upgrade from reader to writer at once with
    "database is locked" (the busy timeout cannot help); BEGIN IMMEDIATE makes them queue."""
    app = make_app(FIXED_TODAY="2024-10-10")
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        registrar = Actor.of(create_user("registrar", PASSWORD, "BCZ", ["registrar"]))
        agency = db.session.execute(select(Agency).where(Agency.code == "BCZ")).scalar_one()
        for k in range(24):  # received on successive days: each sweep day finds new notices
            received = D(2024, 9, 2 + k)
            cases.register_paper(agency, person_payload(), "in_person", received, registrar,
                                 D(2024, 10, 10))
    sweep_days = [D(2024, 10, 10 + k) for k in range(12)]
    statuses: list[int] = []

    def web() -> None:
        client = app.test_client()
        for k in range(25):
            resp = client.post("/api/v1/applications", data=json.dumps(person_payload(
                subject=f"网页提交{k}")), content_type="application/json")
            statuses.append(resp.status_code)
            client.get(f"/api/v1/applications/BCZ-2024-{k + 1:06d}",
                       headers={"X-Query-Code": "WRONGCODE1"})

    def scheduler() -> None:
        for day in sweep_days:
            sweep.run(day)

    _results, errors = run_in_threads(app, 3, lambda i: (web if i < 2 else scheduler)())
    locked = [e for _i, e in errors if "locked" in str(e).lower()]
    assert locked == [], f"database is locked: {locked[0]}" if locked else ""
    assert_no_errors(errors)
    assert statuses == [201] * 50
    with app.app_context():
        assert count(Case) == 24 + 50
        assert db.session.execute(select(func.count()).select_from(JobClaim).where(
            JobClaim.job.in_(("overdue", "due_soon")))).scalar_one() > 0


# -- the HTTP API from several threads ------------------------------------------------------------

@pytest.fixture
def api_app(make_app):
    app = make_app(FIXED_TODAY="2024-09-27")
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
    return app


def post(client, body):
    return client.post("/api/v1/applications", data=json.dumps(body),
                       content_type="application/json")


def test_http_api_submissions_from_eight_threads_are_all_kept(api_app):
    def work(i: int) -> list[tuple[int, dict]]:
        client = api_app.test_client()
        out = []
        for k in range(5):
            resp = post(client, person_payload(subject=f"线程{i}第{k}件"))
            out.append((resp.status_code, resp.get_json()))
        return out

    results, errors = run_in_threads(api_app, 8, work)
    assert_no_errors(errors)
    answers = [a for per_thread in results for a in per_thread]
    assert [s for s, _b in answers] == [201] * 40
    numbers = {b["tracking_no"] for _s, b in answers}
    assert len(numbers) == 40
    with api_app.app_context():
        assert set(db.session.execute(select(Case.tracking_no)).scalars()) == numbers
        # each answer's query code opens its own case through the API
        client = api_app.test_client()
        for _s, body in answers[:8]:
            got = client.get(f"/api/v1/applications/{body['tracking_no']}",
                             headers={"X-Query-Code": body["query_code"]})
            assert got.status_code == 200 and got.get_json()["tracking_no"] == body["tracking_no"]


def test_http_api_same_idempotency_key_from_six_threads_gives_one_case(api_app):
    body = person_payload(idempotency_key="provincial-platform-000042")

    def work(_i: int) -> tuple[int, dict]:
        resp = post(api_app.test_client(), body)
        return resp.status_code, resp.get_json()

    results, errors = run_in_threads(api_app, 6, work)
    assert_no_errors(errors)
    assert {s for s, _b in results} == {201}
    assert len({json.dumps(b, sort_keys=True) for _s, b in results}) == 1, results
    with api_app.app_context():
        assert count(Case) == 1
