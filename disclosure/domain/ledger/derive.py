"""What the facts of a record mean: the case status, the clock's facts and the derived fields
of an exported line — the same domain functions as for a case entered by hand."""
from __future__ import annotations

from ..codes import Status
from ..deadlines import ClockFacts, Deadline, Pause
from .record import LedgerRecord
from .serialise import iso


def derive_status(rec: LedgerRecord) -> str:
    """The case status the facts imply (the status codes): concluded → replied / withdrawn /
    abandoned; open → submitted, awaiting_supplement, paused (open consultation or unpaid fee),
    in_progress (something happened) or registered.

    The status is where the case stands in the workflow (what the office waits for), not the
    clock: a late act (R8.1) still leaves the case where the office put it — a late 补正 notice
    still awaits the supplement, a late fee notice the payment — while ``deadlines`` gives the
    act no effect on the due date. A new 补正 period (R4.3) keeps awaiting_supplement; an
    undelivered notice changes nothing here (its period simply has not started)."""
    if rec.concluded_on is not None:
        if rec.withdrawn:
            return Status.WITHDRAWN.value
        return Status.ABANDONED.value if rec.concluded_by_sweep else Status.REPLIED.value
    if rec.received_on is None:
        return Status.SUBMITTED.value
    if rec.supplement_requested_on and rec.supplement_received_on is None:
        return Status.AWAITING_SUPPLEMENT.value
    fee_open = rec.fee_notified_on is not None and rec.fee_paid_on is None
    if fee_open or any(c.ended_on is None for c in rec.consultations):
        return Status.PAUSED.value
    happened = (rec.supplement_requested_on or rec.consultations or rec.extension_workdays
                or rec.fee_notified_on or rec.deferred_due_on)
    return Status.IN_PROGRESS.value if happened else Status.REGISTERED.value


def clock_facts(rec: LedgerRecord) -> ClockFacts:
    """The same ClockFacts a hand-entered case with these facts has (services.cases.facts_of)."""
    return ClockFacts(
        received_on=rec.received_on, supplement_requested_on=rec.supplement_requested_on,
        supplement_period_workdays=rec.supplement_period_workdays,
        supplement_received_on=rec.supplement_received_on,
        pauses=tuple(Pause(c.party, c.started_on, c.ended_on) for c in rec.consultations),
        extension_workdays=rec.extension_workdays or 0, deferred_due_on=rec.deferred_due_on,
        fee_notified_on=rec.fee_notified_on, fee_paid_on=rec.fee_paid_on,
        concluded_on=rec.concluded_on, concluded_by_sweep=rec.concluded_by_sweep,
        supplement_delivered_on=rec.supplement_delivered_on,
        supplement_undelivered=rec.supplement_undelivered,
        supplement_new_period_on=rec.supplement_new_period_on,
        supplement_new_period_workdays=rec.supplement_new_period_workdays,
        fee_delivered_on=rec.fee_delivered_on, fee_undelivered=rec.fee_undelivered,
        extension_on=rec.extension_on if rec.extension_workdays else None,
        deferred_on=rec.deferred_set_on if rec.deferred_due_on else None)


def derived_fields(status: str, dl: Deadline) -> dict:
    """The derived part of an exported line (docs/ledger.md "Derived fields on export");
    ``late_acts`` are the R8.1 flags in the order the acts happened."""
    return {"status": status, "clock_started_on": iso(dl.clock_started_on),
            "due_on": iso(dl.due_on), "due_provisional": bool(dl.provisional),
            "timely": dl.timely, "overdue": bool(dl.overdue), "due_soon": bool(dl.due_soon),
            "workdays_used": dl.workdays_used, "workdays_paused": dl.workdays_paused,
            "late_acts": list(dl.late_acts)}
