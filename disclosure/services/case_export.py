"""Export of the staff case list (issue 15): every case the filters select — all pages, in the
list's order, scoped like the list (``case_queries.filtered``) — as CSV (UTF-8 with a BOM, so
Excel reads the Chinese) or xlsx, with the list's columns.

At most ``CASE_EXPORT_MAX_ROWS`` cases (setting, default ``EXPORT_MAX_ROWS``) are written;
when more match, the file says so in its last line. Every text cell goes through
``spreadsheet_safety``: an applicant name or a subject starting with ``=`` stays text.

The rows are read in one statement (columns, the handler's name by an outer join: no per-row
SQL) and their timing computed with one working-day calendar (``case_queries.timing``).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import settings
from ..domain.codes import STATUS_LABELS
from ..domain.text import N_, Msg
from ..extensions import db
from ..models import Case, User
from . import case_queries as cq
from . import spreadsheet_safety as safe_cells
from .actors import Actor
from .calendar import get_calendar

EXPORT_MAX_ROWS = 50_000

HEADER = (N_("编号"), N_("申请人"), N_("所需信息"), N_("收到日期"), N_("状态"), N_("承办人"),
          N_("答复期限"), N_("剩余工作日"), N_("办结日期"), N_("是否按期"), N_("标记"))
SHEET_TITLE = N_("案件列表")
NO_HANDLER = N_("未指定")
TIMELY = {True: N_("按期办结"), False: N_("超期办结")}
FLAG_SEPARATOR = " | "


def _same(text):
    return text


@dataclass
class CaseExport:
    header: list[str]
    rows: list[list]          # str / int / date / None
    truncated: bool           # more cases matched than ``limit``
    limit: int
    note: str | None = None   # the truncation notice (last line of the file)
    title: str = SHEET_TITLE  # the xlsx sheet's name


def max_rows() -> int:
    return int(settings.current().get("CASE_EXPORT_MAX_ROWS") or EXPORT_MAX_ROWS)


def build(actor: Actor, f: cq.CaseFilter, today: date, soon_until: date | None = None,
          tr: Callable[[str], str] = _same) -> CaseExport:
    """The rows of the export. ``tr`` shows a label in the reader's language (the web layer
    passes its translate; the default keeps the Chinese). ``f.page`` is ignored: all pages."""
    limit = max_rows()
    stmt = cq.filtered(
        select(Case.tracking_no, Case.applicant_name, Case.subject, Case.received_on,
               Case.status, User.display_name.label("handler_name"), Case.due_on,
               Case.due_provisional, Case.concluded_on, Case.timely, Case.late_acts)
        .outerjoin(User, User.id == Case.handler_id), actor, f)
    found = db.session.execute(stmt.order_by(*cq.order_of(f)).limit(limit + 1)).all()
    truncated = len(found) > limit
    cal = get_calendar()
    rows = []
    for r in found[:limit]:
        t = cq.timing(r, cal, today, soon_until)
        left = t.days_left if t.days_left is not None else \
            -t.overdue_workdays if t.overdue_workdays is not None else None
        rows.append([
            r.tracking_no, r.applicant_name, r.subject, r.received_on,
            tr(STATUS_LABELS.get(r.status, r.status)), r.handler_name or tr(NO_HANDLER),
            r.due_on, left, t.concluded_on,
            tr(TIMELY[t.timely]) if t.timely is not None else None,
            FLAG_SEPARATOR.join(tr(cq.FLAG_LABELS[k]) for k in t.flags) or None])
    note = tr(Msg("仅导出了前 {n} 件：符合条件的案件更多，请缩小筛选范围后分批导出", n=limit)) \
        if truncated else None
    return CaseExport([tr(h) for h in HEADER], rows, truncated, limit, note, tr(SHEET_TITLE))


def _csv_value(value):
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else safe_cells.csv_cell(value)


def csv_chunks(export: CaseExport, batch: int = 1000) -> Iterator[str]:
    """The CSV text in pieces (for a streamed response): a BOM, the header, the rows, and the
    truncation notice after an empty line when the export was cut."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")

    def flush() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    buf.write("\ufeff")
    writer.writerow([_csv_value(h) for h in export.header])
    for i, row in enumerate(export.rows, start=1):
        writer.writerow([_csv_value(v) for v in row])
        if i % batch == 0:
            yield flush()
    if export.note:
        writer.writerow([])
        writer.writerow([_csv_value(export.note)])
    yield flush()


def xlsx_bytes(export: CaseExport) -> bytes:
    """One sheet (write-only: memory stays flat at 50 000 rows); dates as dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(export.title[:31])  # (a sheet name has at most 31 characters)
    for i, width in enumerate((16, 14, 40, 12, 16, 12, 12, 10, 12, 10, 24), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"

    def cells(values) -> list:
        out = []
        for value in values:
            cell = safe_cells.xlsx_set(WriteOnlyCell(ws), value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            out.append(cell)
        return out

    ws.append(cells(export.header))
    for row in export.rows:
        ws.append(cells(row))
    if export.note:
        ws.append([])
        ws.append(cells([export.note]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
