"""Issue 18: an online submission costs a handful of statements (docs/performance.md, "Why
submissions miss"). Deterministic: counts the statements, never times them."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from disclosure import settings
from disclosure.extensions import db
from disclosure.models import Case, Event, Outbox
from disclosure.services import calendar, cases
from tests.conftest import person_payload

# BEGIN/SAVEPOINT bookkeeping and PostgreSQL's chain lock are not data statements
_IGNORED = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "PRAGMA",
            "SELECT PG_ADVISORY_XACT_LOCK")


@contextmanager
def statements():
    seen: list[str] = []

    def listener(_conn, _cursor, statement, _params, _context, _many):
        seen.append(" ".join(statement.split()))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _data(seen: list[str]) -> list[str]:
    return [s for s in seen if not s.upper().startswith(_IGNORED)]


@pytest.fixture
def app(make_app):
    """As deployed: the calendar signature and the agency row trusted for a while per process
    (TESTING turns that off by default, so other tests see their own edits at once)."""
    cases.forget_agencies()
    calendar._checked.clear()
    yield make_app(CALENDAR_RECHECK_SECONDS=60)
    cases.forget_agencies()
    calendar._checked.clear()


def _post(client, **over):
    return client.post("/api/v1/applications", json=person_payload(**over))


def _measured(client, **over):
    settings.cache().pop("work_calendar", None)  # as in a new request of a gunicorn worker
    with statements() as seen:
        resp = _post(client, **over)
    return resp, _data(seen)


def test_one_submission_is_a_few_statements(app, client, agency):
    assert _post(client).status_code == 201  # warm: agency and calendar caches
    resp, data = _measured(client)
    assert resp.status_code == 201
    # counter bump, case insert, chain head, event insert, receipt outbox insert
    assert len(data) <= 5, "\n".join(data)
    assert not any(s.upper().startswith("UPDATE CASE_FILE") for s in data), data
    with app.app_context():
        case = db.session.query(Case).filter_by(tracking_no=resp.json["tracking_no"]).one()
        assert case.status == "submitted" and case.due_on is None
        assert db.session.query(Event).filter_by(case_id=case.id).count() == 1
        assert db.session.query(Outbox).filter_by(case_id=case.id).count() == 1


def test_one_submission_with_key_is_a_few_statements(app, client, agency):
    assert _post(client, idempotency_key="warm").status_code == 201
    resp, data = _measured(client, idempotency_key="k-1")
    assert resp.status_code == 201
    # + the look-up of the key (a replay needs it)
    assert len(data) <= 6, "\n".join(data)
    again = _post(client, idempotency_key="k-1")
    assert again.status_code == 201 and again.json == resp.json


def test_without_the_caches_the_agency_and_calendar_are_read(app, client, agency):
    """CALENDAR_RECHECK_SECONDS = 0 (TESTING's default): every submission reads the agency and
    checks the calendar — and still inserts the case once, with its derived fields."""
    app.config["CALENDAR_RECHECK_SECONDS"] = 0
    assert _post(client).status_code == 201
    resp, data = _measured(client)
    assert resp.status_code == 201
    assert any("FROM agency" in s for s in data), data
    assert any("calendar_override" in s for s in data), data
    assert not any(s.upper().startswith("UPDATE CASE_FILE") for s in data), data
