"""Storage shape: typed mappings and database constraints only (no queries, no commits).

Facts are stored (received_on, pauses, extension, outcome…); deadline fields on Case
(due_on, due_provisional, clock_started_on) are *derived* by domain.deadlines and kept only so
lists can sort and filter by them in SQL — services recompute them whenever a fact changes.

One module per area; importing ``disclosure.models`` imports them all, so every mapper and every
table is registered (``db.metadata`` is complete for create_all, Alembic and ``dbguards``) and
relationships named by string resolve. Import the models from here: ``from ..models import Case``.
"""
from __future__ import annotations

from .agencies import Agency, LoginFailure, User, UserRole
from .cases import Appeal, Attachment, Case, CasePause, ExtensionRequest, Notice
from .review import CaseReply, CatalogueEntry, ItemVersion, Release, ReleaseItem, Review, SignOff
from .search import SearchDoc
from .supervision import SupervisionCase, SupervisionNotice
from .system import (
    CalendarOverride,
    CalendarYear,
    Event,
    JobClaim,
    LetterCounter,
    Outbox,
    ReceiptCode,
    ReportYear,
    TrackingCounter,
)

__all__ = [
    "Agency", "Appeal", "Attachment", "CalendarOverride", "CalendarYear", "Case", "CasePause",
    "CaseReply", "CatalogueEntry", "Event", "ExtensionRequest", "ItemVersion", "JobClaim",
    "LetterCounter", "LoginFailure", "Notice", "Outbox", "ReceiptCode", "Release", "ReleaseItem",
    "ReportYear", "Review", "SearchDoc", "SignOff", "SupervisionCase", "SupervisionNotice",
    "TrackingCounter", "User", "UserRole",
]
