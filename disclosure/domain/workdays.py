"""The working-day calendar (spec R1): chinesecalendar data + the office's overrides.

Pure: built from plain data, no database. Arithmetic is a bisect over a precomputed sorted list
of working-day ordinals, so ``add_workdays`` / ``workdays_between`` cost O(log n), not a loop
calling the package day by day.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable, Mapping

# Precompute at least this range; it grows on demand for dates outside it.
_MIN_YEAR = 2000
_MAX_YEAR = 2040


@dataclass(frozen=True)
class PackageData:
    """Holidays and 调休上班 days as published in the chinesecalendar package."""

    off_days: frozenset[date]
    make_up_days: frozenset[date]
    years: frozenset[int]


@lru_cache(maxsize=1)
def package_data() -> PackageData:
    """Read chinesecalendar's tables once (R1.1 source)."""
    from chinese_calendar import constants

    holidays = frozenset(constants.holidays)
    workdays = frozenset(constants.workdays)
    years = frozenset(d.year for d in holidays) | frozenset(d.year for d in workdays)
    return PackageData(holidays, workdays, years)


class WorkCalendar:
    """R1.1: a day is a working day iff it is a 调休上班 day, or Mon–Fri and not a holiday.

    ``overrides`` (date → is_workday) always win over the package. A year is *known* only when
    the package covers it or the office recorded that year's State Council notice as entered
    (``notice_years``); a single override day does not make its year known. A year not known is
    computed Monday–Friday (plus any override days) and everything touching it is *provisional*
    (R1.2).
    """

    def __init__(self, data: PackageData | None = None,
                 overrides: Mapping[date, bool] | None = None,
                 notice_years: Iterable[int] = ()):
        self.data = data if data is not None else package_data()
        self.overrides: dict[date, bool] = dict(overrides or {})
        self.notice_years = frozenset(notice_years)
        self.known_years = frozenset(self.data.years) | self.notice_years
        self._lo = self._hi = None  # ordinal bounds of the precomputed range (inclusive)
        self._ords: list[int] = []
        self._build(_MIN_YEAR, _MAX_YEAR)

    # -- construction ---------------------------------------------------------------------
    def _build(self, first_year: int, last_year: int) -> None:
        start, end = date(first_year, 1, 1), date(last_year, 12, 31)
        ords = []
        d = start
        one = timedelta(days=1)
        while d <= end:
            if self._raw_is_workday(d):
                ords.append(d.toordinal())
            d += one
        self._lo, self._hi, self._ords = start.toordinal(), end.toordinal(), ords

    def _ensure(self, *days: date) -> None:
        lo = min(d.toordinal() for d in days)
        hi = max(d.toordinal() for d in days)
        if lo < self._lo or hi > self._hi:
            first = min(date.fromordinal(self._lo).year, date.fromordinal(lo).year)
            last = max(date.fromordinal(self._hi).year, date.fromordinal(hi).year + 2)
            self._build(first, last)

    def _raw_is_workday(self, d: date) -> bool:
        if d in self.overrides:
            return self.overrides[d]
        if d in self.data.make_up_days:
            return True
        if d in self.data.off_days:
            return False
        return d.weekday() < 5

    # -- R1.4 entry points ----------------------------------------------------------------
    def is_workday(self, d: date) -> bool:
        """R1.1 — whether ``d`` is a working day."""
        return self._raw_is_workday(d)

    def add_workdays(self, d: date, n: int) -> date:
        """R1.3 — the n-th working day strictly after ``d``; n = 0 returns ``d``."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return d
        self._ensure(d)
        ords = self._ords  # one snapshot: another thread may grow the range meanwhile
        i = bisect_right(ords, d.toordinal())
        while i + n - 1 >= len(ords):  # past the precomputed range: grow it
            self._ensure(date.fromordinal(self._hi) + timedelta(days=366 * (n // 200 + 1)))
            ords = self._ords
            i = bisect_right(ords, d.toordinal())
        return date.fromordinal(ords[i + n - 1])

    def workdays_between(self, a: date, b: date) -> int:
        """R1.4 — number of working days d with a < d ≤ b (0 when b ≤ a)."""
        if b <= a:
            return 0
        self._ensure(a, b)
        ords = self._ords
        return bisect_right(ords, b.toordinal()) - bisect_right(ords, a.toordinal())

    def workdays_in(self, a: date, b: date) -> list[date]:
        """The working days d with a < d ≤ b, in order."""
        if b <= a:
            return []
        self._ensure(a, b)
        ords = self._ords
        i, j = bisect_right(ords, a.toordinal()), bisect_right(ords, b.toordinal())
        return [date.fromordinal(o) for o in ords[i:j]]

    # -- R1.2 coverage ----------------------------------------------------------------------
    def year_known(self, year: int) -> bool:
        return year in self.known_years

    def is_provisional(self, a: date, b: date) -> bool:
        """True when any day of (a, b] lies in a year the calendar does not know (R1.2)."""
        lo, hi = (a, b) if a <= b else (b, a)
        lo = lo + timedelta(days=1)
        return any(not self.year_known(y) for y in range(lo.year, hi.year + 1))

    def missing_years(self, years: Iterable[int]) -> list[int]:
        return [y for y in years if not self.year_known(y)]

    def off_weekdays(self, a: date, b: date) -> list[date]:
        """Holidays falling on Mon–Fri in (a, b] — what a due date 'skipped' beyond weekends."""
        out, d = [], a + timedelta(days=1)
        while d <= b:
            if d.weekday() < 5 and not self.is_workday(d):
                out.append(d)
            d += timedelta(days=1)
        return out

    def make_up_days(self, a: date, b: date) -> list[date]:
        """调休上班 weekend days in (a, b]."""
        out, d = [], a + timedelta(days=1)
        while d <= b:
            if d.weekday() >= 5 and self.is_workday(d):
                out.append(d)
            d += timedelta(days=1)
        return out

    def first_workday_on_or_after(self, d: date) -> date:
        self._ensure(d)
        while True:
            ords = self._ords
            i = bisect_left(ords, d.toordinal())
            if i < len(ords):
                return date.fromordinal(ords[i])
            self._ensure(date.fromordinal(self._hi) + timedelta(days=366))
