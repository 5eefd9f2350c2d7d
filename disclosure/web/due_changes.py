"""Staff: 期限变动 — every case whose due date moved in a year, and why (rules R8.3)."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from ..services import due_changes
from ..timeutil import today
from .guards import STAFF_ROLES, actor, guard_blueprint

bp = Blueprint("due_changes", __name__, url_prefix="/staff")
guard_blueprint(bp, STAFF_ROLES)


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


@bp.get("/due-changes")
def index():
    t = today()
    year = _year(request.args.get("year"), t.year)
    cases = due_changes.moved_cases(actor(), year)
    years = sorted(set(range(t.year - 5, t.year + 1)) | {year}, reverse=True)
    return render_template("staff/due_changes.html", year=year, cases=cases, years=years)
