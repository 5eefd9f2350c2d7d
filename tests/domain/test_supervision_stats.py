"""The pure figures of the supervisor's comparison (issue 17): the total row, the rates from
the report's formula, median / p90 from the statistics page's function, working-day spans, and
the checks of a 督办 notice as typed. No app, no database."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from disclosure.domain import supervision_stats as st
from disclosure.domain.report.rates import Rate, summary_stats
from disclosure.domain.workdays import WorkCalendar

CAL = WorkCalendar()
D = date
TODAY = D(2025, 6, 30)


def test_rates_are_the_reports_formula():
    c = st.Counts(received=5, concluded=4, timely=3, open_due=2, carried_over=1)
    assert c.reply_rate == Rate(4, 6) and c.timely_rate == Rate(3, 4)
    assert c.rates["completion_rate"] == Rate(4, 6)
    assert st.Counts().reply_rate.percent == "—"  # no denominator: never 0 % or 100 %


def test_median_and_p90_are_the_statistics_pages():
    c = st.Counts(durations=[1, 2, 3, 4, 5, 6, 7, 8, 9, 30])
    assert c.times == summary_stats(c.durations)
    assert c.times["median"] == Decimal("5.5") and c.times["p90"] == 9
    assert st.Counts(durations=[4, 2, 9]).times["median"] == 4
    assert st.Counts().times["median"] is None


def test_total_sums_counts_pools_durations_and_recomputes_rates():
    a = st.Counts(received=2, concluded=2, timely=2, overdue=1, late_acts=1, durations=[1, 2],
                  appeals={"upheld": 1, "corrected": 0, "other": 0, "pending": 1})
    b = st.Counts(received=3, concluded=1, timely=0, open_due=1, durations=[20],
                  appeals={"upheld": 0, "corrected": 2, "other": 0, "pending": 0})
    t = st.total([a, b])
    assert (t.received, t.concluded, t.timely, t.open_due, t.overdue, t.late_acts) == (
        5, 3, 2, 1, 1, 1)
    assert t.appeals == {"upheld": 1, "corrected": 2, "other": 0, "pending": 1}
    assert t.appeals_total == 4
    assert t.timely_rate == Rate(2, 3)  # not the mean of 100 % and 0 %
    assert t.times["median"] == 2 and sorted(t.durations) == [1, 2, 20]  # pooled
    assert a.durations == [1, 2]  # the rows are left as they were
    assert st.total([]).received == 0


def test_spans_count_working_days_after_the_start():
    # Fri 2025-06-27 → Mon 2025-06-30: one working day (the Monday)
    assert st.span(CAL, D(2025, 6, 27), D(2025, 6, 30)) == 1
    assert st.span(CAL, D(2025, 6, 30), D(2025, 6, 30)) == 0
    assert st.span(CAL, D(2025, 7, 1), D(2025, 6, 30)) == 0  # never negative
    # across the National Day holiday (1–8 October 2025; 28 September and 11 October worked)
    assert st.span(CAL, D(2025, 9, 30), D(2025, 10, 10)) == 2
    assert st.spans(CAL, [(D(2025, 6, 27), D(2025, 6, 30), 3)]) == [1, 1, 1]


def test_parse_ids():
    assert st.parse_ids(["3", " 1", "3"]) == ([3, 1], False)
    assert st.parse_ids(["x", "2", "-1", "１", "1e3", "9" * 30]) == ([2], True)
    assert st.parse_ids(None) == ([], False)


def test_notice_problems():
    ok = st.notice_problems("督办", "请办结", "2025-07-15", TODAY)
    assert ok == {}
    assert st.notice_problems("督办", "请办结", "2025-06-30", TODAY) == {}  # today is fine
    e = st.notice_problems("", "", "", TODAY)
    assert set(e) == {"title", "body", "reply_by"}
    assert st.notice_problems("t", "b", "2025-02-30", TODAY)["reply_by"].startswith("日期无效")
    assert "早于今天" in st.notice_problems("t", "b", "2025-06-29", TODAY)["reply_by"]
    assert "一年" in st.notice_problems("t", "b", "2027-01-01", TODAY)["reply_by"]
    assert "200" in st.notice_problems("长" * 201, "b", "2025-07-01", TODAY)["title"]
    assert "5000" in st.notice_problems("t", "长" * 5001, "2025-07-01", TODAY)["body"]


def test_reply_and_texts():
    assert st.reply_problem("") and st.reply_problem("长" * 5001)
    assert st.reply_problem("已办结") is None
    assert st.clean_text("  a\r\n\r\nb  ") == "a\n\nb"
    assert st.clean_text(" 关于\n督办 ", one_line=True) == "关于 督办"
