"""R2–R5 — the statutory reply clock (pure). Every expected date is worked out by hand in the
comment next to it, against the 2024 State Council holiday notice:
Spring Festival 02-10..17 (调休上班 Sun 02-04, Sun 02-18), Qingming 04-04..06 (Sun 04-07),
Labour Day 05-01..05 (Sun 04-28, Sat 05-11), National Day 10-01..07 (Sun 09-29, Sat 10-12)."""
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure.domain.deadlines import (
    ClockFacts,
    Pause,
    compute_deadline,
    confirmation_overdue,
    consultation_auto_end,
    effective_pauses,
    fee_lapsed,
    fee_payment_due,
    supplement_due,
    supplement_lapsed,
    supplement_notice_due,
    supplement_notice_late,
)
from disclosure.domain.workdays import WorkCalendar

CAL = WorkCalendar()
D = date
TODAY = D(2024, 12, 31)  # long after every example: closed pauses only, unless stated

# Received Fri 2024-03-01: days 1–20 = 03-04..08, 11..15, 18..22, 25..29 → due 03-29.
MARCH = D(2024, 3, 1)
MARCH_DUE = D(2024, 3, 29)


def due(facts, today=TODAY, **kw):
    return compute_deadline(facts, CAL, today, **kw).due_on


def kinds(deadline):
    return [s.kind for s in deadline.steps]


# -- R2 -------------------------------------------------------------------------------------------
def test_r2_1_clock_starts_at_received_on():
    dl = compute_deadline(ClockFacts(received_on=D(2024, 1, 2)), CAL, D(2024, 1, 10))
    assert dl.clock_started_on == D(2024, 1, 2)
    assert dl.due_on == D(2024, 1, 30)
    assert dl.steps[0].text == "2024-01-02 收到申请，次日起计算"


def test_r2_1_unconfirmed_submission_has_no_clock():
    dl = compute_deadline(ClockFacts(received_on=None), CAL, D(2024, 1, 10))
    assert (dl.clock_started_on, dl.due_on, dl.workdays_used, dl.workdays_left) == (None,) * 4
    assert not (dl.overdue or dl.due_soon or dl.paused or dl.provisional)
    assert dl.timely is None
    assert kinds(dl) == ["not_started"]


def test_r2_2_unconfirmed_online_flagged_after_next_workday():
    fri = D(2024, 1, 5)  # next working day Mon 01-08: flagged from Tue 01-09
    assert not confirmation_overdue(fri, D(2024, 1, 8), CAL)
    assert confirmation_overdue(fri, D(2024, 1, 9), CAL)
    mon = D(2024, 9, 30)  # next working day is Tue 10-08, after National Day
    assert not confirmation_overdue(mon, D(2024, 10, 8), CAL)
    assert confirmation_overdue(mon, D(2024, 10, 9), CAL)
    sat = D(2024, 10, 12)  # a 调休上班 Saturday: next working day Mon 10-14
    assert not confirmation_overdue(sat, D(2024, 10, 14), CAL)
    assert confirmation_overdue(sat, D(2024, 10, 15), CAL)


# -- R1 through the clock -------------------------------------------------------------------------
def test_r1_2_due_date_in_unknown_year_is_provisional():
    assert compute_deadline(ClockFacts(D(2026, 12, 10)), CAL, D(2026, 12, 11)).provisional
    assert not compute_deadline(ClockFacts(D(2026, 11, 2)), CAL, D(2026, 11, 3)).provisional
    known = WorkCalendar(overrides={D(2027, 1, 1): False}, notice_years={2027})
    assert not compute_deadline(ClockFacts(D(2026, 12, 10)), known, D(2026, 12, 11)).provisional


def test_r1_2_awaiting_supplement_into_unknown_year_is_provisional():
    facts = ClockFacts(D(2026, 12, 1), supplement_requested_on=D(2026, 12, 10),
                       supplement_period_workdays=20)  # on time; the period runs into 2027
    assert compute_deadline(facts, CAL, D(2026, 12, 16)).provisional


# -- R3.1 / R3.2 ----------------------------------------------------------------------------------
def test_r3_1_reply_within_20_workdays_across_spring_festival():
    # Thu 02-01: 02-02(1) 02-04(2, 调休) 02-05..09(3–7) 02-18(8, 调休) 02-19..23(9–13)
    # 02-26..03-01(14–18) 03-04(19) 03-05(20)
    dl = compute_deadline(ClockFacts(D(2024, 2, 1)), CAL, D(2024, 2, 1))
    assert dl.due_on == D(2024, 3, 5)
    assert dl.steps[-1].text == "答复期限：2024-03-05（第 20 个工作日）"
    assert dl.workdays_left == 20 and dl.workdays_used == 0


def test_r3_1_explanation_lists_holidays_and_make_up_days():
    dl = compute_deadline(ClockFacts(D(2024, 2, 1)), CAL, D(2024, 2, 1))
    assert kinds(dl) == ["start", "counted", "holidays", "make_up", "due"]
    counted, holidays, make_up = dl.steps[1], dl.steps[2], dl.steps[3]
    assert counted.text == "第 1–20 个工作日：2024-02-02 至 2024-03-05"
    assert (holidays.start, holidays.end, holidays.workdays) == (D(2024, 2, 12), D(2024, 2, 16), 5)
    assert "2024-02-12 至 2024-02-16" in holidays.text
    assert (make_up.start, make_up.end, make_up.workdays) == (D(2024, 2, 4), D(2024, 2, 18), 2)
    assert "2024-02-04、2024-02-18" in make_up.text


def test_r3_1_holiday_ranges_grouped_over_weekends():
    dl = compute_deadline(ClockFacts(D(2024, 9, 27)), CAL, D(2024, 9, 27))
    assert dl.due_on == D(2024, 10, 30)
    holidays = next(s for s in dl.steps if s.kind == "holidays")
    assert "2024-10-01 至 2024-10-07" in holidays.text and holidays.workdays == 5


@pytest.mark.parametrize("k", [1, 5, 20])
def test_r3_2_extension_adds_exactly_k_workdays(k):
    base = D(2024, 3, 5)
    dl = compute_deadline(ClockFacts(D(2024, 2, 1), extension_workdays=k), CAL, TODAY)
    assert CAL.workdays_between(base, dl.due_on) == k
    assert "extension" in kinds(dl)


def test_r3_2_extension_of_20_by_hand():
    # after 03-05: 03-06..08(3) 11..15(8) 18..22(13) 25..29(18) 04-01(19) 04-02(20)
    assert due(ClockFacts(D(2024, 2, 1), extension_workdays=20)) == D(2024, 4, 2)


@pytest.mark.parametrize("k", [-1, 21])
def test_r3_2_extension_limited_to_20_workdays(k):
    with pytest.raises(ValueError):
        ClockFacts(D(2024, 2, 1), extension_workdays=k)


# -- R3.3 -----------------------------------------------------------------------------------------
def test_r3_3_pause_removes_days_after_start_up_to_end():
    # third party 03-05..03-08 removes 03-06, 07, 08 (not 03-05): 03-29 + 3 → 04-01, 02, 03
    facts = ClockFacts(MARCH, pauses=(Pause("third_party", D(2024, 3, 5), D(2024, 3, 8)),))
    dl = compute_deadline(facts, CAL, TODAY)
    assert dl.due_on == D(2024, 4, 3)
    assert kinds(dl)[:4] == ["start", "counted", "pause", "counted"]
    assert dl.steps[1].text == "第 1–2 个工作日：2024-03-04 至 2024-03-05"
    assert dl.steps[2].text == "征求第三方意见 2024-03-05 至 2024-03-08，不计入 3 个工作日"
    assert dl.steps[3].text == "第 3–20 个工作日：2024-03-11 至 2024-04-03"


def test_r3_3_pause_capped_at_15_workdays():
    # cap: 03-05 + 15 = 03-06..08(3) 11..15(8) 18..22(13) 25(14) 26(15) → 03-26.
    # counted 03-04, 05 (days 1–2), then 18 more after 03-26: 03-27..29(3) 04-01..03(6)
    # [04-04..06 holiday] 04-07 Sun 调休(7) 04-08..12(12) 15..19(17) 04-22(18)
    assert consultation_auto_end(D(2024, 3, 5), CAL) == D(2024, 3, 26)
    late = ClockFacts(MARCH, pauses=(Pause("agency", D(2024, 3, 5), D(2024, 5, 6)),))
    dl = compute_deadline(late, CAL, TODAY)
    assert dl.due_on == D(2024, 4, 22)
    assert effective_pauses(late, CAL, TODAY) == [(D(2024, 3, 5), D(2024, 3, 26))]
    pause = next(s for s in dl.steps if s.kind == "pause")
    assert pause.workdays == 15 and "15 个工作日" in pause.text


def test_r3_3_unanswered_open_consultation_ends_by_itself():
    facts = ClockFacts(MARCH, pauses=(Pause("third_party", D(2024, 3, 5)),))
    dl = compute_deadline(facts, CAL, D(2024, 4, 10))
    assert dl.due_on == D(2024, 4, 22)
    assert not dl.paused  # the consultation ended on 03-26


def test_r3_3_overlapping_pauses_count_once():
    # (03-05, 03-08] ∪ (03-07, 03-12] = (03-05, 03-12]: 03-06,07,08,11,12 = 5 days removed.
    # 03-29 + 5: 04-01(1) 02(2) 03(3) [04-04..06 holiday] 04-07 Sun 调休(4) 04-08(5)
    facts = ClockFacts(MARCH, pauses=(Pause("third_party", D(2024, 3, 5), D(2024, 3, 8)),
                                      Pause("agency", D(2024, 3, 7), D(2024, 3, 12))))
    dl = compute_deadline(facts, CAL, TODAY)
    assert effective_pauses(facts, CAL, TODAY) == [(D(2024, 3, 5), D(2024, 3, 12))]
    assert dl.due_on == D(2024, 4, 8)
    assert dl.workdays_paused == 5
    pause = next(s for s in dl.steps if s.kind == "pause")
    assert "征求第三方意见、征求其他行政机关意见" in pause.text and "只计一次" in pause.text


def test_r3_3_nested_pause_and_order_do_not_matter():
    outer = Pause("agency", D(2024, 3, 5), D(2024, 3, 12))
    inner = Pause("third_party", D(2024, 3, 6), D(2024, 3, 7))
    assert due(ClockFacts(MARCH, pauses=(inner, outer))) == D(2024, 4, 8)
    assert due(ClockFacts(MARCH, pauses=(outer, inner))) == D(2024, 4, 8)


def test_r3_3_pause_after_due_date_does_not_move_it():
    facts = ClockFacts(MARCH, pauses=(Pause("agency", MARCH_DUE, D(2024, 4, 10)),))
    assert due(facts) == MARCH_DUE


# -- R3.4 -----------------------------------------------------------------------------------------
def test_r3_4_open_pause_assumes_ends_today():
    facts = ClockFacts(MARCH, pauses=(Pause("third_party", D(2024, 3, 5)),))
    dl = compute_deadline(facts, CAL, D(2024, 3, 12))  # as if ended 03-12: same as the overlap
    assert dl.paused and dl.due_on == D(2024, 4, 8)
    assert (dl.workdays_used, dl.workdays_paused) == (2, 5)  # 03-04, 05 | 03-06..08, 11, 12
    assert "暂按今日结束" in next(s for s in dl.steps if s.kind == "pause").text
    assert compute_deadline(facts, CAL, D(2024, 3, 13)).due_on == D(2024, 4, 9)


def test_r3_4_due_is_day_count_reaches_20():
    facts = ClockFacts(MARCH, pauses=(Pause("third_party", D(2024, 3, 5), D(2024, 3, 8)),))
    dl = compute_deadline(facts, CAL, TODAY)
    counted = CAL.workdays_between(MARCH, dl.due_on) - 3
    assert counted == 20 and CAL.is_workday(dl.due_on)


def test_r3_4_concluded_case_open_pause_ends_at_conclusion():
    facts = ClockFacts(MARCH, pauses=(Pause("third_party", D(2024, 3, 5)),),
                       concluded_on=D(2024, 3, 12))
    dl = compute_deadline(facts, CAL, TODAY)
    assert dl.due_on == D(2024, 4, 8) and not dl.paused and dl.timely
    assert (dl.workdays_used, dl.workdays_paused) == (2, 5)


# -- R3.5 -----------------------------------------------------------------------------------------
def test_r3_5_deferred_replaces_due():
    facts = ClockFacts(D(2024, 2, 1), deferred_due_on=D(2024, 4, 30), concluded_on=D(2024, 4, 25))
    dl = compute_deadline(facts, CAL, TODAY)
    assert dl.due_on == D(2024, 4, 30) and dl.timely
    deferred = next(s for s in dl.steps if s.kind == "deferred")
    assert (deferred.start, deferred.end) == (D(2024, 3, 5), D(2024, 4, 30))
    assert "第三十五条" in deferred.text and "第三十五条" in dl.steps[-1].text


# -- R3.6 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("concluded,timely", [(D(2024, 3, 4), True), (D(2024, 3, 5), True),
                                              (D(2024, 3, 6), False)])
def test_r3_6_timely_iff_concluded_on_or_before_due(concluded, timely):
    dl = compute_deadline(ClockFacts(D(2024, 2, 1), concluded_on=concluded), CAL, TODAY)
    assert dl.timely is timely
    assert not dl.overdue and not dl.due_soon


def test_r3_6_sweep_conclusion_is_timely_only_after_an_on_time_notice():
    # 补正 notice on time (received 02-01, notice 02-05), period lapsed → the sweep's
    # conclusion in June is timely
    on_time = ClockFacts(D(2024, 2, 1), supplement_requested_on=D(2024, 2, 5),
                         concluded_on=D(2024, 6, 1), concluded_by_sweep=True)
    assert compute_deadline(on_time, CAL, TODAY).timely is True
    # fee notice on time, unpaid → timely; the same fee notice after the due date → plain rule
    fee = ClockFacts(D(2024, 2, 1), fee_notified_on=D(2024, 2, 20), concluded_on=D(2024, 6, 1),
                     concluded_by_sweep=True)
    assert compute_deadline(fee, CAL, TODAY).timely is True
    late_fee = replace(fee, fee_notified_on=D(2024, 3, 20))
    dl = compute_deadline(late_fee, CAL, TODAY)
    assert dl.late_acts == ("fee_notice_late",) and dl.timely is False
    # a sweep conclusion with no notice behind it is judged by the plain rule
    bare = ClockFacts(D(2024, 2, 1), concluded_on=D(2024, 6, 1), concluded_by_sweep=True)
    assert compute_deadline(bare, CAL, TODAY).timely is False


def test_r3_6_open_case_has_no_timeliness():
    assert compute_deadline(ClockFacts(D(2024, 2, 1)), CAL, D(2024, 2, 5)).timely is None


def test_r3_6_concluded_while_awaiting_supplement():
    # notice 01-08, period 15 → supplement due 01-29
    base = {"received_on": D(2024, 1, 4), "supplement_requested_on": D(2024, 1, 8)}
    assert compute_deadline(ClockFacts(**base, concluded_on=D(2024, 1, 29)), CAL, TODAY).timely
    late = ClockFacts(**base, concluded_on=D(2024, 1, 30))
    assert compute_deadline(late, CAL, TODAY).timely is False
    swept = ClockFacts(**base, concluded_on=D(2024, 1, 30), concluded_by_sweep=True)
    assert compute_deadline(swept, CAL, TODAY).timely is True


# -- R3.7 -----------------------------------------------------------------------------------------
def test_r3_7_due_soon_and_overdue():
    facts = ClockFacts(D(2024, 2, 1))  # due Tue 03-05

    def at(today, **kw):
        return compute_deadline(facts, CAL, today, **kw)

    assert not at(D(2024, 2, 28)).due_soon  # 02-29, 03-01, 04, 05: 4 left
    assert at(D(2024, 2, 28)).workdays_left == 4
    assert at(D(2024, 2, 29)).due_soon  # 3 left
    assert at(D(2024, 3, 5)).due_soon and not at(D(2024, 3, 5)).overdue
    assert at(D(2024, 3, 5)).workdays_left == 0
    assert at(D(2024, 3, 6)).overdue and not at(D(2024, 3, 6)).due_soon
    assert at(D(2024, 3, 6)).workdays_left == 0


def test_r3_7_due_soon_threshold_is_configurable():
    facts = ClockFacts(D(2024, 2, 1))
    assert compute_deadline(facts, CAL, D(2024, 2, 27), due_soon_workdays=5).due_soon
    assert not compute_deadline(facts, CAL, D(2024, 2, 27)).due_soon


def test_r3_7_concluded_case_never_flagged():
    facts = ClockFacts(D(2024, 2, 1), concluded_on=D(2024, 3, 20))
    dl = compute_deadline(facts, CAL, D(2024, 3, 21))
    assert not dl.overdue and not dl.due_soon and dl.timely is False


# -- R4 -------------------------------------------------------------------------------------------
def test_r4_1_notice_within_7_workdays():
    assert supplement_notice_due(D(2024, 9, 27), CAL) == D(2024, 10, 12)  # 调休 Saturday
    assert not supplement_notice_late(D(2024, 9, 27), D(2024, 10, 12), CAL)
    assert supplement_notice_late(D(2024, 9, 27), D(2024, 10, 14), CAL)


def test_r4_1_supplement_period_after_notice():
    # 01-09..12(4) 15..19(9) 22..26(14) 29(15); a 10-day period: 01-22
    assert supplement_due(D(2024, 1, 8), None, CAL) == D(2024, 1, 29)
    assert supplement_due(D(2024, 1, 8), 10, CAL) == D(2024, 1, 22)


def test_r4_1_awaiting_supplement_has_no_due_date():
    facts = ClockFacts(D(2024, 1, 4), supplement_requested_on=D(2024, 1, 8))
    dl = compute_deadline(facts, CAL, D(2024, 1, 20))
    assert dl.due_on is None and dl.workdays_left is None and not dl.overdue
    assert dl.clock_started_on == D(2024, 1, 4)
    assert kinds(dl) == ["start", "awaiting_supplement"]
    assert "待申请人补正，补正期限 2024-01-29" in dl.steps[-1].text


def test_r4_2_supplement_restarts_clock():
    # restart 01-15: 01-16..19(4) 22..26(9) 01-29..02-02(14) 02-04 调休(15) 02-05..09(20)
    early = Pause("third_party", D(2024, 1, 5), D(2024, 1, 12))  # before restart: ignored
    facts = ClockFacts(D(2024, 1, 4), supplement_requested_on=D(2024, 1, 8),
                       supplement_received_on=D(2024, 1, 15), pauses=(early,))
    dl = compute_deadline(facts, CAL, D(2024, 1, 16))
    assert dl.clock_started_on == D(2024, 1, 15)
    assert dl.due_on == D(2024, 2, 9)
    assert effective_pauses(facts, CAL, D(2024, 1, 16)) == []
    assert "重新计算" in dl.steps[0].text


def test_r4_2_pause_spanning_restart_is_clipped():
    # (01-15, 01-18] removes 01-16, 17, 18 → 02-09 + 3: 02-18 调休(1) 02-19(2) 02-20(3)
    span = Pause("agency", D(2024, 1, 10), D(2024, 1, 18))
    facts = ClockFacts(D(2024, 1, 4), supplement_requested_on=D(2024, 1, 8),
                       supplement_received_on=D(2024, 1, 15), pauses=(span,))
    assert effective_pauses(facts, CAL, TODAY) == [(D(2024, 1, 15), D(2024, 1, 18))]
    assert due(facts) == D(2024, 2, 20)


def test_r4_3_supplement_lapses_day_after_period():
    facts = ClockFacts(D(2024, 1, 4), supplement_requested_on=D(2024, 1, 8))
    assert not supplement_lapsed(facts, CAL, D(2024, 1, 29))
    assert supplement_lapsed(facts, CAL, D(2024, 1, 30))
    received = ClockFacts(D(2024, 1, 4), D(2024, 1, 8), supplement_received_on=D(2024, 1, 20))
    assert not supplement_lapsed(received, CAL, D(2024, 2, 1))
    done = ClockFacts(D(2024, 1, 4), D(2024, 1, 8), concluded_on=D(2024, 1, 10))
    assert not supplement_lapsed(done, CAL, D(2024, 2, 1))
    assert not supplement_lapsed(ClockFacts(D(2024, 1, 4)), CAL, D(2024, 6, 1))


# -- R5.4 -----------------------------------------------------------------------------------------
def test_r5_4_fee_pause_and_lapse():
    paid = ClockFacts(MARCH, fee_notified_on=D(2024, 3, 5), fee_paid_on=D(2024, 3, 8))
    assert due(paid) == D(2024, 4, 3)  # like a 03-05..08 pause
    assert due(paid, fee_pauses_clock=False) == MARCH_DUE
    # payment due 03-05 + 20: 03-06..08(3) 11..15(8) 18..22(13) 25..29(18) 04-01(19) 04-02(20)
    assert fee_payment_due(D(2024, 3, 5), CAL) == D(2024, 4, 2)
    unpaid = ClockFacts(MARCH, fee_notified_on=D(2024, 3, 5))
    assert not fee_lapsed(unpaid, CAL, D(2024, 4, 2))
    assert fee_lapsed(unpaid, CAL, D(2024, 4, 3))
    assert not fee_lapsed(paid, CAL, D(2024, 4, 3))


def test_r5_4_unpaid_fee_pause_capped_at_payment_period():
    # (03-05, 04-02] removed; counted 03-04, 05 (2), then 04-03(3) 04-07 Sun 调休(4) 04-08..12(9)
    # 15..19(14) 22..26(19) 04-28 Sun 调休(20)
    unpaid = ClockFacts(MARCH, fee_notified_on=D(2024, 3, 5))
    dl = compute_deadline(unpaid, CAL, D(2024, 4, 10))
    assert dl.due_on == D(2024, 4, 28) and not dl.paused
    assert compute_deadline(unpaid, CAL, D(2024, 3, 20)).paused


def test_r5_4_explicit_fee_pause_not_double_counted():
    both = ClockFacts(MARCH, pauses=(Pause("fee", D(2024, 3, 5), D(2024, 3, 8)),),
                      fee_notified_on=D(2024, 3, 5), fee_paid_on=D(2024, 3, 8))
    assert due(both) == D(2024, 4, 3)
    assert effective_pauses(both, CAL, TODAY) == [(D(2024, 3, 5), D(2024, 3, 8))]
    assert effective_pauses(both, CAL, TODAY, fee_pauses_clock=False) == []


def test_r3_3_pause_validation():
    with pytest.raises(ValueError):
        Pause("phone_call", D(2024, 3, 5))
    with pytest.raises(ValueError):
        Pause("agency", D(2024, 3, 5), D(2024, 3, 4))


# -- properties -----------------------------------------------------------------------------------
starts = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))
pause_specs = st.lists(
    st.tuples(st.sampled_from(["third_party", "agency", "fee"]),
              st.integers(0, 60), st.one_of(st.none(), st.integers(0, 40))),
    max_size=4)
fast = settings(max_examples=200, deadline=None)


def _facts(start, specs, **kw):
    pauses = tuple(Pause(k, start + timedelta(days=o),
                         None if n is None else start + timedelta(days=o + n))
                   for k, o, n in specs)
    return ClockFacts(start, pauses=pauses, **kw)


@fast
@given(starts, pause_specs, st.integers(0, 200))
def test_r3_3_property_adding_a_pause_never_moves_due_earlier(start, specs, age):
    today = start + timedelta(days=age)
    assert due(_facts(start, specs[:-1]), today) <= due(_facts(start, specs), today)


@fast
@given(starts, pause_specs, st.integers(0, 200), st.integers(0, 20))
def test_r3_4_property_counted_days_reach_20_plus_extension(start, specs, age, k):
    today = start + timedelta(days=age)
    facts = _facts(start, specs, extension_workdays=k)
    dl = compute_deadline(facts, CAL, today)
    removed = sum(CAL.workdays_between(s, min(e, dl.due_on))
                  for s, e in effective_pauses(facts, CAL, today))
    assert CAL.workdays_between(start, dl.due_on) - removed == 20 + k
    assert CAL.is_workday(dl.due_on) and dl.steps[-1].kind == "due"


@fast
@given(starts, pause_specs, st.integers(0, 200), st.integers(0, 20))
def test_r3_2_property_extension_moves_due_by_k_counted_days(start, specs, age, k):
    today = start + timedelta(days=age)
    old = due(_facts(start, specs), today)
    new = due(_facts(start, specs, extension_workdays=k), today)
    pauses = effective_pauses(_facts(start, specs), CAL, today)
    removed = sum(CAL.workdays_between(max(s, old), min(e, new)) for s, e in pauses)
    assert CAL.workdays_between(old, new) - removed == k
    if all(s < old for s, _e in pauses):  # no pause after the old due date
        assert new == CAL.add_workdays(old, k)
