"""The review round (R6.4, issue 15): is it over, and did it end in a rejection?"""
import pytest

from disclosure.domain.review import round_result, standing_decision


@pytest.mark.parametrize("decisions, expected", [
    ([], "pending"),
    (["referred"], "pending"),  # the authority has not answered yet
    (["approved"], "approved"),
    (["rejected"], "rejected"),
    (["referred", "approved"], "approved"),
    (["referred", "rejected"], "rejected"),
])
def test_standing_decision_of_one_version(decisions, expected):
    assert standing_decision(decisions) == expected


def test_no_items_is_no_round():
    assert round_result([]) == "pending"


def test_the_round_stays_open_while_any_item_awaits_a_decision():
    assert round_result([["rejected"], []]) == "pending"
    assert round_result([["approved"], [], ["approved"]]) == "pending"
    assert round_result([["rejected"], ["referred"]]) == "pending"


def test_a_rejection_ends_the_round_only_with_the_last_decision():
    assert round_result([["rejected"], []]) == "pending"
    assert round_result([["rejected"], ["approved"]]) == "rejected"
    assert round_result([["approved"], ["approved"], ["rejected"]]) == "rejected"
    assert round_result([["rejected"], ["rejected"]]) == "rejected"


def test_all_approved():
    assert round_result([["approved"]]) == "approved"
    assert round_result([["approved"], ["referred", "approved"]]) == "approved"


def test_accepts_any_iterables():
    assert round_result(iter([("approved",), iter(["rejected"])])) == "rejected"
