"""Staff: the integrity page — the same checks as `flask check`, for the office and an
inspector. Its route belongs to the ``review`` blueprint (endpoint ``review.integrity_page``)."""
from __future__ import annotations

from flask import render_template

from ..services import integrity
from .review import bp


@bp.get("/integrity")
def integrity_page():
    """The chain head to note and every violation found (services.integrity)."""
    return render_template("staff/integrity.html", **integrity.report())
