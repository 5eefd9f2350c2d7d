"""The case rules, checked without an app or a database (domain.case_rules)."""
from datetime import date

import pytest

from disclosure.domain import case_rules as rules
from disclosure.domain.errors import ValidationFailed
from disclosure.domain.workflow import WorkflowError

D = date


def code_of(fn, *args):
    with pytest.raises(WorkflowError) as exc:
        fn(*args)
    return exc.value.code


def test_one_supplement_notice_only():
    rules.check_supplement_once(None)
    assert code_of(rules.check_supplement_once, D(2026, 3, 2)) == "supplement_once"


def test_supplement_notice_within_its_seven_days():
    rules.check_supplement_in_time(D(2026, 3, 11), D(2026, 3, 11))  # the last day is in time
    assert code_of(rules.check_supplement_in_time, D(2026, 3, 12), D(2026, 3, 11)) \
        == "supplement_late"


def test_one_extension_and_one_request_at_a_time():
    rules.check_extension_request(None, False)
    assert code_of(rules.check_extension_request, 20, False) == "extension_once"
    assert code_of(rules.check_extension_request, None, True) == "extension_pending"


def test_extension_approved_only_before_the_due_date_passes():
    rules.check_extension_in_time(True, D(2026, 3, 31), D(2026, 3, 31))
    rules.check_extension_in_time(False, D(2026, 3, 31), D(2026, 4, 1))  # refusing stays possible
    assert code_of(rules.check_extension_in_time, True, D(2026, 3, 31), D(2026, 4, 1)) \
        == "extension_too_late"


def test_deferral_before_the_due_date_and_to_a_later_day():
    rules.check_deferral(D(2026, 3, 31), D(2026, 4, 30), D(2026, 3, 20))
    assert code_of(rules.check_deferral, D(2026, 3, 31), D(2026, 4, 30), D(2026, 4, 1)) \
        == "deferral_late"
    with pytest.raises(ValidationFailed) as exc:
        rules.check_deferral(D(2026, 3, 31), D(2026, 3, 31), D(2026, 3, 20))
    assert set(exc.value.errors) == {"due_on"}


def test_fee_notice_once_and_inside_the_period():
    rules.check_fee_notice(None, D(2026, 3, 31), D(2026, 3, 31))
    assert code_of(rules.check_fee_notice, D(2026, 3, 1), None, D(2026, 3, 2)) == "fee_once"
    assert code_of(rules.check_fee_notice, None, D(2026, 3, 31), D(2026, 4, 1)) == "fee_late"
    assert code_of(rules.check_fee_payment, None, None) == "no_fee_due"
    assert code_of(rules.check_fee_payment, D(2026, 3, 1), D(2026, 3, 5)) == "no_fee_due"


def test_dates_of_acts_are_not_in_the_future_nor_before_what_they_follow():
    today = D(2026, 3, 20)
    assert rules.day_within(None, today, None) == today
    for bad in (D(2026, 3, 21), D(2026, 3, 1)):
        with pytest.raises(ValidationFailed):
            rules.day_within(bad, today, D(2026, 3, 2))


def test_online_supplement_answer_limits():
    assert set(rules.check_supplement_answer("", 0)) == {"text"}
    assert rules.check_supplement_answer("材料见附件", 0) == {}
    assert set(rules.check_supplement_answer("x" * (rules.SUPPLEMENT_TEXT_MAX + 1), 1)) == {"text"}
    assert set(rules.check_supplement_answer("", rules.SUPPLEMENT_FILES_MAX + 1)) == {"files"}


def test_numbers_and_texts_from_forms():
    assert rules.positive_int("15", "p", "期限", 60) == 15
    for bad in ("0", "61", "x", None):
        with pytest.raises(ValidationFailed):
            rules.positive_int(bad, "p", "期限", 60)
    assert rules.required_text("  理由 ", "r", "理由") == "理由"
    with pytest.raises(ValidationFailed):
        rules.required_text(" ", "r", "理由")
