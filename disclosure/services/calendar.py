"""R1.4 entry points: the working-day calendar with this office's overrides.

The pure arithmetic lives in ``domain.workdays``; this module only reads the override table and
the years whose notice was recorded (R1.2: package coverage ∪ recorded notices = known years) and
caches one ``WorkCalendar`` per process, rebuilt when either table changes (row counts and latest
edit times form the cache key, so the scheduler process sees an admin's edit too).
"""
from __future__ import annotations

import time
from datetime import date

from sqlalchemy import func, select

from .. import settings
from ..domain.workdays import WorkCalendar, package_data
from ..extensions import db
from ..models import CalendarOverride, CalendarYear

_cache: dict[tuple, WorkCalendar] = {}
# per database: when this process last read the signature, and what it was (issue 18)
_checked: dict[str, tuple[float, tuple]] = {}


def recheck_seconds() -> float:
    """How long this process trusts the signature it read (CALENDAR_RECHECK_SECONDS; default
    2 s, 0 under TESTING): an edit made by another process is seen within that time, one made
    in this process at once (``forget``)."""
    cfg = settings.current()
    value = cfg.get("CALENDAR_RECHECK_SECONDS")
    if value is None:
        return 0.0 if cfg.get("TESTING") else 2.0
    return float(value)


def _fresh_signature() -> tuple:
    """The signature, read at most once per ``recheck_seconds`` per process and database."""
    ttl = recheck_seconds()
    url = str(db.engine.url)
    if ttl > 0:
        seen = _checked.get(url)
        if seen is not None and time.monotonic() - seen[0] < ttl:
            return seen[1]
    sig = _signature()
    _checked[url] = (time.monotonic(), sig)
    return sig


def _signature() -> tuple:
    count, latest = db.session.execute(
        select(func.count(), func.max(CalendarOverride.created_at))).one()
    years, entered = db.session.execute(
        select(func.count(), func.max(CalendarYear.entered_at))).one()
    return (str(db.engine.url), count, str(latest), years, str(entered))


def get_calendar() -> WorkCalendar:
    """The calendar in force now (package data + overrides; override wins, R1.1); known years
    are the package's and those whose notice was recorded (R1.2).

    Checked against the table once per settings scope (a request, a CLI command, a job run)."""
    scope = settings.cache()
    cached = scope.get("work_calendar")
    if cached is not None:
        return cached
    sig = _fresh_signature()
    cal = _cache.get(sig)
    if cal is None:
        rows = db.session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
        cal = WorkCalendar(overrides={d: w for d, w in rows}, notice_years=notice_years())
        _cache.clear()
        _cache[sig] = cal
    scope["work_calendar"] = cal
    return cal


def forget() -> None:
    """Drop the cached calendar (after an edit in this context)."""
    _cache.clear()
    _checked.clear()
    settings.cache().pop("work_calendar", None)


def is_workday(d: date) -> bool:
    """R1.1 / R1.4."""
    return get_calendar().is_workday(d)


def add_workdays(d: date, n: int) -> date:
    """R1.3 / R1.4: the n-th working day strictly after d (n = 0 returns d)."""
    return get_calendar().add_workdays(d, n)


def workdays_between(a: date, b: date) -> int:
    """R1.4: the number of working days d with a < d ≤ b."""
    return get_calendar().workdays_between(a, b)


# -- administration (R1.1 overrides, R1.2 coverage) -------------------------------------------

def notice_years() -> set[int]:
    """R1.2: the years whose State Council notice was recorded as entered."""
    return set(db.session.execute(select(CalendarYear.year)).scalars())


def recorded_notice(year: int) -> CalendarYear | None:
    return db.session.get(CalendarYear, year)


def coverage(years) -> list[dict]:
    """Per year: is it known (R1.2), and from where.

    ``source``: ``package`` / ``package+overrides`` (the package covers it), ``notice`` (the
    office recorded the year's notice), ``partial`` (override days only: not known, still
    Monday–Friday and provisional), ``missing``."""
    pkg = package_data().years
    counts = dict(db.session.execute(select(
        func.extract("year", CalendarOverride.day), func.count()).group_by(
        func.extract("year", CalendarOverride.day))).all())
    counts = {int(k): v for k, v in counts.items()}
    notices = {row.year: row for row in db.session.execute(
        select(CalendarYear).where(CalendarYear.year.in_(list(years)))).scalars()}
    out = []
    for y in years:
        n = counts.get(y, 0)
        notice = notices.get(y)
        source = ("package+overrides" if y in pkg and n else "package" if y in pkg
                  else "notice" if notice else "partial" if n else "missing")
        out.append({"year": y, "source": source, "overrides": n,
                    "known": y in pkg or notice is not None,
                    "notice_number": notice.notice_number if notice else None,
                    "notice_date": notice.notice_date if notice else None})
    return out


def overrides(year: int | None = None) -> list[CalendarOverride]:
    stmt = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        stmt = stmt.where(CalendarOverride.day >= date(year, 1, 1),
                          CalendarOverride.day <= date(year, 12, 31))
    return list(db.session.execute(stmt).scalars())
