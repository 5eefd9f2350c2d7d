"""R1.1/R1.2 administration: entering next year's notice re-derives open cases, with events."""
from datetime import date

import pytest
from sqlalchemy import select

from disclosure.domain.errors import ValidationFailed
from disclosure.extensions import db
from disclosure.models import CalendarOverride, CalendarYear, Event
from disclosure.services import calendar, calendar_admin
from disclosure.services.actors import Actor
from disclosure.services.cases import register_paper
from disclosure.services.dashboard import calendar_alert_years
from disclosure.timeutil import now
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
    case = register_paper(agency, person_payload(), "in_person", date(2026, 12, 10),
                          who["registrar"], date(2026, 12, 10)).case
    assert case.due_provisional is True  # runs into 2027, unknown to the package
    before = case.due_on
    result = calendar_admin.enter_notice(
        2027, "2027-01-01 至 2027-01-03", "", "国办发明电〔2026〕7号",
        date(2026, 11, 12), who["admin"], date(2026, 12, 11))
    assert result == {"days": 3, "cases_changed": 1}
    db.session.refresh(case)
    assert before == date(2027, 1, 7)  # provisional: Mon–Fri
    assert case.due_provisional is False and case.due_on == date(2027, 1, 8)  # Fri 1 Jan now off
    ev = db.session.scalars(select(Event).where(Event.action == "calendar_rederived")).one()
    assert ev.case_id == case.id and ev.data["provisional_after"] is False
    assert calendar_alert_years(date(2026, 12, 11)) == []


def test_override_wins_and_moves_the_due_date(agency, staff):
    who = {k: Actor.of(u) for k, u in staff.items()}
    case = register_paper(agency, person_payload(), "in_person", date(2024, 9, 27),
                          who["registrar"], date(2024, 9, 27)).case
    assert case.due_on == date(2024, 10, 30)
    calendar_admin.enter_notice(2024, "2024-10-15", "", "测试通知 1号", date(2024, 10, 1),
                                who["admin"], date(2024, 10, 8))
    db.session.refresh(case)
    assert case.due_on == date(2024, 10, 31)
    calendar_admin.delete_override(date(2024, 10, 15), who["admin"], date(2024, 10, 8))
    db.session.refresh(case)
    assert case.due_on == date(2024, 10, 30)


def test_bad_notice_changes_nothing(ctx, staff):
    with pytest.raises(ValidationFailed) as exc:
        calendar_admin.enter_notice(2027, "2027-02-30\n2027-13-01", "2027-01-01", "", None,
                              Actor.of(staff["admin"]), date(2026, 12, 1))
    errors = exc.value.errors
    assert "第 1 行" in errors["off_days"] and "第 2 行" in errors["off_days"]
    assert "通知文号" in errors["notice_number"] and "发布日期" in errors["notice_date"]
    assert calendar.overrides(2027) == [] and calendar.notice_years() == set()


# -- R1.2: when a year is known --------------------------------------------------------------------

def test_r1_2_one_override_day_does_not_make_2027_known(agency, staff):
    """Issue 13: a single day entered for 2027 used to make the whole year known — the
    provisional mark and the alert went away while Spring Festival 2027 still counted."""
    who = {k: Actor.of(u) for k, u in staff.items()}
    db.session.add(CalendarOverride(day=date(2027, 1, 1), is_workday=False, note="单日调整",
                                    created_at=now()))
    db.session.commit()
    calendar.forget()
    case = register_paper(agency, person_payload(), "in_person", date(2026, 12, 10),
                          who["registrar"], date(2026, 12, 10)).case
    assert case.due_on == date(2027, 1, 8)  # the day applies …
    assert case.due_provisional is True  # … but 2027 is still not known
    assert calendar_alert_years(date(2026, 12, 11)) == [2027]
    assert {c["year"]: c["source"] for c in calendar.coverage([2027])} == {2027: "partial"}
    # Spring Festival 2027 (from 6 February) is still counted Monday–Friday: provisional.
    later = register_paper(agency, person_payload(), "in_person", date(2027, 2, 1),
                           who["registrar"], date(2027, 2, 1)).case
    assert later.due_provisional is True


def test_r1_2_the_alert_stays_while_an_open_case_runs_into_the_unknown_year(agency, staff):
    who = {k: Actor.of(u) for k, u in staff.items()}
    register_paper(agency, person_payload(), "in_person", date(2026, 10, 20), who["registrar"],
                   date(2026, 10, 20))  # due in November: nothing to alert
    assert calendar_alert_years(date(2026, 10, 21)) == []
    register_paper(agency, person_payload(), "in_person", date(2026, 12, 10), who["registrar"],
                   date(2026, 12, 10))  # due 2027: provisional
    assert calendar_alert_years(date(2026, 10, 21)) == [2027]


def test_r1_2_recording_the_notice_makes_2027_known_and_is_recorded(agency, staff):
    who = {k: Actor.of(u) for k, u in staff.items()}
    case = register_paper(agency, person_payload(), "in_person", date(2026, 12, 10),
                          who["registrar"], date(2026, 12, 10)).case
    result = calendar_admin.enter_notice(
        2027, "2027-01-01 至 2027-01-03\n2027-02-06 至 2027-02-13", "2027-02-14\n2027-02-20",
        " 国办发明电〔2026〕7号 ", date(2026, 11, 12), who["admin"], date(2026, 12, 11))
    assert result["days"] == 13 and result["cases_changed"] == 1
    row = db.session.get(CalendarYear, 2027)
    assert (row.notice_number, row.notice_date, row.entered_by_id) == (
        "国办发明电〔2026〕7号", date(2026, 11, 12), staff["admin"].id)
    assert calendar.notice_years() == {2027}
    cov = calendar.coverage([2027])[0]
    assert (cov["source"] == "notice" and cov["known"]
            and cov["notice_number"] == "国办发明电〔2026〕7号")
    ev = db.session.scalars(select(Event).where(Event.action == "calendar_notice")).one()
    assert ev.data["notice_number"] == "国办发明电〔2026〕7号"
    assert ev.data["notice_date"] == "2026-11-12" and ev.data["year"] == 2027
    assert "2027-02-14" in ev.data["work"] and "2027-02-08" in ev.data["off"]
    db.session.refresh(case)
    assert case.due_provisional is False
    assert calendar_alert_years(date(2026, 12, 11)) == []
    assert calendar.get_calendar().is_workday(date(2027, 2, 14))  # a 调休上班 Sunday
    # Entering it again (a corrected notice) updates the record and is recorded as well.
    calendar_admin.enter_notice(2027, "2027-01-01", "", "国办发明电〔2026〕8号", date(2026, 11, 20),
                          who["admin"], date(2026, 12, 11))
    assert db.session.get(CalendarYear, 2027).notice_number == "国办发明电〔2026〕8号"
    last = db.session.scalars(select(Event).where(Event.action == "calendar_notice")
                              .order_by(Event.seq.desc())).first()
    assert last.data["previous"] == {"notice_number": "国办发明电〔2026〕7号",
                                     "notice_date": "2026-11-12"}


@pytest.mark.parametrize("number, day, field", [
    ("国办发明电〔2026〕7号", date(2026, 12, 12), "notice_date"),  # in the future
    ("国办发明电〔2026〕7号", None, "notice_date"),
    ("", date(2026, 11, 12), "notice_number"),
    ("国办发明电", date(2026, 11, 12), "notice_number"),  # no year, no number
])
def test_r1_2_a_notice_needs_its_number_and_date(ctx, staff, number, day, field):
    with pytest.raises(ValidationFailed) as exc:
        calendar_admin.enter_notice(2027, "2027-01-01", "", number, day, Actor.of(staff["admin"]),
                              date(2026, 12, 11))
    assert list(exc.value.errors) == [field]
    assert calendar.notice_years() == set() and calendar.overrides(2027) == []


def test_r1_2_a_notice_lists_its_holidays(ctx, staff):
    with pytest.raises(ValidationFailed) as exc:
        calendar_admin.enter_notice(2027, "", "2027-02-14", "国办发明电〔2026〕7号",
                                    date(2026, 11, 12), Actor.of(staff["admin"]),
                                    date(2026, 12, 11))
    assert "放假日期" in exc.value.errors["off_days"]
