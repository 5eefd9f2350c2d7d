"""条例第四十四条 / "已经公开了吗" (issue 17): one row per searchable public text — a published
catalogue entry or a released reply — kept by services.search. The full-text index over it is
database-specific DDL (disclosure.search_ddl): SQLite FTS5 with the trigram tokenizer,
PostgreSQL pg_trgm; both match Chinese without a word splitter."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SearchDoc(db.Model):
    __tablename__ = "search_doc"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id", name="uq_search_doc_ref"),
        Index("ix_search_doc_agency", "agency_id", "kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "catalogue" | "reply"
    ref_id: Mapped[int] = mapped_column(Integer)  # catalogue_entry.id or case_file.id
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    title: Mapped[str] = mapped_column(String(1000))
    body: Mapped[str] = mapped_column(Text, default="")
    published_on: Mapped[date | None] = mapped_column(Date)
