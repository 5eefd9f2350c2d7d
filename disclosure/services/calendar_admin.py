"""R1.2 / R1.4: the administrator edits the calendar — a year's State Council notice entered
whole, an override removed — and every open case is re-derived in the same unit of work, with
an event on each case whose due date (or provisional mark) moved. Reading the calendar is
``services.calendar``."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..domain.calendar_notice import read_notice
from ..domain.errors import ValidationFailed
from ..domain.text import joined
from ..extensions import db
from ..models import CalendarOverride, CalendarYear, Case
from ..timeutil import now
from . import audit
from .calendar import forget
from .cases import refresh_derived
from .unit_of_work import atomic


@atomic
def enter_notice(year: int, off_text: str, work_text: str, notice_number: str,
                 notice_date: date | None, actor, today: date) -> dict:
    """R1.2: record a year's State Council notice as entered, whole — its holidays and 调休上班
    days (overrides, which win over the package, R1.1), its number and its date — which makes
    the year known; then re-derive every open case whose due date or provisional mark changes
    (the stored due dates follow the facts). All or nothing. Entering the year again (a
    corrected or supplementary notice) updates the days listed and the recorded number and date.

    Errors come back keyed by form field (``off_days``, ``work_days``, ``notice_number``,
    ``notice_date``, ``year``)."""
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
