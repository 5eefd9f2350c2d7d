"""Date bounds: how far a typed year or date may lie before it is a typing error, not a date to
compute with. One place, so the report, the ledger, the calendar and the forms agree."""
from __future__ import annotations

from datetime import date

# 《政府信息公开条例》 took effect on 2008-05-01: no application was received before it.
REGULATION_IN_FORCE = date(2008, 5, 1)
FIRST_YEAR = 2000  # a report / statistics year (a few years' margin before the 条例)
LAST_YEAR = 2100
FIRST_CALENDAR_YEAR = 1900  # holiday notices may be entered for any year of this range


def is_report_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def is_case_date(day: date) -> bool:
    """A date in a case's life (received, replied, delivered): not before the 条例."""
    return REGULATION_IN_FORCE.year <= day.year <= LAST_YEAR


def is_calendar_year(year: int) -> bool:
    return FIRST_CALENDAR_YEAR <= year <= LAST_YEAR
