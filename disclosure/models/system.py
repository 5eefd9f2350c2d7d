"""The audit trail, the office calendar, counters and job claims, the outbox, the annual
report's entered figures and the short-lived receipt codes."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Event(db.Model):
    """R7.1 append-only audit event; database triggers refuse UPDATE and DELETE.

    R7.2: events form a hash chain in ``seq`` order — each row holds the hash of its
    predecessor and of its own content (domain.chain), so a rewrite of history is detectable
    even by someone who can lift the triggers. ``seq`` is unique: two writers that read the same
    head cannot both extend the chain (one fails instead of forking it)."""
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_case_id", "case_id", "id"),
                      # the events of a year (due_changes: where the due date moved)
                      Index("ix_event_on_date", "on_date"),
                      UniqueConstraint("seq", name="uq_event_seq"))
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    before_status: Mapped[str | None] = mapped_column(String(32))
    after_status: Mapped[str | None] = mapped_column(String(32))
    on_date: Mapped[date | None] = mapped_column(Date)
    data: Mapped[dict | None] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CalendarOverride(db.Model):
    """R1.1: the office's own entry of a State Council notice; always wins over the package."""
    __tablename__ = "calendar_override"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- calendar years (issue 13) --------------------------------------------------------------------

class CalendarYear(db.Model):
    """R1.2: a year whose State Council holiday notice the office recorded as entered, whole
    (its days are CalendarOverride rows). Only this — or the package's coverage — makes a year
    *known*; a single override day does not."""
    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    notice_number: Mapped[str] = mapped_column(String(100))  # 国办发明电〔2026〕7号
    notice_date: Mapped[date] = mapped_column(Date)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TrackingCounter(db.Model):
    """Per agency and year sequence for tracking numbers (BCZ-2026-000017)."""
    __tablename__ = "tracking_counter"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class LetterCounter(db.Model):
    """Per agency, year and letter type sequence for 文号 (包政信补〔2026〕3号, issue 15): each
    letter gets its number when it is released, so the sequence has no gaps for drafts."""
    __tablename__ = "letter_counter"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class JobClaim(db.Model):
    """A scheduler job claims (job, day, key) before acting: a second scheduler finds it taken."""
    __tablename__ = "job_claim"
    __table_args__ = (UniqueConstraint("job", "day", "key", name="uq_job_claim"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(64), default="")
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Outbox(db.Model):
    """Notifications waiting to be sent (SMTP when configured); retried, never lost."""
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


# -- the annual report's entered figures and texts (report sections 一, 二, 五, 六) ---------------

class ReportYear(db.Model):
    __tablename__ = "report_year"
    __table_args__ = (UniqueConstraint("agency_id", "year", name="uq_report_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    year: Mapped[int] = mapped_column(Integer)
    licensing_decisions: Mapped[int] = mapped_column(Integer, default=0)
    penalty_decisions: Mapped[int] = mapped_column(Integer, default=0)
    enforcement_decisions: Mapped[int] = mapped_column(Integer, default=0)
    fee_item_amount_10k: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    narrative: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[str | None] = mapped_column(Text)
    other_matters: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReceiptCode(db.Model):
    """The query code between the online submission and its receipt page (at most
    RECEIPT_CODE_MINUTES): one-time padded, the pad only in the applicant's session cookie, so
    neither the cookie nor the database alone reveals the code (services.query_codes)."""
    __tablename__ = "receipt_code"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    masked_code: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
