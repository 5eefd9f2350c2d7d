"""R5.1–R5.3, R5.5 — 信息处理费 amounts (国办函〔2020〕109号), pure."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure.domain.fees import fee_amount, per_case_fee, per_case_total, per_page_fee

fast = settings(max_examples=200, deadline=None)


# -- R5.1 -----------------------------------------------------------------------------------------
def test_r5_1_free_by_default():
    assert fee_amount("per_case", nth_in_month=1) == 0
    assert fee_amount("per_page", pages=30) == 0


def test_r5_1_never_both_methods():
    with pytest.raises(ValueError, match="不得同时"):
        fee_amount("per_case", nth_in_month=12, pages=40)
    with pytest.raises(ValueError, match="不得同时"):
        fee_amount("per_page", nth_in_month=12, pages=40)


@pytest.mark.parametrize("method,kw", [
    ("per_case", {"pages": 40}), ("per_page", {"nth_in_month": 12}),
    ("per_case", {}), ("per_page", {}),
])
def test_r5_1_method_needs_its_own_quantity(method, kw):
    with pytest.raises(ValueError, match="须提供"):
        fee_amount(method, **kw)


def test_r5_1_unknown_method():
    with pytest.raises(ValueError, match="未知的计收方式"):
        fee_amount("per_word", pages=3)


def test_r5_1_dispatches_to_the_chosen_method():
    assert fee_amount("per_case", nth_in_month=31) == Decimal(200)
    assert fee_amount("per_page", pages=100) == Decimal(700)


# -- R5.2 -----------------------------------------------------------------------------------------
def test_r5_2_per_case_tiers():
    assert per_case_total(30) == Decimal(2000)
    assert per_case_total(40) == Decimal(4000)
    assert per_case_total(50) == Decimal(7000)


@pytest.mark.parametrize("n,fee", [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200),
                                   (41, 300), (50, 300), (51, 400), (60, 400), (61, 500)])
def test_r5_2_per_case_fee_of_nth_application(n, fee):
    assert per_case_fee(n) == Decimal(fee)


def test_r5_2_per_case_total_small_counts():
    assert per_case_total(10) == 0
    assert per_case_total(11) == Decimal(100)
    assert per_case_total(51) == Decimal(7400)


@fast
@given(st.integers(min_value=1, max_value=500))
def test_r5_2_property_total_is_sum_of_fees(n):
    assert per_case_total(n) == sum((per_case_fee(i) for i in range(1, n + 1)), Decimal(0))


# -- R5.3 -----------------------------------------------------------------------------------------
def test_r5_3_per_page_tiers():
    assert per_page_fee(100) == Decimal(700)
    assert per_page_fee(201) == Decimal(2740)
    assert per_page_fee(30) == 0
    assert per_page_fee(31) == Decimal(10)


@pytest.mark.parametrize("pages,fee", [(1, 0), (101, 720), (200, 2700), (300, 6700)])
def test_r5_3_per_page_progressive(pages, fee):
    # 200: 70×10 + 100×20 = 2700; 300: 2700 + 100×40 = 6700
    assert per_page_fee(pages) == Decimal(fee)


@fast
@given(st.integers(min_value=1, max_value=2000))
def test_r5_3_property_marginal_page_rate(pages):
    step = per_page_fee(pages + 1) - per_page_fee(pages)
    rate = 0 if pages + 1 <= 30 else 10 if pages + 1 <= 100 else 20 if pages + 1 <= 200 else 40
    assert step == rate


# -- input validation -----------------------------------------------------------------------------
@pytest.mark.parametrize("func", [per_case_fee, per_case_total, per_page_fee])
@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "3"])
def test_r5_2_r5_3_non_positive_or_non_integer_rejected(func, bad):
    with pytest.raises(ValueError, match="正整数"):
        func(bad)


# -- R5.5 -----------------------------------------------------------------------------------------
def test_r5_5_amounts_are_exact_decimal_yuan_for_the_report():
    amounts = [fee_amount("per_page", pages=31), fee_amount("per_case", nth_in_month=11),
               fee_amount("per_page", pages=201)]
    assert all(isinstance(a, Decimal) for a in amounts)
    assert sum(amounts, Decimal(0)) == Decimal(2850)
    assert f"{sum(amounts, Decimal(0)):.2f}" == "2850.00"
