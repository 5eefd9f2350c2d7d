"""Importing a ledger (docs/ledger.md "Import"): all lines or none.

The file is parsed first (pure, no transaction). A dry run then checks it against the database
by reading only, and writes nothing. A real import checks and writes in one unit of work: when
any line is wrong it leaves the unit by raising ``_Rejected``, so nothing is kept.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ...domain import late_acts
from ...domain import ledger as dl
from ...domain.workflow import NEW, transition
from ...settings import current
from ...timeutil import tz
from ..actors import SYSTEM_ACTOR, Actor
from ..calendar import get_calendar
from ..unit_of_work import unit_of_work
from .checks import plan_import
from .writer import write


@dataclass(frozen=True)
class LateActs:
    """A case imported with acts recorded after their period (rules.md R8.1): history, kept
    with its flags, without effect on the clock."""
    line: int
    tracking_no: str | None  # None in a dry run for a line whose number is not given
    flags: tuple[str, ...]


LATE_FLAGS = tuple(late_acts.LATE_ACT_LABELS)  # the order the summary counts them in


@dataclass
class ImportResult:
    errors: list[dl.LineError] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0
    dry_run: bool = False
    late: list[LateActs] = field(default_factory=list)  # the new cases with late acts

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def late_counts(self) -> dict[str, int]:
        """R8.1 flag → number of new cases carrying it (flags that occur only, fixed order)."""
        counts = {flag: sum(flag in x.flags for x in self.late) for flag in LATE_FLAGS}
        return {flag: n for flag, n in counts.items() if n}


class _Rejected(Exception):
    """A line is wrong: leave the unit of work without keeping anything."""

    def __init__(self, result: ImportResult):
        super().__init__("ledger import rejected")
        self.result = result


def _late_acts(records: list[dl.LedgerRecord], numbers: list[str | None]) -> list[LateActs]:
    """R8.1: the records with acts recorded after their period — the same domain function the
    clock uses (``late_acts.late_acts``), with the office calendar and settings."""
    cal, fee_pauses = get_calendar(), current()["FEE_PAUSES_CLOCK"]
    out = []
    for rec, number in zip(records, numbers):
        if not (rec.supplement_requested_on or rec.fee_notified_on or rec.extension_workdays
                or rec.deferred_due_on):
            continue  # no act tied to a period: nothing can be late
        flags = late_acts.late_acts(dl.clock_facts(rec), cal, fee_pauses_clock=fee_pauses)
        if flags:
            out.append(LateActs(rec.line, number, flags))
    return out


def _dry_run(records: list[dl.LedgerRecord], errors: list[dl.LineError],
             actor: Actor) -> ImportResult:
    """Check against the database, reading only: what an import would create."""
    plan = plan_import(records, errors, actor)
    if plan.errors:
        return ImportResult(plan.errors, 0, plan.unchanged, True)
    late = _late_acts(plan.fresh, [r.tracking_no for r in plan.fresh])
    return ImportResult([], len(plan.fresh), plan.unchanged, True, late)


def import_ledger(source: str | Iterable[str], *, agency_code: str | None = None,
                  dry_run: bool = False, today: date, actor: Actor = SYSTEM_ACTOR) -> ImportResult:
    """docs/ledger.md import: validate every line (format, then against the database), then
    write all of them in one transaction — or nothing, returning every error."""
    transition(NEW, "import", actor.roles)  # who may import (admin, system)
    records, errors = dl.parse_ledger(source, today=today, agency=agency_code, tz=tz(),
                                      cal=get_calendar())
    if dry_run:
        return _dry_run(records, errors, actor)
    try:
        with unit_of_work():  # checked under the write lock, so nothing changes in between
            plan = plan_import(records, errors, actor)
            if plan.errors:
                raise _Rejected(ImportResult(plan.errors, 0, plan.unchanged))
            numbers = write(plan.fresh, plan.agencies, actor, today)
    except _Rejected as rejected:
        return rejected.result
    return ImportResult([], len(plan.fresh), plan.unchanged, False, _late_acts(plan.fresh, numbers))
