"""The Excel ledger (台账) — docs/ledger.md "Excel 台账": the layout of the workbook.

An office's Excel ledger is the JSONL ledger laid out in sheets: 案件 (one row per case), 事件
(one row per event) and 复议诉讼 (one row per appeal), the latter two tied to their case by the
case's 序号. ``xlsx_read`` turns the rows into ledger lines — the very objects a JSONL line
holds — so the JSONL importer validates and imports them with the same all-or-nothing rules;
``xlsx_write`` lays an export (or an empty template) out in the same sheets.

Every column names the key of the ledger line it holds, and the code lists come from the domain
(``domain.codes``, ``domain.ledger``): the module-level checks below fail as soon as the line
format gains a key this layout does not carry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...domain import codes
from ...domain import ledger as dl
from ...domain.late_acts import LATE_ACT_LABELS
from ...domain.text import N_
from ..appeals import KIND_LABELS as APPEAL_KIND_LABELS
from ..appeals import RESULT_LABELS as APPEAL_RESULT_LABELS

CASES, EVENTS, APPEALS, NOTES, LISTS = "案件", "事件", "复议诉讼", "说明", "代码表"
DATA_SHEETS = (CASES, EVENTS, APPEALS)
KEY = "序号"  # the case's key in 案件; 事件 and 复议诉讼 name it in CASE_KEY
CASE_KEY = "案件序号"
DERIVED_MARK = "（系统计算）"  # the headings of derived columns end so; import ignores them
UNDELIVERED = "未送达"  # 送达日期 of a notice posted and not yet delivered (R8.2: null)
MAX_ROWS = 200_000  # rows per sheet read on import: far above any office's year, below a bomb
WORKBOOK_SIGNATURE = b"PK\x03\x04"  # an .xlsx is a zip archive
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (OLE compound file)

# Kinds of column: how a cell becomes a value of the line, and back.
TEXT, CODE, DATE, DATETIME, INT, AMOUNT, DELIVERED, CASE_REF, BOOL, FLAGS = (
    "text", "code", "date", "datetime", "int", "amount", "delivered", "key", "bool", "flags")


@dataclass(frozen=True)
class Column:
    heading: str
    key: str  # the line's key: "received_on", "applicant.name", an event's or appeal's key
    kind: str = TEXT
    choices: tuple[str, ...] = ()  # the codes of a CODE column (its validation list)
    labels: dict | None = None  # code → Chinese label, for the 说明 sheet and the prompt
    required: bool = False  # the heading must be there (说明: 必填 unless ``need`` says more)
    need: str = ""  # when the value is required, if not always or never
    note: str = ""
    width: int = 14


def _codes(enum) -> tuple[str, ...]:
    return tuple(str(c) for c in enum)


def _labels(mapping: dict) -> dict[str, str]:
    return {str(code): label for code, label in mapping.items()}


CASE_COLUMNS = (
    Column(KEY, "", CASE_REF, required=True, width=8, need="有事件或复议诉讼的案件必填",
           note="本表内不重复的序号（数字或文字）；“事件”“复议诉讼”表用“案件序号”与之对应。"
                "导出时为 1、2、3……，导入时不保存"),
    Column("申请编号", "tracking_no", width=20, need="选填",
           note="不超过 64 字；不填则导入时按“机关代码-年份-六位序号”生成。已导入过的编号、"
                "内容相同的案件再次导入时跳过"),
    Column("受理机关代码", "agency", width=12, need="必填，除非导入时指定了受理机关",
           note="系统中已有机关的代码"),
    Column("申请人类型", "applicant.type", CODE, _codes(codes.ApplicantType),
           _labels(codes.APPLICANT_TYPE_LABELS), required=True, width=16),
    Column("申请人姓名或名称", "applicant.name", required=True, width=18,
           note="自然人不超过 100 字，法人或其他组织不超过 200 字"),
    Column("证件类型", "applicant.id_type", CODE, _codes(codes.IdType),
           _labels(codes.ID_TYPE_LABELS), need="填写证件号码时必填", note="仅自然人"),
    Column("证件号码", "applicant.id_number", width=20,
           note="仅自然人；居民身份证须 18 位且校验位正确。请设为文本格式，以免 Excel 改写长数字"),
    Column("统一社会信用代码", "applicant.credit_code", width=20,
           note="仅法人或其他组织；18 位，校验位须正确"),
    Column("法定代表人", "applicant.legal_representative", note="仅法人或其他组织"),
    Column("联系人", "applicant.contact_name", note="仅法人或其他组织"),
    Column("联系电话", "applicant.phone", width=16,
           note="手机 11 位、带区号的固定电话（如 010-12345678）或“+国家代码 号码”"),
    Column("电子邮箱", "applicant.email", width=20),
    Column("通信地址", "applicant.address", width=24, note="不超过 300 字"),
    Column("提交方式", "channel", CODE, _codes(codes.Channel), _labels(codes.CHANNEL_LABELS),
           required=True, width=14),
    Column("提交时间", "submitted_at", DATETIME, width=20,
           note="申请人发出申请的时间：Excel 日期时间，或 2024-01-03 10:15、"
                "2024-01-03T10:15:00+08:00；不带时区的按本机关时区"),
    Column("收到申请日期", "received_on", DATE, required=True, width=14,
           need="必填，只有尚未确认收到的在线申请（提交方式 online 且填了提交时间）可以不填",
           note="法定的收到申请之日（条例第三十一条）"),
    Column("申请内容", "subject", required=True, width=36,
           note="所需政府信息的名称、文号或者便于查询的其他特征性描述；不超过 500 字，可换行"),
    Column("补充说明", "description", width=24, note="不超过 5000 字，可换行"),
    Column("信息提供形式", "delivery.form", CODE, _codes(codes.DeliveryForm),
           _labels(codes.DELIVERY_FORM_LABELS), need="与“获取信息方式”同时填写或同时不填"),
    Column("获取信息方式", "delivery.method", CODE, _codes(codes.DeliveryMethod),
           _labels(codes.DELIVERY_METHOD_LABELS), need="与“信息提供形式”同时填写或同时不填",
           note="email 须有电子邮箱，mail 须有通信地址"),
    Column("办理结果", "outcome", CODE, _codes(codes.Outcome), _labels(codes.OUTCOME_LABELS),
           width=24, need="与“办结日期”同时填写或同时不填"),
    Column("办结日期", "concluded_on", DATE, need="与“办理结果”同时填写或同时不填",
           note="答复之日；不早于收到申请日期"),
)

EVENT_LABELS = {  # what each event type of the ledger means (说明 sheet)
    "supplement_requested": "发出补正告知（一次性告知）",
    "supplement_period_extended": "因正当理由重新给予补正期限（条例第三十条）",
    "supplement_received": "收到补正，答复期限重新起算",
    "consultation_started": "开始征求意见（暂停计时）",
    "consultation_ended": "征求意见结束",
    "extension_approved": "批准延长答复期限",
    "fee_notified": "发出收费通知",
    "fee_paid": "申请人缴费",
    "deferred_deadline_set": "确定延后的答复期限（条例第三十五条）",
    "withdrawn": "申请人撤回申请（以 other.other 办结）",
}
assert tuple(EVENT_LABELS) == dl.EVENT_TYPES

EVENT_COLUMNS = (
    Column(CASE_KEY, "", CASE_REF, required=True, width=10, note="对应“案件”表的“序号”"),
    Column("事件类型", "type", CODE, dl.EVENT_TYPES, EVENT_LABELS, required=True, width=28),
    Column("日期", "on", DATE, required=True,
           note="事件发生之日；同一案件的事件按先后排列，不早于收到申请日期，不晚于办结日期"),
    Column("补正期限（工作日）", "period_workdays", INT, width=12,
           need="supplement_period_extended 必填",
           note="1–60；supplement_requested 不填为 15 个工作日"),
    Column("补正事项", "items", width=24, note="不超过 2000 字，可换行"),
    Column("正当理由", "reason", width=24, need="supplement_period_extended 必填",
           note="不超过 2000 字，可换行"),
    Column("送达日期", "delivered_on", DELIVERED,
           note=f"告知送达申请人之日：不填为发出当天送达；邮寄尚未送达的填“{UNDELIVERED}”"),
    Column("征求意见对象", "party", CODE, dl.CONSULTATION_PARTIES,
           _labels(codes.PAUSE_KIND_LABELS), need="consultation_started 必填",
           note="consultation_ended 可不填（结束最早开始的一项）"),
    Column("被征求意见方名称", "party_name", width=20, note="不超过 200 字"),
    Column("延长工作日数", "workdays", INT, width=12, need="extension_approved 必填",
           note="1–20"),
    Column("收费方式", "method", CODE, _codes(codes.FeeMethod), _labels(codes.FEE_METHOD_LABELS),
           need="fee_notified 必填"),
    Column("收费金额（元）", "amount_yuan", AMOUNT, need="fee_notified 必填",
           note="大于 0，最多两位小数"),
    Column("延后的答复期限", "due_on", DATE, need="deferred_deadline_set 必填",
           note="须晚于事件日期，可以是将来的日期"),
)

APPEAL_COLUMNS = (
    Column(CASE_KEY, "", CASE_REF, required=True, width=10, note="对应“案件”表的“序号”"),
    Column("类型", "kind", CODE, _codes(codes.AppealKind), _labels(APPEAL_KIND_LABELS),
           required=True, width=34),
    Column("提起日期", "filed_on", DATE, required=True, note="不早于收到申请日期"),
    Column("结果", "result", CODE, _codes(codes.AppealResult), _labels(APPEAL_RESULT_LABELS),
           width=12, note="不填为 pending（尚未审结）"),
    Column("审结日期", "decided_on", DATE, need="结果不是 pending 时必填",
           note="不早于提起日期；pending 不能填"),
)

DERIVED_COLUMNS = tuple(Column(heading + DERIVED_MARK, key, kind, labels=labels, note=note,
                               width=width) for heading, key, kind, labels, note, width in (
    ("状态", "status", CODE, _labels(codes.STATUS_LABELS), "案件状态代码", 14),
    ("计时起算日", "clock_started_on", DATE, None, "收到申请日期，补正后为收到补正之日", 14),
    ("答复期限", "due_on", DATE, None, "等待补正或尚未确认收到时为空", 14),
    ("答复期限暂定", "due_provisional", BOOL, None, "期限涉及尚未公布节假日安排的年份", 10),
    ("是否按期答复", "timely", BOOL, None, "办结之日不晚于答复期限；未办结为空", 10),
    ("是否逾期", "overdue", BOOL, None, "未办结且计算日期已过答复期限", 10),
    ("即将到期", "due_soon", BOOL, None, "未办结且即将到期", 10),
    ("已用工作日", "workdays_used", INT, None, "起算至办结（未办结：至计算日期）", 10),
    ("暂停工作日", "workdays_paused", INT, None, "征求意见、缴费期间", 10),
    ("超期行为标记", "late_acts", FLAGS, _labels(LATE_ACT_LABELS),
     "超过法定期限才作出的行为（规则 R8.1），以“、”分隔", 22),
))

SHEET_COLUMNS = {CASES: CASE_COLUMNS, EVENTS: EVENT_COLUMNS, APPEALS: APPEAL_COLUMNS}

# The layout carries every key of a line (and no other): the line format is the contract.
assert {c.key for c in CASE_COLUMNS if c.key} == (
    {k for k in dl.IMPORTED_KEYS if k not in ("applicant", "delivery", "events", "appeals")}
    | {f"applicant.{k}" for k in dl.APPLICANT_KEYS} | {f"delivery.{k}" for k in dl.DELIVERY_KEYS})
assert {c.key for c in EVENT_COLUMNS if c.key} == {"type"}.union(*dl.EVENT_KEYS.values())
assert {c.key for c in APPEAL_COLUMNS if c.key} == dl.APPEAL_KEYS
assert tuple(c.key for c in DERIVED_COLUMNS) == dl.DERIVED_KEYS


def event_columns_of(kind: str) -> tuple[str, ...]:
    """The headings of the columns an event type may fill (besides 案件序号, 事件类型, 日期)."""
    keys = dl.EVENT_KEYS[kind] - {"on"}
    return tuple(c.heading for c in EVENT_COLUMNS if c.key in keys)


# The workbook's own error codes (docs/ledger.md "Excel 台账"), besides those of a ledger line.
WORKBOOK_CODES = frozenset({"missing_sheet", "missing_column", "unknown_column",
                            "duplicate_column", "duplicate_key", "unknown_case", "too_many_rows"})


@dataclass(frozen=True)
class CellError:
    """An error of an Excel ledger, where the reader sees it: sheet, Excel row, column heading.
    ``line`` is the Excel row (as ``LineError.line`` is the JSONL line); 0 for the workbook or a
    sheet as a whole. The codes are the JSONL ones plus the workbook's own (docs/ledger.md)."""
    sheet: str
    line: int
    column: str
    code: str
    message: str  # Chinese (a Msg or N_ text: translatable at the web edge)

    def __post_init__(self) -> None:
        assert self.code in dl.ERROR_CODES | WORKBOOK_CODES, self.code

    @property
    def where(self) -> str:
        """案件!第 12 行 收到申请日期 — the reader's way to find the cell."""
        place = self.sheet + (f"!第 {self.line} 行" if self.line else "")
        return f"{place} {self.column}" if self.column else place

    def __str__(self) -> str:
        return f"{self.where}：{self.message} ({self.code})"


class LedgerFileError(ValueError):
    """The upload is no workbook the importer can open (nothing is read, nothing imported)."""

    def __init__(self, message: str):
        super().__init__(str(message))
        self.message = message


def is_workbook(head: bytes, filename: str | None = None) -> bool:
    """Whether an uploaded ledger is meant as Excel rather than JSONL: its first bytes (a zip or
    an Excel 97-2003 file) or, for a damaged file, its name."""
    name = (filename or "").lower()
    return (head.startswith((WORKBOOK_SIGNATURE, XLS_SIGNATURE))
            or name.endswith((".xlsx", ".xlsm", ".xls")))


def not_a_workbook(head: bytes) -> LedgerFileError:
    if head.startswith(XLS_SIGNATURE):
        return LedgerFileError(N_("不支持 Excel 97-2003 格式（.xls）的文件，"
                                  "请在 Excel 中另存为 .xlsx 后再导入"))
    return LedgerFileError(N_("文件不是有效的 Excel 工作簿（.xlsx），无法打开；未导入任何案件"))


# -- where a line's errors are in the workbook --------------------------------------------------
@dataclass
class Place:
    """Where the parts of one ledger line are: its 案件 row, its 事件 and 复议诉讼 rows."""
    row: int
    events: list[int] = field(default_factory=list)
    appeals: list[int] = field(default_factory=list)


_INDEXED = re.compile(r"^(events|appeals)\[(\d+)\](?:\.(\w+))?$")
_CASE_HEADINGS = {c.key: c.heading for c in CASE_COLUMNS if c.key}
_CASE_HEADINGS.update({"applicant": "申请人类型", "delivery": "信息提供形式"})
_CHILD_HEADINGS = {sheet: {c.key: c.heading for c in SHEET_COLUMNS[sheet] if c.key}
                   for sheet in (EVENTS, APPEALS)}


def locate(err: dl.LineError, places: dict[int, Place]) -> CellError:
    """A JSONL error (line = the case's 案件 row, JSON path) → its sheet, row and column."""
    place = places[err.line]
    m = _INDEXED.match(err.field)
    if m:
        sheet = EVENTS if m[1] == "events" else APPEALS
        rows = place.events if sheet == EVENTS else place.appeals
        column = _CHILD_HEADINGS[sheet].get(m[3] or "", "")
        return CellError(sheet, rows[int(m[2])], column, err.code, err.message)
    return CellError(CASES, place.row, _CASE_HEADINGS.get(err.field, ""), err.code, err.message)


def error_order(e: CellError) -> tuple[int, int, int]:
    """Errors are listed by sheet, row, then column, as the reader goes through the file: a
    row's own errors first, headings not in the layout last."""
    columns = [c.heading for c in SHEET_COLUMNS.get(e.sheet, ())]
    place = -1 if not e.column else (
        columns.index(e.column) if e.column in columns else len(columns))
    return DATA_SHEETS.index(e.sheet) if e.sheet in DATA_SHEETS else -1, e.line, place
