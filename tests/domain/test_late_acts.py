"""rules.md section 8 (issue 13): acts after their period change nothing; periods the applicant
must keep run from delivery. Dates around National Day 2024 (2024-10-12 is a Saturday 调休上班
day) and Spring Festival 2024 (10–17 February off, 4 and 18 February worked)."""
from dataclasses import replace
from datetime import date

from disclosure.domain.deadlines import (
    ClockFacts,
    compute_deadline,
    fee_lapsed,
    fee_payment_end,
    supplement_lapsed,
    supplement_period_end,
)
from disclosure.domain.late_acts import effective_facts, late_acts
from disclosure.domain.workdays import WorkCalendar

CAL = WorkCalendar()
D = date


# -- R8.1 a late 补正 notice --------------------------------------------------------------------
def test_supplement_notice_on_the_seventh_working_day_is_on_time_even_on_a_make_up_saturday():
    # received 2024-09-27: the 7th working day after it is Saturday 2024-10-12 (调休上班)
    on_time = ClockFacts(D(2024, 9, 27), supplement_requested_on=D(2024, 10, 12))
    assert late_acts(on_time, CAL) == ()
    assert compute_deadline(on_time, CAL, D(2024, 10, 14)).due_on is None  # awaiting, stopped


def test_late_supplement_notice_neither_stops_nor_restarts_the_clock():
    # the probe of issue 13: received 2025-03-03 (due 03-31), notice 04-14, supplement 04-20
    facts = ClockFacts(D(2025, 3, 3), supplement_requested_on=D(2025, 4, 14),
                       supplement_received_on=D(2025, 4, 20), concluded_on=D(2025, 5, 6))
    dl = compute_deadline(facts, CAL, D(2025, 6, 1))
    assert dl.late_acts == ("supplement_notice_late",)
    assert dl.due_on == D(2025, 3, 31) and dl.clock_started_on == D(2025, 3, 3)
    assert dl.timely is False
    assert any("不中止、不重新计算" in str(s.text) for s in dl.steps)
    # while the applicant is still asked to supplement, the case is not paused: it goes overdue
    waiting = replace(facts, supplement_received_on=None, concluded_on=None)
    dl = compute_deadline(waiting, CAL, D(2025, 4, 15))
    assert dl.due_on == D(2025, 3, 31) and dl.overdue


def test_swept_no_supplement_after_a_late_notice_is_not_timely():
    facts = ClockFacts(D(2024, 9, 27), supplement_requested_on=D(2024, 10, 14),
                       concluded_on=D(2024, 11, 5), concluded_by_sweep=True)
    dl = compute_deadline(facts, CAL, D(2024, 12, 1))
    assert dl.late_acts == ("supplement_notice_late",) and dl.timely is False
    on_time = replace(facts, supplement_requested_on=D(2024, 10, 12))
    assert compute_deadline(on_time, CAL, D(2024, 12, 1)).timely is True


# -- R8.1 fee notice, extension, deferral after the current due date ---------------------------
def test_fee_notice_after_the_due_date_does_not_pause():
    facts = ClockFacts(D(2024, 9, 27), fee_notified_on=D(2024, 10, 31))  # due was 10-30
    dl = compute_deadline(facts, CAL, D(2024, 11, 5))
    assert dl.late_acts == ("fee_notice_late",)
    assert dl.due_on == D(2024, 10, 30) and not dl.paused and dl.overdue
    on_due_day = replace(facts, fee_notified_on=D(2024, 10, 30))
    assert compute_deadline(on_due_day, CAL, D(2024, 11, 5)).late_acts == ()


def test_extension_after_the_due_date_adds_nothing():
    late = ClockFacts(D(2024, 9, 27), extension_workdays=10, extension_on=D(2024, 10, 31))
    dl = compute_deadline(late, CAL, D(2024, 11, 5))
    assert dl.late_acts == ("extension_late",) and dl.due_on == D(2024, 10, 30)
    on_time = replace(late, extension_on=D(2024, 10, 30))
    assert compute_deadline(on_time, CAL, D(2024, 11, 5)).due_on == D(2024, 11, 13)


def test_deferral_after_the_due_date_does_not_move_it():
    late = ClockFacts(D(2024, 9, 27), deferred_due_on=D(2024, 12, 31), deferred_on=D(2024, 10, 31))
    dl = compute_deadline(late, CAL, D(2024, 11, 5))
    assert dl.late_acts == ("deferral_late",) and dl.due_on == D(2024, 10, 30)
    on_time = replace(late, deferred_on=D(2024, 10, 30))
    assert compute_deadline(on_time, CAL, D(2024, 11, 5)).due_on == D(2024, 12, 31)


def test_current_due_date_is_the_one_standing_that_day_from_earlier_acts():
    # an on-time extension (10-29) moves the due date to 11-13; a fee notice on 11-05 is then
    # within the handling period and pauses the clock 11-05 … 11-08 (3 working days)
    facts = ClockFacts(D(2024, 9, 27), extension_workdays=10, extension_on=D(2024, 10, 29),
                       fee_notified_on=D(2024, 11, 5), fee_paid_on=D(2024, 11, 8))
    dl = compute_deadline(facts, CAL, D(2024, 11, 20))
    assert dl.late_acts == () and dl.due_on == D(2024, 11, 18)
    # a consultation started after the act does not make the act timely
    from disclosure.domain.deadlines import Pause
    later = replace(facts, extension_workdays=0, extension_on=None,
                    pauses=(Pause("third_party", D(2024, 11, 6), D(2024, 11, 8)),))
    assert late_acts(later, CAL) == ("fee_notice_late",)


def test_effective_facts_keep_on_time_acts_and_drop_late_ones():
    facts = ClockFacts(D(2024, 9, 27), extension_workdays=5, extension_on=D(2024, 10, 8),
                       deferred_due_on=D(2024, 12, 20), deferred_on=D(2024, 11, 30))
    eff, flags = effective_facts(facts, CAL)
    assert flags == ("deferral_late",)
    assert eff.extension_workdays == 5 and eff.deferred_due_on is None


# -- R8.2 delivery ------------------------------------------------------------------------------
def test_posted_supplement_notice_never_lapses_before_it_is_delivered():
    posted = ClockFacts(D(2024, 1, 29), supplement_requested_on=D(2024, 2, 1),
                        supplement_undelivered=True)
    assert supplement_period_end(posted, CAL) is None
    assert not supplement_lapsed(posted, CAL, D(2024, 12, 31))
    # signed for on 2024-02-06: 15 working days across Spring Festival (18 Feb worked) → 03-04
    delivered = replace(posted, supplement_undelivered=False, supplement_delivered_on=D(2024, 2, 6))
    assert supplement_period_end(delivered, CAL) == D(2024, 3, 4)
    assert not supplement_lapsed(delivered, CAL, D(2024, 3, 4))
    assert supplement_lapsed(delivered, CAL, D(2024, 3, 5))  # the lapse day: the day after


def test_a_good_reason_grants_a_new_period_from_that_day():
    facts = ClockFacts(D(2024, 1, 29), supplement_requested_on=D(2024, 2, 1),
                       supplement_delivered_on=D(2024, 2, 1),
                       supplement_new_period_on=D(2024, 2, 26),
                       supplement_new_period_workdays=10)
    assert supplement_period_end(facts, CAL) == CAL.add_workdays(D(2024, 2, 26), 10)
    assert not supplement_lapsed(facts, CAL, D(2024, 3, 8))


def test_fee_payment_period_runs_from_delivery_and_the_pause_waits_for_it():
    facts = ClockFacts(D(2024, 9, 27), fee_notified_on=D(2024, 10, 8), fee_undelivered=True)
    assert fee_payment_end(facts, CAL) is None and not fee_lapsed(facts, CAL, D(2025, 6, 1))
    dl = compute_deadline(facts, CAL, D(2024, 11, 20))
    assert dl.paused and dl.due_on > D(2024, 11, 20)  # the clock waits while the letter travels
    delivered = replace(facts, fee_undelivered=False, fee_delivered_on=D(2024, 10, 10))
    assert fee_payment_end(delivered, CAL) == CAL.add_workdays(D(2024, 10, 10), 20)
    assert fee_lapsed(delivered, CAL,
                      CAL.add_workdays(D(2024, 10, 10), 20) + (D(2024, 1, 2) - D(2024, 1, 1)))
