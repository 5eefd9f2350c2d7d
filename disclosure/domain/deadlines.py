"""The statutory reply clock (spec R2–R5): due date, pauses, 补正, flags and their explanation.

Pure: plain dates in, plain dataclasses out. All working-day arithmetic goes through
``WorkCalendar`` (bisect look-ups), and the due date is found by walking the merged pauses, not
by a day-by-day loop over the whole period (``deadline_steps.walk``).

The explanation ("计算过程", built in ``deadline_steps``) and the validation errors are ``Msg`` /
``N_`` texts: as strings they are the Chinese sentences; the web layer can show them in the
reader's language (dates are passed as ISO strings, pause kinds as their ``N_`` labels). Acts
recorded after their period (R8.1) are sorted out by ``late_acts`` before the clock is counted.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from disclosure.domain.codes import PauseKind
from disclosure.domain.deadline_steps import Span, Step, calendar_steps, iso, walk
from disclosure.domain.text import N_, Msg
from disclosure.domain.workdays import WorkCalendar

REPLY_WORKDAYS = 20
MAX_EXTENSION_WORKDAYS = 20
CONSULTATION_CAP_WORKDAYS = 15
SUPPLEMENT_NOTICE_WORKDAYS = 7
SUPPLEMENT_PERIOD_DEFAULT = 15
FEE_PAYMENT_WORKDAYS = 20
DUE_SOON_WORKDAYS = 3


@dataclass(frozen=True)
class Pause:
    """A period not counted (R3.3 consultation, R5.4 fee); ``end`` None = still open."""
    kind: str
    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in set(PauseKind):
            raise ValueError(Msg("未知的暂停类型：{kind}", kind=self.kind))
        if self.end is not None and self.end < self.start:
            raise ValueError(Msg("暂停结束日 {end} 早于开始日 {start}",
                                 end=iso(self.end), start=iso(self.start)))


@dataclass(frozen=True)
class ClockFacts:
    """Everything the clock depends on, as recorded for one case."""
    received_on: date | None
    supplement_requested_on: date | None = None
    supplement_period_workdays: int | None = None
    supplement_received_on: date | None = None
    pauses: tuple[Pause, ...] = ()
    extension_workdays: int = 0
    deferred_due_on: date | None = None
    fee_notified_on: date | None = None
    fee_paid_on: date | None = None
    concluded_on: date | None = None
    concluded_by_sweep: bool = False
    # R8.2 送达: the applicant's periods run from the day the notice reached them. None with
    # ``…_undelivered`` False = delivered the day it was issued (online, e-mail, in person, and
    # history recorded before delivery dates were); ``…_undelivered`` True = sent by post, no
    # signed-for date yet, so the period has not started.
    supplement_delivered_on: date | None = None
    supplement_undelivered: bool = False
    # R4.3: a good reason (正当理由) recorded before the lapse: a new period from that day.
    supplement_new_period_on: date | None = None
    supplement_new_period_workdays: int | None = None
    fee_delivered_on: date | None = None
    fee_undelivered: bool = False
    # R8.1: the days the extension was approved and the deferred date set (None = history
    # without the day: taken as on time).
    extension_on: date | None = None
    deferred_on: date | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.extension_workdays <= MAX_EXTENSION_WORKDAYS:
            raise ValueError(Msg("延长期限须在 0 至 {max} 个工作日之间",
                                 max=MAX_EXTENSION_WORKDAYS))
        if self.supplement_period_workdays is not None and self.supplement_period_workdays <= 0:
            raise ValueError(N_("补正期限须为正数个工作日"))


@dataclass(frozen=True)
class Deadline:
    """The clock of one case as of a given day (see compute_deadline)."""
    clock_started_on: date | None
    due_on: date | None
    provisional: bool
    paused: bool
    timely: bool | None
    due_soon: bool
    overdue: bool
    workdays_used: int | None
    workdays_paused: int
    workdays_left: int | None
    steps: tuple[Step, ...]
    late_acts: tuple[str, ...] = ()  # R8.1 flags, in the order the acts happened


# -- small rule functions ---------------------------------------------------------------------
def consultation_auto_end(start: date, cal: WorkCalendar) -> date:
    """R3.3, 条例第三十二条、第三十四条: an unanswered consultation ends after 15 working days."""
    return cal.add_workdays(start, CONSULTATION_CAP_WORKDAYS)


def supplement_notice_due(received_on: date, cal: WorkCalendar) -> date:
    """R4.1, 条例第三十条: last day for the 补正 notice (7 working days after receipt)."""
    return cal.add_workdays(received_on, SUPPLEMENT_NOTICE_WORKDAYS)


def supplement_notice_late(received_on: date, requested_on: date, cal: WorkCalendar) -> bool:
    """R4.1, 条例第三十条: the 补正 notice went out after its 7-working-day limit."""
    return requested_on > supplement_notice_due(received_on, cal)


def supplement_due(delivered_on: date, period_workdays: int | None, cal: WorkCalendar) -> date:
    """R4.1/R8.2, 条例第三十条: the last day of the applicant's period, counted from the day
    the notice reached them ("自收到本告知书之日起")."""
    period = SUPPLEMENT_PERIOD_DEFAULT if period_workdays is None else period_workdays
    return cal.add_workdays(delivered_on, period)


def supplement_period_end(facts: ClockFacts, cal: WorkCalendar) -> date | None:
    """R4.3/R8.2: the last day of the 补正 period — from the new period granted for a good
    reason, else from delivery; None while a posted notice has no delivery date."""
    if facts.supplement_requested_on is None:
        return None
    if facts.supplement_new_period_on is not None:
        return supplement_due(facts.supplement_new_period_on,
                              facts.supplement_new_period_workdays, cal)
    if facts.supplement_undelivered:
        return None
    return supplement_due(facts.supplement_delivered_on or facts.supplement_requested_on,
                          facts.supplement_period_workdays, cal)


def supplement_lapsed(facts: ClockFacts, cal: WorkCalendar, today: date) -> bool:
    """R4.3/R8.2, 条例第三十条: 补正 requested, not received, case open, and its period —
    which starts only on delivery — is over (the lapse day is the day after its last day)."""
    if facts.supplement_requested_on is None or facts.supplement_received_on is not None:
        return False
    end = supplement_period_end(facts, cal)
    return facts.concluded_on is None and end is not None and today > end


def fee_payment_due(delivered_on: date, cal: WorkCalendar) -> date:
    """R5.4/R8.2, 条例第四十二条、国办函〔2020〕109号: pay within 20 working days after
    receiving the notice."""
    return cal.add_workdays(delivered_on, FEE_PAYMENT_WORKDAYS)


def fee_payment_end(facts: ClockFacts, cal: WorkCalendar) -> date | None:
    """The last day to pay; None while a posted fee notice has no delivery date."""
    if facts.fee_notified_on is None or facts.fee_undelivered:
        return None
    return fee_payment_due(facts.fee_delivered_on or facts.fee_notified_on, cal)


def fee_lapsed(facts: ClockFacts, cal: WorkCalendar, today: date) -> bool:
    """R5.4/R8.2, 条例第四十二条: fee notified, unpaid, case open, and the payment period —
    from delivery — is over."""
    if facts.fee_notified_on is None or facts.fee_paid_on is not None:
        return False
    end = fee_payment_end(facts, cal)
    return facts.concluded_on is None and end is not None and today > end


def confirmation_overdue(submitted_on: date, today: date, cal: WorkCalendar) -> bool:
    """R2.2, 条例第三十一条: an unconfirmed online submission is flagged once the next working
    day after submission has ended (call it only for submissions still unconfirmed)."""
    return today > cal.add_workdays(submitted_on, 1)


# -- pauses -----------------------------------------------------------------------------------
def _clock_start(facts: ClockFacts) -> date | None:
    return facts.supplement_received_on or facts.received_on


def _raw_spans(facts: ClockFacts, cal: WorkCalendar, today: date, fee: bool) -> list[Span]:
    horizon = facts.concluded_on or today
    raw = [(p.kind, p.start, p.end) for p in facts.pauses if fee or p.kind != PauseKind.FEE]
    if fee and facts.fee_notified_on is not None:
        raw.append((PauseKind.FEE, facts.fee_notified_on, facts.fee_paid_on))
    spans = []
    for kind, s, end in raw:
        cap = (fee_payment_end(facts, cal) if kind == PauseKind.FEE
               else consultation_auto_end(s, cal))
        actual = end or horizon
        if cap is None:  # a posted fee notice not yet delivered: no payment period running
            cap = max(actual, s)
        kinds = frozenset({str(kind)})
        spans.append(Span(s, min(actual, cap), kinds, kinds if actual > cap else frozenset(),
                          end is None and s <= horizon <= cap))
    return spans


def _merge(spans: list[Span], start: date) -> list[Span]:
    """Clip to the clock start (R4.2), drop empty ones, merge overlaps (R3.3)."""
    merged: list[Span] = []
    for sp in sorted((replace(sp, start=max(sp.start, start)) for sp in spans),
                     key=lambda sp: sp.start):
        if sp.end <= sp.start:
            continue
        if merged and sp.start <= merged[-1].end:
            m = merged[-1]
            merged[-1] = Span(m.start, max(m.end, sp.end), m.kinds | sp.kinds,
                              m.capped | sp.capped, m.open or sp.open)
        else:
            merged.append(sp)
    return merged


def _spans(facts: ClockFacts, cal: WorkCalendar, today: date, fee: bool) -> list[Span]:
    start = _clock_start(facts)
    return [] if start is None else _merge(_raw_spans(facts, cal, today, fee), start)


def effective_pauses(facts: ClockFacts, cal: WorkCalendar, today: date, *,
                     fee_pauses_clock: bool = True) -> list[tuple[date, date]]:
    """R3.3/R3.4/R4.2/R5.4, 条例第三十二条、第三十四条: the merged (s, e] intervals removed from
    the count — after the clock start, consultations capped at 15 working days, the fee pause
    capped at its payment period, open ones ending today (or on the conclusion day)."""
    return [(sp.start, sp.end) for sp in _spans(facts, cal, today, fee_pauses_clock)]


# -- the deadline -----------------------------------------------------------------------------
def _start_step(facts: ClockFacts) -> Step:
    text = Msg("{received} 收到申请，次日起计算", received=iso(facts.received_on))
    if facts.supplement_received_on is not None:
        text = Msg("{received} 收到申请，{requested} 发出补正通知，"
                   "{supplemented} 收到补正，次日起重新计算（条例第三十条）",
                   received=iso(facts.received_on), requested=iso(facts.supplement_requested_on),
                   supplemented=iso(facts.supplement_received_on))
    return Step("start", _clock_start(facts), None, None, text)


def _without_clock(facts: ClockFacts, cal: WorkCalendar) -> Deadline:
    concluded = facts.concluded_on is not None
    if facts.received_on is None:
        step = Step("not_started", None, None, None,
                    N_("尚未确认收到申请，答复期限尚未开始计算"))
        return Deadline(None, None, False, False, True if concluded else None,
                        False, False, None, 0, None, (step,))
    requested, period = facts.supplement_requested_on, facts.supplement_period_workdays
    sdue = supplement_period_end(facts, cal)
    if concluded:
        # R3.6: concluded by the sweep after an on-time notice → timely; otherwise the office
        # concluded within the applicant's period (or before delivery)
        timely = facts.concluded_by_sweep or sdue is None or facts.concluded_on <= sdue
    else:
        timely = None
    if sdue is None:
        step = Step("awaiting_supplement", requested, None, period or SUPPLEMENT_PERIOD_DEFAULT,
                    Msg("{requested} 要求补正，补正告知书尚未送达申请人（待审查发出或邮寄签收）："
                        "补正期限自申请人收到之日起计算（{period} 个工作日）；"
                        "收到补正后重新计算答复期限",
                        requested=iso(requested), period=period or SUPPLEMENT_PERIOD_DEFAULT))
    else:
        step = Step("awaiting_supplement", requested, sdue, period or SUPPLEMENT_PERIOD_DEFAULT,
                    Msg("{requested} 发出补正通知，待申请人补正，补正期限 {due}"
                        "（{period} 个工作日）；收到补正后重新计算答复期限",
                        requested=iso(requested), due=iso(sdue),
                        period=period or SUPPLEMENT_PERIOD_DEFAULT))
    provisional = cal.is_provisional(facts.received_on, sdue or requested)
    return Deadline(facts.received_on, None, provisional, False,
                    timely, False, False, None, 0, None, (_start_step(facts), step))


def _closing_steps(facts: ClockFacts, start: date, computed: date, spans: list[Span],
                   cal: WorkCalendar) -> list[Step]:
    k, deferred = facts.extension_workdays, facts.deferred_due_on
    need = REPLY_WORKDAYS + k
    steps = []
    if k:
        steps.append(Step("extension", None, None, k,
                          Msg("经批准延长答复期限 {k} 个工作日（条例第三十三条第二款），"
                              "共 {need} 个工作日", k=k, need=need)))
    steps += calendar_steps(start, computed, spans, cal)
    if deferred is None:
        return [*steps, Step("due", None, computed, need,
                             Msg("答复期限：{due}（第 {need} 个工作日）",
                                 due=iso(computed), need=need))]
    return [*steps,
            Step("deferred", computed, deferred, None,
                 Msg("负责人另行确定答复期限为 {deferred}（条例第三十五条），"
                     "替代按工作日计算的 {computed}",
                     deferred=iso(deferred), computed=iso(computed))),
            Step("due", None, deferred, None,
                 Msg("答复期限：{due}（依条例第三十五条另定）", due=iso(deferred)))]


def compute_deadline(facts: ClockFacts, cal: WorkCalendar, today: date, *,
                     fee_pauses_clock: bool = True,
                     due_soon_workdays: int = DUE_SOON_WORKDAYS,
                     explain: bool = True) -> Deadline:
    """R3.1–R3.7, R4.2, R5.4, R8.1, R8.2 — 条例第三十条、第三十二条、第三十三条、第三十四条、
    第三十五条.

    ``due_on`` is the day the counted working days after the clock start reach 20 + extension
    (R3.4), unless a deferred date replaces it (R3.5); open pauses end today (concluded cases: on
    the conclusion day). ``due_on`` is None before receipt is confirmed and while a 补正 notice
    sent on time is awaited. Acts recorded after their period count for nothing (R8.1, listed in
    ``late_acts``). A case concluded by the sweep is timely when the notice that started its
    period was on time (R3.6); otherwise ``concluded_on <= due_on``. ``explain=False`` skips
    building the explanation (bulk recomputation only needs the figures).
    """
    # R8.1 is built on this clock (``late_acts`` asks it for the due date as it stood on each
    # act's day), so ``late_acts`` imports this module, and is imported here when first needed.
    from disclosure.domain.late_acts import effective_facts, late_steps

    eff, flags = effective_facts(facts, cal, fee_pauses_clock=fee_pauses_clock)
    dl = effective_deadline(eff, cal, today, fee_pauses_clock, due_soon_workdays, explain)
    steps = dl.steps
    if explain and flags:
        steps = (steps[0], *late_steps(facts, flags, cal), *steps[1:])
    return replace(dl, late_acts=flags, steps=steps)


def effective_deadline(facts: ClockFacts, cal: WorkCalendar, today: date, fee_pauses_clock: bool,
                       due_soon_workdays: int, explain: bool) -> Deadline:
    """The clock of facts that are already effective (no late acts among them): the deadline
    of ``compute_deadline`` once ``late_acts.effective_facts`` has set the late acts aside."""
    start = _clock_start(facts)
    awaiting = facts.supplement_requested_on is not None and facts.supplement_received_on is None
    if start is None or awaiting:
        return _without_clock(facts, cal)
    spans = _spans(facts, cal, today, fee_pauses_clock)
    computed, walked = walk(start, REPLY_WORKDAYS + facts.extension_workdays, spans, cal)
    due = facts.deferred_due_on or computed
    end = facts.concluded_on or today
    paused_days = sum(cal.workdays_between(sp.start, min(sp.end, end)) for sp in spans)
    open_case = facts.concluded_on is None
    left = cal.workdays_between(today, due)
    # R3.6: the sweep concludes a fee-unpaid case; timely only after an on-time fee notice
    # (a late one is no longer among the effective facts, so the plain rule applies)
    swept_ok = facts.concluded_by_sweep and facts.fee_notified_on is not None \
        and facts.fee_paid_on is None
    return Deadline(
        clock_started_on=start, due_on=due, provisional=cal.is_provisional(start, due),
        paused=open_case and any(sp.open for sp in spans),
        timely=None if open_case else (swept_ok or facts.concluded_on <= due),
        due_soon=open_case and today <= due and left <= due_soon_workdays,
        overdue=open_case and today > due,
        workdays_used=max(0, cal.workdays_between(start, end) - paused_days),
        workdays_paused=paused_days, workdays_left=left,
        steps=(_start_step(facts), *walked, *_closing_steps(facts, start, computed, spans, cal))
        if explain else ())
