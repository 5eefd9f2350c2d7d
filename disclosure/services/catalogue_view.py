"""Read side of the staff catalogue pages: the entry list and one entry's review rows."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import CatalogueEntry
from . import access, review
from .actors import Actor
from .review import catalogue

LISTED = 500


def staff_entries(actor: Actor, limit: int = LISTED) -> list[CatalogueEntry]:
    """The entries of the agencies ``actor`` may see, the latest issued first."""
    stmt = select(CatalogueEntry).where(access.visible(actor, CatalogueEntry.agency_id)).order_by(
        CatalogueEntry.issued_on.desc(), CatalogueEntry.id.desc())
    return list(db.session.execute(stmt.limit(limit)).scalars())


def entry_page(entry: CatalogueEntry | None) -> dict:
    """An entry's items with their review state and decisions, what was released, and the
    draft (a new entry: none of it)."""
    items = catalogue.items_of(entry) if entry else []
    decided = review.decisions_for([v.id for i in items for v in i.versions])
    rows = [{"item": i, "status": review.status_of(i), "current": i.current,
             "decisions": [d for v in i.versions for d in decided.get(v.id, [])]} for i in items]
    return {"rows": rows, "released": review.released_versions([i.id for i in items]),
            "draft": catalogue.draft_of(entry)}
