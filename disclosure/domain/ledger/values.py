"""Reading one value of a ledger line: each reader returns the clean value or None, and reports
what is wrong to the line's ``Errors`` with the code of the rule it checks."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..bounds import is_case_date
from ..text import N_, Msg, series
from .record import LineError

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Errors:
    """Every error found on one line, in the order found."""
    line: int
    items: list[LineError] = field(default_factory=list)

    def add(self, path: str, code: str, message: str) -> None:
        self.items.append(LineError(self.line, path, code, message))


def show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_date(value, path: str, e: Errors, *, required: bool = False,
              label: str = N_("日期")) -> date | None:
    if blank(value):
        if required:
            e.add(path, "required", Msg("请填写{label}", label=label))
        return None
    if not isinstance(value, str) or not _DATE_RE.match(value):
        e.add(path, "invalid_date", Msg("{label}格式不正确：{value}，应为 YYYY-MM-DD", label=label,
                                        value=show(value)))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        e.add(path, "invalid_date", Msg("{label}无效：{value} 不是真实存在的日期", label=label,
                                        value=value))
        return None


def read_datetime(value, path: str, e: Errors, tz: ZoneInfo) -> datetime | None:
    if blank(value):
        return None
    try:
        if not isinstance(value, str) or len(value) < 16:
            raise ValueError
        dt = datetime.fromisoformat(value)
        dt = (dt if dt.tzinfo else dt.replace(tzinfo=tz)).astimezone(tz)
        if not is_case_date(dt.date()):  # before the 条例, or absurd: a typing error
            raise ValueError
        dt.astimezone(timezone.utc)  # must be storable as UTC
    except (ValueError, OverflowError):
        e.add(path, "invalid_datetime",
              Msg("时间格式不正确或超出范围：{value}，应为 ISO 8601，如 2024-01-03T10:15:00+08:00",
                  value=show(value)))
        return None
    return dt


_CHOICES: dict = {}


def allowed(choices) -> frozenset[str]:
    """The code values of an enum or mapping (cached: iterating an enum is slow)."""
    if choices not in _CHOICES:
        _CHOICES[choices] = frozenset(str(c) for c in choices)
    return _CHOICES[choices]


def read_code(value, choices, path: str, e: Errors, *, label: str, required: bool = False):
    if blank(value):
        if required:
            e.add(path, "required", Msg("请填写{label}", label=label))
        return None
    if not isinstance(value, str) or value not in allowed(choices):
        listed = series([str(c) for c in choices])
        e.add(path, "unknown_code", Msg("{label}代码未知：{value}（可选：{listed}）", label=label,
                                        value=show(value), listed=listed))
        return None
    return value


def read_int(value, path: str, e: Errors, *, label: str, lo: int, hi: int,
             out_of_range: str = "invalid", required: bool = False) -> int | None:
    """An integer in [lo, hi]; ``out_of_range`` is the code of a number outside it."""
    if value is None:
        if required:
            e.add(path, "required", Msg("请填写{label}", label=label))
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        e.add(path, "invalid", Msg("{label}须为整数", label=label))
        return None
    if not lo <= value <= hi:
        e.add(path, out_of_range, Msg("{label}须在 {lo} 至 {hi} 之间（现为 {value}）", label=label,
                                      lo=lo, hi=hi, value=value))
        return None
    return value


def read_text(value, path: str, e: Errors, *, label: str, max_len: int,
              multiline: bool = False) -> str | None:
    if blank(value):
        return None
    if not isinstance(value, str):
        e.add(path, "invalid", Msg("{label}应为文本", label=label))
        return None
    value = value.strip()
    if len(value) > max_len:
        e.add(path, "invalid", Msg("{label}不能超过 {max_len} 个字", label=label, max_len=max_len))
        return None
    if (_CONTROL_MULTILINE if multiline else CONTROL).search(value):
        e.add(path, "invalid", Msg("{label}包含不可见的控制字符", label=label))
        return None
    return value


def read_amount(value, path: str, e: Errors) -> Decimal | None:
    if blank(value):
        e.add(path, "required", N_("请填写收费金额（元）"))
        return None
    if not isinstance(value, str) or not _AMOUNT_RE.match(value.strip()):
        e.add(path, "invalid_amount",
              Msg("金额须为字符串形式的十进制数（元），如 \"700.00\"，现为 {value}",
                  value=show(value)))
        return None
    amount = Decimal(value.strip())
    if amount <= 0:
        e.add(path, "invalid_amount", N_("收费金额须大于 0"))
        return None
    return amount.quantize(Decimal("0.01"))


def unknown_keys(data: dict, known, prefix: str, e: Errors) -> None:
    for key in data:
        if key not in known:
            e.add(prefix + str(key), "unknown_field", Msg("未知字段：{key}", key=key))


def not_future(d: date | None, today: date, path: str, e: Errors, label: str) -> None:
    if d is not None and d > today:
        e.add(path, "future_date", Msg("{label}（{day}）不能晚于今天（{today}）", label=label,
                                       day=d, today=today))
