"""R1 — the working-day calendar (pure; fixed dates checked by hand against the State Council
holiday notices for 2024–2026)."""
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure.domain.workdays import WorkCalendar

CAL = WorkCalendar()
# 2027 is not in the package: it becomes known only when its notice is recorded (R1.2).
CAL_2027 = WorkCalendar(overrides={date(2027, 1, 1): False}, notice_years={2027})
# One override day for 2027 without the recorded notice: the day applies, the year stays unknown.
CAL_2027_DAY = WorkCalendar(overrides={date(2027, 1, 1): False})

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
known_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))
counts = st.integers(min_value=0, max_value=120)
fast = settings(max_examples=200, deadline=None)


# -- R1.1 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("d", [date(2024, 10, 12), date(2024, 2, 4), date(2024, 2, 18),
                               date(2024, 5, 11), date(2025, 1, 26), date(2026, 2, 28)])
def test_r1_1_make_up_saturday_is_workday(d):
    assert d.weekday() >= 5  # a weekend day…
    assert CAL.is_workday(d)  # …that is a 调休上班 day


@pytest.mark.parametrize("d", [date(2024, 10, 1), date(2024, 10, 7), date(2024, 2, 12),
                               date(2024, 6, 10), date(2025, 1, 28), date(2026, 2, 23)])
def test_r1_1_weekday_holiday_is_not_workday(d):
    assert d.weekday() < 5
    assert not CAL.is_workday(d)


def test_r1_1_ordinary_weekend_and_weekday():
    assert not CAL.is_workday(date(2024, 10, 19))  # Saturday
    assert CAL.is_workday(date(2024, 10, 18))  # Friday


def test_r1_1_override_always_wins():
    cal = WorkCalendar(overrides={date(2024, 10, 12): False, date(2024, 10, 1): True})
    assert not cal.is_workday(date(2024, 10, 12))
    assert cal.is_workday(date(2024, 10, 1))
    # the arithmetic uses the overridden days too
    assert cal.add_workdays(date(2024, 9, 30), 1) == date(2024, 10, 1)
    assert cal.add_workdays(date(2024, 10, 11), 1) == date(2024, 10, 14)


@fast
@given(known_days)
def test_r1_1_agrees_with_chinesecalendar_for_known_years(d):
    assert CAL.is_workday(d) == chinese_calendar.is_workday(d)


# -- R1.2 -----------------------------------------------------------------------------------------
def test_r1_2_unknown_year_is_provisional():
    assert not CAL.year_known(2027)
    assert CAL.missing_years([2026, 2027]) == [2027]
    assert CAL.is_provisional(date(2026, 12, 1), date(2027, 1, 5))
    assert not CAL.is_provisional(date(2026, 12, 1), date(2026, 12, 31))
    # The recorded notice makes 2027 known: no longer provisional.
    assert CAL_2027.year_known(2027)
    assert not CAL_2027.is_provisional(date(2026, 12, 1), date(2027, 1, 5))
    assert CAL_2027.missing_years([2026, 2027]) == []


def test_r1_2_one_override_day_does_not_make_the_year_known():
    assert not CAL_2027_DAY.year_known(2027)
    assert CAL_2027_DAY.missing_years([2026, 2027]) == [2027]
    assert CAL_2027_DAY.is_provisional(date(2026, 12, 1), date(2027, 1, 5))
    assert CAL_2027_DAY.is_provisional(date(2027, 3, 1), date(2027, 3, 2))
    # …but the day itself applies: 1 January is off, the rest of 2027 Monday–Friday.
    assert not CAL_2027_DAY.is_workday(date(2027, 1, 1))
    assert CAL_2027_DAY.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert CAL_2027_DAY.is_workday(date(2027, 2, 8))  # a Monday of Spring Festival 2027, guessed


def test_r1_2_recorded_notice_makes_only_its_year_known():
    cal = WorkCalendar(notice_years={2027})
    assert cal.year_known(2027) and not cal.year_known(2028)
    assert not cal.is_provisional(date(2026, 12, 1), date(2027, 12, 31))
    assert cal.is_provisional(date(2027, 12, 1), date(2028, 1, 5))
    assert cal.is_workday(date(2027, 1, 1))  # a recorded year without its days: Mon–Fri


def test_r1_2_unknown_year_computed_monday_to_friday():
    # 2027-01-01 is a Friday: guessed a working day without data, a holiday with the override.
    assert CAL.is_workday(date(2027, 1, 1))
    assert not CAL.is_workday(date(2027, 1, 2))
    assert CAL.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert CAL_2027.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)


# -- R1.3 -----------------------------------------------------------------------------------------
WORKED_EXAMPLES = [  # docs/rules.md, R1 "Worked examples"
    (date(2024, 1, 2), 20, date(2024, 1, 30)),
    (date(2024, 2, 1), 7, date(2024, 2, 9)),
    (date(2024, 2, 1), 20, date(2024, 3, 5)),
    (date(2024, 4, 26), 20, date(2024, 5, 27)),
    (date(2024, 9, 27), 7, date(2024, 10, 12)),
    (date(2024, 9, 27), 20, date(2024, 10, 30)),
    (date(2024, 9, 27), 40, date(2024, 11, 27)),
]


@pytest.mark.parametrize("start,n,due", WORKED_EXAMPLES)
def test_r1_3_worked_examples(start, n, due):
    assert CAL.add_workdays(start, n) == due
    assert CAL.workdays_between(start, due) == n


def test_r1_3_spring_festival_2024_by_hand():
    # Thu 02-01; day 1 Fri 02-02, day 2 Sun 02-04 (调休), days 3–7 02-05..09, 02-10..17 holiday,
    # day 8 Sun 02-18 (调休), days 9–13 02-19..23.
    assert CAL.workdays_in(date(2024, 2, 1), date(2024, 2, 19)) == [
        date(2024, 2, 2), date(2024, 2, 4), date(2024, 2, 5), date(2024, 2, 6), date(2024, 2, 7),
        date(2024, 2, 8), date(2024, 2, 9), date(2024, 2, 18), date(2024, 2, 19)]
    assert CAL.add_workdays(date(2024, 2, 1), 8) == date(2024, 2, 18)


def test_r1_3_start_day_is_not_counted():
    assert CAL.add_workdays(date(2024, 1, 5), 1) == date(2024, 1, 8)  # Fri → Mon
    assert CAL.add_workdays(date(2024, 9, 30), 1) == date(2024, 10, 8)  # over National Day
    assert CAL.add_workdays(date(2024, 10, 1), 1) == date(2024, 10, 8)  # start on a holiday


# -- R1.4 -----------------------------------------------------------------------------------------
def test_r1_4_entry_point_semantics():
    a = date(2024, 9, 27)
    assert CAL.add_workdays(a, 0) == a
    assert CAL.add_workdays(date(2024, 10, 5), 0) == date(2024, 10, 5)  # even on a holiday
    assert CAL.workdays_between(a, a) == 0
    assert CAL.workdays_between(date(2024, 10, 30), a) == 0  # b before a
    assert CAL.workdays_between(date(2024, 10, 11), date(2024, 10, 12)) == 1  # b included
    assert CAL.workdays_between(date(2024, 10, 12), date(2024, 10, 14)) == 1  # a excluded
    with pytest.raises(ValueError):
        CAL.add_workdays(a, -1)


def test_r1_4_off_weekdays_and_make_up_days():
    assert CAL.off_weekdays(date(2024, 9, 30), date(2024, 10, 12)) == [
        date(2024, 10, 1), date(2024, 10, 2), date(2024, 10, 3), date(2024, 10, 4),
        date(2024, 10, 7)]
    assert CAL.make_up_days(date(2024, 9, 1), date(2024, 10, 31)) == [
        date(2024, 9, 14), date(2024, 9, 29), date(2024, 10, 12)]


def test_r1_4_works_far_outside_the_precomputed_range():
    cal = WorkCalendar()
    assert cal.add_workdays(date(2060, 3, 5), 5) == date(2060, 3, 12)  # Fri → Fri, Mon–Fri
    assert cal.workdays_between(date(1995, 1, 1), date(1995, 1, 8)) == 5
    assert cal.add_workdays(date(2040, 12, 20), 400) > date(2042, 1, 1)


# -- properties -----------------------------------------------------------------------------------
@fast
@given(days, counts)
def test_r1_4_property_between_inverts_add(d, n):
    assert CAL.workdays_between(d, CAL.add_workdays(d, n)) == n


@fast
@given(days, counts, counts)
def test_r1_4_property_monotone_in_n(d, n, m):
    lo, hi = sorted((n, m))
    assert CAL.add_workdays(d, lo) <= CAL.add_workdays(d, hi)
    if lo < hi:
        assert CAL.add_workdays(d, lo) < CAL.add_workdays(d, hi)


@fast
@given(days, days, counts)
def test_r1_4_property_monotone_in_start(d1, d2, n):
    a, b = sorted((d1, d2))
    assert CAL.add_workdays(a, n) <= CAL.add_workdays(b, n)


@fast
@given(days)
def test_r1_4_property_zero_is_identity(d):
    assert CAL.add_workdays(d, 0) == d


@fast
@given(days, counts.filter(lambda n: n > 0))
def test_r1_3_property_result_is_a_workday_after_start(d, n):
    due = CAL.add_workdays(d, n)
    assert due > d and CAL.is_workday(due)
    assert CAL.workdays_between(d, due - timedelta(days=1)) == n - 1


@fast
@given(days, st.integers(min_value=0, max_value=90))
def test_r1_4_property_workdays_in_matches_between(a, span):
    b = a + timedelta(days=span)
    listed = CAL.workdays_in(a, b)
    assert len(listed) == CAL.workdays_between(a, b)
    assert all(CAL.is_workday(d) and a < d <= b for d in listed)
