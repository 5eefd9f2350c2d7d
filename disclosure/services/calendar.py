"""R1.4 entry points: the working-day calendar with this office's overrides.

The pure arithmetic lives in ``domain.workdays``; this module only reads the override table and
the years whose notice was recorded (R1.2: package coverage ∪ recorded notices = known years) and
caches one ``WorkCalendar`` per process, rebuilt when either table changes (row counts and latest
edit times form the cache key, so the scheduler process sees an admin's edit too).
"""
from __future__ import annotations

from datetime import date

from flask import g
from sqlalchemy import func, select

from .unit_of_work import atomic
from ..domain.text import N_
from ..domain.workdays import WorkCalendar
from ..extensions import db
from ..models import CalendarOverride, CalendarYear

_cache: dict[tuple, WorkCalendar] = {}


def _signature() -> tuple:
    count, latest = db.session.execute(
        select(func.count(), func.max(CalendarOverride.created_at))).one()
    years, entered = db.session.execute(
        select(func.count(), func.max(CalendarYear.entered_at))).one()
    return (str(db.engine.url), count, str(latest), years, str(entered))


def get_calendar() -> WorkCalendar:
    """The calendar in force now (package data + overrides; override wins, R1.1); known years
    are the package's and those whose notice was recorded (R1.2).

    Checked against the table once per app context (a request, a CLI command, a job run)."""
    cached = g.get("_work_calendar")
    if cached is not None:
        return cached
    sig = _signature()
    cal = _cache.get(sig)
    if cal is None:
        rows = db.session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
        cal = WorkCalendar(overrides={d: w for d, w in rows}, notice_years=notice_years())
        _cache.clear()
        _cache[sig] = cal
    g._work_calendar = cal
    return cal


def forget() -> None:
    """Drop the cached calendar (after an edit in this context)."""
    _cache.clear()
    g.pop("_work_calendar", None)


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
    from ..domain.workdays import package_data
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
        out.append({"year": y, "source": source, "overrides": n, "known": y in pkg or notice is not None,
                    "notice_number": notice.notice_number if notice else None,
                    "notice_date": notice.notice_date if notice else None})
    return out


def overrides(year: int | None = None) -> list[CalendarOverride]:
    stmt = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        stmt = stmt.where(CalendarOverride.day >= date(year, 1, 1),
                          CalendarOverride.day <= date(year, 12, 31))
    return list(db.session.execute(stmt).scalars())


@atomic
def enter_notice(year: int, off_text: str, work_text: str, notice_number: str,
                 notice_date: date | None, actor, today: date) -> dict:
    """R1.2: record a year's State Council notice as entered, whole — its holidays and 调休上班
    days (overrides, which win over the package, R1.1), its number and its date — which makes
    the year known; then re-derive every open case whose due date or provisional mark changes
    (DESIGN 1). All or nothing. Entering the year again (a corrected or supplementary notice)
    updates the days listed and the recorded number and date.

    Errors come back keyed by form field (``off_days``, ``work_days``, ``notice_number``,
    ``notice_date``, ``year``)."""
    from ..domain.calendar_notice import read_notice
    from ..timeutil import now
    from . import audit
    from ..domain.errors import ValidationFailed
    from .cases import joined
    days, errors = read_notice(year, off_text, work_text, notice_number, notice_date, today)
    if errors:
        raise ValidationFailed({k: joined(v) for k, v in errors.items()})
    number = notice_number.strip()
    at = now()
    for d, is_work in days.items():
        row = db.session.get(CalendarOverride, d)
        if row is None:
            db.session.add(CalendarOverride(day=d, is_workday=is_work, note=number[:200],
                                            created_at=at))
        else:
            row.is_workday, row.note, row.created_at = is_work, number[:200], at
    record = db.session.get(CalendarYear, year)
    previous = ({"notice_number": record.notice_number,
                 "notice_date": record.notice_date.isoformat()} if record else None)
    if record is None:
        record = CalendarYear(year=year)
        db.session.add(record)
    record.notice_number, record.notice_date = number, notice_date
    record.entered_by_id, record.entered_at = actor.id, at
    audit.record(actor, "calendar_notice", data={
        "year": year, "notice_number": number, "notice_date": notice_date.isoformat(),
        "previous": previous,
        "off": sorted(d.isoformat() for d, w in days.items() if not w),
        "work": sorted(d.isoformat() for d, w in days.items() if w)})
    db.session.flush()
    changed = rederive_open_cases(actor, today)
    return {"days": len(days), "cases_changed": changed}


@atomic
def delete_override(day: date, actor, today: date) -> int:
    from . import audit
    row = db.session.get(CalendarOverride, day)
    if row is None:
        return 0
    audit.record(actor, "calendar_override_deleted", data={
        "day": day.isoformat(), "is_workday": row.is_workday, "note": row.note})
    db.session.delete(row)
    db.session.flush()
    changed = rederive_open_cases(actor, today)
    return changed


def rederive_open_cases(actor, today: date) -> int:
    """After a calendar change: recompute every open case; write an event on each that moved
    (or whose provisional mark changed). Returns how many changed."""
    from ..models import Case
    from . import audit
    from .cases import refresh_derived
    forget()
    changed = 0
    ids = list(db.session.execute(select(Case.id).where(
        Case.concluded_on.is_(None), Case.received_on.is_not(None))).scalars())
    for i in range(0, len(ids), 1000):
        for case in db.session.execute(select(Case).where(Case.id.in_(ids[i:i + 1000]))).scalars():
            before = (case.due_on, case.due_provisional)
            refresh_derived(case, today)
            if (case.due_on, case.due_provisional) != before:
                changed += 1
                audit.record(actor, "calendar_rederived", case=case, before=case.status,
                             after=case.status, on=today, data={
                                 "due_before": before[0].isoformat() if before[0] else None,
                                 "due_after": case.due_on.isoformat() if case.due_on else None,
                                 "provisional_before": before[1],
                                 "provisional_after": case.due_provisional})
    return changed
