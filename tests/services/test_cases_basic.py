from datetime import date

import pytest

from disclosure.models import Case, Event
from disclosure.services import cases, query_codes
from disclosure.services.actors import Actor
from tests.conftest import person_payload


def test_online_submission_then_confirmation_sets_due_date(staff):
    sub = cases.submit_online(person_payload(), today=date(2024, 9, 26))
    assert sub.case.status == "submitted" and sub.case.received_on is None
    assert sub.case.tracking_no == "BCZ-2024-000001"
    assert query_codes.verify(sub.case.tracking_no, sub.case.query_code_hash, sub.query_code)
    cases.confirm_receipt(sub.case, date(2024, 9, 27), Actor.of(staff["registrar"]),
                          date(2024, 9, 27))
    assert sub.case.status == "registered"
    assert sub.case.due_on == date(2024, 10, 30)  # spec/README worked example


def test_confirmation_cannot_predate_submission(staff):
    sub = cases.submit_online(person_payload(), today=date(2026, 11, 29))
    with pytest.raises(cases.ValidationFailed) as exc:
        cases.confirm_receipt(sub.case, date(2020, 1, 1), Actor.of(staff["registrar"]),
                              date(2026, 11, 30))
    assert "received_on" in exc.value.errors
    assert sub.case.status == "submitted"


def test_every_state_change_writes_one_event(staff, ctx):
    from disclosure.extensions import db
    sub = cases.submit_online(person_payload(), today=date(2024, 9, 26))
    cases.confirm_receipt(sub.case, date(2024, 9, 27), Actor.of(staff["registrar"]),
                          date(2024, 9, 27))
    events = db.session.query(Event).filter_by(case_id=sub.case.id).order_by(Event.id).all()
    assert [(e.action, e.before_status, e.after_status) for e in events] == [
        ("submit_online", None, "submitted"), ("confirm_receipt", "submitted", "registered")]
    assert db.session.get(Case, sub.case.id).status == "registered"
