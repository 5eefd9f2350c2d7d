"""A stored case ⇄ the ledger record of its facts."""
from __future__ import annotations

from datetime import UTC, date
from types import SimpleNamespace

from sqlalchemy import select

from ...domain import ledger as dl
from ...domain.application import Applicant
from ...extensions import db
from ...models import Agency, Case, Event, ExtensionRequest
from ...timeutil import as_local
from ..cases import refresh_derived


def _applicant_of(case: Case) -> Applicant:
    return Applicant(
        type=case.applicant_type, name=case.applicant_name, id_type=case.id_type,
        id_number=case.id_number, credit_code=case.credit_code,
        legal_representative=case.legal_representative, contact_name=case.contact_name,
        phone=case.phone, email=case.email, address=case.address)


def record_of(case: Case, agency_code: str, extension_on: date | None = None,
              deferred_set_on: date | None = None,
              period_reason: str | None = None) -> dl.LedgerRecord:
    """The ledger facts of a stored case (the inverse of ``case_row``). The days of the
    extension and the deferral are the case's columns (what the clock uses), else — rows from
    before those columns — the ones ``event_dates`` found; ``period_reason`` is the reason of
    the new 补正 period (R4.3), which has no column."""
    consultations = tuple(
        dl.Consultation(p.kind, p.start_on, p.end_on, p.party) for p in case.pauses
        if p.kind in dl.CONSULTATION_PARTIES)
    appeals = tuple(dl.AppealRecord(a.kind, a.filed_on, a.result, a.decided_on)
                    for a in case.appeals)
    return dl.LedgerRecord(
        line=0, agency=agency_code, tracking_no=case.tracking_no, applicant=_applicant_of(case),
        channel=case.channel, subject=case.subject, description=case.description,
        delivery_form=case.delivery_form, delivery_method=case.delivery_method,
        submitted_at=as_local(case.submitted_at), received_on=case.received_on,
        supplement_requested_on=case.supplement_requested_on,
        supplement_period_workdays=case.supplement_period_workdays,
        supplement_items=case.supplement_items,
        supplement_received_on=case.supplement_received_on, consultations=consultations,
        supplement_delivered_on=case.supplement_delivered_on,
        supplement_undelivered=bool(case.supplement_undelivered),
        supplement_new_period_on=case.supplement_new_period_on,
        supplement_new_period_workdays=case.supplement_new_period_workdays,
        supplement_new_period_reason=period_reason if case.supplement_new_period_on else None,
        extension_workdays=case.extension_workdays or 0,
        extension_on=case.extension_on or extension_on,
        fee_method=case.fee_method, fee_amount=case.fee_amount,
        fee_notified_on=case.fee_notified_on, fee_paid_on=case.fee_paid_on,
        fee_delivered_on=case.fee_delivered_on, fee_undelivered=bool(case.fee_undelivered),
        deferred_due_on=case.deferred_due_on, deferred_set_on=case.deferred_on or deferred_set_on,
        withdrawn=case.status == "withdrawn", outcome=case.outcome,
        concluded_on=case.concluded_on, appeals=appeals)


def event_dates(case_ids: list[int]) -> dict[int, tuple[date | None, date | None, str | None]]:
    """What has no column of its own (or had none before issue 13): extension approval
    (ExtensionRequest.decided_on), deferral (the set_deferred_deadline event, or the import
    event's data) and the reason of a new 补正 period (the extend_supplement_period event, or
    the import event's data). Two queries."""
    ext: dict[int, date | None] = {}
    deferred: dict[int, date | None] = {}
    reasons: dict[int, str | None] = {}
    if not case_ids:
        return {}
    for cid, decided in db.session.execute(
            select(ExtensionRequest.case_id, ExtensionRequest.decided_on)
            .where(ExtensionRequest.case_id.in_(case_ids), ExtensionRequest.decision == "approved")
            .order_by(ExtensionRequest.id)):
        ext[cid] = decided
    for cid, action, on, data in db.session.execute(
            select(Event.case_id, Event.action, Event.on_date, Event.data)
            .where(Event.case_id.in_(case_ids),
                   Event.action.in_(("import", "set_deferred_deadline",
                                     "extend_supplement_period")))
            .order_by(Event.id)):
        data = data or {}
        if action == "set_deferred_deadline":
            deferred[cid] = on
        elif action == "extend_supplement_period":
            reasons[cid] = data.get("reason")  # the last one is the period the case keeps
        else:
            if data.get("deferred_deadline_set_on"):
                deferred[cid] = date.fromisoformat(data["deferred_deadline_set_on"])
            if data.get("supplement_period_reason"):
                reasons[cid] = data["supplement_period_reason"]
    return {cid: (ext.get(cid), deferred.get(cid), reasons.get(cid)) for cid in case_ids}


def case_row(rec: dl.LedgerRecord, tracking_no: str, agency: Agency, today: date,
             created_at) -> SimpleNamespace:
    """The case_file row of a record, with its derived deadline fields filled in by
    ``cases.refresh_derived`` — the very function a hand-entered case goes through (it reads
    the facts by attribute, so a plain namespace with the Case column names serves)."""
    a = rec.applicant
    row = SimpleNamespace(
        agency_id=agency.id, tracking_no=tracking_no, query_code_hash=None,
        idempotency_key=None, idempotency_body_sha256=None, channel=rec.channel,
        status=dl.derive_status(rec),
        applicant_type=a.type, applicant_name=a.name, id_type=a.id_type, id_number=a.id_number,
        credit_code=a.credit_code, legal_representative=a.legal_representative,
        contact_name=a.contact_name, phone=a.phone, email=a.email, address=a.address,
        assistance=a.assistance,  # 条例第四十三条: not a ledger field (docs/ledger.md), so None
        subject=rec.subject, description=rec.description, delivery_form=rec.delivery_form,
        delivery_method=rec.delivery_method,
        submitted_at=rec.submitted_at.astimezone(UTC) if rec.submitted_at else None,
        received_on=rec.received_on, supplement_requested_on=rec.supplement_requested_on,
        supplement_period_workdays=rec.supplement_period_workdays,
        supplement_items=rec.supplement_items, supplement_received_on=rec.supplement_received_on,
        supplement_text=None,  # the applicant's online answer (issue 16): not a ledger field
        forwarded_from_id=None, forwarded_on=None,  # 转办 (issue 17): not ledger fields
        extension_workdays=rec.extension_workdays or 0, deferred_due_on=rec.deferred_due_on,
        fee_method=rec.fee_method, fee_amount=rec.fee_amount,
        fee_notified_on=rec.fee_notified_on, fee_paid_on=rec.fee_paid_on,
        outcome=rec.outcome, concluded_on=rec.concluded_on,
        concluded_by_sweep=rec.concluded_by_sweep,
        supplement_delivered_on=rec.supplement_delivered_on,
        supplement_undelivered=rec.supplement_undelivered,
        supplement_new_period_on=rec.supplement_new_period_on,
        supplement_new_period_workdays=rec.supplement_new_period_workdays,
        fee_delivered_on=rec.fee_delivered_on, fee_undelivered=rec.fee_undelivered,
        extension_on=rec.extension_on if rec.extension_workdays else None,
        deferred_on=rec.deferred_set_on if rec.deferred_due_on else None,
        clock_started_on=None, due_on=None,
        due_provisional=False, timely=None, created_at=created_at, handler_id=None,
        receipt_doc_number=None,
        pauses=[SimpleNamespace(kind=c.party, party=c.party_name, start_on=c.started_on,
                                end_on=c.ended_on) for c in rec.consultations])
    refresh_derived(row, today)
    return row
