"""R8.1 late acts (spec section 8): acts recorded after their period had passed.

A late act is kept as a fact but has no effect on the clock; the case carries its flag
(``LATE_ACT_LABELS``, in the order the acts happened). Whether an act was late depends on the
due date as it stood on the act's day, so these rules are built on the clock of ``deadlines``
(which applies them in ``compute_deadline``). Pure, like the clock.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from disclosure.domain.deadline_steps import Step, iso
from disclosure.domain.deadlines import (
    DUE_SOON_WORKDAYS,
    ClockFacts,
    Pause,
    effective_deadline,
    supplement_notice_due,
    supplement_notice_late,
)
from disclosure.domain.text import N_, Msg
from disclosure.domain.workdays import WorkCalendar

LATE_SUPPLEMENT = "supplement_notice_late"
LATE_FEE = "fee_notice_late"
LATE_EXTENSION = "extension_late"
LATE_DEFERRAL = "deferral_late"
LATE_ACT_LABELS = {
    LATE_SUPPLEMENT: N_("补正告知超过 7 个工作日发出"),
    LATE_FEE: N_("收费通知在答复期限届满后发出"),
    LATE_EXTENSION: N_("延期在答复期限届满后批准"),
    LATE_DEFERRAL: N_("延后答复期限在原期限届满后确定"),
}


def _as_of(facts: ClockFacts, day: date) -> ClockFacts:
    """The facts as they stood on ``day``: later acts removed, later ends still open."""
    received = facts.supplement_received_on
    return replace(
        facts,
        supplement_received_on=received if received is not None and received <= day else None,
        pauses=tuple(Pause(p.kind, p.start, p.end if p.end is not None and p.end <= day else None)
                     for p in facts.pauses if p.start <= day),
        fee_paid_on=facts.fee_paid_on if facts.fee_paid_on and facts.fee_paid_on <= day else None,
        concluded_on=None, concluded_by_sweep=False)


def _due_on(facts: ClockFacts, cal: WorkCalendar, day: date,
            fee_pauses_clock: bool) -> date | None:
    """The due date as it stood on ``day`` from the acts before it (R8.1 "current due date")."""
    return effective_deadline(_as_of(facts, day), cal, day, fee_pauses_clock, DUE_SOON_WORKDAYS,
                              False).due_on


def effective_facts(facts: ClockFacts, cal: WorkCalendar, *,
                    fee_pauses_clock: bool = True) -> tuple[ClockFacts, tuple[str, ...]]:
    """R8.1: the facts the clock counts, and the flags of the acts that came too late.

    A late act is kept as a fact but has no effect on the clock: a 补正 notice after
    ``add_workdays(received_on, 7)`` neither suspends nor restarts it; a fee notice, an extension
    or a deferral recorded after the due date as it stood that day neither pauses, extends nor
    moves it. Acts without a recorded day (old history) count as on time.
    """
    flags: list[str] = []
    eff = facts
    if (facts.received_on is not None and facts.supplement_requested_on is not None
            and supplement_notice_late(facts.received_on, facts.supplement_requested_on, cal)):
        flags.append(LATE_SUPPLEMENT)
        eff = replace(eff, supplement_requested_on=None, supplement_received_on=None,
                      supplement_new_period_on=None)
    base = replace(eff, fee_notified_on=None, fee_paid_on=None, extension_workdays=0,
                   deferred_due_on=None)
    acts = []
    if facts.fee_notified_on is not None:
        acts.append((facts.fee_notified_on, 0, LATE_FEE))
    if facts.extension_workdays:
        acts.append((facts.extension_on, 1, LATE_EXTENSION))
    if facts.deferred_due_on is not None:
        acts.append((facts.deferred_on, 2, LATE_DEFERRAL))
    for day, _order, flag in sorted(acts, key=lambda a: (a[0] or date.min, a[1])):
        if day is not None and base.received_on is not None:
            current = _due_on(base, cal, day, fee_pauses_clock)
            if current is not None and day > current:
                flags.append(flag)
                continue
        if flag == LATE_FEE:
            base = replace(base, fee_notified_on=facts.fee_notified_on,
                           fee_paid_on=facts.fee_paid_on)
        elif flag == LATE_EXTENSION:
            base = replace(base, extension_workdays=facts.extension_workdays)
        else:
            base = replace(base, deferred_due_on=facts.deferred_due_on)
    return base, tuple(flags)


def late_acts(facts: ClockFacts, cal: WorkCalendar, *,
              fee_pauses_clock: bool = True) -> tuple[str, ...]:
    return effective_facts(facts, cal, fee_pauses_clock=fee_pauses_clock)[1]


def late_steps(facts: ClockFacts, flags: tuple[str, ...], cal: WorkCalendar) -> list[Step]:
    """The explanation's lines for the late acts (shown after the clock start)."""
    out = []
    if LATE_SUPPLEMENT in flags:
        out.append(Step("late", facts.supplement_requested_on, None, None, Msg(
            "{on} 发出的补正告知已超过收到申请后 7 个工作日（{limit}），"
            "不中止、不重新计算答复期限",
            on=iso(facts.supplement_requested_on),
            limit=iso(supplement_notice_due(facts.received_on, cal)))))
    if LATE_FEE in flags:
        out.append(Step("late", facts.fee_notified_on, None, None, Msg(
            "{on} 发出的收费通知晚于当时的答复期限，缴费期间不暂停计算",
            on=iso(facts.fee_notified_on))))
    if LATE_EXTENSION in flags:
        out.append(Step("late", facts.extension_on, None, None, Msg(
            "{on} 批准的延期晚于当时的答复期限，不延长答复期限", on=iso(facts.extension_on))))
    if LATE_DEFERRAL in flags:
        out.append(Step("late", facts.deferred_on, None, None, Msg(
            "{on} 确定的延后答复期限晚于当时的答复期限，答复期限不变", on=iso(facts.deferred_on))))
    return out
