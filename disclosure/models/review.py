"""Confidentiality review (R6): release items, their versions, reviews, releases, the reply
and its sign-off; and the proactive disclosure catalogue whose entries are released the same way."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .agencies import Agency

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
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"),
                                         unique=True)
    reply_type: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(64))
    letter_item_id: Mapped[int | None] = mapped_column(ForeignKey("release_item.id"))
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    released_on: Mapped[date | None] = mapped_column(Date)
    doc_number: Mapped[str | None] = mapped_column(String(60))  # 文号, given at release


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
