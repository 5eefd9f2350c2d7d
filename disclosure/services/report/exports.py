"""The report's exports, all drawn from one ``AnnualReport``: the JSON contract, the CSV long
form (one line per figure) and the xlsx workbook in the official layout (a second sheet holds
the rates, the checks and the audit chain head). Every text cell is written as text, never as
a formula (``spreadsheet_safety``)."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from ...domain import report as rules
from .. import spreadsheet_safety as safe_cells
from . import xlsx_layout as layout
from .assembly import AnnualReport

FEE_LINE = "本年度收取信息处理费（元，据收费记录）"


def to_json(r: AnnualReport) -> dict:
    """The JSON contract (docs/report.md), keys in its order."""
    return {
        "year": r.year,
        "agencies": r.scope.codes,
        "table2": r.table2,
        "table3": {"columns": list(rules.COLUMNS),
                   "rows": {k: dict(r.rows[k]) for k in rules.ROW_KEYS}},
        "table4": r.table4,
        "rates": {k: v.as_json() for k, v in r.rates.items()},
        "fees": {"collected_yuan": r.fees_yuan},
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in r.checks],
    }


def csv_text(r: AnnualReport) -> str:
    buf = io.StringIO()
    rows = safe_cells.csv_rows(rules.csv_rows(to_json(r)))  # no cell read as a formula
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


# -- xlsx: the official layout -------------------------------------------------------------------
TEXT_SPAN = 10  # the texts and headings span the width of table 三 (columns A–J)
# A–C: the row labels of table 三 (the longest on one or two lines); D–J: its seven columns
# (社会公益组织 on one line); K–O: the rest of table 四.
COLUMN_WIDTHS = (14, 12, 38) + (14,) * 7 + (10,) * 5


def xlsx_bytes(r: AnnualReport) -> bytes:
    """The workbook. It prints as it looks (docs/report.md, "Printing the xlsx"): each section
    is a print area of its own page(s), A4 landscape, one page wide, the title on every page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "年度报告"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="F2F2F2")
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for i, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    boxes: list[layout.TextBox] = []  # every value with the cells it spans: the row heights
    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, 16)]

    def line(row: int, text: str, bold=False, span=TEXT_SPAN) -> int:
        # The texts are typed by staff: written as text, never as a formula (spreadsheet_safety).
        size = 14 if bold and row == 1 else 11
        safe_cells.xlsx_set(ws.cell(row, 1), text).font = Font(bold=bold, size=size)
        ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
        boxes.append(layout.TextBox(row, 1, text, cols=span, size=size))
        return row + 1

    def text(row: int, value: str) -> int:
        """A typed text, one row per paragraph (a row is never taller than a page)."""
        for paragraph in layout.text_rows(value, sum(widths[:TEXT_SPAN])):
            row = line(row, paragraph)
        return row

    def grid(top: int, cells: list[list[rules.Cell]]) -> int:
        taken, row = set(), top
        for cells_row in cells:
            col = 1
            for c in cells_row:
                while (row, col) in taken:
                    col += 1
                value = c.value
                target = safe_cells.xlsx_set(ws.cell(row, col), value)
                if isinstance(value, Decimal):
                    target.number_format = "0.00"
                target.alignment = wrap
                boxes.append(layout.TextBox(row, col, str(value), c.rowspan, c.colspan))
                for i in range(c.rowspan):
                    for j in range(c.colspan):
                        taken.add((row + i, col + j))
                        edge = ws.cell(row + i, col + j)
                        edge.border = box
                        if c.header:
                            edge.fill = head_fill
                if c.rowspan > 1 or c.colspan > 1:
                    ws.merge_cells(start_row=row, start_column=col,
                                   end_row=row + c.rowspan - 1, end_column=col + c.colspan - 1)
                col += c.colspan
            row += 1
        return row + 1

    areas: list[tuple[int, int, int]] = []  # (first row, last row, last column) per section
    # section(first, after): the section ends on the row before ``after`` (grid() returns the
    # row after a blank one, hence ``row - 1`` after a table)

    def section(first: int, after: int, columns: int = TEXT_SPAN) -> None:
        areas.append((first, after - 1, columns))

    row = line(1, r.title, bold=True)
    row = line(row + 1, rules.SECTIONS[0], bold=True)
    row = text(row, r.texts["narrative"])
    section(1, row)
    first = row + 1
    row = line(first, rules.SECTIONS[1], bold=True)
    row = grid(row, rules.table2_grid(r.table2))
    section(first, row - 1)
    first = row
    row = line(first, rules.SECTIONS[2], bold=True)
    row = grid(row, rules.table3_grid(r.rows))
    section(first, row - 1)
    first = row
    row = line(first, rules.SECTIONS[3], bold=True, span=15)
    row = grid(row, rules.table4_grid(r.table4))
    section(first, row - 1, columns=15)
    first = row
    row = line(first, rules.SECTIONS[4], bold=True)
    row = text(row, r.texts["problems"] or "")
    row = line(row + 1, rules.SECTIONS[5], bold=True)
    row = line(row, FEE_LINE, span=3)
    safe_cells.xlsx_set(ws.cell(row - 1, 4), Decimal(r.fees_yuan)).number_format = "0.00"
    row = text(row, r.texts["other_matters"] or "")
    section(first, row)
    layout.apply_row_heights(ws, boxes)
    layout.set_up_pages(
        ws, areas=[f"A{a}:{get_column_letter(c)}{b}" for a, b, c in areas], title_rows="1:1",
        breaks=[b for _a, b, _c in areas[:-1]])
    _xlsx_checks(wb.create_sheet("校验与比率"), r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_checks(ws, r: AnnualReport) -> None:
    put = safe_cells.xlsx_append  # every cell as a value, never a formula (spreadsheet_safety)
    put(ws, ["比率", "分子", "分母", "数值", "计算方法"])
    for key, rate in r.rates.items():
        num, den = rules.RATE_FORMULAS[key]
        put(ws, [rules.RATE_LABELS[key], rate.numerator, rate.denominator,
                 Decimal(rate.value) if rate.value is not None else "—", f"{num} ÷（{den}）"])
        if rate.value is not None:
            ws.cell(ws.max_row, 4).number_format = "0.00%"
    put(ws, [])
    put(ws, ["校验", "结果", "数字", "说明"])
    for c in r.checks:
        put(ws, [c.name, "通过" if c.ok else "不通过", c.detail, c.label])
    if r.chain_head:
        put(ws, [])
        put(ws, ["办理记录链头（生成本报告时）", f"第 {r.chain_head[0]} 条", r.chain_head[1],
                 "可据此核对此后办理记录是否被改动（flask check 输出同一链头）"])
    for letter, width in zip("ABCDE", (40, 10, 40, 60, 50)):
        ws.column_dimensions[letter].width = width
    from openpyxl.styles import Alignment
    top = Alignment(wrap_text=True, vertical="top")
    boxes = []
    for cells in ws.iter_rows():
        for cell in cells:
            if cell.value is not None:
                cell.alignment = top
                boxes.append(layout.TextBox(cell.row, cell.column, str(cell.value)))
    layout.apply_row_heights(ws, boxes)
    layout.set_up_pages(ws)  # two lists under their own headers: no title rows
