"""R1.1/R1.2 administration: entering next year's notice re-derives open cases, with events."""
from datetime import date

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Event
from disclosure.services import calendar
from disclosure.services.actors import Actor
from disclosure.services.cases import ValidationFailed, register_paper
from disclosure.services.dashboard import calendar_alert_years
from tests.conftest import person_payload


def test_r1_4_entry_points_match_the_worked_examples(ctx):
    assert calendar.add_workdays(date(2024, 9, 27), 7) == date(2024, 10, 12)
    assert calendar.add_workdays(date(2024, 9, 27), 0) == date(2024, 9, 27)
    assert calendar.workdays_between(date(2024, 9, 27), date(2024, 10, 30)) == 20
    assert calendar.is_workday(date(2024, 10, 12)) and not calendar.is_workday(date(2024, 10, 1))


def test_r1_2_next_year_missing_is_alerted_from_november(ctx):
    assert calendar_alert_years(date(2026, 10, 31)) == []
    assert calendar_alert_years(date(2026, 11, 1)) == [2027]
    cov = {c["year"]: c["source"] for c in calendar.coverage([2026, 2027])}
    assert cov == {2026: "package", 2027: "missing"}


def test_entering_a_notice_rederives_open_cases_and_makes_them_final(agency, staff):
    who = {k: Actor.of(u) for k, u in staff.items()}
    case = register_paper(agency, person_payload(), "in_person", date(2026, 12, 10), who["registrar"],
                          date(2026, 12, 10)).case
    assert case.due_provisional is True  # runs into 2027, unknown to the package
    before = case.due_on
    result = calendar.enter_notice(2027, "2027-01-01 至 2027-01-03", "", "国办发明电〔2026〕X号",
                                   who["admin"], date(2026, 12, 11))
    assert result == {"days": 3, "cases_changed": 1}
    db.session.refresh(case)
    assert before == date(2027, 1, 7)  # provisional: Mon–Fri
    assert case.due_provisional is False and case.due_on == date(2027, 1, 8)  # Fri 1 Jan now off
    ev = db.session.scalars(select(Event).where(Event.action == "calendar_rederived")).one()
    assert ev.case_id == case.id and ev.data["provisional_after"] is False
    assert calendar_alert_years(date(2026, 12, 11)) == []


def test_override_wins_and_moves_the_due_date(agency, staff):
    who = {k: Actor.of(u) for k, u in staff.items()}
    case = register_paper(agency, person_payload(), "in_person", date(2024, 9, 27), who["registrar"],
                          date(2024, 9, 27)).case
    assert case.due_on == date(2024, 10, 30)
    calendar.enter_notice(2024, "2024-10-15", "", "测试：临时放假", who["admin"], date(2024, 10, 8))
    db.session.refresh(case)
    assert case.due_on == date(2024, 10, 31)
    calendar.delete_override(date(2024, 10, 15), who["admin"], date(2024, 10, 8))
    db.session.refresh(case)
    assert case.due_on == date(2024, 10, 30)


def test_bad_notice_changes_nothing(ctx, staff):
    with pytest.raises(ValidationFailed) as exc:
        calendar.enter_notice(2027, "2027-02-30\n2027-13-01", "2027-01-01", "", Actor.of(staff["admin"]),
                              date(2026, 12, 1))
    assert "第 1 行" in exc.value.errors["notice"] and "依据" in exc.value.errors["notice"]
    assert calendar.overrides(2027) == []
