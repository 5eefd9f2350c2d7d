"""A case (an application for disclosure) and the facts recorded on it: pauses, extension
requests, attachments, notices to the applicant, appeals."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .agencies import Agency, User

# A case carrying a late-act flag (R8.1): the partial index ix_case_late_acts and the query that
# reads it (services.due_changes) share this text — SQLite uses the index only on an exact match.
LATE_ACTS_SET = "late_acts <> ''"


class Case(db.Model):
    __tablename__ = "case_file"
    __table_args__ = (
        UniqueConstraint("agency_id", "idempotency_key", name="uq_case_idempotency"),
        # The staff case list (services.case_queries, docs/performance.md): for staff (scoped
        # to their agency) and for administrators (every agency), one index per sort that also
        # holds the list's filters, so the entries a page skips are read from the index only;
        # ``id`` right after the sort column keeps the order of ties (ORDER BY col, id).
        Index("ix_case_agency_status_due", "agency_id", "status", "due_on", "id", "received_on"),
        Index("ix_case_agency_received", "agency_id", "received_on", "id", "status"),
        Index("ix_case_agency_status_received", "agency_id", "status", "received_on", "id"),
        Index("ix_case_agency_concluded", "agency_id", "concluded_on"),
        Index("ix_case_status_due", "status", "due_on", "id", "received_on"),
        Index("ix_case_status_received", "status", "received_on", "id"),
        Index("ix_case_submitted_at", "submitted_at"),
        # report section 六: fees collected in a year (partial since migration 0012: the sweep's
        # fee_paid_on IS NULL must not walk it)
        Index("ix_case_fee_paid", "fee_paid_on", postgresql_where=text("fee_paid_on IS NOT NULL"),
              sqlite_where=text("fee_paid_on IS NOT NULL")),
        # issue 18, the report's restricted scan (migration 0010): the cases that can count in a
        # year (concluded on or after its start, or open), covering the columns the scan reads
        Index("ix_case_concluded_scan", "concluded_on", "received_on", "agency_id",
              "applicant_type", "outcome", "due_on", "timely"),
        # ... and the data errors it would miss (concluded before received: table 三's checks)
        # (covering since migration 0013, like the scan's index)
        Index("ix_case_concluded_early", "received_on", "concluded_on", "agency_id",
              "applicant_type", "outcome", "due_on", "timely",
              postgresql_where=text("concluded_on < received_on"),
              sqlite_where=text("concluded_on < received_on")),
        # issue 18, migration 0013 — partial indexes for the few rows a page or the report
        # needs out of a large table: the online submissions never confirmed (the report's
        # unconfirmed count), the cases carrying a late-act flag (due_changes), the open cases
        # with a provisional due date (the staff pages' calendar banner). Each condition is
        # written in the queries exactly as here, so that SQLite can use the index (and any
        # other condition on an indexed column through ``database.seq``).
        Index("ix_case_unconfirmed", "submitted_at", "agency_id",
              postgresql_where=text("received_on IS NULL"),
              sqlite_where=text("received_on IS NULL")),
        Index("ix_case_late_acts", "received_on", postgresql_where=text(LATE_ACTS_SET),
              sqlite_where=text(LATE_ACTS_SET)),
        Index("ix_case_provisional", "due_on", "concluded_on",
              postgresql_where=text("due_provisional IS true"),
              sqlite_where=text("due_provisional IS 1")),
        # issue 18, the case list without a status filter (migration 0011):
        # sorted by receipt / due date / submission (every agency, then one agency): the
        # page and a keyset seek walk the index in order, either direction
        Index("ix_case_received", "received_on", "id"),
        Index("ix_case_due", "due_on", "id", "received_on"),
        Index("ix_case_agency_due", "agency_id", "due_on", "id", "received_on"),
        Index("ix_case_agency_submitted", "agency_id", "submitted_at", "id"),
        # issue 18, the deadline sweep (migration 0012):
        Index("ix_case_status", "status"),
        CheckConstraint("(outcome IS NULL) = (concluded_on IS NULL)", name="outcome_with_date"),
        CheckConstraint("extension_workdays BETWEEN 0 AND 20", name="extension_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    tracking_no: Mapped[str] = mapped_column(String(64), unique=True)
    query_code_hash: Mapped[str | None] = mapped_column(String(255))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    # SHA-256 of the submission the key was first used for (services.cases.submission_digest):
    # a retry is answered with the original body only when it is the same submission, so a
    # reused or guessed key never hands out someone else's tracking number and query code.
    idempotency_body_sha256: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    # Applicant (条例第二十九条)
    applicant_type: Mapped[str] = mapped_column(String(32))
    applicant_name: Mapped[str] = mapped_column(String(200), index=True)
    id_type: Mapped[str | None] = mapped_column(String(32))
    id_number: Mapped[str | None] = mapped_column(String(64))
    credit_code: Mapped[str | None] = mapped_column(String(32))
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(500))
    # 条例第四十三条: help asked for / given (reading, sight or hearing difficulties)
    assistance: Mapped[str | None] = mapped_column(Text)
    # Request
    subject: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str | None] = mapped_column(Text)
    delivery_form: Mapped[str | None] = mapped_column(String(16))
    delivery_method: Mapped[str | None] = mapped_column(String(16))
    # Statutory facts
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_on: Mapped[date | None] = mapped_column(Date)
    supplement_requested_on: Mapped[date | None] = mapped_column(Date)
    supplement_period_workdays: Mapped[int | None] = mapped_column(Integer)
    supplement_items: Mapped[str | None] = mapped_column(Text)
    supplement_received_on: Mapped[date | None] = mapped_column(Date)
    supplement_text: Mapped[str | None] = mapped_column(Text)  # the applicant's answer online
    extension_workdays: Mapped[int] = mapped_column(Integer, default=0)
    deferred_due_on: Mapped[date | None] = mapped_column(Date)
    fee_method: Mapped[str | None] = mapped_column(String(16))
    fee_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    fee_notified_on: Mapped[date | None] = mapped_column(Date)
    fee_paid_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(64))
    concluded_on: Mapped[date | None] = mapped_column(Date)
    concluded_by_sweep: Mapped[bool] = mapped_column(Boolean, default=False)
    # R8.2 送达 of the 补正 and fee notices (the applicant's periods run from delivery):
    # ``…_undelivered`` while the notice is unsent or posted without a signed-for date.
    supplement_delivered_on: Mapped[date | None] = mapped_column(Date)
    supplement_undelivered: Mapped[bool] = mapped_column(Boolean, default=False)
    # R4.3 正当理由: a new 补正 period granted from that day
    supplement_new_period_on: Mapped[date | None] = mapped_column(Date)
    supplement_new_period_workdays: Mapped[int | None] = mapped_column(Integer)
    fee_delivered_on: Mapped[date | None] = mapped_column(Date)
    fee_undelivered: Mapped[bool] = mapped_column(Boolean, default=False)
    # R8.1: the days the extension was approved and the deferred due date set
    extension_on: Mapped[date | None] = mapped_column(Date)
    deferred_on: Mapped[date | None] = mapped_column(Date)
    # Derived (recomputed by services from the facts above)
    clock_started_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    timely: Mapped[bool | None] = mapped_column(Boolean)
    # R8.1 flags of acts recorded after their period (space-separated, "" when none)
    late_acts: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    receipt_doc_number: Mapped[str | None] = mapped_column(String(60))  # the 回执's 文号
    # 转办 before acceptance (issue 17): the agency the submission was first addressed to, when a
    # registrar forwarded it to this one (the history holds every forwarding with its reason).
    forwarded_from_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    forwarded_on: Mapped[date | None] = mapped_column(Date)  # R2.2: confirmable from that day

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    forwarded_from: Mapped[Agency | None] = relationship(foreign_keys=[forwarded_from_id])
    handler: Mapped[User | None] = relationship()
    pauses: Mapped[list["CasePause"]] = relationship(
        order_by="CasePause.start_on", cascade="all, delete-orphan", lazy="selectin")
    attachments: Mapped[list["Attachment"]] = relationship(
        order_by="Attachment.id", cascade="all, delete-orphan")
    appeals: Mapped[list["Appeal"]] = relationship(
        order_by="Appeal.filed_on", cascade="all, delete-orphan")


class CasePause(db.Model):
    """A stopped clock (R3.3 consultation, R5.4 fee): the facts, caps are applied by the domain."""
    __tablename__ = "case_pause"
    __table_args__ = (  # issue 18: the sweep's open consultations (migration 0012)
        Index("ix_pause_open", "start_on", postgresql_where=text("end_on IS NULL"),
              sqlite_where=text("end_on IS NULL")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    party: Mapped[str | None] = mapped_column(String(200))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)


class ExtensionRequest(db.Model):
    """R3.2: requested by a handler, decided by an office head (never the requester)."""
    __tablename__ = "extension_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    workdays: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_on: Mapped[date] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(16))  # approved / refused
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)


class Attachment(db.Model):
    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # identity / supporting
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Notice(db.Model):
    """A letter the office produced for the applicant (回执, 补正告知书, 延期答复告知书…)."""
    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # the drafted text; what left is the released version
    issued_on: Mapped[date] = mapped_column(Date)  # the act's date (the clock fact)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # R6.1: a notice is a release item; it is shown and sent only once released (R6.3).
    item_id: Mapped[int | None] = mapped_column(ForeignKey("release_item.id"), index=True)
    released_on: Mapped[date | None] = mapped_column(Date)
    # R8.2 送达: online / email (the day it is released), post (the signed-for date staff
    # record from the postal receipt), in_person (the day it was handed over, recorded)
    delivery_method: Mapped[str | None] = mapped_column(String(16))
    delivered_on: Mapped[date | None] = mapped_column(Date)
    doc_number: Mapped[str | None] = mapped_column(String(60))  # 文号, given at release


class Appeal(db.Model):
    __tablename__ = "appeal"
    # issue 18: the report's appeals of the year (migration 0010)
    __table_args__ = (Index("ix_appeal_filed_on", "filed_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    filed_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(16), default="pending")
    decided_on: Mapped[date | None] = mapped_column(Date)
