"""Case ledger (台账) lines — docs/ledger.md: parse + validate JSONL → records or line errors.

Pure: stdlib and domain only. One line is one case; every problem found on a line is reported
(``LineError(line, field, code, message)``: 1-based physical line, JSON path, stable code,
Chinese message); each check names its code where it reports the error.

A record holds the *facts* of a case (dates of 补正, consultations, extension, fee, deferral,
conclusion); ``events_of`` turns them back into the canonical event list, so an export and a
re-import describe the same case with the same line (``to_line``).

- ``record``: the keys of a line, the error codes, ``LineError`` and ``LedgerRecord``;
- ``values``: reading one value (dates, codes, numbers, text, money);
- ``applicant``: the applicant and delivery, through ``domain.application``;
- ``events`` and ``appeals``: the event list walked into facts, the appeals;
- ``parse``: a line, a file;
- ``derive``: status, clock facts and derived export fields;
- ``serialise``: a record back to a line.
"""
from __future__ import annotations

from .derive import clock_facts, derive_status, derived_fields
from .parse import parse_ledger, parse_line, parse_record, physical_lines
from .record import (
    APPEAL_KEYS,
    APPLICANT_KEYS,
    CONSULTATION_PARTIES,
    DEFAULT_TZ,
    DELIVERY_KEYS,
    DERIVED_KEYS,
    ERROR_CODES,
    EVENT_KEYS,
    EVENT_TYPES,
    IMPORTED_KEYS,
    SUPPLEMENT_PERIOD_MAX,
    TRACKING_RE,
    AppealRecord,
    Consultation,
    LedgerRecord,
    LineError,
)
from .serialise import events_of, to_line

__all__ = [
    "APPEAL_KEYS", "APPLICANT_KEYS", "CONSULTATION_PARTIES", "DEFAULT_TZ", "DELIVERY_KEYS",
    "DERIVED_KEYS", "ERROR_CODES", "EVENT_KEYS", "EVENT_TYPES", "IMPORTED_KEYS",
    "SUPPLEMENT_PERIOD_MAX", "TRACKING_RE", "AppealRecord", "Consultation", "LedgerRecord",
    "LineError", "clock_facts", "derive_status", "derived_fields", "events_of", "parse_ledger",
    "parse_line", "parse_record", "physical_lines", "to_line",
]
