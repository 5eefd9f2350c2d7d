"""What a ledger line is made of (docs/ledger.md): its keys, its error codes and the record of
facts a valid line becomes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..application import Applicant
from ..codes import SWEEP_OUTCOMES, AppealResult, PauseKind

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
SUPPLEMENT_PERIOD_MAX = 60
TRACKING_RE = re.compile(r"^(?P<agency>[A-Za-z0-9_]+)-(?P<year>\d{4})-(?P<number>\d{6})$")

IMPORTED_KEYS = ("tracking_no", "agency", "applicant", "channel", "submitted_at", "received_on",
                 "subject", "description", "delivery", "events", "outcome", "concluded_on",
                 "appeals")
DERIVED_KEYS = ("status", "clock_started_on", "due_on", "due_provisional", "timely", "overdue",
                "due_soon", "workdays_used", "workdays_paused", "late_acts")
APPLICANT_KEYS = ("type", "name", "id_type", "id_number", "credit_code", "legal_representative",
                  "contact_name", "phone", "email", "address")
DELIVERY_KEYS = ("form", "method")
EVENT_KEYS = {
    "supplement_requested": {"on", "period_workdays", "items", "delivered_on"},
    "supplement_period_extended": {"on", "period_workdays", "reason"},
    "supplement_received": {"on"},
    "consultation_started": {"on", "party", "party_name"},
    "consultation_ended": {"on", "party"},
    "extension_approved": {"on", "workdays"},
    "fee_notified": {"on", "method", "amount_yuan", "delivered_on"},
    "fee_paid": {"on"},
    "deferred_deadline_set": {"on", "due_on"},
    "withdrawn": {"on"},
}
EVENT_TYPES = tuple(EVENT_KEYS)
APPEAL_KEYS = {"kind", "filed_on", "result", "decided_on"}
CONSULTATION_PARTIES = (PauseKind.THIRD_PARTY.value, PauseKind.AGENCY.value)

# Every code a line error may carry (docs/ledger.md lists them): each check names its code where
# it reports the error; nothing is inferred from a message.
FIELD_CODES = frozenset({
    "not_json", "not_object", "unknown_field", "required", "invalid", "unknown_code",
    "invalid_date", "invalid_datetime", "invalid_amount", "future_date", "bad_check_digit",
})
LINE_CODES = frozenset({
    "agency_mismatch", "received_before_submitted", "outcome_with_date",
    "concluded_before_received", "not_received", "withdrawn_conflict", "duplicate_tracking_no",
})
EVENT_CODES = frozenset({
    "out_of_order", "before_received", "after_concluded", "after_withdrawn",
    "supplement_twice", "supplement_without_request", "supplement_received_twice",
    "delivered_before_notice", "period_extended_without_request",
    "period_extended_after_received", "period_extended_twice", "supplement_period_lapsed",
    "consultation_not_started", "extension_twice", "extension_too_long", "fee_twice",
    "fee_paid_without_notice", "fee_paid_twice", "deferred_twice", "deferred_not_later",
    "appeal_pending_decided",
})
DATABASE_CODES = frozenset({"unknown_agency", "other_agency", "tracking_no_exists"})
ERROR_CODES = FIELD_CODES | LINE_CODES | EVENT_CODES | DATABASE_CODES


@dataclass(frozen=True)
class LineError:
    line: int  # 1-based physical line of the file
    field: str  # JSON path: "received_on", "applicant.id_number", "events[2].on", "$"
    code: str  # stable, one of ERROR_CODES
    message: str  # Chinese (a Msg or N_ text: translatable at the web edge)

    def __post_init__(self) -> None:
        assert self.code in ERROR_CODES, self.code

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message} ({self.code})"


@dataclass(frozen=True)
class Consultation:
    party: str  # third_party | agency (a PauseKind)
    started_on: date
    ended_on: date | None = None
    party_name: str | None = None


@dataclass(frozen=True)
class AppealRecord:
    kind: str
    filed_on: date
    result: str = AppealResult.PENDING.value
    decided_on: date | None = None


def appeal_key(a: AppealRecord):
    """The order appeals are kept and written in."""
    return (a.filed_on, a.kind, a.result, a.decided_on or date.max)


@dataclass(frozen=True)
class LedgerRecord:
    """The facts of one case as the ledger states them (after validation)."""
    line: int
    agency: str
    tracking_no: str | None
    applicant: Applicant
    channel: str
    subject: str
    description: str | None = None
    delivery_form: str | None = None
    delivery_method: str | None = None
    submitted_at: datetime | None = None
    received_on: date | None = None
    supplement_requested_on: date | None = None
    supplement_period_workdays: int | None = None
    supplement_items: str | None = None
    supplement_received_on: date | None = None
    # R8.2: None + not undelivered = delivered the day of the notice; undelivered = posted,
    # no signed-for date yet
    supplement_delivered_on: date | None = None
    supplement_undelivered: bool = False
    # R4.3: a new 补正 period granted for a good reason (正当理由) from that day
    supplement_new_period_on: date | None = None
    supplement_new_period_workdays: int | None = None
    supplement_new_period_reason: str | None = None
    consultations: tuple[Consultation, ...] = ()
    extension_workdays: int = 0
    extension_on: date | None = None
    fee_method: str | None = None
    fee_amount: Decimal | None = None
    fee_notified_on: date | None = None
    fee_delivered_on: date | None = None
    fee_undelivered: bool = False
    fee_paid_on: date | None = None
    deferred_due_on: date | None = None
    deferred_set_on: date | None = None
    withdrawn: bool = False
    outcome: str | None = None
    concluded_on: date | None = None
    appeals: tuple[AppealRecord, ...] = ()

    @property
    def concluded_by_sweep(self) -> bool:
        return self.outcome in SWEEP_OUTCOMES

    @property
    def year(self) -> int | None:
        """The year its tracking number belongs to (receipt, else submission)."""
        if self.received_on:
            return self.received_on.year
        return self.submitted_at.year if self.submitted_at else None
