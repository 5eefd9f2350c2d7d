"""Reading an Excel ledger (docs/ledger.md "Excel 台账"): the workbook's rows → ledger lines.

The rows of a case (its 案件 row, its 事件 and 复议诉讼 rows) become one ledger line — the object
a JSONL line holds — numbered by the Excel row of its 案件 row. The JSONL importer then checks
and imports those lines, so the rules and the all-or-nothing import are the same; its errors
(line, JSON path) are mapped back to the sheet, row and column the reader sees. What only a
workbook can get wrong (a sheet or heading missing, a date the cell does not hold, an event of a
case that is not there) is reported here, with the same location; then the lines are still
checked, as a dry run, so that every error of the file is listed at once — nothing is written.
"""
from __future__ import annotations

import io
import json
import re
import warnings
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ...domain import ledger as dl
from ...domain.text import N_, Msg
from ..actors import SYSTEM_ACTOR, Actor
from .importer import ImportResult, import_ledger
from .xlsx import (
    AMOUNT,
    APPEALS,
    CASE_KEY,
    CASE_REF,
    CASES,
    DATA_SHEETS,
    DATE,
    DATETIME,
    DELIVERED,
    DERIVED_MARK,
    EVENTS,
    INT,
    KEY,
    MAX_ROWS,
    SHEET_COLUMNS,
    UNDELIVERED,
    WORKBOOK_SIGNATURE,
    CellError,
    Column,
    Place,
    error_order,
    event_columns_of,
    locate,
    not_a_workbook,
)

_DATE_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]|年\s*(\d{1,2})\s*月)"
                        r"\s*(\d{1,2})\s*日?$")
_DATETIME_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]|年\s*(\d{1,2})\s*月)"
                            r"\s*(\d{1,2})\s*日?(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_WHOLE = re.compile(r"^\d+(?:\.0*)?$")
_BY_HEADING = {sheet: {c.heading: c for c in columns} for sheet, columns in SHEET_COLUMNS.items()}
_DATE_FORMS = "2024-03-05、2024/3/5、2024年3月5日"
ABSENT = object()  # an empty cell: the line leaves the key out


class _Bad(Exception):
    """A cell that cannot be read as its column's kind (code, message)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


# -- one cell ----------------------------------------------------------------------------------
def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _number_text(value: int | float) -> str:
    """A number typed where text is meant (a phone, an amount): its digits, no float noise."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(Decimal(repr(value)), "f") if isinstance(value, float) else str(value)


def _text(value):
    if isinstance(value, str):
        return value.strip() or ABSENT
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    return value  # a bool: the line's own check says what is wrong with it


def _date(value) -> str:
    if isinstance(value, datetime):  # an Excel date cell
        return value.date().isoformat()
    if isinstance(value, str):
        m = _DATE_TEXT.match(value.strip())
        if not m:
            raise _Bad("invalid_date", Msg("无法识别的日期：{value}（可写作 {forms}，"
                                           "或使用 Excel 日期）", value=_shown(value),
                                           forms=_DATE_FORMS))
        year, month, day = int(m[1]), int(m[2] or m[3]), int(m[4])
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            raise _Bad("invalid_date", Msg("{value} 不是真实存在的日期",
                                           value=_shown(value))) from None
    raise _Bad("invalid_date", Msg("应为日期，而不是 {value}（可写作 {forms}，"
                                   "或把单元格设为日期格式）", value=_shown(value),
                                   forms=_DATE_FORMS))


def _datetime(value) -> str:
    """Excel's date-time (no zone: the office's), or text: the readable forms are made ISO 8601;
    any other text goes to the line as it is (ISO 8601 with an offset is read there)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        m = _DATETIME_TEXT.match(value.strip())
        if not m:
            return value.strip()
        month = int(m[2] or m[3])
        return (f"{int(m[1]):04d}-{month:02d}-{int(m[4]):02d}T{int(m[5]):02d}:{m[6]}:"
                f"{m[7] or '00'}")
    raise _Bad("invalid_datetime", Msg("应为日期时间，而不是 {value}（可写作 "
                                       "2024-01-03 10:15，或使用 Excel 日期时间）",
                                       value=_shown(value)))


def _int(value):
    """A whole number typed as a number or as text; anything else goes to the line's own check
    (which says it must be an integer)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _WHOLE.match(value.strip()):
        return int(value.strip().split(".")[0])
    return value.strip() if isinstance(value, str) else value


def _amount(value):
    """元 as the line writes them: a decimal string, whatever the cell holds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(value)
    return value.strip() if isinstance(value, str) else value


def key_of(value) -> str | None:
    """A case's 序号 as written in any sheet: 12, 12.0 and "12" are the same case."""
    if value is None:
        return None
    text = _number_text(value) if isinstance(value, (int, float)) else str(value).strip()
    return text or None


def cell_value(col: Column, value):
    """A cell → the line's value (ABSENT for an empty cell), or ``_Bad``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ABSENT
    if col.kind == DATE:
        return _date(value)
    if col.kind == DELIVERED:
        return None if str(value).strip() == UNDELIVERED else _date(value)
    if col.kind == DATETIME:
        return _datetime(value)
    if col.kind == INT:
        return _int(value)
    if col.kind == AMOUNT:
        return _amount(value)
    return _text(value)  # TEXT and CODE: codes are text too


def _raw(value):
    """A value that did not read, passed on to the line as it is (so the line still has it)."""
    return value if isinstance(value, (str, int, float, bool)) else str(value)


# -- the workbook ------------------------------------------------------------------------------
@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (Excel row, heading → value)


def _heading(value) -> str:
    """Headings as typed: ASCII brackets are the template's full-width ones."""
    return str(value).strip().replace("(", "（").replace(")", "）") if value is not None else ""


def _read_sheet(ws, name: str, errors: list[CellError]) -> Sheet:
    sheet, known = Sheet(name), _BY_HEADING[name]
    ws.reset_dimensions()  # some writers record a wrong size: read what is there
    rows = ws.iter_rows(values_only=True)
    columns: dict[int, str] = {}  # index → heading of the columns read
    named: set[int] = set()  # a column without a heading must be empty
    for i, value in enumerate(next(rows, ())):
        heading = _heading(value)
        if not heading:
            continue
        named.add(i)
        if heading in columns.values():
            errors.append(CellError(name, 1, heading, "duplicate_column",
                                    Msg("列标题“{heading}”重复", heading=heading)))
        elif heading in known:
            columns[i] = heading
        elif not (name == CASES and heading.endswith(DERIVED_MARK)):  # derived: ignored
            errors.append(CellError(name, 1, heading, "unknown_column",
                                    Msg("未知的列标题“{heading}”（可用的列见模板的“说明”工作表）",
                                        heading=heading)))
    for col in known.values():
        if col.required and col.heading not in columns.values():
            errors.append(CellError(name, 1, col.heading, "missing_column",
                                    Msg("缺少必需的列“{heading}”", heading=col.heading)))
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            errors.append(CellError(name, 0, "", "too_many_rows", Msg(
                "工作表超过 {n} 行，请拆分后分批导入", n=MAX_ROWS)))
            break
        filled = {i: v for i, v in enumerate(values)
                  if v is not None and not (isinstance(v, str) and not v.strip())}
        for i in sorted(filled.keys() - named):
            errors.append(CellError(name, number, "", "unknown_column", Msg(
                "{letter} 列没有列标题，却填写了内容", letter=get_column_letter(i + 1))))
        if filled:
            sheet.rows.append((number, {columns[i]: v for i, v in filled.items() if i in columns}))
    return sheet


def read_workbook(data: bytes) -> tuple[dict[str, Sheet], list[CellError]]:
    """The three data sheets of a workbook, and what is wrong with their shape. A file that is
    no workbook raises ``LedgerFileError``."""
    if not data.startswith(WORKBOOK_SIGNATURE):
        raise not_a_workbook(data[:8])
    errors: list[CellError] = []
    sheets: dict[str, Sheet] = {}
    try:
        with warnings.catch_warnings():  # features openpyxl cannot keep: values are unaffected
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                for name in DATA_SHEETS:
                    if name in book.sheetnames:
                        sheets[name] = _read_sheet(book[name], name, errors)
            finally:
                book.close()
    except Exception as exc:  # a damaged archive or sheet: openpyxl raises many kinds
        raise not_a_workbook(data[:8]) from exc
    for name in DATA_SHEETS:
        if name not in sheets:
            errors.append(CellError(name, 0, "", "missing_sheet", N_(
                "缺少此工作表（工作表名须与模板一致）")))
    return sheets, errors


# -- rows → lines ------------------------------------------------------------------------------
@dataclass
class Lines:
    objects: dict[int, dict] = field(default_factory=dict)  # 案件 row → ledger line
    places: dict[int, Place] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    read_errors: set[tuple[int, str]] = field(default_factory=set)  # (line, path) reported

    def bad(self, sheet: str, row: int, line: int, path: str, heading: str, exc: _Bad) -> None:
        self.errors.append(CellError(sheet, row, heading, exc.code, exc.message))
        self.read_errors.add((line, path))


def _set(obj: dict, key: str, value) -> None:
    if "." in key:
        outer, inner = key.split(".", 1)
        obj.setdefault(outer, {})[inner] = value
    else:
        obj[key] = value


def _fill(obj: dict, sheet: str, row: int, cells: dict, out: Lines, line: int, prefix: str,
          allowed=None) -> None:
    """The cells of one row into ``obj`` (``allowed``: the keys an event type may have)."""
    for heading, value in cells.items():
        col = _BY_HEADING[sheet][heading]
        if col.kind == CASE_REF:
            continue
        path = prefix + col.key
        if allowed is not None and col.key not in allowed:
            out.bad(sheet, row, line, path, heading, _Bad("unknown_field", Msg(
                "事件类型 {kind} 不填“{heading}”（可填：{columns}）", kind=obj["type"],
                heading=heading, columns="、".join(event_columns_of(obj["type"])) or "—")))
            continue
        try:
            got = cell_value(col, value)
        except _Bad as exc:
            out.bad(sheet, row, line, path, heading, exc)
            got = _raw(value)
        if got is not ABSENT:
            _set(obj, col.key, got)


def _cases(sheet: Sheet, out: Lines) -> dict[str, int]:
    keys: dict[str, int] = {}
    for row, cells in sheet.rows:
        obj: dict = {"applicant": {}}  # so a missing name is reported on its column
        _fill(obj, CASES, row, cells, out, row, "")
        out.objects[row], out.places[row] = obj, Place(row)
        key = key_of(cells.get(KEY))
        if key is None:
            continue
        if key in keys:
            out.errors.append(CellError(CASES, row, KEY, "duplicate_key", Msg(
                "序号 {key} 与第 {row} 行重复", key=key, row=keys[key])))
        else:
            keys[key] = row
    return keys


def _case_of(sheet: str, row: int, cells: dict, keys: dict[str, int], out: Lines) -> int | None:
    key = key_of(cells.get(CASE_KEY))
    if key is None:
        out.errors.append(CellError(sheet, row, CASE_KEY, "required", N_("请填写案件序号")))
        return None
    if key not in keys:
        out.errors.append(CellError(sheet, row, CASE_KEY, "unknown_case", Msg(
            "“案件”工作表中没有序号为 {key} 的案件", key=key)))
        return None
    return keys[key]


def _children(sheet: Sheet, keys: dict[str, int], out: Lines) -> None:
    """事件 / 复议诉讼 rows onto their case's line, in sheet order (events: the line's order)."""
    name, list_key = sheet.name, "events" if sheet.name == EVENTS else "appeals"
    for row, cells in sheet.rows:
        line = _case_of(name, row, cells, keys, out)
        if line is None:
            continue
        items = out.objects[line].setdefault(list_key, [])
        rows = getattr(out.places[line], list_key)
        prefix, item = f"{list_key}[{len(items)}].", {}
        items.append(item)
        rows.append(row)
        allowed = None
        if name == EVENTS:
            kind = cell_value(_BY_HEADING[EVENTS]["事件类型"], cells.get("事件类型"))
            if kind in dl.EVENT_KEYS:
                item["type"], allowed = kind, dl.EVENT_KEYS[kind] | {"type"}
        _fill(item, name, row, cells, out, line, prefix, allowed)


def workbook_lines(sheets: dict[str, Sheet]) -> Lines:
    out = Lines()
    keys = _cases(sheets[CASES], out)
    _children(sheets[EVENTS], keys, out)
    _children(sheets[APPEALS], keys, out)
    return out


def jsonl_of(lines: Lines) -> list[str]:
    """The lines as JSONL whose line numbers are the Excel rows (other rows blank)."""
    text = [""] * max(lines.objects, default=0)
    for row, obj in lines.objects.items():
        text[row - 1] = json.dumps(obj, ensure_ascii=False)
    return text


def import_workbook(data: bytes, *, agency_code: str | None = None, dry_run: bool = False,
                    today: date, actor: Actor = SYSTEM_ACTOR) -> ImportResult:
    """docs/ledger.md "Excel 台账": import an .xlsx ledger — all cases or none. The errors are
    ``CellError``s (sheet, Excel row, column), in sheet, row and column order; the late acts
    name the 案件 row. Raises ``LedgerFileError`` for a file that is no workbook."""
    sheets, errors = read_workbook(data)
    if errors:  # the shape is wrong: the rows cannot be read for what they mean
        return ImportResult(sorted(errors, key=error_order), dry_run=dry_run)
    lines = workbook_lines(sheets)
    check_only = dry_run or bool(lines.errors)  # a cell unread: list every error, write nothing
    result = import_ledger(jsonl_of(lines), agency_code=agency_code, dry_run=check_only,
                           today=today, actor=actor)
    found = lines.errors + [locate(e, lines.places) for e in result.errors
                            if (e.line, e.field) not in lines.read_errors]
    if not found:
        return result
    return replace(result, errors=sorted(found, key=error_order), created=0, late=[],
                   dry_run=dry_run)
