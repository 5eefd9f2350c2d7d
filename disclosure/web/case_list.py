"""The staff case list and its export: filters from the URL, the query in
services.case_queries, the export's rows in services.case_export (this module only parses and
streams).

The pager links and the export form are built from the parsed filters (``_query``), so each
carries all of them (and nothing else). The export is a form of hidden fields rather than a
link, and the sort stays in the filter form (no sort links in the column headers): a searched
text — an identity number typed by a reviewer — is echoed only in form values, never in links
(tests/web/test_staff.py, test_identity_number_search_does_not_leak_through_the_list)."""
from __future__ import annotations

import re
from datetime import date

from flask import Response, current_app, render_template, request, url_for

from ..domain import codes
from ..i18n import translate
from ..services import case_export, case_queries
from ..services.calendar import add_workdays
from ..timeutil import today
from .guards import actor
from .staff import bp

STATUSES = frozenset(s.value for s in codes.Status)
HANDLER_ID = re.compile(r"[0-9]{1,9}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _handler_arg() -> str | None:
    value = (request.args.get("handler") or "").strip()
    if value in (case_queries.HANDLER_NONE, case_queries.HANDLER_MINE) \
            or HANDLER_ID.fullmatch(value):
        return value
    return None


def _filter() -> case_queries.CaseFilter:
    day = today()
    flag = request.args.get("flag")
    f = case_queries.CaseFilter(
        status=[s for s in dict.fromkeys(request.args.getlist("status")) if s in STATUSES],
        channel=request.args.get("channel") or None,
        applicant_type=request.args.get("applicant_type") or None,
        received_from=_date_arg("from"), received_to=_date_arg("to"),
        q=(request.args.get("q") or "").strip()[:100] or None,
        flag=flag if flag in case_queries.FLAG_LABELS else None,
        handler=_handler_arg(), today=day,
        soon_until=add_workdays(day, current_app.config["DUE_SOON_WORKDAYS"]),
        sort=request.args.get("sort") if request.args.get("sort") in case_queries.SORTS
        else "received_on",
        descending=request.args.get("dir", "desc") != "asc",
        page=_int_arg("page", 1), per_page=current_app.config["CASES_PER_PAGE"])
    # next / previous links seek from a row (keyset); a malformed cursor, or one of another
    # sort, is ignored (the page is then read by its number)
    f.after = case_queries.parse_cursor(f, request.args.get("after"))
    f.before = None if f.after else case_queries.parse_cursor(f, request.args.get("before"))
    return f


def _query(f: case_queries.CaseFilter) -> dict:
    """The URL arguments of the filters (no page): what every link of the page carries."""
    args = {"status": f.status, "channel": f.channel, "applicant_type": f.applicant_type,
            "from": f.received_from.isoformat() if f.received_from else None,
            "to": f.received_to.isoformat() if f.received_to else None,
            "q": f.q, "flag": f.flag, "handler": f.handler,
            "sort": f.sort, "dir": "desc" if f.descending else "asc"}
    return {k: v for k, v in args.items() if v}


def _pairs(query: dict) -> list[tuple[str, str]]:
    """The same arguments as (name, value) pairs: the hidden fields of the export form."""
    return [(k, str(v)) for k, vs in query.items() for v in (vs if isinstance(vs, list) else [vs])]


def _linker(query: dict):
    def link(endpoint: str = "staff.case_list", **changes) -> str:
        merged = {**query, **changes}
        return url_for(endpoint, **{k: v for k, v in merged.items() if v not in (None, "", [])})
    return link


def _row_labels() -> dict:
    """What every row repeats, worked out once per page (not once per row: 50 rows of
    translated labels and ``url_for`` cost about as much as the queries)."""
    def labels(table: dict) -> dict:
        return {getattr(k, "value", k): translate(v) for k, v in table.items()}
    mark = 987654321
    head, _, tail = url_for("staff.case_view", case_id=mark).partition(str(mark))
    return {"status": labels(codes.STATUS_LABELS),
            "applicant_type": labels(codes.APPLICANT_TYPE_LABELS),
            "flag": labels(case_queries.FLAG_LABELS), "case_url": (head, tail)}


@bp.get("/cases")
def case_list():
    f = _filter()
    me = actor()
    result = case_queries.list_cases(me, f)
    query = _query(f)
    return render_template("staff/cases.html", result=result, f=f, link=_linker(query),
                           applied=_pairs(query),
                           handlers=case_queries.handler_choices(me, f.agency_id),
                           flag_labels=case_queries.FLAG_LABELS, labels=_row_labels(),
                           export_limit=case_export.max_rows())


def _export(f: case_queries.CaseFilter) -> case_export.CaseExport:
    return case_export.build(actor(), f, f.today, f.soon_until, tr=translate)


def _download(name: str, ext: str, truncated: bool) -> dict:
    return {"Content-Disposition": f"attachment; filename={name}.{ext}",
            "Cache-Control": "no-store",  # personal data: not kept by a browser or a proxy
            "X-Export-Truncated": "1" if truncated else "0"}


@bp.get("/cases/export.csv")
def case_export_csv():
    f = _filter()
    export = _export(f)
    # the rows are read already: the body is only formatted while it is sent
    return Response(case_export.csv_chunks(export), content_type="text/csv; charset=utf-8",
                    headers=_download(f"cases-{f.today.isoformat()}", "csv", export.truncated))


@bp.get("/cases/export.xlsx")
def case_export_xlsx():
    f = _filter()
    export = _export(f)
    return Response(case_export.xlsx_bytes(export), mimetype=XLSX,
                    headers=_download(f"cases-{f.today.isoformat()}", "xlsx", export.truncated))
