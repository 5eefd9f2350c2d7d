"""The sweep's bulk paths (issue 18: ≤ 5 s over 100 000 open cases on SQLite and PostgreSQL).

``refresh`` re-derives paused cases without the ORM: Core SELECTs of the facts (cases and
their pauses), ``domain.deadlines.compute_deadline`` with the calendar and settings
``services.cases.deadline_of`` uses, and one bulk UPDATE of the rows whose stored copies
changed. ``apply_many`` is ``services.cases.apply`` for a batch of system transitions: the same
``domain.workflow.transition`` per case, the same re-derivation and one audit event per case with
the same data, but the events are linked into the chain once per batch instead of once per case.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, select, text, update

from .. import settings
from ..domain import deadlines
from ..domain.codes import Status
from ..domain.workflow import NEW, transition
from ..extensions import db
from ..models import Case, CasePause
from . import audit
from .actors import Actor
from .calendar import get_calendar
from .cases import refresh_derived

# the facts services.cases.facts_of reads (pauses apart) and the derived copies it writes
FACT_COLUMNS = (
    "received_on", "supplement_requested_on", "supplement_period_workdays",
    "supplement_received_on", "extension_workdays", "deferred_due_on", "fee_notified_on",
    "fee_paid_on", "concluded_on", "concluded_by_sweep", "supplement_delivered_on",
    "supplement_undelivered", "supplement_new_period_on", "supplement_new_period_workdays",
    "fee_delivered_on", "fee_undelivered", "extension_on", "deferred_on")
DERIVED = ("clock_started_on", "due_on", "due_provisional", "timely", "late_acts")


def facts_from_row(r, pauses: Iterable[deadlines.Pause]) -> deadlines.ClockFacts:
    """services.cases.facts_of, from a Core row instead of an ORM object."""
    return deadlines.ClockFacts(
        received_on=r.received_on,
        supplement_requested_on=r.supplement_requested_on,
        supplement_period_workdays=r.supplement_period_workdays,
        supplement_received_on=r.supplement_received_on,
        pauses=tuple(pauses),
        extension_workdays=r.extension_workdays or 0,
        deferred_due_on=r.deferred_due_on,
        fee_notified_on=r.fee_notified_on,
        fee_paid_on=r.fee_paid_on,
        concluded_on=r.concluded_on,
        concluded_by_sweep=bool(r.concluded_by_sweep),
        supplement_delivered_on=r.supplement_delivered_on,
        supplement_undelivered=bool(r.supplement_undelivered),
        supplement_new_period_on=r.supplement_new_period_on,
        supplement_new_period_workdays=r.supplement_new_period_workdays,
        fee_delivered_on=r.fee_delivered_on,
        fee_undelivered=bool(r.fee_undelivered),
        extension_on=r.extension_on,
        deferred_on=r.deferred_on,
    )


def derive_rows(ids: list[int], today: date) -> list[dict]:
    """The derived fields of the paused cases among ``ids`` whose stored copies differ from
    the facts, as UPDATE parameter dicts ({"id": …, field: value, …}: every derived field,
    changed or not, and the stored due date as "_due_before"). Read by id range (two bound
    parameters, not an IN list of hundreds), the cases outside ``ids`` dropped in Python."""
    if not ids:
        return []
    cfg = settings.current()
    cal = get_calendar()
    fee_clock, soon = cfg["FEE_PAUSES_CLOCK"], cfg["DUE_SOON_WORKDAYS"]
    cols = [Case.id, *(getattr(Case, c) for c in FACT_COLUMNS),
            *(getattr(Case, c) for c in DERIVED)]
    wanted, lo, hi = set(ids), min(ids), max(ids)
    in_range = (Case.status == Status.PAUSED, Case.id.between(lo, hi))
    pauses: dict[int, list[deadlines.Pause]] = defaultdict(list)
    for p in db.session.execute(select(
            CasePause.case_id, CasePause.kind, CasePause.start_on, CasePause.end_on)
            .join(Case, Case.id == CasePause.case_id).where(*in_range)
            .order_by(CasePause.case_id, CasePause.start_on, CasePause.id)):
        pauses[p.case_id].append(deadlines.Pause(p.kind, p.start_on, p.end_on))
    changed = []
    for r in db.session.execute(select(*cols).where(*in_range)):
        if r.id not in wanted:
            continue
        dl = deadlines.compute_deadline(
            facts_from_row(r, pauses.get(r.id, ())), cal, today, explain=False,
            fee_pauses_clock=fee_clock, due_soon_workdays=soon)
        new = {"clock_started_on": dl.clock_started_on, "due_on": dl.due_on,
               "due_provisional": dl.provisional, "timely": dl.timely,
               "late_acts": " ".join(dl.late_acts)}
        if any(getattr(r, k) != v for k, v in new.items()):
            changed.append({"id": r.id, "_due_before": r.due_on, **new})
    changed.sort(key=lambda row: row["id"])
    return changed


def write_derived(rows: list[dict]) -> None:
    """Store the derived fields of ``rows`` (from ``derive_rows``): on PostgreSQL one
    ``UPDATE … FROM unnest(arrays)``, on SQLite one executemany (a loop in C)."""
    t = Case.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(PG_UPDATE, {
            "ids": [r["id"] for r in rows], **{k: [r[k] for r in rows] for k in DERIVED}})
    else:
        db.session.execute(update(t).where(t.c.id == bindparam("b_id")).values(
            {k: bindparam(f"b_{k}") for k in DERIVED}),
            [{"b_id": r["id"], **{f"b_{k}": r[k] for k in DERIVED}} for r in rows])


# one statement, six array parameters: compiled once, no per-row round trip
PG_UPDATE = text(
    "UPDATE case_file SET clock_started_on = v.clock_started_on, due_on = v.due_on,"
    " due_provisional = v.due_provisional, timely = v.timely, late_acts = v.late_acts"
    " FROM unnest(CAST(:ids AS integer[]), CAST(:clock_started_on AS date[]),"
    " CAST(:due_on AS date[]), CAST(:due_provisional AS boolean[]),"
    " CAST(:timely AS boolean[]), CAST(:late_acts AS text[]))"
    " AS v(id, clock_started_on, due_on, due_provisional, timely, late_acts)"
    " WHERE case_file.id = v.id")


def refresh(ids: list[int], today: date) -> int:
    """R3.4: re-derive the paused cases ``ids`` in the caller's transaction; writes only the
    rows that changed. Returns how many due dates moved."""
    rows = derive_rows(ids, today)
    moved = sum(r.pop("_due_before") != r["due_on"] for r in rows)
    if rows:
        write_derived(rows)
        db.session.expire_all()  # no loaded case keeps a stale copy
    return moved


def apply_many(steps: list[tuple], actor: Actor, today: date) -> None:
    """``services.cases.apply`` for a batch: ``steps`` are (case, action, on, data). Each step
    goes through ``domain.workflow.transition`` (a WorkflowError propagates — callers check the
    status first), re-derives the case and gets one audit event with the data ``apply`` would
    write (due_before/due_after when the due date moves); the batch's events are linked into
    the chain together, in step order."""
    events = []
    for case, action, on, data in steps:
        before = case.status or NEW
        after = transition(before, action, actor.roles)
        case.status = after
        due_before = case.due_on
        refresh_derived(case, today)
        if due_before != case.due_on and before != NEW:
            data = {**(data or {}),
                    "due_before": due_before.isoformat() if due_before else None,
                    "due_after": case.due_on.isoformat() if case.due_on else None}
        events.append(audit.build(actor, action, case=case, before=before or None, after=after,
                                  on=on or today, data=data))
    if events:
        audit.link_all(events)
        db.session.add_all(events)
