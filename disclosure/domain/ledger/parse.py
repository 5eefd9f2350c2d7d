"""A ledger file → records or line errors (docs/ledger.md "Validation").

One line is one case; every problem found on a line is reported, each with its 1-based physical
line, JSON path and code. A line with any error gives no record.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..codes import Channel, Outcome
from ..text import N_, Msg
from ..workdays import WorkCalendar
from .appeals import read_appeals
from .applicant import read_application
from .events import Facts, read_events
from .record import (
    DEFAULT_TZ,
    DERIVED_KEYS,
    IMPORTED_KEYS,
    Consultation,
    LedgerRecord,
    LineError,
    appeal_key,
)
from .values import (
    CONTROL,
    Errors,
    blank,
    not_future,
    read_code,
    read_date,
    read_datetime,
    unknown_keys,
)


def _tracking_no(value, e: Errors) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64 or CONTROL.search(value) \
            or value != value.strip():
        e.add("tracking_no", "invalid", N_("申请编号须为不超过 64 字的文本，且前后不能有空格"))
        return None
    return value


def _agency(value, default: str | None, e: Errors) -> str | None:
    if blank(value):
        if default is None:
            e.add("agency", "required", N_("请填写受理机关代码（agency），或在导入时指定 --agency"))
        return default
    if not isinstance(value, str):
        e.add("agency", "invalid", N_("受理机关代码应为文本"))
        return None
    if default is not None and value != default:
        e.add("agency", "agency_mismatch",
              Msg("受理机关 {agency} 与导入时指定的 {given} 不一致", agency=value, given=default))
    return value


def _receipt(obj: dict, channel: str | None, today: date, tz: ZoneInfo,
             e: Errors) -> tuple[datetime | None, date | None]:
    submitted_at = read_datetime(obj.get("submitted_at"), "submitted_at", e, tz)
    received_on = read_date(obj.get("received_on"), "received_on", e, label=N_("收到申请之日"))
    submitted_on = submitted_at.astimezone(tz).date() if submitted_at else None
    if received_on is None and not blank(obj.get("received_on")):
        return submitted_at, None
    if received_on is None and (submitted_at is None or channel not in (None, Channel.ONLINE)):
        e.add("received_on", "required",
              N_("请填写收到申请之日（received_on）；只有尚未确认的在线申请可以只填 submitted_at"))
    not_future(received_on, today, "received_on", e, N_("收到申请之日"))
    not_future(submitted_on, today, "submitted_at", e, N_("提交时间"))
    if received_on and submitted_on and received_on < submitted_on:
        e.add("received_on", "received_before_submitted",
              Msg("收到申请之日（{received_on}）早于提交之日（{submitted_on}）",
                  received_on=received_on, submitted_on=submitted_on))
    return submitted_at, received_on


def _conclusion(obj: dict, received_on: date | None, today: date, e: Errors):
    outcome = read_code(obj.get("outcome"), Outcome, "outcome", e, label=N_("办理结果"))
    concluded_on = read_date(obj.get("concluded_on"), "concluded_on", e, label=N_("办结日期"))
    has_outcome, has_date = not blank(obj.get("outcome")), not blank(obj.get("concluded_on"))
    if has_outcome and not has_date:
        e.add("concluded_on", "outcome_with_date",
              N_("填写了办理结果（outcome）就须同时填写办结日期（concluded_on）"))
    if has_date and not has_outcome:
        e.add("outcome", "outcome_with_date",
              N_("填写了办结日期（concluded_on）就须同时填写办理结果（outcome）"))
    not_future(concluded_on, today, "concluded_on", e, N_("办结日期"))
    if concluded_on and received_on and concluded_on < received_on:
        e.add("concluded_on", "concluded_before_received",
              Msg("办结日期（{concluded_on}）早于收到申请之日（{received_on}）",
                  concluded_on=concluded_on, received_on=received_on))
    return outcome, concluded_on


def _withdrawal(f: Facts, outcome, concluded_on, submitted_at, tz, e: Errors):
    """A `withdrawn` event concludes the case as other.other on its day (docs/ledger.md)."""
    if "withdrawn" not in f.seen:
        if outcome and not f.received_given:
            e.add("outcome", "not_received",
                  N_("尚未确认收到的申请只能以撤回（withdrawn 事件）办结"))
        return outcome, concluded_on
    on = f.values.get("withdrawn_on")
    submitted_on = submitted_at.astimezone(tz).date() if submitted_at else None
    if on and submitted_on and on < submitted_on:
        e.add("events", "before_received",
              Msg("撤回日期（{on}）早于提交之日（{submitted_on}）", on=on,
                  submitted_on=submitted_on))
    if outcome and outcome != Outcome.OTHER_OTHER:
        e.add("outcome", "withdrawn_conflict",
              Msg("撤回的申请办理结果应为 other.other，而不是 {outcome}", outcome=outcome))
    if concluded_on and on and concluded_on != on:
        e.add("concluded_on", "withdrawn_conflict",
              Msg("办结日期（{concluded_on}）与撤回日期（{on}）不一致", concluded_on=concluded_on,
                  on=on))
    return Outcome.OTHER_OTHER.value, on


def parse_record(obj, line: int, *, today: date, agency: str | None = None,
                 tz: ZoneInfo = DEFAULT_TZ, cal: WorkCalendar | None = None,
                 ) -> tuple[LedgerRecord | None, list[LineError]]:
    """Validate one ledger object (docs/ledger.md) → (record, []) or (None, every error).
    ``cal`` (the office calendar; default: the package's) dates the 补正 period (R4.3)."""
    e = Errors(line)
    if not isinstance(obj, dict):
        e.add("$", "not_object", N_("每行应为一个 JSON 对象"))
        return None, e.items
    unknown_keys(obj, IMPORTED_KEYS + DERIVED_KEYS, "", e)
    tracking_no = _tracking_no(obj.get("tracking_no"), e)
    agency_code = _agency(obj.get("agency"), agency, e)
    channel = read_code(obj.get("channel"), Channel, "channel", e, label=N_("提交方式"),
                        required=True)
    app = read_application(obj, e)
    submitted_at, received_on = _receipt(obj, channel, today, tz, e)
    outcome, concluded_on = _conclusion(obj, received_on, today, e)
    f = Facts(received_on, concluded_on, not blank(obj.get("received_on")), cal=cal, today=today)
    read_events(obj, f, today, e)
    outcome, concluded_on = _withdrawal(f, outcome, concluded_on, submitted_at, tz, e)
    appeals = read_appeals(obj, received_on, today, e)
    if e.items:
        return None, e.items
    values = {k: v for k, v in f.values.items() if k != "withdrawn_on"}
    consultations = tuple(Consultation(c["party"], c["started_on"], c["ended_on"], c["party_name"])
                          for c in f.consultations)
    return LedgerRecord(
        line=line, agency=agency_code, tracking_no=tracking_no, applicant=app.applicant,
        channel=channel, subject=app.subject, description=app.description,
        delivery_form=app.delivery_form, delivery_method=app.delivery_method,
        submitted_at=submitted_at, received_on=received_on, consultations=consultations,
        withdrawn="withdrawn" in f.seen, outcome=outcome, concluded_on=concluded_on,
        appeals=tuple(sorted(appeals, key=appeal_key)), **values), []


def parse_line(text: str, line: int, *, today: date, agency: str | None = None,
               tz: ZoneInfo = DEFAULT_TZ, cal: WorkCalendar | None = None,
               ) -> tuple[LedgerRecord | None, list[LineError]]:
    """One physical line of JSONL (not blank) → record or errors."""
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return None, [LineError(line, "$", "not_json",
                                Msg("不是有效的 JSON（第 {column} 个字符附近：{error}）",
                                    column=exc.colno, error=exc.msg))]
    except (ValueError, RecursionError) as exc:
        error = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Msg) else str(exc)
        return None, [LineError(line, "$", "not_json",
                                Msg("不是有效的 JSON：{error}", error=error))]
    if "\\ud" in text.lower() and _lone_surrogate(obj):
        return None, [LineError(line, "$", "not_json",
                                N_("包含无效的 Unicode 转义（孤立的代理字符）"))]
    return parse_record(obj, line, today=today, agency=agency, tz=tz, cal=cal)


def _lone_surrogate(obj) -> bool:
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _reject_constant(name: str):
    raise ValueError(Msg("不支持 {name}", name=name))


def physical_lines(source: str | Iterable[str]) -> Iterable[tuple[int, str]]:
    """(1-based line number, text) of each non-blank line; a str is split on "\\n" only."""
    lines = source.split("\n") if isinstance(source, str) else source
    for number, text in enumerate(lines, start=1):
        text = text.rstrip("\r\n")
        if number == 1:
            text = text.removeprefix("\ufeff")
        if text.strip():
            yield number, text


def parse_ledger(source: str | Iterable[str], *, today: date, agency: str | None = None,
                 tz: ZoneInfo = DEFAULT_TZ, cal: WorkCalendar | None = None,
                 ) -> tuple[list[LedgerRecord], list[LineError]]:
    """Every line of a ledger file: the valid records and every error (docs/ledger.md).
    A tracking number given twice in the file is an error on the later line."""
    records, errors, seen = [], [], {}
    for number, text in physical_lines(source):
        rec, errs = parse_line(text, number, today=today, agency=agency, tz=tz, cal=cal)
        errors.extend(errs)
        if rec is None:
            continue
        if rec.tracking_no is not None and rec.tracking_no in seen:
            errors.append(LineError(number, "tracking_no", "duplicate_tracking_no",
                                    Msg("申请编号 {tracking_no} 与第 {line} 行重复",
                                        tracking_no=rec.tracking_no, line=seen[rec.tracking_no])))
            continue
        if rec.tracking_no is not None:
            seen[rec.tracking_no] = number
        records.append(rec)
    return records, errors
