"""docs/ledger.md — parsing and validating ledger lines (pure: no app, no database)."""
import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from disclosure.domain import codes, ledger
from disclosure.domain.deadlines import compute_deadline
from disclosure.domain.workdays import WorkCalendar

TODAY = date(2025, 1, 1)
CAL = WorkCalendar()

# The example of docs/ledger.md, with a real identity number and phone.
EXAMPLE = {
    "tracking_no": "BCZ-2024-000017",
    "agency": "BCZ",
    "applicant": {"type": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "11010519491231002X", "phone": "13800000000",
                  "email": "zhang@example.cn", "address": "包场镇1号"},
    "channel": "mail_signed",
    "submitted_at": "2024-01-03T10:15:00+08:00",
    "received_on": "2024-01-04",
    "subject": "2023年某村道路拓宽工程的立项批复",
    "description": "……",
    "events": [
        {"type": "supplement_requested", "on": "2024-01-08", "period_workdays": 15},
        {"type": "supplement_received", "on": "2024-01-15"},
        {"type": "consultation_started", "on": "2024-01-20", "party": "third_party"},
        {"type": "consultation_ended", "on": "2024-02-05"},
        {"type": "extension_approved", "on": "2024-02-18", "workdays": 20},
        {"type": "fee_notified", "on": "2024-02-20", "method": "per_page", "amount_yuan": "700.00"},
        {"type": "fee_paid", "on": "2024-02-22"},
        {"type": "deferred_deadline_set", "on": "2024-02-23", "due_on": "2024-04-30"},
    ],
    "outcome": "partially_disclosed",
    "concluded_on": "2024-03-12",
    "appeals": [{"kind": "reconsideration", "filed_on": "2024-04-02",
                 "result": "upheld", "decided_on": "2024-06-01"}],
}

MINIMAL = {"agency": "BCZ", "applicant": {"type": "natural_person", "name": "李四"},
           "channel": "in_person", "received_on": "2024-03-01", "subject": "某文件"}


def make(base=MINIMAL, **over) -> dict:
    obj = copy.deepcopy(base)
    for key, value in over.items():
        if value is ...:
            obj.pop(key, None)
        else:
            obj[key] = value
    return obj


def parse(obj, today=TODAY, line=1, **kw):
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    return ledger.parse_line(text, line, today=today, **kw)


def errors(obj, **kw) -> set[tuple[str, str]]:
    rec, errs = parse(obj, **kw)
    assert rec is None and errs, "expected errors"
    return {(e.field, e.code) for e in errs}


def ok(obj, **kw) -> ledger.LedgerRecord:
    rec, errs = parse(obj, **kw)
    assert errs == [], errs
    return rec


# -- the example and the minimum ------------------------------------------------------------------
def test_example_line_parses_into_facts():
    rec = ok(EXAMPLE)
    assert rec.tracking_no == "BCZ-2024-000017" and rec.agency == "BCZ"
    assert rec.applicant.id_number == "11010519491231002X"
    assert rec.received_on == date(2024, 1, 4)
    assert (rec.supplement_requested_on, rec.supplement_period_workdays,
            rec.supplement_received_on) == (date(2024, 1, 8), 15, date(2024, 1, 15))
    assert rec.consultations == (ledger.Consultation("third_party", date(2024, 1, 20),
                                                     date(2024, 2, 5)),)
    assert (rec.extension_workdays, rec.extension_on) == (20, date(2024, 2, 18))
    assert (rec.fee_method, rec.fee_amount) == ("per_page", Decimal("700.00"))
    assert (rec.fee_notified_on, rec.fee_paid_on) == (date(2024, 2, 20), date(2024, 2, 22))
    assert (rec.deferred_due_on, rec.deferred_set_on) == (date(2024, 4, 30), date(2024, 2, 23))
    assert (rec.outcome, rec.concluded_on) == ("partially_disclosed", date(2024, 3, 12))
    assert rec.appeals == (ledger.AppealRecord("reconsideration", date(2024, 4, 2), "upheld",
                                               date(2024, 6, 1)),)
    assert ledger.derive_status(rec) == "replied"


def test_example_clock_is_the_domain_clock():
    dl = compute_deadline(ledger.clock_facts(ok(EXAMPLE)), CAL, TODAY)
    assert dl.clock_started_on == date(2024, 1, 15)  # restarted by the supplement
    assert dl.due_on == date(2024, 4, 30)  # the deferred date replaces the computed one
    assert dl.timely is True


def test_minimal_line_and_optional_identity():
    rec = ok(MINIMAL)
    assert rec.applicant.id_type is None and rec.applicant.id_number is None
    assert rec.applicant.phone is None and rec.tracking_no is None
    assert ledger.derive_status(rec) == "registered"


def test_organisation_without_credit_code_or_contact_is_accepted():
    rec = ok(make(applicant={"type": "commercial_enterprise", "name": "某建设有限公司"}))
    assert rec.applicant.credit_code is None and rec.applicant.contact_name is None


def test_agency_comes_from_the_option_when_absent():
    assert ok(make(agency=...), agency="BCZ").agency == "BCZ"
    assert ("agency", "required") in errors(make(agency=...))
    assert ("agency", "agency_mismatch") in errors(make(agency="XYZ"), agency="BCZ")


# -- required fields and codes ---------------------------------------------------------------------
@pytest.mark.parametrize("key, field", [
    ("channel", "channel"), ("subject", "subject"), ("received_on", "received_on"),
])
def test_required_fields(key, field):
    assert (field, "required") in errors(make(**{key: ...}))


def test_applicant_type_and_name_required():
    found = errors(make(applicant={"phone": "13800000000"}))
    assert {("applicant.type", "required"), ("applicant.name", "required")} <= found
    assert ("applicant", "required") in errors(make(applicant=...))


@pytest.mark.parametrize("over, field", [
    ({"channel": "pigeon"}, "channel"),
    ({"outcome": "granted", "concluded_on": "2024-03-10"}, "outcome"),
    ({"applicant": {"type": "alien", "name": "x"}}, "applicant.type"),
    ({"applicant": {"type": "natural_person", "name": "x", "id_type": "badge",
                    "id_number": "1"}}, "applicant.id_type"),
    ({"events": [{"type": "teleported", "on": "2024-03-02"}]}, "events[0].type"),
    ({"events": [{"type": "consultation_started", "on": "2024-03-02", "party": "mayor"}]},
     "events[0].party"),
    ({"events": [{"type": "fee_notified", "on": "2024-03-02", "method": "per_word",
                  "amount_yuan": "100.00"}]}, "events[0].method"),
    ({"appeals": [{"kind": "petition", "filed_on": "2024-04-01"}]}, "appeals[0].kind"),
    ({"appeals": [{"kind": "reconsideration", "filed_on": "2024-04-01", "result": "won"}]},
     "appeals[0].result"),
])
def test_unknown_codes(over, field):
    assert (field, "unknown_code") in errors(make(**over))


def test_unknown_field_is_an_error_but_derived_fields_are_ignored():
    assert ("recieved_on", "unknown_field") in errors(make(recieved_on="2024-03-01"))
    assert ("applicant.nickname", "unknown_field") in errors(
        make(applicant={"type": "natural_person", "name": "x", "nickname": "y"}))
    rec = ok(make(status="replied", due_on="2000-01-01", overdue=True))
    assert ledger.derive_status(rec) == "registered"


# -- dates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["2024-02-30", "2023-02-29", "2024/03/01", "20240301",
                                   "2024-3-1", 20240301, "yesterday"])
def test_malformed_dates(value):
    assert ("received_on", "invalid_date") in errors(make(received_on=value))


def test_a_malformed_receipt_date_is_reported_once():
    _rec, errs = parse(make(received_on="2024-02-30",
                            events=[ev("supplement_requested", "2024-03-04")]))
    assert [(e.field, e.code) for e in errs] == [("received_on", "invalid_date")]


def test_malformed_dates_in_events_conclusion_and_appeals():
    found = errors(make(events=[{"type": "supplement_requested", "on": "2024-02-30"}],
                        outcome="disclosed", concluded_on="2024-13-01",
                        appeals=[{"kind": "reconsideration", "filed_on": "2024-04-31"}]))
    assert {("events[0].on", "invalid_date"), ("concluded_on", "invalid_date"),
            ("appeals[0].filed_on", "invalid_date")} <= found


def test_leap_day_is_a_date():
    assert ok(make(received_on="2024-02-29")).received_on == date(2024, 2, 29)


def test_concluded_on_in_the_future():
    obj = make(outcome="disclosed", concluded_on="2025-01-02")
    assert ("concluded_on", "future_date") in errors(obj)
    assert ok(obj, today=date(2025, 1, 2)).concluded_on == date(2025, 1, 2)


def test_received_on_in_the_future_and_before_submission():
    assert ("received_on", "future_date") in errors(make(received_on="2025-02-01"))
    found = errors(make(submitted_at="2024-03-05T09:00:00+08:00"))
    assert ("received_on", "received_before_submitted") in found


def test_outcome_and_concluded_on_together_or_not_at_all():
    assert ("concluded_on", "outcome_with_date") in errors(make(outcome="disclosed"))
    assert ("outcome", "outcome_with_date") in errors(make(concluded_on="2024-03-20"))
    assert ("concluded_on", "concluded_before_received") in errors(
        make(outcome="disclosed", concluded_on="2024-02-28"))


# -- events -------------------------------------------------------------------------------------
def ev(kind, on, **kw):
    return {"type": kind, "on": on, **kw}


def test_events_out_of_order():
    found = errors(make(events=[ev("supplement_requested", "2024-03-05"),
                                ev("supplement_received", "2024-03-04")]))
    assert ("events[1].on", "out_of_order") in found


def test_event_before_received_and_after_concluded():
    found = errors(make(events=[ev("consultation_started", "2024-02-28", party="agency"),
                                ev("consultation_ended", "2024-03-25")],
                        outcome="disclosed", concluded_on="2024-03-20"))
    assert {("events[0].on", "before_received"), ("events[1].on", "after_concluded")} <= found


def test_event_in_the_future():
    found = errors(make(events=[ev("consultation_started", "2025-01-05", party="agency")]))
    assert ("events[0].on", "future_date") in found


def test_event_needs_its_date():
    assert ("events[0].on", "required") in errors(make(events=[{"type": "fee_paid"}]))


def test_supplement_requested_only_once():
    found = errors(make(events=[ev("supplement_requested", "2024-03-04"),
                                ev("supplement_requested", "2024-03-05")]))
    assert ("events[1]", "supplement_twice") in found


def test_supplement_received_without_request():
    found = errors(make(events=[ev("supplement_received", "2024-03-04")]))
    assert ("events[0]", "supplement_without_request") in found


def test_extension_at_most_once_and_at_most_20_workdays():
    found = errors(make(events=[ev("extension_approved", "2024-03-04", workdays=10),
                                ev("extension_approved", "2024-03-05", workdays=5)]))
    assert ("events[1]", "extension_twice") in found
    found = errors(make(events=[ev("extension_approved", "2024-03-04", workdays=21)]))
    assert ("events[0].workdays", "extension_too_long") in found
    assert ("events[0].workdays", "invalid") in errors(
        make(events=[ev("extension_approved", "2024-03-04", workdays="10")]))
    assert ok(make(events=[ev("extension_approved", "2024-03-04", workdays=20)])
              ).extension_workdays == 20


def test_consultation_ended_that_never_started():
    found = errors(make(events=[ev("consultation_ended", "2024-03-04")]))
    assert ("events[0]", "consultation_not_started") in found
    found = errors(make(events=[ev("consultation_started", "2024-03-04", party="agency"),
                                ev("consultation_ended", "2024-03-05"),
                                ev("consultation_ended", "2024-03-06")]))
    assert ("events[2]", "consultation_not_started") in found


def test_consultation_party_required_and_checked():
    found = errors(make(events=[ev("consultation_started", "2024-03-04")]))
    assert ("events[0].party", "required") in found


def test_consultations_end_first_started_first_unless_party_named():
    rec = ok(make(events=[ev("consultation_started", "2024-03-04", party="third_party"),
                          ev("consultation_started", "2024-03-05", party="agency"),
                          ev("consultation_ended", "2024-03-06", party="agency")]))
    assert [(c.party, c.ended_on) for c in rec.consultations] == [
        ("third_party", None), ("agency", date(2024, 3, 6))]
    assert ledger.derive_status(rec) == "paused"


@pytest.mark.parametrize("amount", [700, 700.0, "七百", "-5", "0", "1.005", ""])
def test_money_is_a_positive_decimal_string(amount):
    found = errors(make(events=[ev("fee_notified", "2024-03-04", method="per_case",
                                   amount_yuan=amount)]))
    assert ("events[0].amount_yuan", "invalid_amount") in found or \
        ("events[0].amount_yuan", "required") in found


def test_money_is_kept_to_the_fen():
    rec = ok(make(events=[ev("fee_notified", "2024-03-04", method="per_case", amount_yuan="100")]))
    assert rec.fee_amount == Decimal("100.00")
    assert ledger.to_line(rec)["events"][0]["amount_yuan"] == "100.00"


def test_fee_paid_needs_a_notice():
    found = errors(make(events=[ev("fee_paid", "2024-03-04")]))
    assert ("events[0]", "fee_paid_without_notice") in found


def test_deferred_date_must_be_later():
    found = errors(make(events=[ev("deferred_deadline_set", "2024-03-04", due_on="2024-03-04")]))
    assert ("events[0].due_on", "deferred_not_later") in found


# -- identity --------------------------------------------------------------------------------------
def test_wrong_id_check_digit():
    found = errors(make(applicant={"type": "natural_person", "name": "x",
                                   "id_type": "resident_id", "id_number": "110105194912310021"}))
    assert ("applicant.id_number", "bad_check_digit") in found


def test_id_number_needs_its_type():
    found = errors(make(applicant={"type": "natural_person", "name": "x",
                                   "id_number": "11010519491231002X"}))
    assert ("applicant.id_type", "required") in found


def test_wrong_credit_code_check_character():
    found = errors(make(applicant={"type": "other_org", "name": "某村委会",
                                   "credit_code": "91110000600037341A"}))
    assert ("applicant.credit_code", "bad_check_digit") in found


def test_phone_optional_but_checked_when_present():
    assert ok(make(applicant={"type": "natural_person", "name": "x", "phone": "0513-81234567"}))
    found = errors(make(applicant={"type": "natural_person", "name": "x", "phone": "call me"}))
    assert ("applicant.phone", "invalid") in found


@pytest.mark.parametrize("over, expected", [
    # each rule of domain.application with a code of its own, and a few that are "invalid"
    ({"applicant": {"type": "natural_person", "name": " "}}, ("applicant.name", "required")),
    ({"subject": ""}, ("subject", "required")),
    ({"delivery": {"form": "paper"}}, ("delivery.method", "required")),
    ({"delivery": {"form": "paper", "method": "pigeon"}}, ("delivery.method", "unknown_code")),
    ({"delivery": {"form": "scroll", "method": "mail"}}, ("delivery.form", "unknown_code")),
    ({"applicant": {"type": "x" * 65, "name": "x"}}, ("applicant.type", "invalid")),
    ({"applicant": {"type": "natural_person", "name": "x", "id_type": "resident_id",
                    "id_number": "1101051949123100"}}, ("applicant.id_number", "invalid")),
    ({"applicant": {"type": "other_org", "name": "x", "credit_code": "9111"}},
     ("applicant.credit_code", "invalid")),
    ({"delivery": {"form": "electronic", "method": "email"}}, ("applicant.email", "invalid")),
    ({"applicant": {"type": "natural_person", "name": "x" * 101}}, ("applicant.name", "invalid")),
    ({"applicant": {"type": "natural_person", "name": 7}}, ("applicant.name", "invalid")),
])
def test_applicant_errors_carry_the_code_of_their_rule(over, expected):
    assert expected in errors(make(**over))


@pytest.mark.parametrize("kind", [[], {}, ["natural_person"], 3])
def test_an_applicant_type_that_is_not_text_is_an_error_not_a_crash(kind):
    assert ("applicant.type", "invalid") in errors(make(applicant={"type": kind, "name": "x"}))


def test_error_codes_are_a_closed_list():
    assert {"required", "bad_check_digit", "tracking_no_exists"} <= ledger.ERROR_CODES
    if __debug__:
        with pytest.raises(AssertionError):
            ledger.LineError(1, "$", "some_new_code", "消息")


# -- withdrawal and unconfirmed online submissions -------------------------------------------------
def test_withdrawn_event_concludes_as_other_other():
    rec = ok(make(events=[ev("withdrawn", "2024-03-05")]))
    assert (rec.outcome, rec.concluded_on, rec.withdrawn) == ("other.other", date(2024, 3, 5), True)
    assert ledger.derive_status(rec) == "withdrawn"
    same = ok(make(events=[ev("withdrawn", "2024-03-05")], outcome="other.other",
                   concluded_on="2024-03-05"))
    assert ledger.to_line(same) == ledger.to_line(rec)


def test_withdrawn_conflicts_and_nothing_after_it():
    found = errors(make(events=[ev("withdrawn", "2024-03-05")], outcome="disclosed",
                        concluded_on="2024-03-05"))
    assert ("outcome", "withdrawn_conflict") in found
    found = errors(make(events=[ev("withdrawn", "2024-03-05"), ev("fee_paid", "2024-03-05")]))
    assert ("events[1]", "after_withdrawn") in found


def test_unconfirmed_online_submission():
    rec = ok(make(received_on=..., channel="online", submitted_at="2024-03-01T23:30:00+08:00"))
    assert rec.received_on is None and ledger.derive_status(rec) == "submitted"
    assert rec.year == 2024
    assert ("received_on", "required") in errors(
        make(received_on=..., submitted_at="2024-03-01T23:30:00+08:00"))  # not online
    found = errors(make(received_on=..., channel="online", submitted_at="2024-03-01T10:00:00",
                        events=[ev("supplement_requested", "2024-03-04")]))
    assert ("events[0]", "not_received") in found


def test_naive_submission_time_is_office_local():
    rec = ok(make(channel="online", submitted_at="2024-03-01T10:00:00"))
    assert ledger.to_line(rec)["submitted_at"] == "2024-03-01T10:00:00+08:00"
    assert ("submitted_at", "invalid_datetime") in errors(make(submitted_at="2024-03-01"))


@pytest.mark.parametrize("value, good", [
    ("2007-12-31T23:00:00+08:00", False),  # before the 条例's year (domain.bounds)
    ("2008-01-01T00:00:00+08:00", True), ("2101-01-01T00:00:00+08:00", False),
    ("2024-03-01T10:00:00Z", True), ("2024-03-01T10:00", True), ("2024-03-01T10", False),
])
def test_submission_time_bounds(value, good):
    obj = make(submitted_at=value)
    if good:
        assert ok(obj).submitted_at is not None
    else:
        assert ("submitted_at", "invalid_datetime") in errors(obj)


# -- statuses --------------------------------------------------------------------------------------
@pytest.mark.parametrize("over, status", [
    ({}, "registered"),
    ({"events": [ev("supplement_requested", "2024-03-04")]}, "awaiting_supplement"),
    ({"events": [ev("supplement_requested", "2024-03-04"),
                 ev("supplement_received", "2024-03-05")]}, "in_progress"),
    ({"events": [ev("consultation_started", "2024-03-04", party="agency")]}, "paused"),
    ({"events": [ev("fee_notified", "2024-03-04", method="per_case", amount_yuan="100.00")]},
     "paused"),
    ({"events": [ev("extension_approved", "2024-03-04", workdays=5)]}, "in_progress"),
    ({"outcome": "disclosed", "concluded_on": "2024-03-20"}, "replied"),
    ({"outcome": "other.no_supplement", "concluded_on": "2024-03-20"}, "abandoned"),
    ({"outcome": "other.fee_unpaid", "concluded_on": "2024-03-20"}, "abandoned"),
    ({"outcome": "other.other", "concluded_on": "2024-03-20"}, "replied"),
])
def test_status_follows_the_facts(over, status):
    rec = ok(make(**over))
    assert ledger.derive_status(rec) == status
    assert rec.concluded_by_sweep == (status == "abandoned")


# -- lines and files -------------------------------------------------------------------------------
def test_every_error_of_a_line_is_reported_with_its_line_number():
    rec, errs = parse(make(channel="x", received_on="2024-02-30", subject=...), line=7)
    assert rec is None
    assert {(e.line, e.field, e.code) for e in errs} == {
        (7, "channel", "unknown_code"), (7, "received_on", "invalid_date"),
        (7, "subject", "required")}
    assert str(errs[0]).startswith("line 7: channel: ") and str(errs[0]).endswith("(unknown_code)")


def test_file_lines_are_physical_and_blank_lines_skipped():
    good = json.dumps(MINIMAL, ensure_ascii=False)
    text = "\ufeff" + good + "\n\n   \n" + "[1, 2]\n" + "{not json\r\n" + good + "\n"
    records, errs = ledger.parse_ledger(text, today=TODAY)
    assert [r.line for r in records] == [1, 6]
    assert [(e.line, e.field, e.code) for e in errs] == [(4, "$", "not_object"),
                                                        (5, "$", "not_json")]


def test_lines_may_come_from_a_file_object(tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_text(json.dumps(MINIMAL, ensure_ascii=False) + "\n\n" + "{}\n", encoding="utf-8")
    with open(path, encoding="utf-8") as fh:
        records, errs = ledger.parse_ledger(fh, today=TODAY)
    assert len(records) == 1 and {e.line for e in errs} == {3}


def test_tracking_number_twice_in_a_file():
    line = json.dumps(make(tracking_no="OLD-1"), ensure_ascii=False)
    records, errs = ledger.parse_ledger(f"{line}\n{line}", today=TODAY)
    assert len(records) == 1
    assert [(e.line, e.code) for e in errs] == [(2, "duplicate_tracking_no")]


def test_tracking_number_kept_exactly_but_not_padded():
    assert ok(make(tracking_no="海门〔2019〕第7号")).tracking_no == "海门〔2019〕第7号"
    assert ("tracking_no", "invalid") in errors(make(tracking_no=" BCZ-1"))


# -- back to a line --------------------------------------------------------------------------------
def test_to_line_of_the_example_is_the_example():
    line = ledger.to_line(ok(EXAMPLE))
    assert line == EXAMPLE


def test_to_line_is_a_fixed_point():
    rec = ok(EXAMPLE)
    again = ok(json.loads(json.dumps(ledger.to_line(rec), ensure_ascii=False)))
    assert ledger.to_line(again) == ledger.to_line(rec)


def test_events_are_canonical_whatever_the_input_order_of_same_day_events():
    a = ok(make(events=[ev("fee_notified", "2024-03-04", method="per_case", amount_yuan="100.00"),
                        ev("extension_approved", "2024-03-04", workdays=5)]))
    b = ok(make(events=[ev("extension_approved", "2024-03-04", workdays=5),
                        ev("fee_notified", "2024-03-04", method="per_case", amount_yuan="100")]))
    assert ledger.to_line(a) == ledger.to_line(b)


def test_overlapping_consultations_round_trip():
    rec = ok(make(events=[ev("consultation_started", "2024-03-04", party="third_party"),
                          ev("consultation_started", "2024-03-05", party="agency"),
                          ev("consultation_ended", "2024-03-06", party="agency"),
                          ev("consultation_ended", "2024-03-08")]))
    line = ledger.to_line(rec)
    assert line["events"][2] == {"type": "consultation_ended", "on": "2024-03-06",
                                 "party": "agency"}
    assert "party" not in line["events"][3]
    assert ok(line).consultations == rec.consultations


def test_appeal_rules_match_the_appeals_service():
    rec = ok(make(appeals=[{"kind": "litigation_direct", "filed_on": "2024-04-01"}]))
    assert rec.appeals == (ledger.AppealRecord("litigation_direct", date(2024, 4, 1)),)
    found = errors(make(appeals=[
        {"kind": "reconsideration", "filed_on": "2024-04-01", "result": "upheld"},
        {"kind": "reconsideration", "filed_on": "2024-04-01", "decided_on": "2024-05-01"},
        {"kind": "reconsideration", "filed_on": "2024-04-01", "result": "corrected",
         "decided_on": "2024-03-31"},
        {"kind": "reconsideration", "filed_on": "2024-02-01"}]))
    assert {("appeals[0].decided_on", "required"), ("appeals[1].result", "appeal_pending_decided"),
            ("appeals[2].decided_on", "out_of_order"),
            ("appeals[3].filed_on", "before_received")} <= found


def test_text_that_no_database_would_store_is_refused():
    assert ("$", "not_json") in errors(json.dumps(make(subject="x")).replace('"x"', '"\\ud800"'))
    emoji = json.dumps(make(subject="😀"))  # an escaped surrogate *pair* is a real character
    assert "\\ud83d" in emoji and ok(emoji).subject == "😀"
    found = errors(make(events=[ev("consultation_started", "2024-03-04", party="agency",
                                   party_name="某\x00局"),
                                ev("consultation_ended", "2024-03-05"),
                                ev("supplement_requested", "2024-03-05", items="a\x07b")]))
    assert {("events[0].party_name", "invalid"), ("events[2].items", "invalid")} <= found
    assert ok(make(events=[ev("supplement_requested", "2024-03-05", items="一、\n二、")]))


# -- issue 13: delivery (R8.2), a new 补正 period (R4.3), late acts (R8.1) -------------------------
# Dates across Spring Festival 2024 (02-10..17 off, Sun 02-04 and Sun 02-18 worked) and National
# Day 2024 (Sat 10-12 is a 调休上班 day).
FEE = {"method": "per_case", "amount_yuan": "100.00"}
SEPT = make(received_on="2024-09-27")  # due 2024-10-30; the 补正 notice by 10-12 (a Saturday)


@pytest.mark.parametrize("kind, extra, prefix", [
    ("supplement_requested", {}, "supplement"), ("fee_notified", FEE, "fee")])
def test_delivered_on_absent_null_or_a_date(kind, extra, prefix):
    def rec(**kw):
        return ok(make(events=[ev(kind, "2024-03-04", **extra, **kw)]))
    absent, posted, later, same = (rec(), rec(delivered_on=None), rec(delivered_on="2024-03-07"),
                                   rec(delivered_on="2024-03-04"))
    day, pending = f"{prefix}_delivered_on", f"{prefix}_undelivered"
    assert (getattr(absent, day), getattr(absent, pending)) == (None, False)  # same day
    assert (getattr(posted, day), getattr(posted, pending)) == (None, True)   # not yet
    assert (getattr(later, day), getattr(later, pending)) == (date(2024, 3, 7), False)
    assert same == absent  # delivered the day it went out: one fact, one form
    facts = ledger.clock_facts(posted)
    assert (getattr(facts, day), getattr(facts, pending)) == (None, True)
    assert getattr(ledger.clock_facts(later), day) == date(2024, 3, 7)


@pytest.mark.parametrize("kind, extra", [("supplement_requested", {}), ("fee_notified", FEE)])
def test_delivered_on_before_its_notice_or_malformed_is_an_error(kind, extra):
    rec, errs = parse(make(events=[ev(kind, "2024-03-04", **extra, delivered_on="2024-03-01")]))
    assert rec is None
    [err] = errs
    assert (err.field, err.code) == ("events[0].delivered_on", "delivered_before_notice")
    assert str(err) == ("line 1: events[0].delivered_on: 送达日期（2024-03-01）早于发出告知之日"
                        "（2024-03-04） (delivered_before_notice)")
    for value, code in (("2024/03/05", "invalid_date"), ("", "required"),
                        (20240305, "invalid_date"),
                        ("2025-01-02", "future_date")):
        assert ("events[0].delivered_on", code) in errors(
            make(events=[ev(kind, "2024-03-04", **extra, delivered_on=value)]))


@pytest.mark.parametrize("delivered, exported", [
    (..., ...), (None, None), ("2024-03-04", ...), ("2024-03-11", "2024-03-11")])
def test_delivered_on_back_to_a_line(delivered, exported):
    # absent → omitted; null → null; the notice's own day → omitted; a later day → that day
    kw = {} if delivered is ... else {"delivered_on": delivered}
    fee_kw = {k: v and v.replace("2024-03-04", "2024-03-13").replace("-11", "-18")
              for k, v in kw.items()}
    rec = ok(make(events=[ev("supplement_requested", "2024-03-04", **kw),
                          ev("supplement_received", "2024-03-12"),
                          ev("fee_notified", "2024-03-13", **FEE, **fee_kw)]))
    line = ledger.to_line(rec)
    for event, fee in ((line["events"][0], False), (line["events"][2], True)):
        if exported is ...:
            assert "delivered_on" not in event
        else:
            assert event["delivered_on"] == (exported and exported.replace("-11", "-18") if fee
                                             else exported)
    again = ok(json.loads(json.dumps(line)))
    assert again == rec and ledger.to_line(again) == line


def test_posted_supplement_notice_never_lapses_and_delivery_starts_the_period():
    # notice 2024-02-05 (period 5): delivered that day → last day Sun 2024-02-18 (worked);
    # delivered 02-08 → last day 02-21; posted, no date yet → no period running at all
    def clock(**kw):
        rec = ok(make(received_on="2024-02-01",
                      events=[ev("supplement_requested", "2024-02-05", period_workdays=5, **kw)]))
        return compute_deadline(ledger.clock_facts(rec), CAL, TODAY)
    assert clock().steps[-1].end == date(2024, 2, 18)
    assert clock(delivered_on="2024-02-08").steps[-1].end == date(2024, 2, 21)
    posted = clock(delivered_on=None)
    assert posted.steps[-1].end is None and posted.due_on is None  # awaiting, never lapses


# supplement_period_extended (R4.3) ----------------------------------------------------------------
def extended(on, **kw):
    return ev("supplement_period_extended", on, **{"period_workdays": 10, "reason": "申请人住院",
                                                    **kw})


def test_supplement_period_extended_is_a_new_period_from_its_day():
    rec = ok(make(SEPT, events=[ev("supplement_requested", "2024-10-08", period_workdays=4),
                                extended("2024-10-12")]))  # the last day: Saturday 调休上班
    assert (rec.supplement_new_period_on, rec.supplement_new_period_workdays,
            rec.supplement_new_period_reason) == (date(2024, 10, 12), 10, "申请人住院")
    assert ledger.derive_status(rec) == "awaiting_supplement"
    facts = ledger.clock_facts(rec)
    assert (facts.supplement_new_period_on, facts.supplement_new_period_workdays) == (
        date(2024, 10, 12), 10)
    dl = compute_deadline(facts, CAL, date(2024, 10, 14))
    assert dl.steps[-1].end == CAL.add_workdays(date(2024, 10, 12), 10) == date(2024, 10, 25)
    line = ledger.to_line(rec)
    assert line["events"][1] == {"type": "supplement_period_extended", "on": "2024-10-12",
                                 "period_workdays": 10, "reason": "申请人住院"}
    assert ok(line) == rec


def test_supplement_period_extended_after_the_period_lapsed_is_an_error():
    found = errors(make(SEPT, events=[ev("supplement_requested", "2024-10-08", period_workdays=4),
                                      extended("2024-10-13")]))  # the lapse day (Sunday)
    assert found == {("events[1].on", "supplement_period_lapsed")}
    rec, errs = parse(make(received_on="2024-02-01", events=[
        ev("supplement_requested", "2024-02-05", period_workdays=5), extended("2024-02-19")]))
    assert "补正期限已于 2024-02-18 届满" in errs[0].message  # across Spring Festival
    # the period runs from delivery, and a posted notice without a delivery date never lapses
    assert ok(make(received_on="2024-02-01", events=[
        ev("supplement_requested", "2024-02-05", period_workdays=5, delivered_on="2024-02-08"),
        extended("2024-02-21")]))
    assert errors(make(received_on="2024-02-01", events=[
        ev("supplement_requested", "2024-02-05", period_workdays=5, delivered_on="2024-02-08"),
        extended("2024-02-22")])) == {("events[1].on", "supplement_period_lapsed")}
    assert ok(make(received_on="2024-02-01", events=[
        ev("supplement_requested", "2024-02-05", period_workdays=5, delivered_on=None),
        extended("2024-06-03")]))


def test_supplement_period_extended_calendar_overrides_count():
    # the office made Monday 2024-02-19 a day off: the period (last day 02-18) is unaffected,
    # but a period delivered 02-08 now ends 02-22, so an extension on 02-22 is still in time
    cal = WorkCalendar(overrides={date(2024, 2, 19): False})
    obj = make(received_on="2024-02-01", events=[
        ev("supplement_requested", "2024-02-05", period_workdays=5, delivered_on="2024-02-08"),
        extended("2024-02-22")])
    assert parse(obj, cal=cal)[1] == []
    assert parse(obj)[1] != []


def test_supplement_period_extended_errors():
    req = ev("supplement_requested", "2024-03-04")
    cases = [
        ([extended("2024-03-05")], ("events[0]", "period_extended_without_request")),
        ([req, ev("supplement_received", "2024-03-05"), extended("2024-03-05")],
         ("events[2]", "period_extended_after_received")),
        ([req, extended("2024-03-05"), extended("2024-03-06")],
         ("events[2]", "period_extended_twice")),
        ([req, extended("2024-03-05", period_workdays=None)],
         ("events[1].period_workdays", "required")),
        ([req, extended("2024-03-05", period_workdays=61)],
         ("events[1].period_workdays", "invalid")),
        ([req, extended("2024-03-05", period_workdays="10")],
         ("events[1].period_workdays", "invalid")),
        ([req, extended("2024-03-05", reason=" ")], ("events[1].reason", "required")),
        ([req, extended("2024-03-05", reason="a\x07b")], ("events[1].reason", "invalid")),
        ([req, extended("2024-03-05", days=3)], ("events[1].days", "unknown_field")),
        ([req, extended("2024-03-03")], ("events[1].on", "out_of_order")),
    ]
    for events, expected in cases:
        assert expected in errors(make(events=events)), expected


# late acts (R8.1): history, not errors ------------------------------------------------------------
@pytest.mark.parametrize("obj, flags, due", [
    # the probe of issue 13: received 03-03, notice 04-14 (limit 03-12), supplement 04-20
    (make(received_on="2025-03-03", events=[ev("supplement_requested", "2025-04-14"),
                                            ev("supplement_received", "2025-04-20")]),
     ("supplement_notice_late",), date(2025, 3, 31)),
    (make(SEPT, events=[ev("fee_notified", "2024-10-31", **FEE)]), ("fee_notice_late",),
     date(2024, 10, 30)),
    (make(SEPT, events=[ev("extension_approved", "2024-10-31", workdays=10)]), ("extension_late",),
     date(2024, 10, 30)),
    (make(SEPT, events=[ev("deferred_deadline_set", "2024-10-31", due_on="2024-12-31")]),
     ("deferral_late",), date(2024, 10, 30)),
    (make(SEPT, events=[ev("supplement_requested", "2024-10-14"),
                        ev("extension_approved", "2024-10-30", workdays=5),
                        ev("fee_notified", "2024-11-07", **FEE)]),
     ("supplement_notice_late", "fee_notice_late"), date(2024, 11, 6)),
])
def test_late_acts_parse_as_history_and_leave_the_clock_alone(obj, flags, due):
    rec = ok(obj, today=date(2025, 6, 1))
    dl = compute_deadline(ledger.clock_facts(rec), CAL, date(2025, 6, 1))
    assert dl.late_acts == flags and dl.due_on == due
    assert ledger.derived_fields("in_progress", dl)["late_acts"] == list(flags)


def test_new_event_type_and_derived_late_acts_are_known_keys():
    assert "supplement_period_extended" in ledger.EVENT_TYPES
    assert ledger.DERIVED_KEYS[-1] == "late_acts"
    assert ok(make(late_acts=["fee_notice_late"], status="replied"))  # derived: ignored on import


def test_absurd_dates_around_a_new_period_are_errors_not_crashes():
    for on, delivered in (("9999-12-30", "9999-12-31"), ("0001-01-02", "0001-01-03")):
        found = errors(make(events=[ev("supplement_requested", on, delivered_on=delivered),
                                    extended(on)]))
        assert found and all(code != "supplement_period_lapsed" for _f, code in found)


# -- the documentation ---------------------------------------------------------------------------
DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def test_the_documentation_names_every_code_field_and_event():
    text = DOC.read_text(encoding="utf-8")
    names = (set(ledger.ERROR_CODES) | set(ledger.EVENT_TYPES) | set(ledger.IMPORTED_KEYS)
             | set(ledger.DERIVED_KEYS) | set(ledger.APPLICANT_KEYS) | set(ledger.APPEAL_KEYS)
             | set(ledger.DELIVERY_KEYS) | set().union(*ledger.EVENT_KEYS.values())
             | set(ledger.CONSULTATION_PARTIES))
    for enum in (codes.Channel, codes.ApplicantType, codes.IdType, codes.DeliveryForm,
                 codes.DeliveryMethod, codes.Outcome, codes.FeeMethod, codes.AppealKind,
                 codes.AppealResult, codes.Status):
        names |= {m.value for m in enum}
    missing = sorted(n for n in names if f"`{n}`" not in text)
    assert missing == []
    assert "spec/" not in text and "../" not in text  # the repository stands alone
