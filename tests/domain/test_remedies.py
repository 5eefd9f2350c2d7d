"""The remedies after a reply and the last day of each (domain.remedies): 行政复议 within 60
days, 行政诉讼 within 6 months (by calendar month, clamped to the month's end), 投诉、举报 without
a fixed limit."""
from __future__ import annotations

from datetime import date

import pytest

from disclosure.domain import remedies
from disclosure.domain.remedies import (
    COMPLAINT,
    LITIGATION,
    RECONSIDERATION,
    add_months,
    litigation_last_day,
    reconsideration_last_day,
    remedies_after,
)

D = date


@pytest.mark.parametrize("known, last", [
    (D(2027, 1, 11), D(2027, 3, 12)),   # the start day is not counted
    (D(2024, 1, 1), D(2024, 3, 1)),     # across a leap February (29 days)
    (D(2025, 1, 1), D(2025, 3, 2)),     # and an ordinary one
    (D(2026, 11, 20), D(2027, 1, 19)),  # across the year's end
    (D(2026, 12, 14), D(2027, 2, 12)),  # calendar days: the Spring Festival is not skipped
])
def test_reconsideration_is_sixty_calendar_days(known, last):
    assert reconsideration_last_day(known) == last
    assert (last - known).days == 60


@pytest.mark.parametrize("known, last", [
    (D(2027, 1, 11), D(2027, 7, 11)),
    (D(2026, 8, 31), D(2027, 2, 28)),   # no 31 February: the month's last day
    (D(2027, 8, 31), D(2028, 2, 29)),   # a leap year's February
    (D(2026, 8, 29), D(2027, 2, 28)),
    (D(2026, 12, 31), D(2027, 6, 30)),  # no 31 June
    (D(2026, 7, 15), D(2027, 1, 15)),   # into the next year
    (D(2026, 6, 30), D(2026, 12, 30)),  # a shorter start month keeps its day
])
def test_litigation_is_six_calendar_months_clamped_to_the_months_end(known, last):
    assert litigation_last_day(known) == last


@pytest.mark.parametrize("start, months, result", [
    (D(2026, 1, 31), 1, D(2026, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2026, 1, 31), 0, D(2026, 1, 31)),
    (D(2026, 3, 31), 1, D(2026, 4, 30)),
    (D(2026, 5, 10), 12, D(2027, 5, 10)),
    (D(2026, 5, 10), 25, D(2028, 6, 10)),
])
def test_add_months(start, months, result):
    assert add_months(start, months) == result


def test_add_months_refuses_a_negative_count():
    with pytest.raises(ValueError):
        add_months(D(2026, 1, 1), -1)


def test_the_three_remedies_in_order_with_their_basis():
    found = remedies_after(D(2027, 1, 11))
    assert [r.kind for r in found] == [RECONSIDERATION, LITIGATION, COMPLAINT]
    by_kind = {r.kind: r for r in found}
    assert by_kind[RECONSIDERATION].last_day == D(2027, 3, 12)
    assert "行政复议法》第二十条" in by_kind[RECONSIDERATION].basis
    assert "60 日" in by_kind[RECONSIDERATION].limit
    assert by_kind[LITIGATION].last_day == D(2027, 7, 11)
    assert "行政诉讼法》第四十六条" in by_kind[LITIGATION].basis
    assert "6 个月" in by_kind[LITIGATION].limit
    complaint = by_kind[COMPLAINT]
    assert complaint.last_day is None and not complaint.limited
    assert "第五十一条" in complaint.basis and "政府信息公开工作主管部门" in complaint.to
    assert all(r.label and r.to for r in found)


def test_the_limits_are_the_laws():
    assert remedies.RECONSIDERATION_DAYS == 60 and remedies.LITIGATION_MONTHS == 6
