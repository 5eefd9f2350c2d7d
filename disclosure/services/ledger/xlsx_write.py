"""Writing an Excel ledger (docs/ledger.md "Excel 台账"): the empty template, and the export —
every case of ``export_ledger`` laid out in the sheets 案件, 事件 and 复议诉讼, with the derived
columns after the imported ones. Reads only.

The workbook is written in openpyxl's write-only mode (rows go to disk as they come), so an
export does not hold every case in memory. Every coded column gets a drop-down list of its codes
(taken from the layout, i.e. from the domain); a list too long for Excel's 255 characters is
kept on the hidden sheet 代码表 and referenced by range.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from ...domain import ledger as dl
from ...extensions import db
from ...models import Agency
from ...timeutil import tz
from .exporter import export_ledger
from .xlsx import (
    AMOUNT,
    APPEAL_COLUMNS,
    APPEALS,
    BOOL,
    CASE_COLUMNS,
    CASE_REF,
    CASES,
    CODE,
    DATA_SHEETS,
    DATE,
    DATETIME,
    DELIVERED,
    DERIVED_COLUMNS,
    DERIVED_MARK,
    EVENT_COLUMNS,
    EVENT_LABELS,
    EVENTS,
    FLAGS,
    LISTS,
    NOTES,
    SHEET_COLUMNS,
    TEXT,
    UNDELIVERED,
    Column,
    event_columns_of,
)

INLINE_LIST_MAX = 250  # Excel refuses an inline list source longer than 255 characters
PROMPT_MAX = 255  # nor a longer input message
LAST_ROW = 1048576  # the lists and formats hold for every row a user may add
DATE_FORMAT, DATETIME_FORMAT, AMOUNT_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "0.00"
_FILLS = {"required": "FCE4D6", "optional": "DDEBF7", "derived": "E7E6E6"}
_BOLD, _WRAP = Font(bold=True), Alignment(wrap_text=True, vertical="top")
_AGENCY_HEADING = "受理机关代码"


def _heading_cell(ws, col: Column, derived: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=col.heading)
    cell.font, cell.alignment = _BOLD, Alignment(wrap_text=True, vertical="center")
    kind = "derived" if derived else "required" if col.required else "optional"
    cell.fill = PatternFill("solid", fgColor=_FILLS[kind])
    return cell


def _text_cell(ws, value):
    """Text stays text: a value beginning with "=" is not a formula (nor run by Excel)."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def _datetime_cell(text: str, zone: ZoneInfo):
    """A submission time as Excel's date-time (the office's clock, as the import reads a time
    without zone) — or as its ISO text where that would change it: fractions of a second, or
    an offset that is not the office's."""
    dt = datetime.fromisoformat(text)
    naive = dt.replace(tzinfo=None)
    if dt.microsecond == 0 and naive.replace(tzinfo=zone).utcoffset() == dt.utcoffset():
        return naive
    return text


def _value(ws, col: Column, value, zone: ZoneInfo):
    """A value of a ledger line → what its cell holds."""
    if value is None:
        return None
    if col.kind == DATE:
        return date.fromisoformat(value)
    if col.kind == DATETIME:
        return _datetime_cell(value, zone)
    if col.kind == AMOUNT:
        cell = WriteOnlyCell(ws, value=Decimal(value))
        cell.number_format = AMOUNT_FORMAT
        return cell
    if col.kind == BOOL:
        return "是" if value else "否"
    if col.kind == FLAGS:
        return "、".join(value) or None
    return _text_cell(ws, value)


def _line_value(line: dict, key: str):
    if "." in key:
        outer, inner = key.split(".", 1)
        return (line.get(outer) or {}).get(inner)
    return line.get(key)


def _all_agencies() -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in db.session.execute(
        select(Agency).order_by(Agency.code)).scalars()]


class _Book:
    def __init__(self, derived: bool, agencies: Iterable[tuple[str, str]] | None):
        self.wb = Workbook(write_only=True)
        self.zone = tz()
        self.agencies = _all_agencies() if agencies is None else list(agencies)
        self.sheets = {name: self.wb.create_sheet(name) for name in DATA_SHEETS}
        self.notes = self.wb.create_sheet(NOTES)
        self.lists = self.wb.create_sheet(LISTS)
        self.lists.sheet_state = "hidden"
        self._list_columns: list[list[str]] = []
        for name, ws in self.sheets.items():
            columns = SHEET_COLUMNS[name] + (DERIVED_COLUMNS if derived and name == CASES else ())
            self._setup(ws, name, columns)
        self._write_notes(derived)
        self._write_lists()

    # -- the sheets' shape ------------------------------------------------------------------
    def _setup(self, ws, name: str, columns: tuple[Column, ...]) -> None:
        ws.freeze_panes = "A2"
        for i, col in enumerate(columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = col.width
            if col.kind == TEXT:  # typed digits stay digits (identity numbers, phones)
                ws.column_dimensions[letter].number_format = "@"
            elif col.kind in (DATE, DELIVERED):
                ws.column_dimensions[letter].number_format = DATE_FORMAT
            derived = col.heading.endswith(DERIVED_MARK)
            if col.kind == CODE and col.choices and not derived:
                ws.data_validations.append(self._validation(col, col.choices, letter))
            elif col.heading == _AGENCY_HEADING and self.agencies:
                ws.data_validations.append(self._validation(
                    col, [code for code, _name in self.agencies], letter, strict=False))
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
        ws.append([_heading_cell(ws, c, c.heading.endswith(DERIVED_MARK)) for c in columns])

    def _validation(self, col: Column, codes, letter: str, strict: bool = True) -> DataValidation:
        inline = ",".join(codes)
        if len(inline) <= INLINE_LIST_MAX and all("," not in c and '"' not in c for c in codes):
            source = f'"{inline}"'
        else:  # too long for Excel: the codes go on the hidden sheet
            self._list_columns.append([col.heading, *codes])
            where = get_column_letter(len(self._list_columns))
            source = (f"{quote_sheetname(LISTS)}!${where}$2:${where}${len(codes) + 1}")
        dv = DataValidation(type="list", formula1=source, allow_blank=True,
                            showErrorMessage=True, showInputMessage=True,
                            errorStyle="stop" if strict else "warning",
                            errorTitle="不在可选范围内",
                            error=f"“{col.heading}”请从下拉列表中选择；代码的含义见“说明”工作表",
                            promptTitle=col.heading[:32], prompt=self._prompt(col))
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        return dv

    def _prompt(self, col: Column) -> str:
        labels = col.labels or {}
        text = "\n".join(f"{c}：{labels[c]}" if c in labels else c for c in col.choices)
        return text if text and len(text) <= PROMPT_MAX else "代码及含义见“说明”工作表"

    def _write_lists(self) -> None:
        longest = max((len(c) for c in self._list_columns), default=0)
        for i in range(longest):
            self.lists.append([c[i] if i < len(c) else None for c in self._list_columns])

    # -- 说明 --------------------------------------------------------------------------------
    def _write_notes(self, derived: bool) -> None:
        ws = self.notes
        for letter, width in zip("ABCDE", (14, 24, 30, 60, 40)):
            ws.column_dimensions[letter].width = width
        ws.append([WriteOnlyCell(ws, value="政府信息公开申请办理台账（Excel）说明")])
        for text in _GENERAL:
            ws.append([text])
        ws.append([])
        self._heading_row(("工作表", "列标题", "是否必填", "说明", "可填的代码"))
        for name, columns in SHEET_COLUMNS.items():
            for col in columns:
                need = col.need or ("必填" if col.required else "选填")
                ws.append([name, col.heading, need, col.note or None,
                           "、".join(col.choices) or None])
        for col in DERIVED_COLUMNS:
            ws.append([CASES, col.heading, "导入时忽略", col.note or None])
        ws.append([])
        self._heading_row(("事件类型", "含义", "可填的列（另有案件序号、事件类型、日期）"))
        for kind in dl.EVENT_TYPES:
            ws.append([kind, EVENT_LABELS[kind], "、".join(event_columns_of(kind)) or "—"])
        ws.append([])
        self._heading_row(("工作表", "列标题", "代码", "含义"))
        for name, columns in SHEET_COLUMNS.items():
            for col in columns:
                if col.kind == CODE and col.labels and col.heading != "事件类型":
                    for code in col.choices:
                        ws.append([name, col.heading, code, col.labels.get(code)])
        for col in DERIVED_COLUMNS:
            for code, label in (col.labels or {}).items():
                ws.append([CASES, col.heading, code, label])
        if self.agencies:
            ws.append([])
            self._heading_row(("受理机关代码", "机关名称"))
            for code, name in self.agencies:
                ws.append([_text_cell(ws, code), _text_cell(ws, name)])

    def _heading_row(self, headings) -> None:
        row = []
        for text in headings:
            cell = WriteOnlyCell(self.notes, value=text)
            cell.font, cell.alignment = _BOLD, _WRAP
            cell.fill = PatternFill("solid", fgColor=_FILLS["optional"])
            row.append(cell)
        self.notes.append(row)

    # -- rows ------------------------------------------------------------------------------
    def _row(self, sheet: str, columns, source: dict, key, derived: bool = False) -> None:
        ws = self.sheets[sheet]
        row = []
        for col in columns:
            if col.kind == CASE_REF:
                row.append(key)
            elif col.kind == DELIVERED:
                given = col.key in source
                row.append(UNDELIVERED if given and source[col.key] is None
                           else self._cell(ws, col, source.get(col.key)))
            else:
                row.append(self._cell(ws, col, _line_value(source, col.key)))
        if derived:
            row += [self._cell(ws, c, source.get(c.key)) for c in DERIVED_COLUMNS]
        ws.append(row)

    def _cell(self, ws, col: Column, value):
        if col.kind == DELIVERED:
            col = DATE_COLUMN
        return _value(ws, col, value, self.zone)

    def case(self, key: int, line: dict, derived: bool) -> None:
        self._row(CASES, CASE_COLUMNS, line, key, derived)
        for event in line.get("events") or ():
            self._row(EVENTS, EVENT_COLUMNS, event, key)
        for appeal in line.get("appeals") or ():
            self._row(APPEALS, APPEAL_COLUMNS, appeal, key)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()


DATE_COLUMN = Column("", "", DATE)

_GENERAL = (
    "一、每个案件在“案件”表占一行；补正、征求意见、延期、收费、延后答复、撤回等事件在“事件”表"
    "每个占一行，行政复议和行政诉讼在“复议诉讼”表每个占一行，都用“案件序号”对应“案件”表的“序号”。",
    "二、同一案件的事件按发生的先后排列（同一天的按实际先后）。",
    f"三、日期可以是 Excel 日期，也可以写作文本 2024-03-05、2024/3/5 或 2024年3月5日；"
    f"提交时间可以是 Excel 日期时间，或写作 2024-01-03 10:15、2024-01-03T10:15:00+08:00。"
    f"送达日期另可写“{UNDELIVERED}”（邮寄尚未送达）。",
    "四、空白单元格表示未填写；数字填成数字或文本都可以。带下拉列表的列只能填写列表中的代码，"
    "代码的含义见下文。",
    "五、橙色标题的列必须保留；蓝色标题的列可以删除不用；灰色、以“（系统计算）”结尾的列是导出时"
    "按计算日期得出的，导入时忽略。工作表名和列标题不能改动。",
    "六、导入是“全部或全不”：任何一处有误，都不会写入任何案件；错误按“工作表!第 N 行 列标题”列出，"
    "行号即 Excel 的行号。已存在且内容相同的案件（申请编号相同）再次导入时跳过。",
)


def workbook_template(agencies: Iterable[tuple[str, str]] | None = None) -> bytes:
    """The empty Excel ledger: the sheets, their headings, lists and 说明. ``agencies``: the
    (code, name) the reader may import for, listed for 受理机关代码 (None: every agency — the
    command line runs as the system)."""
    return _Book(False, agencies).save()


def export_workbook(agency_code: str | None = None, year: int | None = None, *, as_of: date,
                    agencies: Iterable[tuple[str, str]] | None = None) -> bytes:
    """docs/ledger.md "Excel 台账": the export as a workbook — ``export_ledger``'s cases, 序号
    1, 2, 3 … in its order, the derived columns as of ``as_of``."""
    book = _Book(True, agencies)
    for key, line in enumerate(export_ledger(agency_code, year, as_of=as_of), start=1):
        book.case(key, line, True)
    return book.save()
