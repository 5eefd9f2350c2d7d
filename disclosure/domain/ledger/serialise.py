"""A record back to a ledger line — the canonical form used by export and by the "identical
re-import" check: an export and a re-import describe the same case with the same line."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from .record import APPLICANT_KEYS, DEFAULT_TZ, LedgerRecord, appeal_key


def iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _with_delivery(event: dict, on: date, delivered_on: date | None, undelivered: bool) -> dict:
    """R8.2 back to a line: ``null`` while undelivered, the day when later than the notice,
    nothing when delivered the same day (as the import reads an absent ``delivered_on``)."""
    if undelivered:
        event["delivered_on"] = None
    elif delivered_on is not None and delivered_on != on:
        event["delivered_on"] = iso(delivered_on)
    return event


def _supplement_events(rec: LedgerRecord) -> list[tuple[date | None, int, dict, int]]:
    out = []
    if rec.supplement_requested_on:
        out.append((rec.supplement_requested_on, 0, _with_delivery(_drop_none({
            "type": "supplement_requested", "on": iso(rec.supplement_requested_on),
            "period_workdays": rec.supplement_period_workdays, "items": rec.supplement_items}),
            rec.supplement_requested_on, rec.supplement_delivered_on, rec.supplement_undelivered),
            -1))
    if rec.supplement_new_period_on:
        out.append((rec.supplement_new_period_on, 0, _drop_none({
            "type": "supplement_period_extended", "on": iso(rec.supplement_new_period_on),
            "period_workdays": rec.supplement_new_period_workdays,
            "reason": rec.supplement_new_period_reason}), -1))
    if rec.supplement_received_on:
        out.append((rec.supplement_received_on, 1, {
            "type": "supplement_received", "on": iso(rec.supplement_received_on)}, -1))
    return out


def _consultation_events(rec: LedgerRecord) -> list[tuple[date | None, int, dict, int]]:
    out = []
    for i, c in enumerate(rec.consultations):
        out.append((c.started_on, 2, _drop_none({"type": "consultation_started",
                                                 "on": iso(c.started_on), "party": c.party,
                                                 "party_name": c.party_name}), i))
        if c.ended_on is not None:
            out.append((c.ended_on, 2, {"type": "consultation_ended", "on": iso(c.ended_on)}, i))
    return out


def _later_events(rec: LedgerRecord) -> list[tuple[date | None, int, dict, int]]:
    """Extension, fee, deferral and withdrawal."""
    out = []
    if rec.extension_workdays:
        out.append((rec.extension_on, 3, {"type": "extension_approved", "on": iso(rec.extension_on),
                                          "workdays": rec.extension_workdays}, -1))
    if rec.fee_notified_on:
        out.append((rec.fee_notified_on, 4, _with_delivery(_drop_none({
            "type": "fee_notified", "on": iso(rec.fee_notified_on), "method": rec.fee_method,
            "amount_yuan": None if rec.fee_amount is None else f"{rec.fee_amount:.2f}"}),
            rec.fee_notified_on, rec.fee_delivered_on, rec.fee_undelivered), -1))
    if rec.fee_paid_on:
        out.append((rec.fee_paid_on, 5, {"type": "fee_paid", "on": iso(rec.fee_paid_on)}, -1))
    if rec.deferred_due_on:
        out.append((rec.deferred_set_on, 6, {"type": "deferred_deadline_set",
                                             "on": iso(rec.deferred_set_on),
                                             "due_on": iso(rec.deferred_due_on)}, -1))
    if rec.withdrawn and rec.concluded_on:
        out.append((rec.concluded_on, 9, {"type": "withdrawn", "on": iso(rec.concluded_on)}, -1))
    return out


def _name_ended_parties(ordered: list[tuple], rec: LedgerRecord) -> None:
    """Say which consultation ends only where more than one is open (import ends the first)."""
    open_ = []
    for _on, _rank, ev, i in ordered:
        if ev["type"] == "consultation_started":
            open_.append(i)
        elif ev["type"] == "consultation_ended":
            if len(open_) > 1:
                ev["party"] = rec.consultations[i].party
            if i in open_:
                open_.remove(i)


def events_of(rec: LedgerRecord) -> list[dict]:
    """The canonical event list of the facts, in date order (ties: the natural order)."""
    found = _supplement_events(rec) + _consultation_events(rec) + _later_events(rec)
    ordered = [item for _n, item in sorted(
        enumerate(found), key=lambda p: (p[1][0] or date.max, p[0]))]
    _name_ended_parties(ordered, rec)
    return [ev for _on, _rank, ev, _i in ordered]


def to_line(rec: LedgerRecord, tz: ZoneInfo = DEFAULT_TZ) -> dict:
    """The imported fields of a record as a ledger object — the canonical form used by export
    and by the "identical re-import" check."""
    a = rec.applicant
    line = {
        "tracking_no": rec.tracking_no, "agency": rec.agency,
        "applicant": _drop_none({k: getattr(a, k) for k in APPLICANT_KEYS}),
        "channel": rec.channel,
        "submitted_at": rec.submitted_at.astimezone(tz).isoformat() if rec.submitted_at else None,
        "received_on": iso(rec.received_on), "subject": rec.subject,
        "description": rec.description,
    }
    if rec.delivery_form or rec.delivery_method:
        line["delivery"] = _drop_none({"form": rec.delivery_form, "method": rec.delivery_method})
    line["events"] = events_of(rec)
    line["outcome"] = rec.outcome
    line["concluded_on"] = iso(rec.concluded_on)
    line["appeals"] = [_drop_none({"kind": x.kind, "filed_on": iso(x.filed_on), "result": x.result,
                                   "decided_on": iso(x.decided_on)})
                       for x in sorted(rec.appeals, key=appeal_key)]
    return line
