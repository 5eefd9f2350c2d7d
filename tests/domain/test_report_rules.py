"""Annual report rules on plain records (docs/report.md): counting, checks, rates, layout."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure.domain import report as R
from disclosure.domain.codes import Outcome

D = date
NP = "natural_person"


def rec(received, concluded=None, outcome=None, kind=NP, due=None, timely=None):
    if concluded and outcome is None:
        outcome = "disclosed"
    return R.CaseRecord(kind, received, concluded, outcome, due, timely)


def table(records, year):
    return R.table3(R.group_counts(records, year))


def which(record, year):
    return {k for k, v in R.flags(record, year).items() if v and k != "prev_forward"}


# -- counting rules -------------------------------------------------------------------------------
def test_received_on_31_december_is_new_that_year_and_carried_forward():
    r = rec(D(2024, 12, 31))
    assert which(r, 2024) == {"new", "carried_forward"}
    assert which(r, 2025) == {"carried_over", "carried_forward"}


def test_received_on_1_january_belongs_to_the_new_year_only():
    r = rec(D(2025, 1, 1), D(2025, 1, 10))
    assert which(r, 2024) == set()
    assert which(r, 2025) == {"new", "concluded"}


def test_concluded_on_31_december_is_a_result_not_carried_forward():
    r = rec(D(2024, 12, 2), D(2024, 12, 31))
    assert which(r, 2024) == {"new", "concluded"}
    assert which(r, 2025) == set()


def test_concluded_on_1_january_is_carried_forward_then_a_result_of_the_next_year():
    r = rec(D(2024, 12, 2), D(2025, 1, 1))
    assert which(r, 2024) == {"new", "carried_forward"}
    assert which(r, 2025) == {"carried_over", "concluded"}


def test_case_carried_over_twice():
    r = rec(D(2023, 12, 20), D(2025, 2, 3))
    assert which(r, 2023) == {"new", "carried_forward"}
    assert which(r, 2024) == {"carried_over", "carried_forward"}
    assert which(r, 2025) == {"carried_over", "concluded"}
    assert which(r, 2026) == set()


def test_a_case_concluded_before_it_was_received_unbalances_the_year():
    r = rec(D(2024, 3, 1), D(2023, 12, 1))
    assert which(r, 2024) == {"new"}
    assert not {c.name: c for c in R.run_checks(table([r], 2024), 2024)}["balance.total"].ok


def test_unconfirmed_online_submission_is_not_counted_even_when_withdrawn():
    assert which(rec(None), 2024) == set()
    assert which(rec(None, D(2024, 3, 1), "other.other"), 2024) == set()


def test_partial_disclosure_is_counted_once_in_its_own_row():
    rows = table([rec(D(2024, 3, 1), D(2024, 3, 20), "partially_disclosed")], 2024)
    assert rows["partially_disclosed"][NP] == 1 and rows["disclosed"][NP] == 0
    assert sum(rows[k]["total"] for k in R.RESULT_ROWS) == 1
    assert rows["total"]["total"] == 1


def test_each_case_counts_in_the_column_of_its_applicant_type():
    rows = table([rec(D(2024, 3, 1), kind=k) for k in R.TYPE_COLUMNS], 2024)
    assert rows["new"] == {**dict.fromkeys(R.TYPE_COLUMNS, 1), "total": 6}


def test_every_row_has_all_seven_columns_with_zeros():
    rows = table([], 2024)
    assert list(rows) == list(R.ROW_KEYS)
    assert all(list(r) == list(R.COLUMNS) and set(r.values()) == {0} for r in rows.values())
    assert set(R.RESULT_ROWS) == {o.value for o in Outcome} and len(R.RESULT_ROWS) == 21


def test_xinghua_dayingzhen_2023_published_table_cell_by_cell():
    """兴化市大营镇 2023: 12 new, all 自然人; 4 予以公开, 1 属于四类过程性信息,
    5 本机关不掌握相关政府信息, 2 属于行政查询事项; nothing carried over or forward."""
    outcomes = (["disclosed"] * 4 + ["withheld.process_information"]
                + ["unavailable.not_held"] * 5 + ["withheld.administrative_query"] * 2)
    records = [rec(D(2023, 1, 3) + timedelta(days=20 * i), D(2023, 1, 20) + timedelta(days=20 * i),
                   o) for i, o in enumerate(outcomes)]
    rows = table(records, 2023)
    expected = {k: 0 for k in R.ROW_KEYS}
    expected.update({"new": 12, "disclosed": 4, "withheld.process_information": 1,
                     "unavailable.not_held": 5, "withheld.administrative_query": 2, "total": 12})
    for key in R.ROW_KEYS:
        assert rows[key] == {**dict.fromkeys(R.TYPE_COLUMNS, 0), NP: expected[key],
                             "total": expected[key]}, key
    assert all(c.ok for c in R.run_checks(rows, 2023, R.column_sums([], "prev_forward")))


# -- checks ---------------------------------------------------------------------------------------
def _two_years():
    return [rec(D(2023, 12, 20), D(2024, 1, 5)),
            rec(D(2024, 2, 1), D(2024, 2, 20), "unavailable.not_held"),
            rec(D(2024, 11, 1), kind="other_org"), rec(D(2023, 6, 1), D(2023, 6, 5))]


def test_checks_pass_on_consistent_data_and_name_every_column_and_row():
    groups = R.group_counts(_two_years(), 2024)
    checks = R.run_checks(R.table3(groups), 2024, R.column_sums(groups, "prev_forward"))
    names = [c.name for c in checks]
    assert all(c.ok for c in checks)
    assert [f"balance.{c}" for c in R.COLUMNS] == names[:7]
    assert {f"row_sum.{k}" for k in R.ROW_KEYS} <= set(names)
    assert {f"results_total.{c}" for c in R.COLUMNS} <= set(names)
    assert {f"continuity.{c}" for c in R.COLUMNS} <= set(names)
    balance = checks[0]
    assert balance.detail == "1 + 1 = 2 + 0"


def test_broken_figure_fails_the_balance_check_with_its_numbers():
    rows = table(_two_years(), 2024)
    rows["carried_forward"][NP] += 1
    rows["carried_forward"]["total"] += 1
    bad = {c.name: c for c in R.run_checks(rows, 2024) if not c.ok}
    assert set(bad) == {"balance.natural_person", "balance.total"}
    assert bad["balance.natural_person"].detail == "1 + 1 ≠ 2 + 1"


def test_broken_row_sum_and_results_total_fail():
    rows = table(_two_years(), 2024)
    rows["new"]["total"] += 1
    rows["disclosed"][NP] += 1
    bad = {c.name for c in R.run_checks(rows, 2024) if not c.ok}
    assert {"row_sum.new", "results_total.natural_person", "row_sum.disclosed"} <= bad


def test_unknown_applicant_type_or_outcome_makes_a_check_fail():
    rows = table([rec(D(2024, 1, 2), kind="alien")], 2024)
    assert not {c.name: c for c in R.run_checks(rows, 2024)}["row_sum.new"].ok
    rows = table([rec(D(2024, 1, 2), D(2024, 1, 9), "made_up")], 2024)
    failing = {c.name for c in R.run_checks(rows, 2024) if not c.ok}
    assert failing == {"results_total.natural_person", "results_total.total"}


def test_continuity_check_compares_with_the_previous_years_carried_forward():
    rows = table(_two_years(), 2024)
    prev = table(_two_years(), 2023)["carried_forward"]
    assert all(c.ok for c in R.run_checks(rows, 2024, prev))
    prev = {**prev, NP: prev[NP] + 2, "total": prev["total"] + 2}
    bad = [c for c in R.run_checks(rows, 2024, prev) if not c.ok]
    assert [c.name for c in bad] == ["continuity.natural_person", "continuity.total"]
    assert bad[0].detail == "1 ≠ 3"
    assert not [c for c in R.run_checks(rows, 2024) if c.name.startswith("continuity")]


records = st.builds(
    lambda r, d1, d2, kind, outcome, unconfirmed: rec(
        None if unconfirmed else D(2022, 1, 1) + timedelta(days=r),
        None if d1 is None else D(2022, 1, 1) + timedelta(days=r + d1),
        outcome if d1 is not None else None, kind),
    st.integers(0, 1400), st.one_of(st.none(), st.integers(0, 500)), st.none(),
    st.sampled_from(R.TYPE_COLUMNS), st.sampled_from(R.RESULT_ROWS), st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.lists(records, max_size=40), st.integers(2022, 2025))
def test_consistent_data_always_balances(recs, year):
    groups = R.group_counts(recs, year)
    prev = R.table3(R.group_counts(recs, year - 1))["carried_forward"]
    checks = R.run_checks(R.table3(groups), year, prev)
    assert [c for c in checks if not c.ok] == []
    assert R.column_sums(groups, "prev_forward") == prev


# -- rates ----------------------------------------------------------------------------------------
def test_rates_are_fractions_with_four_decimals():
    rates = R.rates(concluded=47, timely=46, open_due=0, new=45, carried_over=5)
    assert rates["reply_rate"].as_json() == {"numerator": 47, "denominator": 47, "value": "1.0000"}
    assert rates["timely_rate"].as_json() == {"numerator": 46, "denominator": 47, "value": "0.9787"}
    assert rates["completion_rate"].as_json() == {"numerator": 47, "denominator": 50,
                                                  "value": "0.9400"}
    assert rates["completion_rate"].percent == "94.00%"


def test_rate_rounds_half_up():
    assert R.Rate(1, 8).value == "0.1250"
    assert R.Rate(2, 3).value == "0.6667"
    assert R.Rate(1, 160000).value == "0.0000"  # 0.00000625 → rounds down
    assert R.Rate(1, 20000).value == "0.0001"   # 0.00005 → half up


def test_zero_denominators_are_null_never_zero_or_hundred_percent():
    rates = R.rates(0, 0, 0, 0, 0)
    for rate in rates.values():
        assert rate.value is None and rate.percent == "—"
        assert rate.as_json() == {"numerator": 0, "denominator": 0, "value": None}


def test_reply_rate_counts_open_cases_due_by_year_end():
    recs = [rec(D(2024, 11, 1), due=D(2024, 11, 29)), rec(D(2024, 12, 20), due=D(2025, 1, 20)),
            rec(D(2024, 3, 1), D(2024, 3, 20), due=D(2024, 3, 29), timely=True),
            rec(D(2024, 3, 1), D(2024, 4, 15), due=D(2024, 3, 29), timely=False)]
    groups = R.group_counts(recs, 2024)
    sums = {n: R.column_sums(groups, n)["total"] for n in ("timely", "open_due")}
    rows = R.table3(groups)
    rates = R.rates(rows["total"]["total"], sums["timely"], sums["open_due"], rows["new"]["total"],
                    rows["carried_over"]["total"])
    assert (rates["reply_rate"].numerator, rates["reply_rate"].denominator) == (2, 3)
    assert (rates["timely_rate"].numerator, rates["timely_rate"].denominator) == (1, 2)
    assert rates["completion_rate"].value == "0.5000"


# -- table 四 and layout --------------------------------------------------------------------------
def test_table4_totals_and_all_fifteen_cells():
    t4 = R.table4([("reconsideration", "upheld", 2), ("reconsideration", "pending", 1),
                   ("litigation_direct", "corrected", 1)])
    assert t4["reconsideration"] == {"upheld": 2, "corrected": 0, "other": 0, "pending": 1,
                                     "total": 3}
    assert t4["litigation_direct"]["total"] == 1
    assert t4["litigation_after_reconsideration"] == dict.fromkeys(R.APPEAL_RESULTS, 0)
    assert sum(len(v) for v in t4.values()) == 15


def _occupancy(grid):
    taken, width = set(), R.grid_width(grid)
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for i in range(cell.rowspan):
                for j in range(cell.colspan):
                    assert (r + i, c + j) not in taken
                    taken.add((r + i, c + j))
            c += cell.colspan
    assert taken == {(r, c) for r in range(len(grid)) for c in range(width)}
    return width


def test_grids_are_rectangular():
    rows = table([], 2024)
    assert _occupancy(R.table3_grid(rows)) == 10
    t2 = {"regulation": {"issued": 0, "repealed": 0, "in_force": 0},
          "normative_document": {"issued": 5, "repealed": 1, "in_force": 25},
          "licensing": {"decisions": 0}, "penalty": {"decisions": 0},
          "enforcement": {"decisions": 0},
          "fee_item": {"amount_10k_yuan": "0.00"}}
    assert _occupancy(R.table2_grid(t2)) == 4
    assert _occupancy(R.table4_grid(R.table4([]))) == 15


def test_table3_labels_verbatim_and_in_order():
    grid = R.table3_grid(table([], 2024))
    labels = [c.value for row in grid for c in row if c.header]
    expected = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
                "三、本年度办理结果", "（一）予以公开",
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                "（三）不予公开", "1.属于国家秘密", "2.其他法律行政法规禁止公开",
                "3.危及“三安全一稳定”", "4.保护第三方合法权益", "5.属于三类内部事务信息",
                "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
                "（四）无法提供", "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
                "3.补正后申请内容仍不明确", "（五）不予处理", "1.信访举报投诉类申请", "2.重复申请",
                "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                "5.要求行政机关确认或重新出具已获取信息", "（六）其他处理",
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                "3.其他", "（七）总计", "四、结转下年度继续办理"]
    assert [x for x in labels if x in expected] == expected
    assert labels[:9] == [R.BALANCE_NOTE, "申请人情况", "自然人", "法人或其他组织", "总计",
                          "商业企业", "科研机构", "社会公益组织", "法律服务机构"]
    links = [c.link for row in grid for c in row if c.link]
    assert len(links) == len(R.ROW_KEYS) * 7


def test_narrative_draft_has_five_parts_with_the_figures():
    rows = table(_two_years(), 2024)
    t2 = {"regulation": {"issued": 1, "repealed": 0, "in_force": 3},
          "normative_document": {"issued": 5, "repealed": 1, "in_force": 25},
          "licensing": {"decisions": 7}, "penalty": {"decisions": 0},
          "enforcement": {"decisions": 0},
          "fee_item": {"amount_10k_yuan": "1.50"}}
    text = R.draft_narrative(R.NarrativeFigures(2024, t2, rows, R.rates(2, 1, 0, 2, 1),
                                                R.table4([("reconsideration", "upheld", 1)]), 9))
    for n, part in zip("一二三四五", R.NARRATIVE_PARTS):
        assert f"（{n}）{part}" in text
    assert "新收政府信息公开申请 2 件" in text and "上年结转 1 件" in text
    assert "保密审查 9 次" in text and "行政复议 1 件" in text and "1.50 万元" in text
    assert "答复及时率 50.00%" in text


@pytest.mark.parametrize("values,expected", [
    ([], {"n": 0, "median": None, "mean": None, "p90": None, "max": None}),
    ([5], {"n": 1, "median": 5, "mean": 5, "p90": 5, "max": 5}),
    ([1, 2, 3, 10], {"n": 4, "median": 2.5, "mean": 4, "p90": 10, "max": 10}),
    (list(range(1, 11)), {"n": 10, "median": 5.5, "mean": 5.5, "p90": 9, "max": 10}),
    ([3, 1, 2], {"n": 3, "median": 2, "mean": 2, "p90": 3, "max": 3}),
])
def test_summary_stats(values, expected):
    assert R.summary_stats(values) == expected


def test_csv_rows_cover_every_figure():
    rows = table([], 2024)
    data = {"table2": {k: {c: 0 for c in cols} for _a, cols, rs in R.TABLE2_BLOCKS for k, _l in rs},
            "table3": {"rows": rows}, "table4": R.table4([]),
            "rates": {k: v.as_json() for k, v in R.rates(0, 0, 0, 0, 0).items()},
            "fees": {"collected_yuan": "0.00"}, "checks": [{"name": "balance.total", "ok": True}]}
    out = R.csv_rows(data)
    assert out[0] == R.CSV_HEADER
    assert len(out) == 1 + 10 + 25 * 7 + 15 + 9 + 1 + 1
