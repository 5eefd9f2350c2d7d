"""督办 (issue 17): a supervising agency's notice to an agency below it about named overdue
cases, and that agency's written reply."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .agencies import Agency, User


class SupervisionNotice(db.Model):
    __tablename__ = "supervision_notice"
    __table_args__ = (Index("ix_supervision_agency", "agency_id", "issued_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # the agency supervised
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    reply_by: Mapped[date | None] = mapped_column(Date)  # the date a written reply is asked for
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None] = mapped_column(Date)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    supervisor_agency: Mapped[Agency] = relationship(foreign_keys=[supervisor_agency_id])
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    replied_by: Mapped[User | None] = relationship(foreign_keys=[replied_by_id])
    cases: Mapped[list["SupervisionCase"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SupervisionCase.case_id")


class SupervisionCase(db.Model):
    """One case named in a 督办 notice (as it stood when the notice was issued)."""
    __tablename__ = "supervision_case"
    supervision_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_notice.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), primary_key=True, index=True)
    due_on: Mapped[date | None] = mapped_column(Date)  # the due date it had then

    case = relationship("Case")
