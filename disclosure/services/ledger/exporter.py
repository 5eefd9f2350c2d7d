"""Exporting the ledger (docs/ledger.md "Export"): every case as a ledger line plus the fields
derived as of a day, streamed in batches. Reads only."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...domain import deadlines
from ...domain import ledger as dl
from ...extensions import db
from ...models import Agency, Case
from ...settings import current
from ...timeutil import tz
from ..calendar import get_calendar
from ..cases import facts_of
from .records import event_dates, record_of

EXPORT_BATCH = 500


def _export_query(agency_code: str | None, year: int | None):
    stmt = (select(Case).options(selectinload(Case.pauses), selectinload(Case.appeals))
            .order_by(Case.id))
    if agency_code is not None:
        stmt = stmt.join(Agency, Agency.id == Case.agency_id).where(Agency.code == agency_code)
    if year is not None:
        stmt = stmt.where(Case.received_on >= date(year, 1, 1),
                          Case.received_on <= date(year, 12, 31))
    return stmt.execution_options(yield_per=EXPORT_BATCH)


def export_ledger(agency_code: str | None = None, year: int | None = None, *,
                  as_of: date) -> Iterator[dict]:
    """docs/ledger.md export: one dict per case (imported fields + derived ones as of
    ``as_of``), streamed in batches — never all cases in memory."""
    codes = {a.id: a.code for a in db.session.execute(select(Agency)).scalars()}
    cal, cfg, zone = get_calendar(), current(), tz()
    for part in db.session.execute(_export_query(agency_code, year)).scalars().partitions():
        dates = event_dates([c.id for c in part])
        for case in part:
            rec = record_of(case, codes[case.agency_id], *dates[case.id])
            clock = deadlines.compute_deadline(
                facts_of(case), cal, as_of, fee_pauses_clock=cfg["FEE_PAUSES_CLOCK"],
                due_soon_workdays=cfg["DUE_SOON_WORKDAYS"])
            yield {**dl.to_line(rec, zone), **dl.derived_fields(case.status, clock)}
