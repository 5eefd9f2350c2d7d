"""The staff case list: filters from the URL, one query in services.case_queries."""
from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request

from ..domain import codes
from ..services import case_queries
from ..services.calendar import add_workdays
from ..timeutil import today
from .guards import actor
from .staff import bp


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _int_arg(name: str, default: int) -> int:
    try:
        return max(1, min(int(request.args.get(name, default)), 10**7))
    except ValueError:
        return default


@bp.get("/cases")
def case_list():
    f = case_queries.CaseFilter(
        status=[s for s in request.args.getlist("status") if s in {x.value for x in codes.Status}],
        channel=request.args.get("channel") or None,
        applicant_type=request.args.get("applicant_type") or None,
        received_from=_date_arg("from"), received_to=_date_arg("to"),
        q=(request.args.get("q") or "").strip()[:100] or None,
        flag=request.args.get("flag") or None, today=today(),
        soon_until=add_workdays(today(), current_app.config["DUE_SOON_WORKDAYS"]),
        sort=request.args.get("sort", "received_on"),
        descending=request.args.get("dir", "desc") != "asc",
        page=_int_arg("page", 1), per_page=current_app.config["CASES_PER_PAGE"])
    result = case_queries.list_cases(actor(), f)
    return render_template("staff/cases.html", result=result, f=f, args=request.args)
