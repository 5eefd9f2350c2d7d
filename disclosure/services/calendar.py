"""R1.4 entry points: the working-day calendar with this office's overrides.

The pure arithmetic lives in ``domain.workdays``; this module only reads the override table and
caches one ``WorkCalendar`` per process, rebuilt when the table changes (its row count and latest
edit time form the cache key, so the scheduler process sees an admin's edit too).
"""
from __future__ import annotations

from datetime import date

from flask import g
from sqlalchemy import func, select

from ..database import atomic
from ..domain.text import N_
from ..domain.workdays import WorkCalendar
from ..extensions import db
from ..models import CalendarOverride

_cache: dict[tuple, WorkCalendar] = {}


def _signature() -> tuple:
    count, latest = db.session.execute(
        select(func.count(), func.max(CalendarOverride.created_at))).one()
    return (str(db.engine.url), count, str(latest))


def get_calendar() -> WorkCalendar:
    """The calendar in force now (package data + overrides; override wins, R1.1).

    Checked against the table once per app context (a request, a CLI command, a job run)."""
    cached = g.get("_work_calendar")
    if cached is not None:
        return cached
    sig = _signature()
    cal = _cache.get(sig)
    if cal is None:
        rows = db.session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
        cal = WorkCalendar(overrides={d: w for d, w in rows})
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

def coverage(years) -> list[dict]:
    """Per year: is it known, and from where (package data / overrides / missing)."""
    from ..domain.workdays import package_data
    pkg = package_data().years
    counts = dict(db.session.execute(select(
        func.extract("year", CalendarOverride.day), func.count()).group_by(
        func.extract("year", CalendarOverride.day))).all())
    counts = {int(k): v for k, v in counts.items()}
    out = []
    for y in years:
        n = counts.get(y, 0)
        source = ("package+overrides" if y in pkg and n else "package" if y in pkg
                  else "overrides" if n else "missing")
        out.append({"year": y, "source": source, "overrides": n})
    return out


def overrides(year: int | None = None) -> list[CalendarOverride]:
    stmt = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        stmt = stmt.where(CalendarOverride.day >= date(year, 1, 1),
                          CalendarOverride.day <= date(year, 12, 31))
    return list(db.session.execute(stmt).scalars())


@atomic
def enter_notice(year: int, off_text: str, work_text: str, note: str, actor, today: date) -> dict:
    """Enter a year's holiday notice in one go (override wins, R1.1), then re-derive every open
    case whose due date changes (DESIGN 1). All or nothing."""
    from ..domain.calendar_notice import parse_notice
    from ..timeutil import now
    from . import audit
    from .cases import ValidationFailed, joined
    days, errors = parse_notice(year, off_text, work_text)
    note = (note or "").strip()
    if not note:
        errors.append(N_("请填写依据（如 国办发明电〔2026〕X号）"))
    if errors:
        raise ValidationFailed({"notice": joined(errors)})
    for d, is_work in days.items():
        row = db.session.get(CalendarOverride, d)
        if row is None:
            db.session.add(CalendarOverride(day=d, is_workday=is_work, note=note[:200],
                                            created_at=now()))
        else:
            row.is_workday, row.note, row.created_at = is_work, note[:200], now()
    audit.record(actor, "calendar_notice", data={
        "year": year, "note": note, "off": sorted(d.isoformat() for d, w in days.items() if not w),
        "work": sorted(d.isoformat() for d, w in days.items() if w)})
    db.session.flush()
    changed = rederive_open_cases(actor, today)
    db.session.commit()
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
    db.session.commit()
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
