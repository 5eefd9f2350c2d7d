"""R1.4 entry points: the working-day calendar with this office's overrides.

The pure arithmetic lives in ``domain.workdays``; this module only reads the override table and
caches one ``WorkCalendar`` per process, rebuilt when the table changes (its row count and latest
edit time form the cache key, so the scheduler process sees an admin's edit too).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ..domain.workdays import WorkCalendar
from ..extensions import db
from ..models import CalendarOverride

_cache: dict[tuple, WorkCalendar] = {}


def _signature() -> tuple:
    count, latest = db.session.execute(
        select(func.count(), func.max(CalendarOverride.created_at))).one()
    return (str(db.engine.url), count, str(latest))


def get_calendar() -> WorkCalendar:
    """The calendar in force now (package data + overrides; override wins, R1.1)."""
    sig = _signature()
    cal = _cache.get(sig)
    if cal is None:
        rows = db.session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
        cal = WorkCalendar(overrides={d: w for d, w in rows})
        _cache.clear()
        _cache[sig] = cal
    return cal


def is_workday(d: date) -> bool:
    """R1.1 / R1.4."""
    return get_calendar().is_workday(d)


def add_workdays(d: date, n: int) -> date:
    """R1.3 / R1.4: the n-th working day strictly after d (n = 0 returns d)."""
    return get_calendar().add_workdays(d, n)


def workdays_between(a: date, b: date) -> int:
    """R1.4: the number of working days d with a < d ≤ b."""
    return get_calendar().workdays_between(a, b)
