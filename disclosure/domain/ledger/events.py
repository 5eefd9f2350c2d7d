"""The events of a ledger line, walked in order into facts (docs/ledger.md "Events").

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

from dataclasses import dataclass, field
from datetime import date

from ..codes import FeeMethod
from ..deadlines import MAX_EXTENSION_WORKDAYS, supplement_due
from ..text import N_, Msg
from ..workdays import WorkCalendar
from .record import CONSULTATION_PARTIES, EVENT_KEYS, EVENT_TYPES, SUPPLEMENT_PERIOD_MAX
from .values import (
    Errors,
    blank,
    not_future,
    read_amount,
    read_code,
    read_date,
    read_int,
    read_text,
    unknown_keys,
)

_DEFAULT_CAL: list[WorkCalendar] = []
_CALENDAR_FLOOR = date(2000, 1, 1)  # the working-day calendar's range: no period dated before


def _default_calendar() -> WorkCalendar:
    """The package calendar without office overrides, built once (callers with an app pass
    theirs)."""
    if not _DEFAULT_CAL:
        _DEFAULT_CAL.append(WorkCalendar())
    return _DEFAULT_CAL[0]


@dataclass
class Facts:
    """Facts accumulated while walking the events in order."""
    received_on: date | None
    concluded_on: date | None
    received_given: bool = True  # a received_on was written (valid or not)
    seen: set[str] = field(default_factory=set)
    values: dict = field(default_factory=dict)
    consultations: list[dict] = field(default_factory=list)
    cal: WorkCalendar | None = None
    today: date | None = None


def _delivered_on(ev: dict, on: date | None, path: str, f: Facts,
                  e: Errors) -> tuple[date | None, bool]:
    """R8.2 ``delivered_on`` of a notice → (day, undelivered): absent → (None, False), i.e.
    delivered the day it went out; ``null`` → (None, True), posted and not yet delivered;
    a date → that day (None when it is the notice's own day: the same fact)."""
    if "delivered_on" not in ev:
        return None, False
    if ev["delivered_on"] is None:
        return None, True
    day = read_date(ev["delivered_on"], path + ".delivered_on", e, required=True,
                    label=N_("送达日期"))
    if day is None:
        return None, False
    if on is not None and day < on:
        e.add(path + ".delivered_on", "delivered_before_notice",
              Msg("送达日期（{delivered_on}）早于发出告知之日（{on}）", delivered_on=day, on=on))
    not_future(day, f.today, path + ".delivered_on", e, N_("送达日期"))
    return (None if day == on else day), False


def _supplement_requested(ev, on, path, f: Facts, e: Errors) -> None:
    if "supplement_requested" in f.seen:
        e.add(path, "supplement_twice",
              N_("补正告知只能发出一次（一次性告知），出现了第二个 supplement_requested"))
        return
    delivered_on, undelivered = _delivered_on(ev, on, path, f, e)
    f.values.update(
        supplement_requested_on=on,
        supplement_period_workdays=read_int(
            ev.get("period_workdays"), path + ".period_workdays", e,
            label=N_("补正期限（工作日）"), lo=1, hi=SUPPLEMENT_PERIOD_MAX),
        supplement_items=read_text(ev.get("items"), path + ".items", e, label=N_("补正事项"),
                                   max_len=2000, multiline=True),
        supplement_delivered_on=delivered_on, supplement_undelivered=undelivered)


def _supplement_period_last_day(f: Facts) -> date | None:
    """The last day of the 补正 period running so far (R4.1/R8.2, deadlines.supplement_due);
    None while a posted notice has no delivery date (it never lapses)."""
    v = f.values
    if v.get("supplement_undelivered") or v.get("supplement_requested_on") is None:
        return None
    start = v.get("supplement_delivered_on") or v["supplement_requested_on"]
    if not _CALENDAR_FLOOR <= start <= (f.today or start):
        return None  # a date already reported as wrong (future, absurd): no period to check
    return supplement_due(start, v.get("supplement_period_workdays"), f.cal or _default_calendar())


def _period_extension_refused(path: str, f: Facts, e: Errors) -> bool:
    """R4.3: one new period, after the notice and before the supplement arrived."""
    if "supplement_requested" not in f.seen:
        e.add(path, "period_extended_without_request",
              N_("给予新的补正期限之前没有发出补正告知（supplement_requested）"))
    elif "supplement_received" in f.seen:
        e.add(path, "period_extended_after_received",
              N_("已收到补正（supplement_received），不能再给予新的补正期限"))
    elif "supplement_period_extended" in f.seen:
        e.add(path, "period_extended_twice",
              N_("补正期限只能因正当理由重新给予一次，出现了第二个 supplement_period_extended"))
    else:
        return False
    return True


def _supplement_period_extended(ev, on, path, f: Facts, e: Errors) -> None:
    """R4.3, 条例第三十条: a good reason (正当理由) recorded before the period lapsed grants a
    new period from ``on``. One per case; after the notice, before the supplement arrived."""
    workdays = read_int(ev.get("period_workdays"), path + ".period_workdays", e,
                        label=N_("新的补正期限（工作日）"), lo=1, hi=SUPPLEMENT_PERIOD_MAX,
                        required=True)
    reason = read_text(ev.get("reason"), path + ".reason", e, label=N_("正当理由"), max_len=2000,
                       multiline=True)
    if reason is None and blank(ev.get("reason")):
        e.add(path + ".reason", "required", N_("请填写给予新的补正期限的正当理由（reason）"))
    if _period_extension_refused(path, f, e):
        return
    last = _supplement_period_last_day(f)
    if on is not None and last is not None and on > last:
        e.add(path + ".on", "supplement_period_lapsed",
              Msg("补正期限已于 {last} 届满，{on} 不能再给予新的补正期限（条例第三十条）",
                  last=last, on=on))
    f.values.update(supplement_new_period_on=on, supplement_new_period_workdays=workdays,
                    supplement_new_period_reason=reason)


def _supplement_received(ev, on, path, f: Facts, e: Errors) -> None:
    if "supplement_requested" not in f.seen:
        e.add(path, "supplement_without_request",
              N_("收到补正之前没有发出补正告知（supplement_requested）"))
    elif "supplement_received" in f.seen:
        e.add(path, "supplement_received_twice", N_("出现了第二个 supplement_received"))
    else:
        f.values["supplement_received_on"] = on


def _consultation_started(ev, on, path, f: Facts, e: Errors) -> None:
    party = read_code(ev.get("party"), CONSULTATION_PARTIES, path + ".party", e,
                      label=N_("征求意见对象类型"), required=True)
    name = read_text(ev.get("party_name"), path + ".party_name", e, label=N_("被征求意见方名称"),
                     max_len=200)
    f.consultations.append({"party": party, "started_on": on, "ended_on": None,
                            "party_name": name, "open": True})


def _consultation_ended(ev, on, path, f: Facts, e: Errors) -> None:
    party = read_code(ev.get("party"), CONSULTATION_PARTIES, path + ".party", e,
                      label=N_("征求意见对象类型"))
    match = next((c for c in f.consultations if c["open"] and party in (None, c["party"])), None)
    if match is None:
        e.add(path, "consultation_not_started",
              N_("结束的征求意见此前没有开始（缺少 consultation_started）"))
    else:
        match["open"], match["ended_on"] = False, on


def _extension_approved(ev, on, path, f: Facts, e: Errors) -> None:
    if "extension_approved" in f.seen:
        e.add(path, "extension_twice", N_("答复期限只能延长一次，出现了第二个 extension_approved"))
        return
    f.values.update(extension_on=on, extension_workdays=read_int(
        ev.get("workdays"), path + ".workdays", e, label=N_("延长的工作日数"), lo=1,
        hi=MAX_EXTENSION_WORKDAYS, out_of_range="extension_too_long", required=True))


def _fee_notified(ev, on, path, f: Facts, e: Errors) -> None:
    if "fee_notified" in f.seen:
        e.add(path, "fee_twice", N_("收费通知只能发出一次，出现了第二个 fee_notified"))
        return
    delivered_on, undelivered = _delivered_on(ev, on, path, f, e)
    f.values.update(
        fee_notified_on=on, fee_amount=read_amount(ev.get("amount_yuan"), path + ".amount_yuan", e),
        fee_method=read_code(ev.get("method"), FeeMethod, path + ".method", e,
                             label=N_("收费方式"), required=True),
        fee_delivered_on=delivered_on, fee_undelivered=undelivered)


def _fee_paid(ev, on, path, f: Facts, e: Errors) -> None:
    if "fee_notified" not in f.seen:
        e.add(path, "fee_paid_without_notice", N_("缴费之前没有收费通知（fee_notified）"))
    elif "fee_paid" in f.seen:
        e.add(path, "fee_paid_twice", N_("出现了第二个 fee_paid"))
    else:
        f.values["fee_paid_on"] = on


def _deferred_deadline_set(ev, on, path, f: Facts, e: Errors) -> None:
    if "deferred_deadline_set" in f.seen:
        e.add(path, "deferred_twice", N_("出现了第二个 deferred_deadline_set"))
        return
    due = read_date(ev.get("due_on"), path + ".due_on", e, required=True,
                    label=N_("延后的答复期限"))
    if due and on and due <= on:
        e.add(path + ".due_on", "deferred_not_later",
              Msg("延后的答复期限（{due}）须晚于确定之日（{on}）", due=due, on=on))
    f.values.update(deferred_due_on=due, deferred_set_on=on)


def _withdrawn(ev, on, path, f: Facts, e: Errors) -> None:
    f.values["withdrawn_on"] = on


_HANDLERS = {
    "supplement_requested": _supplement_requested,
    "supplement_period_extended": _supplement_period_extended,
    "supplement_received": _supplement_received,
    "consultation_started": _consultation_started,
    "consultation_ended": _consultation_ended,
    "extension_approved": _extension_approved,
    "fee_notified": _fee_notified,
    "fee_paid": _fee_paid,
    "deferred_deadline_set": _deferred_deadline_set,
    "withdrawn": _withdrawn,
}
assert tuple(_HANDLERS) == EVENT_TYPES


def _check_event_day(on: date | None, prev: date | None, path: str, f: Facts, today: date,
                     e: Errors) -> None:
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
    not_future(on, today, path + ".on", e, N_("事件日期"))


def _event(ev, path: str, prev: date | None, f: Facts, today: date, e: Errors) -> date | None:
    if not isinstance(ev, dict):
        e.add(path, "invalid", N_("事件应为 JSON 对象"))
        return prev
    kind = read_code(ev.get("type"), EVENT_TYPES, path + ".type", e, label=N_("事件类型"),
                     required=True)
    if kind is None:
        return prev
    unknown_keys(ev, EVENT_KEYS[kind] | {"type"}, path + ".", e)
    if "withdrawn" in f.seen:
        e.add(path, "after_withdrawn", N_("撤回（withdrawn）之后不能再有其他事件"))
    elif not f.received_given and kind != "withdrawn":
        e.add(path, "not_received", N_("尚未确认收到申请（缺少 received_on），不能有办理事件"))
    on = read_date(ev.get("on"), path + ".on", e, required=True, label=N_("事件日期"))
    _check_event_day(on, prev, path, f, today, e)
    _HANDLERS[kind](ev, on, path, f, e)
    f.seen.add(kind)
    return on or prev


def read_events(obj: dict, f: Facts, today: date, e: Errors) -> None:
    """Walk ``obj["events"]`` in order into ``f``, reporting every error."""
    events = obj.get("events")
    if events is None:
        return
    if not isinstance(events, list):
        e.add("events", "invalid", N_("events 应为 JSON 数组"))
        return
    prev = None
    for i, ev in enumerate(events):
        prev = _event(ev, f"events[{i}]", prev, f, today, e)
