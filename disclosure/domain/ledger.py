"""Case ledger (台账) lines — spec/ledger.md: parse + validate JSONL → records or line errors.

Pure: stdlib and domain only. One line is one case; every problem found on a line is reported
(``LineError(line, field, code, message)``: 1-based physical line, JSON path, stable code,
Chinese message). Applicant fields go through ``domain.application.validate_application`` — the
one validator of the online form, the API and paper registration — except that identity numbers
and the phone are optional here (old ledgers often lack them) and checked only when present.

A record holds the *facts* of a case (dates of 补正, consultations, extension, fee, deferral,
conclusion); ``events_of`` turns them back into the canonical event list, so an export and a
re-import describe the same case with the same line (``to_line``).

Delivery (送达, rules.md R8.2) of the 补正 and fee notices: ``delivered_on`` absent = delivered the
day the notice went out (kept as None; a date equal to ``on`` is the same fact and is stored and
exported the same way, i.e. omitted), ``null`` = posted and not yet delivered (``…_undelivered``),
a date = that day (not before the notice). ``supplement_period_extended`` (R4.3, 正当理由): at most
one per case (the case keeps one new period), after the ``supplement_requested``, before the
``supplement_received`` and on or before the last day of the period then running (a notice not
yet delivered has no running period, so it never lapses). Acts recorded after their period
(R8.1 late acts) are not errors: ``clock_facts`` passes them on and ``deadlines`` ignores them.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from .application import Applicant, validate_application
from .codes import (
    SWEEP_OUTCOMES,
    AppealKind,
    AppealResult,
    ApplicantType,
    Channel,
    FeeMethod,
    Outcome,
    PauseKind,
    Status,
)
from .deadlines import MAX_EXTENSION_WORKDAYS, ClockFacts, Deadline, Pause, supplement_due
from .text import N_, Msg, series
from .workdays import WorkCalendar

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
SUPPLEMENT_PERIOD_MAX = 60
TRACKING_RE = re.compile(r"^(?P<agency>[A-Za-z0-9_]+)-(?P<year>\d{4})-(?P<number>\d{6})$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

IMPORTED_KEYS = ("tracking_no", "agency", "applicant", "channel", "submitted_at", "received_on",
                 "subject", "description", "delivery", "events", "outcome", "concluded_on",
                 "appeals")
DERIVED_KEYS = ("status", "clock_started_on", "due_on", "due_provisional", "timely", "overdue",
                "due_soon", "workdays_used", "workdays_paused", "late_acts")
APPLICANT_KEYS = ("type", "name", "id_type", "id_number", "credit_code", "legal_representative",
                  "contact_name", "phone", "email", "address")
EVENT_KEYS = {
    "supplement_requested": {"on", "period_workdays", "items", "delivered_on"},
    "supplement_period_extended": {"on", "period_workdays", "reason"},
    "supplement_received": {"on"},
    "consultation_started": {"on", "party", "party_name"},
    "consultation_ended": {"on", "party"},
    "extension_approved": {"on", "workdays"},
    "fee_notified": {"on", "method", "amount_yuan", "delivered_on"},
    "fee_paid": {"on"},
    "deferred_deadline_set": {"on", "due_on"},
    "withdrawn": {"on"},
}
EVENT_TYPES = tuple(EVENT_KEYS)
APPEAL_KEYS = {"kind", "filed_on", "result", "decided_on"}
CONSULTATION_PARTIES = (PauseKind.THIRD_PARTY.value, PauseKind.AGENCY.value)
# Placeholders let validate_application check the rest while these stay optional.
_PROBE = {"phone": "00000", "id_type": "other", "id_number": "0",
          "resident_id": "11010519491231002X", "credit_code": "91110000600037341L",
          "contact_name": "-"}


_DEFAULT_CAL: list[WorkCalendar] = []
_CALENDAR_FLOOR = date(2000, 1, 1)  # before this no period is dated (the calendar's range)


def _default_calendar() -> WorkCalendar:
    """The package calendar without office overrides, built once (callers with an app pass
    theirs)."""
    if not _DEFAULT_CAL:
        _DEFAULT_CAL.append(WorkCalendar())
    return _DEFAULT_CAL[0]


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message} ({self.code})"


@dataclass(frozen=True)
class Consultation:
    party: str  # third_party | agency (a PauseKind)
    started_on: date
    ended_on: date | None = None
    party_name: str | None = None


@dataclass(frozen=True)
class AppealRecord:
    kind: str
    filed_on: date
    result: str = AppealResult.PENDING.value
    decided_on: date | None = None


@dataclass(frozen=True)
class LedgerRecord:
    """The facts of one case as the ledger states them (after validation)."""
    line: int
    agency: str
    tracking_no: str | None
    applicant: Applicant
    channel: str
    subject: str
    description: str | None = None
    delivery_form: str | None = None
    delivery_method: str | None = None
    submitted_at: datetime | None = None
    received_on: date | None = None
    supplement_requested_on: date | None = None
    supplement_period_workdays: int | None = None
    supplement_items: str | None = None
    supplement_received_on: date | None = None
    # R8.2: None + not undelivered = delivered the day of the notice; undelivered = posted,
    # no signed-for date yet
    supplement_delivered_on: date | None = None
    supplement_undelivered: bool = False
    # R4.3: a new 补正 period granted for a good reason (正当理由) from that day
    supplement_new_period_on: date | None = None
    supplement_new_period_workdays: int | None = None
    supplement_new_period_reason: str | None = None
    consultations: tuple[Consultation, ...] = ()
    extension_workdays: int = 0
    extension_on: date | None = None
    fee_method: str | None = None
    fee_amount: Decimal | None = None
    fee_notified_on: date | None = None
    fee_delivered_on: date | None = None
    fee_undelivered: bool = False
    fee_paid_on: date | None = None
    deferred_due_on: date | None = None
    deferred_set_on: date | None = None
    withdrawn: bool = False
    outcome: str | None = None
    concluded_on: date | None = None
    appeals: tuple[AppealRecord, ...] = ()

    @property
    def concluded_by_sweep(self) -> bool:
        return self.outcome in SWEEP_OUTCOMES

    @property
    def year(self) -> int | None:
        """The year its tracking number belongs to (receipt, else submission)."""
        if self.received_on:
            return self.received_on.year
        return self.submitted_at.year if self.submitted_at else None


# -- reading values -----------------------------------------------------------------------------
@dataclass
class _Errors:
    line: int
    items: list[LineError] = field(default_factory=list)

    def add(self, path: str, code: str, message: str) -> None:
        self.items.append(LineError(self.line, path, code, message))


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _date(value, path: str, e: _Errors, *, required: bool = False, label: str = N_("日期")):
    if _blank(value):
        if required:
            e.add(path, "required", Msg("请填写{label}", label=label))
        return None
    if not isinstance(value, str) or not _DATE_RE.match(value):
        e.add(path, "invalid_date", Msg("{label}格式不正确：{value}，应为 YYYY-MM-DD", label=label,
                                        value=_show(value)))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        e.add(path, "invalid_date", Msg("{label}无效：{value} 不是真实存在的日期", label=label,
                                        value=value))
        return None


def _datetime(value, path: str, e: _Errors, tz: ZoneInfo) -> datetime | None:
    if _blank(value):
        return None
    try:
        if not isinstance(value, str) or len(value) < 16:
            raise ValueError
        dt = datetime.fromisoformat(value)
        dt = (dt if dt.tzinfo else dt.replace(tzinfo=tz)).astimezone(tz)
        if not 2008 <= dt.year <= 2100:  # before the 条例, or absurd: a typing error
            raise ValueError
        dt.astimezone(timezone.utc)  # must be storable as UTC
    except (ValueError, OverflowError):
        e.add(path, "invalid_datetime",
              Msg("时间格式不正确或超出范围：{value}，应为 ISO 8601，如 2024-01-03T10:15:00+08:00",
                  value=_show(value)))
        return None
    return dt


_CHOICES: dict = {}


def _allowed(choices) -> frozenset[str]:
    """The code values of an enum or mapping (cached: iterating an enum is slow)."""
    if choices not in _CHOICES:
        _CHOICES[choices] = frozenset(str(c) for c in choices)
    return _CHOICES[choices]


def _code(value, choices, path: str, e: _Errors, *, label: str, required: bool = False):
    if _blank(value):
        if required:
            e.add(path, "required", Msg("请填写{label}", label=label))
        return None
    if not isinstance(value, str) or value not in _allowed(choices):
        listed = series([str(c) for c in choices])
        e.add(path, "unknown_code", Msg("{label}代码未知：{value}（可选：{listed}）", label=label,
                                        value=_show(value), listed=listed))
        return None
    return value


def _int(value, path: str, e: _Errors, *, label: str, lo: int, hi: int, code: str = "invalid",
         required: bool = False) -> int | None:
    if value is None:
        if required:
            e.add(path, "required", Msg("请填写{label}", label=label))
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        e.add(path, "invalid", Msg("{label}须为整数", label=label))
        return None
    if not lo <= value <= hi:
        e.add(path, code, Msg("{label}须在 {lo} 至 {hi} 之间（现为 {value}）", label=label, lo=lo, hi=hi,
                               value=value))
        return None
    return value


def _text(value, path: str, e: _Errors, *, label: str, max_len: int,
          multiline: bool = False) -> str | None:
    if _blank(value):
        return None
    if not isinstance(value, str):
        e.add(path, "invalid", Msg("{label}应为文本", label=label))
        return None
    value = value.strip()
    if len(value) > max_len:
        e.add(path, "invalid", Msg("{label}不能超过 {max_len} 个字", label=label, max_len=max_len))
        return None
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        e.add(path, "invalid", Msg("{label}包含不可见的控制字符", label=label))
        return None
    return value


def _amount(value, path: str, e: _Errors) -> Decimal | None:
    if _blank(value):
        e.add(path, "required", N_("请填写收费金额（元）"))
        return None
    if not isinstance(value, str) or not _AMOUNT_RE.match(value.strip()):
        e.add(path, "invalid_amount", Msg("金额须为字符串形式的十进制数（元），如 \"700.00\"，现为 {value}",
                                          value=_show(value)))
        return None
    amount = Decimal(value.strip())
    if amount <= 0:
        e.add(path, "invalid_amount", N_("收费金额须大于 0"))
        return None
    return amount.quantize(Decimal("0.01"))


def _unknown_keys(data: dict, allowed, prefix: str, e: _Errors) -> None:
    for key in data:
        if key not in allowed:
            e.add(prefix + str(key), "unknown_field", Msg("未知字段：{key}", key=key))


def _not_future(d: date | None, today: date, path: str, e: _Errors, label: str) -> None:
    if d is not None and d > today:
        e.add(path, "future_date", Msg("{label}（{day}）不能晚于今天（{today}）", label=label, day=d,
                                       today=today))


# -- applicant ------------------------------------------------------------------------------------
_ERROR_CODES = (("请填写", "required"), ("不在可选范围内", "unknown_code"),
                ("校验位错误", "bad_check_digit"))


def _error_code(message: str) -> str:
    return next((code for text, code in _ERROR_CODES if text in message), "invalid")


def _probe(applicant: dict, e: _Errors) -> tuple[dict, set[str]]:
    """Fill the fields optional in the ledger with valid placeholders (remembered in ``filled``)."""
    probe, filled = dict(applicant), set()

    def fill(key: str, value: str) -> None:
        if _blank(probe.get(key)):
            probe[key], _ = value, filled.add(key)

    fill("phone", _PROBE["phone"])
    if probe.get("type") == ApplicantType.NATURAL_PERSON:
        if not _blank(probe.get("id_number")) and _blank(probe.get("id_type")):
            e.add("applicant.id_type", "required", N_("填写证件号码时须同时填写证件类型"))
        fill("id_type", _PROBE["id_type"])
        fill("id_number", _PROBE["resident_id" if probe["id_type"] == "resident_id" else "id_number"])
    elif probe.get("type") in _allowed(ApplicantType):
        fill("credit_code", _PROBE["credit_code"])
        fill("contact_name", _PROBE["contact_name"])
    return probe, filled


def _application(obj: dict, e: _Errors):
    applicant = obj.get("applicant")
    if not isinstance(applicant, dict):
        e.add("applicant", "required", N_("请填写申请人信息（JSON 对象）"))
        applicant = {}
    _unknown_keys(applicant, APPLICANT_KEYS, "applicant.", e)
    probe, filled = _probe(applicant, e)
    delivery = obj.get("delivery")
    if delivery is not None and not isinstance(delivery, dict):
        e.add("delivery", "invalid", N_("获取方式格式不正确"))
    if isinstance(delivery, dict):
        _unknown_keys(delivery, ("form", "method"), "delivery.", e)
    payload = {"applicant": probe, "subject": obj.get("subject"),
               "description": obj.get("description"),
               "delivery": delivery if isinstance(delivery, dict) else
               {"form": "electronic", "method": "online"}}
    app, errors = validate_application(payload)
    for path, message in errors.items():
        if path.removeprefix("applicant.") not in filled:
            e.add(path, _error_code(message), message)
    if app is None:
        return None
    for key in filled:
        setattr(app.applicant, key, None)
    if not isinstance(delivery, dict):
        app.delivery_form = app.delivery_method = None
    return app


# -- events -----------------------------------------------------------------------------------------
@dataclass
class _Facts:
    """Facts accumulated while walking the events in order."""
    received_on: date | None
    concluded_on: date | None
    received_given: bool = True  # a received_on was written (valid or not)
    seen: set[str] = field(default_factory=set)
    values: dict = field(default_factory=dict)
    consultations: list[dict] = field(default_factory=list)
    cal: WorkCalendar | None = None
    today: date | None = None


def _delivered_on(ev: dict, on: date | None, path: str, f: _Facts,
                  e: _Errors) -> tuple[date | None, bool]:
    """R8.2 ``delivered_on`` of a notice → (day, undelivered): absent → (None, False), i.e.
    delivered the day it went out; ``null`` → (None, True), posted and not yet delivered;
    a date → that day (None when it is the notice's own day: the same fact)."""
    if "delivered_on" not in ev:
        return None, False
    if ev["delivered_on"] is None:
        return None, True
    day = _date(ev["delivered_on"], path + ".delivered_on", e, required=True, label=N_("送达日期"))
    if day is None:
        return None, False
    if on is not None and day < on:
        e.add(path + ".delivered_on", "delivered_before_notice",
              Msg("送达日期（{delivered_on}）早于发出告知之日（{on}）", delivered_on=day, on=on))
    _not_future(day, f.today, path + ".delivered_on", e, N_("送达日期"))
    return (None if day == on else day), False


def _ev_supplement_requested(ev, on, path, f: _Facts, e: _Errors) -> None:
    if "supplement_requested" in f.seen:
        e.add(path, "supplement_twice",
              N_("补正告知只能发出一次（一次性告知），出现了第二个 supplement_requested"))
        return
    delivered_on, undelivered = _delivered_on(ev, on, path, f, e)
    f.values.update(
        supplement_requested_on=on,
        supplement_period_workdays=_int(ev.get("period_workdays"), path + ".period_workdays", e,
                                        label=N_("补正期限（工作日）"), lo=1, hi=SUPPLEMENT_PERIOD_MAX),
        supplement_items=_text(ev.get("items"), path + ".items", e, label=N_("补正事项"), max_len=2000,
                               multiline=True),
        supplement_delivered_on=delivered_on, supplement_undelivered=undelivered)


def _supplement_period_last_day(f: _Facts) -> date | None:
    """The last day of the 补正 period running so far (R4.1/R8.2, deadlines.supplement_due);
    None while a posted notice has no delivery date (it never lapses)."""
    v = f.values
    if v.get("supplement_undelivered") or v.get("supplement_requested_on") is None:
        return None
    start = v.get("supplement_delivered_on") or v["supplement_requested_on"]
    if not _CALENDAR_FLOOR <= start <= (f.today or start):
        return None  # a date already reported as wrong (future, absurd): no period to check
    return supplement_due(start, v.get("supplement_period_workdays"), f.cal or _default_calendar())


def _ev_supplement_period_extended(ev, on, path, f: _Facts, e: _Errors) -> None:
    """R4.3, 条例第三十条: a good reason (正当理由) recorded before the period lapsed grants a
    new period from ``on``. One per case; after the notice, before the supplement arrived."""
    workdays = _int(ev.get("period_workdays"), path + ".period_workdays", e,
                    label=N_("新的补正期限（工作日）"), lo=1, hi=SUPPLEMENT_PERIOD_MAX, required=True)
    reason = _text(ev.get("reason"), path + ".reason", e, label=N_("正当理由"), max_len=2000,
                   multiline=True)
    if reason is None and _blank(ev.get("reason")):
        e.add(path + ".reason", "required", N_("请填写给予新的补正期限的正当理由（reason）"))
    if "supplement_requested" not in f.seen:
        e.add(path, "period_extended_without_request",
              N_("给予新的补正期限之前没有发出补正告知（supplement_requested）"))
        return
    if "supplement_received" in f.seen:
        e.add(path, "period_extended_after_received",
              N_("已收到补正（supplement_received），不能再给予新的补正期限"))
        return
    if "supplement_period_extended" in f.seen:
        e.add(path, "period_extended_twice",
              N_("补正期限只能因正当理由重新给予一次，出现了第二个 supplement_period_extended"))
        return
    last = _supplement_period_last_day(f)
    if on is not None and last is not None and on > last:
        e.add(path + ".on", "supplement_period_lapsed",
              Msg("补正期限已于 {last} 届满，{on} 不能再给予新的补正期限（条例第三十条）",
                  last=last, on=on))
    f.values.update(supplement_new_period_on=on, supplement_new_period_workdays=workdays,
                    supplement_new_period_reason=reason)


def _ev_supplement_received(ev, on, path, f: _Facts, e: _Errors) -> None:
    if "supplement_requested" not in f.seen:
        e.add(path, "supplement_without_request",
              N_("收到补正之前没有发出补正告知（supplement_requested）"))
    elif "supplement_received" in f.seen:
        e.add(path, "supplement_received_twice", N_("出现了第二个 supplement_received"))
    else:
        f.values["supplement_received_on"] = on


def _ev_consultation_started(ev, on, path, f: _Facts, e: _Errors) -> None:
    party = _code(ev.get("party"), CONSULTATION_PARTIES, path + ".party", e,
                  label=N_("征求意见对象类型"), required=True)
    name = _text(ev.get("party_name"), path + ".party_name", e, label=N_("被征求意见方名称"), max_len=200)
    f.consultations.append({"party": party, "started_on": on, "ended_on": None,
                            "party_name": name, "open": True})


def _ev_consultation_ended(ev, on, path, f: _Facts, e: _Errors) -> None:
    party = _code(ev.get("party"), CONSULTATION_PARTIES, path + ".party", e, label=N_("征求意见对象类型"))
    match = next((c for c in f.consultations if c["open"] and party in (None, c["party"])), None)
    if match is None:
        e.add(path, "consultation_not_started",
              N_("结束的征求意见此前没有开始（缺少 consultation_started）"))
    else:
        match["open"], match["ended_on"] = False, on


def _ev_extension_approved(ev, on, path, f: _Facts, e: _Errors) -> None:
    if "extension_approved" in f.seen:
        e.add(path, "extension_twice", N_("答复期限只能延长一次，出现了第二个 extension_approved"))
        return
    f.values.update(extension_on=on, extension_workdays=_int(
        ev.get("workdays"), path + ".workdays", e, label=N_("延长的工作日数"), lo=1,
        hi=MAX_EXTENSION_WORKDAYS, code="extension_too_long", required=True))


def _ev_fee_notified(ev, on, path, f: _Facts, e: _Errors) -> None:
    if "fee_notified" in f.seen:
        e.add(path, "fee_twice", N_("收费通知只能发出一次，出现了第二个 fee_notified"))
        return
    delivered_on, undelivered = _delivered_on(ev, on, path, f, e)
    f.values.update(
        fee_notified_on=on, fee_amount=_amount(ev.get("amount_yuan"), path + ".amount_yuan", e),
        fee_method=_code(ev.get("method"), FeeMethod, path + ".method", e, label=N_("收费方式"),
                         required=True),
        fee_delivered_on=delivered_on, fee_undelivered=undelivered)


def _ev_fee_paid(ev, on, path, f: _Facts, e: _Errors) -> None:
    if "fee_notified" not in f.seen:
        e.add(path, "fee_paid_without_notice", N_("缴费之前没有收费通知（fee_notified）"))
    elif "fee_paid" in f.seen:
        e.add(path, "fee_paid_twice", N_("出现了第二个 fee_paid"))
    else:
        f.values["fee_paid_on"] = on


def _ev_deferred_deadline_set(ev, on, path, f: _Facts, e: _Errors) -> None:
    if "deferred_deadline_set" in f.seen:
        e.add(path, "deferred_twice", N_("出现了第二个 deferred_deadline_set"))
        return
    due = _date(ev.get("due_on"), path + ".due_on", e, required=True, label=N_("延后的答复期限"))
    if due and on and due <= on:
        e.add(path + ".due_on", "deferred_not_later",
              Msg("延后的答复期限（{due}）须晚于确定之日（{on}）", due=due, on=on))
    f.values.update(deferred_due_on=due, deferred_set_on=on)


def _ev_withdrawn(ev, on, path, f: _Facts, e: _Errors) -> None:
    f.values["withdrawn_on"] = on


_HANDLERS = {
    "supplement_requested": _ev_supplement_requested,
    "supplement_period_extended": _ev_supplement_period_extended,
    "supplement_received": _ev_supplement_received,
    "consultation_started": _ev_consultation_started,
    "consultation_ended": _ev_consultation_ended,
    "extension_approved": _ev_extension_approved,
    "fee_notified": _ev_fee_notified,
    "fee_paid": _ev_fee_paid,
    "deferred_deadline_set": _ev_deferred_deadline_set,
    "withdrawn": _ev_withdrawn,
}


def _check_event_day(on: date | None, prev: date | None, path: str, f: _Facts, today: date,
                     e: _Errors) -> None:
    if on is None:
        return
    if prev and on < prev:
        e.add(path + ".on", "out_of_order",
              Msg("事件日期（{on}）早于前一事件（{prev}），事件须按时间先后排列", on=on, prev=prev))
    if f.received_on and on < f.received_on:
        e.add(path + ".on", "before_received",
              Msg("事件日期（{on}）早于收到申请之日（{received_on}）", on=on,
                  received_on=f.received_on))
    if f.concluded_on and on > f.concluded_on:
        e.add(path + ".on", "after_concluded",
              Msg("事件日期（{on}）晚于办结日期（{concluded_on}）", on=on,
                  concluded_on=f.concluded_on))
    _not_future(on, today, path + ".on", e, N_("事件日期"))


def _event(ev, path: str, prev: date | None, f: _Facts, today: date, e: _Errors) -> date | None:
    if not isinstance(ev, dict):
        e.add(path, "invalid", N_("事件应为 JSON 对象"))
        return prev
    kind = _code(ev.get("type"), EVENT_TYPES, path + ".type", e, label=N_("事件类型"), required=True)
    if kind is None:
        return prev
    _unknown_keys(ev, EVENT_KEYS[kind] | {"type"}, path + ".", e)
    if "withdrawn" in f.seen:
        e.add(path, "after_withdrawn", N_("撤回（withdrawn）之后不能再有其他事件"))
    elif not f.received_given and kind != "withdrawn":
        e.add(path, "not_received", N_("尚未确认收到申请（缺少 received_on），不能有办理事件"))
    on = _date(ev.get("on"), path + ".on", e, required=True, label=N_("事件日期"))
    _check_event_day(on, prev, path, f, today, e)
    _HANDLERS[kind](ev, on, path, f, e)
    f.seen.add(kind)
    return on or prev


def _events(obj: dict, f: _Facts, today: date, e: _Errors) -> None:
    events = obj.get("events")
    if events is None:
        return
    if not isinstance(events, list):
        e.add("events", "invalid", N_("events 应为 JSON 数组"))
        return
    prev = None
    for i, ev in enumerate(events):
        prev = _event(ev, f"events[{i}]", prev, f, today, e)


# -- appeals ----------------------------------------------------------------------------------------
def _appeal(item, path: str, received_on: date | None, today: date, e: _Errors):
    if not isinstance(item, dict):
        e.add(path, "invalid", N_("复议诉讼记录应为 JSON 对象"))
        return None
    _unknown_keys(item, APPEAL_KEYS, path + ".", e)
    kind = _code(item.get("kind"), AppealKind, path + ".kind", e, label=N_("复议诉讼类型"), required=True)
    result = _code(item.get("result"), AppealResult, path + ".result", e, label=N_("复议诉讼结果"))
    result = result or (None if not _blank(item.get("result")) else AppealResult.PENDING.value)
    filed = _date(item.get("filed_on"), path + ".filed_on", e, required=True, label=N_("提起日期"))
    decided = _date(item.get("decided_on"), path + ".decided_on", e, label=N_("审结日期"))
    if filed and received_on and filed < received_on:
        e.add(path + ".filed_on", "before_received", Msg("提起日期（{filed}）早于收到申请之日", filed=filed))
    if filed and decided and decided < filed:
        e.add(path + ".decided_on", "out_of_order",
              Msg("审结日期（{decided}）早于提起日期（{filed}）", decided=decided, filed=filed))
    if decided and result == AppealResult.PENDING:
        e.add(path + ".result", "appeal_pending_decided", N_("已填审结日期，结果不能为 pending（尚未审结）"))
    if result and result != AppealResult.PENDING and decided is None \
            and _blank(item.get("decided_on")):
        e.add(path + ".decided_on", "required", N_("已审结的（结果不是 pending），请填写审结日期"))
    _not_future(filed, today, path + ".filed_on", e, N_("提起日期"))
    _not_future(decided, today, path + ".decided_on", e, N_("审结日期"))
    if kind and filed and result:
        return AppealRecord(kind, filed, result, decided)
    return None


def _appeals(obj: dict, received_on: date | None, today: date, e: _Errors) -> tuple:
    items = obj.get("appeals")
    if items is None:
        return ()
    if not isinstance(items, list):
        e.add("appeals", "invalid", N_("appeals 应为 JSON 数组"))
        return ()
    parsed = [_appeal(a, f"appeals[{i}]", received_on, today, e) for i, a in enumerate(items)]
    return tuple(a for a in parsed if a is not None)


# -- one line ---------------------------------------------------------------------------------------
def _tracking_no(value, e: _Errors) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64 or _CONTROL.search(value) \
            or value != value.strip():
        e.add("tracking_no", "invalid", N_("申请编号须为不超过 64 字的文本，且前后不能有空格"))
        return None
    return value


def _agency(value, default: str | None, e: _Errors) -> str | None:
    if _blank(value):
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


def _receipt(obj: dict, channel: str | None, today: date, tz: ZoneInfo, e: _Errors):
    submitted_at = _datetime(obj.get("submitted_at"), "submitted_at", e, tz)
    received_on = _date(obj.get("received_on"), "received_on", e, label=N_("收到申请之日"))
    submitted_on = submitted_at.astimezone(tz).date() if submitted_at else None
    if received_on is None and not _blank(obj.get("received_on")):
        return submitted_at, None
    if received_on is None and (submitted_at is None or channel not in (None, Channel.ONLINE)):
        e.add("received_on", "required",
              N_("请填写收到申请之日（received_on）；只有尚未确认的在线申请可以只填 submitted_at"))
    _not_future(received_on, today, "received_on", e, N_("收到申请之日"))
    _not_future(submitted_on, today, "submitted_at", e, N_("提交时间"))
    if received_on and submitted_on and received_on < submitted_on:
        e.add("received_on", "received_before_submitted",
              Msg("收到申请之日（{received_on}）早于提交之日（{submitted_on}）",
                  received_on=received_on, submitted_on=submitted_on))
    return submitted_at, received_on


def _conclusion(obj: dict, received_on: date | None, today: date, e: _Errors):
    outcome = _code(obj.get("outcome"), Outcome, "outcome", e, label=N_("办理结果"))
    concluded_on = _date(obj.get("concluded_on"), "concluded_on", e, label=N_("办结日期"))
    has_outcome, has_date = not _blank(obj.get("outcome")), not _blank(obj.get("concluded_on"))
    if has_outcome and not has_date:
        e.add("concluded_on", "outcome_with_date",
              N_("填写了办理结果（outcome）就须同时填写办结日期（concluded_on）"))
    if has_date and not has_outcome:
        e.add("outcome", "outcome_with_date",
              N_("填写了办结日期（concluded_on）就须同时填写办理结果（outcome）"))
    _not_future(concluded_on, today, "concluded_on", e, N_("办结日期"))
    if concluded_on and received_on and concluded_on < received_on:
        e.add("concluded_on", "concluded_before_received",
              Msg("办结日期（{concluded_on}）早于收到申请之日（{received_on}）",
                  concluded_on=concluded_on, received_on=received_on))
    return outcome, concluded_on


def _withdrawal(f: _Facts, outcome, concluded_on, submitted_at, tz, e: _Errors):
    """A `withdrawn` event concludes the case as other.other on its day (ledger.md)."""
    if "withdrawn" not in f.seen:
        if outcome and not f.received_given:
            e.add("outcome", "not_received", N_("尚未确认收到的申请只能以撤回（withdrawn 事件）办结"))
        return outcome, concluded_on
    on = f.values.get("withdrawn_on")
    submitted_on = submitted_at.astimezone(tz).date() if submitted_at else None
    if on and submitted_on and on < submitted_on:
        e.add("events", "before_received",
              Msg("撤回日期（{on}）早于提交之日（{submitted_on}）", on=on, submitted_on=submitted_on))
    if outcome and outcome != Outcome.OTHER_OTHER:
        e.add("outcome", "withdrawn_conflict",
              Msg("撤回的申请办理结果应为 other.other，而不是 {outcome}", outcome=outcome))
    if concluded_on and on and concluded_on != on:
        e.add("concluded_on", "withdrawn_conflict",
              Msg("办结日期（{concluded_on}）与撤回日期（{on}）不一致", concluded_on=concluded_on, on=on))
    return Outcome.OTHER_OTHER.value, on


def parse_record(obj, line: int, *, today: date, agency: str | None = None,
                 tz: ZoneInfo = DEFAULT_TZ, cal: WorkCalendar | None = None,
                 ) -> tuple[LedgerRecord | None, list[LineError]]:
    """Validate one ledger object (spec/ledger.md) → (record, []) or (None, every error).
    ``cal`` (the office calendar; default: the package's) dates the 补正 period (R4.3)."""
    e = _Errors(line)
    if not isinstance(obj, dict):
        e.add("$", "not_object", N_("每行应为一个 JSON 对象"))
        return None, e.items
    _unknown_keys(obj, IMPORTED_KEYS + DERIVED_KEYS, "", e)
    tracking_no = _tracking_no(obj.get("tracking_no"), e)
    agency_code = _agency(obj.get("agency"), agency, e)
    channel = _code(obj.get("channel"), Channel, "channel", e, label=N_("提交方式"), required=True)
    app = _application(obj, e)
    submitted_at, received_on = _receipt(obj, channel, today, tz, e)
    outcome, concluded_on = _conclusion(obj, received_on, today, e)
    f = _Facts(received_on, concluded_on, not _blank(obj.get("received_on")), cal=cal, today=today)
    _events(obj, f, today, e)
    outcome, concluded_on = _withdrawal(f, outcome, concluded_on, submitted_at, tz, e)
    appeals = _appeals(obj, received_on, today, e)
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
        appeals=tuple(sorted(appeals, key=_appeal_key)), **values), []


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
        return None, [LineError(line, "$", "not_json", Msg("不是有效的 JSON：{error}", error=error))]
    if "\\ud" in text.lower() and _lone_surrogate(obj):
        return None, [LineError(line, "$", "not_json", N_("包含无效的 Unicode 转义（孤立的代理字符）"))]
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
    """Every line of a ledger file: the valid records and every error (spec/ledger.md).
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


# -- what the facts mean ------------------------------------------------------------------------------
def derive_status(rec: LedgerRecord) -> str:
    """The case status the facts imply (codes.md): concluded → replied / withdrawn / abandoned;
    open → submitted, awaiting_supplement, paused (open consultation or unpaid fee),
    in_progress (something happened) or registered.

    The status is where the case stands in the workflow (what the office waits for), not the
    clock: a late act (R8.1) still leaves the case where the office put it — a late 补正 notice
    still awaits the supplement, a late fee notice the payment — while ``deadlines`` gives the
    act no effect on the due date. A new 补正 period (R4.3) keeps awaiting_supplement; an
    undelivered notice changes nothing here (its period simply has not started)."""
    if rec.concluded_on is not None:
        if rec.withdrawn:
            return Status.WITHDRAWN.value
        return Status.ABANDONED.value if rec.concluded_by_sweep else Status.REPLIED.value
    if rec.received_on is None:
        return Status.SUBMITTED.value
    if rec.supplement_requested_on and rec.supplement_received_on is None:
        return Status.AWAITING_SUPPLEMENT.value
    fee_open = rec.fee_notified_on is not None and rec.fee_paid_on is None
    if fee_open or any(c.ended_on is None for c in rec.consultations):
        return Status.PAUSED.value
    happened = (rec.supplement_requested_on or rec.consultations or rec.extension_workdays
                or rec.fee_notified_on or rec.deferred_due_on)
    return Status.IN_PROGRESS.value if happened else Status.REGISTERED.value


def clock_facts(rec: LedgerRecord) -> ClockFacts:
    """The same ClockFacts a hand-entered case with these facts has (services.cases.facts_of)."""
    return ClockFacts(
        received_on=rec.received_on, supplement_requested_on=rec.supplement_requested_on,
        supplement_period_workdays=rec.supplement_period_workdays,
        supplement_received_on=rec.supplement_received_on,
        pauses=tuple(Pause(c.party, c.started_on, c.ended_on) for c in rec.consultations),
        extension_workdays=rec.extension_workdays or 0, deferred_due_on=rec.deferred_due_on,
        fee_notified_on=rec.fee_notified_on, fee_paid_on=rec.fee_paid_on,
        concluded_on=rec.concluded_on, concluded_by_sweep=rec.concluded_by_sweep,
        supplement_delivered_on=rec.supplement_delivered_on,
        supplement_undelivered=rec.supplement_undelivered,
        supplement_new_period_on=rec.supplement_new_period_on,
        supplement_new_period_workdays=rec.supplement_new_period_workdays,
        fee_delivered_on=rec.fee_delivered_on, fee_undelivered=rec.fee_undelivered,
        extension_on=rec.extension_on if rec.extension_workdays else None,
        deferred_on=rec.deferred_set_on if rec.deferred_due_on else None)


# -- back to a line -----------------------------------------------------------------------------------
def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _with_delivery(event: dict, on: date, delivered_on: date | None, undelivered: bool) -> dict:
    """R8.2 back to a line: ``null`` while undelivered, the day when later than the notice,
    nothing when delivered the same day (as the import reads an absent ``delivered_on``)."""
    if undelivered:
        event["delivered_on"] = None
    elif delivered_on is not None and delivered_on != on:
        event["delivered_on"] = _iso(delivered_on)
    return event


def _consultation_events(rec: LedgerRecord) -> list[tuple[date, int, dict, int]]:
    out = []
    for i, c in enumerate(rec.consultations):
        out.append((c.started_on, 2, _drop_none({"type": "consultation_started",
                                                 "on": _iso(c.started_on), "party": c.party,
                                                 "party_name": c.party_name}), i))
        if c.ended_on is not None:
            out.append((c.ended_on, 2, {"type": "consultation_ended", "on": _iso(c.ended_on)}, i))
    return out


def _name_ended_parties(ordered: list[tuple], rec: LedgerRecord) -> None:
    """Say which consultation ends only where more than one is open (import ends the first)."""
    open_ = []
    for _on, _rank, ev, i in ordered:
        if ev["type"] == "consultation_started":
            open_.append(i)
        elif ev["type"] == "consultation_ended":
            if len(open_) > 1:
                ev["party"] = rec.consultations[i].party
            if i in open_:
                open_.remove(i)


def events_of(rec: LedgerRecord) -> list[dict]:
    """The canonical event list of the facts, in date order (ties: the natural order)."""
    found: list[tuple[date | None, int, dict, int]] = []
    if rec.supplement_requested_on:
        found.append((rec.supplement_requested_on, 0, _with_delivery(_drop_none({
            "type": "supplement_requested", "on": _iso(rec.supplement_requested_on),
            "period_workdays": rec.supplement_period_workdays, "items": rec.supplement_items}),
            rec.supplement_requested_on, rec.supplement_delivered_on, rec.supplement_undelivered),
            -1))
    if rec.supplement_new_period_on:
        found.append((rec.supplement_new_period_on, 0, _drop_none({
            "type": "supplement_period_extended", "on": _iso(rec.supplement_new_period_on),
            "period_workdays": rec.supplement_new_period_workdays,
            "reason": rec.supplement_new_period_reason}), -1))
    if rec.supplement_received_on:
        found.append((rec.supplement_received_on, 1, {
            "type": "supplement_received", "on": _iso(rec.supplement_received_on)}, -1))
    found += _consultation_events(rec)
    if rec.extension_workdays:
        found.append((rec.extension_on, 3, {"type": "extension_approved", "on": _iso(rec.extension_on),
                                            "workdays": rec.extension_workdays}, -1))
    if rec.fee_notified_on:
        found.append((rec.fee_notified_on, 4, _with_delivery(_drop_none({
            "type": "fee_notified", "on": _iso(rec.fee_notified_on), "method": rec.fee_method,
            "amount_yuan": None if rec.fee_amount is None else f"{rec.fee_amount:.2f}"}),
            rec.fee_notified_on, rec.fee_delivered_on, rec.fee_undelivered), -1))
    if rec.fee_paid_on:
        found.append((rec.fee_paid_on, 5, {"type": "fee_paid", "on": _iso(rec.fee_paid_on)}, -1))
    if rec.deferred_due_on:
        found.append((rec.deferred_set_on, 6, {"type": "deferred_deadline_set",
                                               "on": _iso(rec.deferred_set_on),
                                               "due_on": _iso(rec.deferred_due_on)}, -1))
    if rec.withdrawn and rec.concluded_on:
        found.append((rec.concluded_on, 9, {"type": "withdrawn", "on": _iso(rec.concluded_on)}, -1))
    ordered = [item for _n, item in sorted(
        enumerate(found), key=lambda p: (p[1][0] or date.max, p[0]))]
    _name_ended_parties(ordered, rec)
    return [ev for _on, _rank, ev, _i in ordered]


def _appeal_key(a: AppealRecord):
    return (a.filed_on, a.kind, a.result, a.decided_on or date.max)


def to_line(rec: LedgerRecord, tz: ZoneInfo = DEFAULT_TZ) -> dict:
    """The imported fields of a record as a ledger object — the canonical form used by export
    and by the "identical re-import" check."""
    a = rec.applicant
    line = {
        "tracking_no": rec.tracking_no, "agency": rec.agency,
        "applicant": _drop_none({k: getattr(a, k) for k in APPLICANT_KEYS}),
        "channel": rec.channel,
        "submitted_at": rec.submitted_at.astimezone(tz).isoformat() if rec.submitted_at else None,
        "received_on": _iso(rec.received_on), "subject": rec.subject,
        "description": rec.description,
    }
    if rec.delivery_form or rec.delivery_method:
        line["delivery"] = _drop_none({"form": rec.delivery_form, "method": rec.delivery_method})
    line["events"] = events_of(rec)
    line["outcome"] = rec.outcome
    line["concluded_on"] = _iso(rec.concluded_on)
    line["appeals"] = [_drop_none({"kind": x.kind, "filed_on": _iso(x.filed_on), "result": x.result,
                                   "decided_on": _iso(x.decided_on)})
                       for x in sorted(rec.appeals, key=_appeal_key)]
    return line


def derived_fields(status: str, dl: Deadline) -> dict:
    """The derived part of an exported line (ledger.md "Derived fields on export");
    ``late_acts`` are the R8.1 flags in the order the acts happened."""
    return {"status": status, "clock_started_on": _iso(dl.clock_started_on),
            "due_on": _iso(dl.due_on), "due_provisional": bool(dl.provisional),
            "timely": dl.timely, "overdue": bool(dl.overdue), "due_soon": bool(dl.due_soon),
            "workdays_used": dl.workdays_used, "workdays_paused": dl.workdays_paused,
            "late_acts": list(dl.late_acts)}
