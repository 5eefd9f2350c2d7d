"""Tracking numbers (AGENCY-YEAR-NNNNNN) and letters' 文号, gap-free per agency and year.

The counter row is bumped with a single UPDATE … RETURNING, which the database serialises, so 50
simultaneous submissions get 50 distinct numbers on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ..domain import letter_numbers
from ..extensions import db
from ..models import Agency, LetterCounter, TrackingCounter


def next_tracking_no(agency: Agency, year: int) -> str:
    row = db.session.execute(
        update(TrackingCounter)
        .where(TrackingCounter.agency_id == agency.id, TrackingCounter.year == year)
        .values(last=TrackingCounter.last + 1)
        .returning(TrackingCounter.last)
    ).scalar_one_or_none()
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(TrackingCounter).values(agency_id=agency.id, year=year, last=1))
            row = 1
        except IntegrityError:  # another transaction created the row first: take the next one
            return next_tracking_no(agency, year)
    return f"{agency.code}-{year}-{row:06d}"


def reserve_past(agency: Agency, year: int, number: int) -> None:
    """After importing a historic number, make sure new numbers do not collide with it."""
    current = db.session.execute(
        select(TrackingCounter.last).where(TrackingCounter.agency_id == agency.id,
                                           TrackingCounter.year == year)).scalar_one_or_none()
    if current is None:
        db.session.execute(
            insert(TrackingCounter).values(agency_id=agency.id, year=year, last=number))
    elif current < number:
        db.session.execute(update(TrackingCounter)
                           .where(TrackingCounter.agency_id == agency.id,
                                  TrackingCounter.year == year)
                           .values(last=number))


def next_letter_no(agency: Agency, kind: str, year: int) -> str:
    """The next 文号 for a letter of ``kind`` released in ``year`` (domain.letter_numbers)."""
    seq = letter_numbers.sequence_of(kind)
    row = db.session.execute(
        update(LetterCounter)
        .where(LetterCounter.agency_id == agency.id, LetterCounter.year == year,
               LetterCounter.kind == seq)
        .values(last=LetterCounter.last + 1)
        .returning(LetterCounter.last)
    ).scalar_one_or_none()
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(LetterCounter).values(
                    agency_id=agency.id, year=year, kind=seq, last=1))
            row = 1
        except IntegrityError:
            return next_letter_no(agency, kind, year)
    prefix = agency.letter_prefix or letter_numbers.default_prefix(agency.name)
    return letter_numbers.format_number(prefix, kind, year, row)
