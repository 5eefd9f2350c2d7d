"""Where each listed case stands against its reply deadline (days left, overdue, flags),
computed with one working-day calendar for a whole page — no SQL per row (issue 15)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..domain.workdays import WorkCalendar
from ..models import Case
from .calendar import get_calendar

RUNNING = ("registered", "in_progress", "paused", "in_review")


@dataclass(frozen=True)
class Timing:
    """Where a case stands against its reply deadline on ``today`` (no SQL: one calendar)."""
    days_left: int | None = None         # clock running, due today or later: working days left
    overdue_workdays: int | None = None  # clock running, due date passed: working days past it
    concluded_on: date | None = None     # concluded: the day, and whether in time (R3.6)
    timely: bool | None = None
    flags: tuple[str, ...] = ()          # keys of FLAG_LABELS


@dataclass(frozen=True)
class ListRow:
    case: Case
    timing: Timing


def timing(c, cal: WorkCalendar | None, today: date | None,
           soon_until: date | None = None) -> Timing:
    """``c``: a Case, or a row with its status, due_on, due_provisional, concluded_on, timely
    and late_acts. Without ``today`` (or a calendar) only the stored flags are known."""
    flags = []
    days_left = overdue = None
    running = c.status in RUNNING and c.concluded_on is None
    if running and c.due_on is not None and today is not None and cal is not None:
        if c.due_on < today:
            overdue = cal.workdays_between(c.due_on, today)
            flags.append("overdue")
        else:
            days_left = cal.workdays_between(today, c.due_on)
            if c.due_on <= (soon_until or today):
                flags.append("due_soon")
    if c.late_acts:
        flags.append("late_acts")
    if c.due_provisional and c.concluded_on is None:
        flags.append("provisional")
    return Timing(days_left, overdue, c.concluded_on, c.timely if c.concluded_on else None,
                  tuple(flags))


def rows_of(items, today: date | None, soon_until: date | None) -> list[ListRow]:
    cal = get_calendar() if today is not None else None
    return [ListRow(c, timing(c, cal, today, soon_until)) for c in items]
