"""Issue 15: the statistics show the open cases past their deadline beside the 答复率 and
答复及时率 (which count concluded cases), and never call a rate "ok" while any exist — counted
without a web request, scoped to the agency."""
from __future__ import annotations

from datetime import date

import pytest

from disclosure.domain import report as R
from disclosure.services import case_actions, case_queries, dashboard
from disclosure.services import report as svc
from disclosure.services.actors import Actor
from disclosure.services.report.statistics import Overdue, overdue, rate_tone
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD
from tests.services.test_report import build_two_years, register, release

D = date
TODAY = D(2025, 6, 30)


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


@pytest.fixture
def late_cases(agency, who):
    """2024: two cases replied in time (both rates 100 %). 2025: two cases received in March,
    still open on TODAY (past due), one awaiting 补正 (its clock stopped), one replied. Another
    agency has an overdue case of its own."""
    for received, replied in ((D(2024, 3, 1), D(2024, 3, 15)), (D(2024, 9, 2), D(2024, 9, 20))):
        release(register(agency, who, received), "disclosed", replied, who)
    late = [register(agency, who, D(2025, 3, 3)), register(agency, who, D(2025, 3, 10))]
    waiting = register(agency, who, D(2025, 3, 3))
    case_actions.request_supplement(waiting, "请写明文件名称", 15, who["handler"], D(2025, 3, 4))
    release(register(agency, who, D(2025, 4, 1)), "disclosed", D(2025, 4, 10), who)
    other = create_agency("OTH", "另一镇人民政府")
    oth = {"registrar": Actor.of(create_user("oth-reg", PASSWORD, "OTH", ["registrar"], "外"))}
    register(other, oth, D(2025, 3, 3))
    assert all(c.due_on < TODAY for c in late)
    return late


def test_rates_at_100_percent_come_with_the_open_overdue_cases(late_cases, who):
    st = svc.stats(svc.scope(2024, ["BCZ"]), TODAY)
    assert st["rates"]["reply_rate"].percent == "100.00%"
    assert st["rates"]["timely_rate"].percent == "100.00%"
    ov = st["overdue"]
    assert (ov.today, ov.now, ov.period_closed, ov.at_end) == (TODAY, 2, True, 0) and ov.any
    assert st["tones"] == {"reply_rate": "warn", "timely_rate": "warn"}
    # the same count as the dashboard tile and the case list's flag=overdue (one agency each)
    head = who["office_head"]
    assert dashboard.summary(head, TODAY).overdue == 2
    page = case_queries.list_cases(head, case_queries.CaseFilter(flag="overdue", today=TODAY))
    assert page.total == 2 and {c.id for c in page.items} == {c.id for c in late_cases}


def test_the_year_still_running_has_no_year_end_figure(late_cases):
    st = svc.stats(svc.scope(2025, ["BCZ"]), TODAY)
    ov = st["overdue"]
    assert (ov.now, ov.period_closed, ov.at_end) == (2, False, None)
    # the report's 答复率 counts the open cases due by 31 December in its denominator
    assert (st["rates"]["reply_rate"].numerator, st["rates"]["reply_rate"].denominator) == (1, 3)
    assert st["tones"] == {"reply_rate": "warn", "timely_rate": "warn"}


def test_scoped_to_the_agency(late_cases):
    assert overdue(svc.scope(2024, ["OTH"]), TODAY).now == 1
    assert overdue(svc.scope(2024, ["BCZ"]), TODAY).now == 2
    assert overdue(svc.scope(2024), TODAY).now == 3  # every agency (platform administrator)


def test_nothing_overdue_today_the_rates_may_be_ok(agency, who):
    for received, replied in ((D(2024, 3, 1), D(2024, 3, 15)), (D(2024, 9, 2), D(2024, 9, 20))):
        release(register(agency, who, received), "disclosed", replied, who)
    register(agency, who, D(2025, 6, 23))  # open, but due in July
    st = svc.stats(svc.scope(2024, ["BCZ"]), TODAY)
    assert not st["overdue"].any
    assert st["tones"] == {"reply_rate": "ok", "timely_rate": "ok"}
    assert svc.stats(svc.scope(2024, ["BCZ"]))["tones"]["reply_rate"] == "neutral"  # no today


def test_cases_open_at_the_end_of_a_closed_year(agency, who):
    release(register(agency, who, D(2024, 3, 1)), "disclosed", D(2024, 3, 15), who)
    late = register(agency, who, D(2024, 11, 1))  # due in November, replied in January
    release(late, "disclosed", D(2025, 1, 20), who)
    st = svc.stats(svc.scope(2024, ["BCZ"]), TODAY)
    ov = st["overdue"]
    assert (ov.now, ov.period_closed, ov.at_end) == (0, True, 1) and ov.any
    assert st["rates"]["reply_rate"].percent == "50.00%"
    assert st["rates"]["timely_rate"].percent == "100.00%"
    assert st["tones"] == {"reply_rate": "warn", "timely_rate": "warn"}


def test_rates_agree_with_the_annual_report(agency, who):
    build_two_years(agency, who)
    s = svc.scope(2024, ["BCZ"])
    st, report = svc.stats(s, D(2025, 3, 1)), svc.build(s)
    for key in ("reply_rate", "timely_rate"):
        assert st["rates"][key] == report.rates[key], key
    assert st["overdue"].at_end == R.column_sums(svc.table3_groups(s), "open_due")["total"]


@pytest.mark.parametrize("rate, ov, tone", [
    (R.Rate(0, 0), Overdue(TODAY, 0, True, 0), "none"),
    (R.Rate(5, 5), Overdue(TODAY, 0, True, 0), "ok"),
    (R.Rate(5, 5), Overdue(TODAY, 0, False, None), "ok"),
    (R.Rate(4, 5), Overdue(TODAY, 0, True, 0), "neutral"),
    (R.Rate(5, 5), Overdue(TODAY, 2, False, None), "warn"),
    (R.Rate(5, 5), Overdue(TODAY, 0, True, 1), "warn"),
    (R.Rate(4, 5), Overdue(TODAY, 1, True, 0), "warn"),
    (R.Rate(5, 5), None, "neutral"),
])
def test_rate_tone_never_ok_with_overdue_cases(rate, ov, tone):
    assert rate_tone(rate, ov) == tone
