"""Storage shape: typed mappings and database constraints only (no queries, no commits).

Facts are stored (received_on, pauses, extension, outcome…); deadline fields on Case
(due_on, due_provisional, clock_started_on) are *derived* by domain.deadlines and kept only so
lists can sort and filter by them in SQL — services recompute them whenever a fact changes.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, ForeignKeyConstraint, Index,
    Integer, Numeric, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


class Agency(db.Model):
    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class User(db.Model):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # (No lock-out columns: failed sign-ins are throttled through LoginFailure, see the end.)
    # Bumped on logout / password change so old session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()
    role_rows: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class UserRole(db.Model):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


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
        Index("ix_case_fee_paid", "fee_paid_on"),  # report section 六: fees collected in a year
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
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    agency: Mapped[Agency] = relationship()
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


class Appeal(db.Model):
    __tablename__ = "appeal"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    filed_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(16), default="pending")
    decided_on: Mapped[date | None] = mapped_column(Date)


class Event(db.Model):
    """R7.1 append-only audit event; database triggers refuse UPDATE and DELETE.

    R7.2: events form a hash chain in ``seq`` order — each row holds the hash of its
    predecessor and of its own content (domain.chain), so a rewrite of history is detectable
    even by someone who can lift the triggers. ``seq`` is unique: two writers that read the same
    head cannot both extend the chain (one fails instead of forking it)."""
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_case_id", "case_id", "id"),
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


class TrackingCounter(db.Model):
    """Per agency and year sequence for tracking numbers (BCZ-2026-000017)."""
    __tablename__ = "tracking_counter"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
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


# -- confidentiality review: 先审查、后公开、一事一审 (R6) ---------------------------------------

class ReleaseItem(db.Model):
    """Anything that leaves the office (R6.1): a reply letter, a document released with it, a
    catalogue entry's text or attachment. Its content lives in versions."""
    __tablename__ = "release_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_entry.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # domain.review.PACKAGE_FIELDS
    title: Mapped[str] = mapped_column(String(255))
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)  # 部分公开: a redacted copy
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)  # removed from the draft
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (CheckConstraint("(case_id IS NULL) <> (entry_id IS NULL)", name="one_owner"),)

    versions: Mapped[list["ItemVersion"]] = relationship(
        order_by="ItemVersion.number", cascade="all, delete-orphan", lazy="selectin")

    @property
    def current(self) -> "ItemVersion | None":
        return self.versions[-1] if self.versions else None


class ItemVersion(db.Model):
    """One exact content of an item, fingerprinted by SHA-256 (R6.1). Never edited: a change
    is a new version (R6.2)."""
    __tablename__ = "item_version"
    __table_args__ = (
        UniqueConstraint("item_id", "number", name="uq_item_version_number"),
        UniqueConstraint("id", "sha256", name="uq_item_version_id_sha"),  # target of release FK
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("release_item.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    content_sha256: Mapped[str | None] = mapped_column(String(64))  # a file's bytes
    # The other fields that leave with the item (reply type, outcome, legal basis, catalogue
    # metadata, a notice's title…): with text and file they make the package (R6.1).
    meta: Mapped[dict | None] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))  # domain.review.package_fingerprint
    # 2 = the package fingerprint (R6.1, issue 12); 1 = versions made before it, whose
    # fingerprint covers the text or the file's bytes only (kept as they were approved).
    fingerprint_scheme: Mapped[int] = mapped_column(Integer, default=2)
    drafter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Review(db.Model):
    """One reviewer's decision on one version (R6.2). At most one approval per version (partial
    unique index); the reviewer is never the drafter (check constraint, R6.4)."""
    __tablename__ = "review"
    __table_args__ = (
        Index("uq_review_one_approval", "version_id", unique=True,
              sqlite_where=text("decision = 'approved'"),
              postgresql_where=text("decision = 'approved'")),
        UniqueConstraint("id", "version_id", "sha256", "decision", name="uq_review_release_key"),
        CheckConstraint("decision IN ('approved', 'rejected', 'referred')", name="decision_values"),
        CheckConstraint("drafter_id IS NULL OR reviewer_id <> drafter_id", name="not_own_draft"),
        CheckConstraint("decision = 'approved' OR length(reason) > 0", name="reason_required"),
        ForeignKeyConstraint(["version_id", "sha256"], ["item_version.id", "item_version.sha256"],
                             name="fk_review_version_sha"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    drafter_id: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Release(db.Model):
    """An item version released (sent to the applicant / published). It cannot exist without
    the approving review of exactly that fingerprint: the composite foreign key points at
    (review id, version, sha256, 'approved') and at (version, sha256) (R6.3)."""
    __tablename__ = "release"
    __table_args__ = (
        ForeignKeyConstraint(["review_id", "version_id", "sha256", "review_decision"],
                             ["review.id", "review.version_id", "review.sha256", "review.decision"],
                             name="fk_release_approving_review"),
        ForeignKeyConstraint(["version_id", "sha256"], ["item_version.id", "item_version.sha256"],
                             name="fk_release_version_sha"),
        CheckConstraint("review_decision = 'approved'", name="approved_only"),
        UniqueConstraint("version_id", name="uq_release_version"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("release_item.id"), index=True)
    version_id: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    review_id: Mapped[int] = mapped_column(Integer)
    review_decision: Mapped[str] = mapped_column(String(16))
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    released_on: Mapped[date] = mapped_column(Date)
    released_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseReply(db.Model):
    """The draft and then the released reply of a case (条例第三十六条–第三十九条)."""
    __tablename__ = "case_reply"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), unique=True)
    reply_type: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(64))
    letter_item_id: Mapped[int | None] = mapped_column(ForeignKey("release_item.id"))
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    released_on: Mapped[date | None] = mapped_column(Date)


class SignOff(db.Model):
    """签发 by the office head (R6.2): bound to the letter version and fingerprint signed —
    which covers the whole package — so any new version leaves it behind."""
    __tablename__ = "sign_off"
    __table_args__ = (
        ForeignKeyConstraint(["version_id", "sha256"], ["item_version.id", "item_version.sha256"],
                             name="fk_sign_off_version_sha"),
        UniqueConstraint("version_id", name="uq_sign_off_version"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- proactive disclosure catalogue (主动公开, report table 二) -----------------------------------

class CatalogueEntry(db.Model):
    __tablename__ = "catalogue_entry"
    __table_args__ = (Index("ix_catalogue_agency_category", "agency_id", "category", "issued_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    title: Mapped[str] = mapped_column(String(300))
    doc_number: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(32))
    issued_on: Mapped[date] = mapped_column(Date)
    repealed_on: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)  # set only by a reviewed release
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    agency: Mapped[Agency] = relationship()


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


# -- sign-in throttling (issue 12) --------------------------------------------------------------

class LoginFailure(db.Model):
    """One failed sign-in, kept for LOGIN_THROTTLE_WINDOW_HOURS (services.users). Counted per
    (account, client address) pair and per client address to delay further attempts — never
    to lock an account. ``account_key`` is an HMAC of the user name as typed (unknown names
    are counted alike, and a password typed into the user name field is not stored)."""
    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_pair", "account_key", "address", "at"),
        Index("ix_login_failure_address", "address", "at"),
        Index("ix_login_failure_at", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))  # IPv4 address or IPv6 /64 network
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReceiptCode(db.Model):
    """The query code between the online submission and its receipt page (at most
    RECEIPT_CODE_MINUTES): one-time padded, the pad only in the applicant's session cookie, so
    neither the cookie nor the database alone reveals the code (services.query_codes)."""
    __tablename__ = "receipt_code"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    masked_code: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


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
