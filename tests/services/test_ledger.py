"""docs/ledger.md — importing and exporting the case ledger (台账) through the services and CLI."""
import copy
import json
import types
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from disclosure.domain import ledger as dl
from disclosure.domain.deadlines import ClockFacts, Pause, compute_deadline
from disclosure.domain.workflow import WorkflowError
from disclosure.extensions import db
from disclosure.models import Appeal, Case, CasePause, Event, ExtensionRequest
from disclosure.services import case_actions, cases, ledger
from disclosure.services.actors import APPLICANT_ACTOR, Actor
from disclosure.services.calendar import get_calendar
from tests.conftest import person_payload, send_notices
from tests.domain.test_ledger_parse import EXAMPLE, MINIMAL

TODAY = date(2025, 1, 1)


def jsonl(*objs) -> str:
    return "\n".join(o if isinstance(o, str) else json.dumps(o, ensure_ascii=False) for o in objs)


def line(**over) -> dict:
    obj = copy.deepcopy(MINIMAL)
    obj.update(over)
    return obj


def count(model=Case) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def case_by(tracking_no: str) -> Case:
    return db.session.execute(select(Case).where(Case.tracking_no == tracking_no)).scalar_one()


def export(**kw) -> list[dict]:
    return list(ledger.export_ledger(as_of=kw.pop("as_of", TODAY), **kw))


# -- the example --------------------------------------------------------------------------------
def test_example_line_imports_with_its_facts(agency):
    result = ledger.import_ledger(jsonl(EXAMPLE), today=TODAY)
    assert result.ok and (result.created, result.unchanged) == (1, 0)
    case = case_by("BCZ-2024-000017")
    assert case.agency_id == agency.id and case.status == "replied"
    assert case.id_number == "11010519491231002X" and case.query_code_hash is None
    assert (case.supplement_requested_on, case.supplement_period_workdays,
            case.supplement_received_on) == (date(2024, 1, 8), 15, date(2024, 1, 15))
    assert [(p.kind, p.start_on, p.end_on) for p in case.pauses] == [
        ("third_party", date(2024, 1, 20), date(2024, 2, 5))]
    assert case.extension_workdays == 20
    assert (case.fee_method, str(case.fee_amount)) == ("per_page", "700.00")
    assert (case.fee_notified_on, case.fee_paid_on) == (date(2024, 2, 20), date(2024, 2, 22))
    assert case.deferred_due_on == date(2024, 4, 30)
    assert (case.outcome, case.concluded_on, case.concluded_by_sweep) == (
        "partially_disclosed", date(2024, 3, 12), False)
    assert [(a.kind, a.result, a.decided_on) for a in case.appeals] == [
        ("reconsideration", "upheld", date(2024, 6, 1))]
    ext = db.session.execute(select(ExtensionRequest)).scalar_one()
    assert (ext.workdays, ext.decision, ext.decided_on) == (20, "approved", date(2024, 2, 18))


def test_example_due_date_is_the_domain_due_date(agency):
    ex = copy.deepcopy(EXAMPLE)
    ex["events"] = ex["events"][:-1]  # without the deferral, so the computed date shows
    ledger.import_ledger(jsonl(ex), today=TODAY)
    case = case_by("BCZ-2024-000017")
    facts = ClockFacts(
        received_on=date(2024, 1, 4), supplement_requested_on=date(2024, 1, 8),
        supplement_period_workdays=15, supplement_received_on=date(2024, 1, 15),
        pauses=(Pause("third_party", date(2024, 1, 20), date(2024, 2, 5)),),
        extension_workdays=20, fee_notified_on=date(2024, 2, 20), fee_paid_on=date(2024, 2, 22),
        concluded_on=date(2024, 3, 12))
    expected = compute_deadline(facts, get_calendar(), TODAY)
    assert case.due_on == expected.due_on and case.due_on is not None
    assert case.clock_started_on == expected.clock_started_on == date(2024, 1, 15)
    assert case.timely is expected.timely is True
    assert case.due_provisional is False
    [out] = export()
    assert out["due_on"] == expected.due_on.isoformat()
    assert out["workdays_used"] == expected.workdays_used
    assert out["workdays_paused"] == expected.workdays_paused


def test_one_import_event_per_case(agency):
    ledger.import_ledger(jsonl(line(), EXAMPLE), today=TODAY)
    events = db.session.execute(select(Event).where(Event.action == "import")
                                .order_by(Event.id)).scalars().all()
    assert len(events) == 2
    assert [(e.after_status, e.on_date, e.data["line"]) for e in events] == [
        ("registered", date(2024, 3, 1), 1), ("replied", date(2024, 1, 4), 2)]
    assert {e.case_id for e in events} == set(db.session.execute(select(Case.id)).scalars())
    assert all(e.actor_label == "系统" for e in events)


def test_only_admin_or_system_may_import(staff):
    with pytest.raises(WorkflowError):
        ledger.import_ledger(jsonl(line()), today=TODAY, actor=Actor.of(staff["handler"]))
    assert ledger.import_ledger(jsonl(line()), today=TODAY, actor=Actor.of(staff["admin"])).ok


# -- all or nothing -------------------------------------------------------------------------------
def test_one_bad_line_writes_nothing(agency):
    bad = line(received_on="2024-02-30")
    result = ledger.import_ledger(jsonl(line(), EXAMPLE, "", bad, line()), today=TODAY)
    assert not result.ok and result.created == 0
    assert [(e.line, e.field, e.code) for e in result.errors] == [
        (4, "received_on", "invalid_date")]
    assert count() == count(Event.__table__) - 1 == 0  # only the agency_created event
    assert count(CasePause) == count(Appeal) == 0


def test_a_failure_while_writing_leaves_nothing(agency, monkeypatch):
    from disclosure.services.ledger import importer

    def write_then_fail(*args):
        importer_write(*args)
        assert count() == 2  # written, inside the unit of work
        raise RuntimeError("disk full")
    importer_write = importer.write
    monkeypatch.setattr(importer, "write", write_then_fail)
    with pytest.raises(RuntimeError):
        ledger.import_ledger(jsonl(line(), EXAMPLE), today=TODAY)
    assert count() == count(CasePause) == count(ExtensionRequest) == 0
    assert count(Event) == 1  # only the agency_created event
    monkeypatch.undo()
    assert ledger.import_ledger(jsonl(line(), EXAMPLE), today=TODAY).created == 2


def test_every_error_is_listed_in_line_order(agency):
    result = ledger.import_ledger(jsonl(
        line(channel="fax", outcome="disclosed"),
        "not json",
        line(agency="NOPE"),
        line(applicant={"type": "natural_person", "name": "王五", "id_type": "resident_id",
                        "id_number": "110105194912310021"}),
    ), today=TODAY)
    assert [(e.line, e.field, e.code) for e in result.errors] == [
        (1, "concluded_on", "outcome_with_date"), (2, "$", "not_json"),
        (3, "agency", "unknown_agency"), (4, "applicant.id_number", "bad_check_digit")]
    assert count() == 0


def test_dry_run_writes_nothing(agency):
    result = ledger.import_ledger(jsonl(line(), EXAMPLE), today=TODAY, dry_run=True)
    assert result.ok and result.dry_run and (result.created, result.unchanged) == (2, 0)
    assert count() == 0 and count(Event) == 1


def test_agency_option(agency):
    from disclosure.services.users import create_agency
    create_agency("HMQ", "海门区")
    result = ledger.import_ledger(jsonl({k: v for k, v in line().items() if k != "agency"},
                                        line(agency="BCZ")), agency_code="HMQ", today=TODAY)
    assert [(e.line, e.code) for e in result.errors] == [(2, "agency_mismatch")]
    result = ledger.import_ledger(jsonl({k: v for k, v in line().items() if k != "agency"}),
                                  agency_code="HMQ", today=TODAY)
    assert result.ok
    assert db.session.execute(select(Case.tracking_no)).scalar_one() == "HMQ-2024-000001"


# -- re-import ----------------------------------------------------------------------------------
def test_same_file_twice_does_not_duplicate(agency):
    text_ = jsonl(EXAMPLE, line(tracking_no="OLD-7"), line(tracking_no="OLD-8", events=[
        {"type": "withdrawn", "on": "2024-03-02"}]))
    assert ledger.import_ledger(text_, today=TODAY).created == 3
    again = ledger.import_ledger(text_, today=TODAY)
    assert again.ok and (again.created, again.unchanged) == (0, 3)
    assert count() == 3 and count(Event.__table__) == 1 + 3


def test_unnumbered_lines_twice_do_not_duplicate(agency):
    text_ = jsonl(line(), line(), line(subject="另一件事"))  # two identical applications
    assert ledger.import_ledger(text_, today=TODAY).created == 3
    again = ledger.import_ledger(text_, today=TODAY)
    assert again.ok and (again.created, again.unchanged) == (0, 3)
    more = ledger.import_ledger(jsonl(line(), line(), line()), today=TODAY)
    assert (more.created, more.unchanged) == (1, 2)  # a third identical one is new
    assert count() == 4


def test_existing_number_with_other_content_is_an_error(agency):
    ledger.import_ledger(jsonl(line(tracking_no="OLD-7")), today=TODAY)
    result = ledger.import_ledger(jsonl(line(tracking_no="OLD-9"),
                                        line(tracking_no="OLD-7", subject="另一件事")), today=TODAY)
    assert [(e.line, e.field, e.code) for e in result.errors] == [
        (2, "tracking_no", "tracking_no_exists")]
    assert count() == 1


def test_reimporting_an_export_is_unchanged(agency, staff):
    sub = cases.register_paper(agency, person_payload(), "in_person", date(2024, 3, 1),
                               Actor.of(staff["registrar"]), date(2024, 3, 1))
    case_actions.start_consultation(sub.case, "agency", "海门区自然资源局",
                                    Actor.of(staff["handler"]), date(2024, 3, 4),
                                    on=date(2024, 3, 4))
    ledger.import_ledger(jsonl(EXAMPLE), today=TODAY)
    result = ledger.import_ledger(jsonl(*export()), today=TODAY)
    assert result.ok and (result.created, result.unchanged) == (0, 2)


# -- tracking numbers ----------------------------------------------------------------------------
def test_numbers_generated_and_historic_ones_reserved(agency):
    result = ledger.import_ledger(jsonl(
        line(), line(tracking_no="BCZ-2024-000017"), line(received_on="2023-12-29"),
        line(tracking_no="旧-2024-3")), today=TODAY)
    assert result.ok
    numbers = db.session.execute(select(Case.tracking_no).order_by(Case.id)).scalars().all()
    assert numbers == ["BCZ-2024-000018", "BCZ-2024-000017", "BCZ-2023-000001", "旧-2024-3"]
    sub = cases.submit_online(person_payload(), today=date(2024, 5, 6))
    assert sub.case.tracking_no == "BCZ-2024-000019"


# -- statuses --------------------------------------------------------------------------------------
def test_statuses_and_sweep_conclusions(agency):
    ledger.import_ledger(jsonl(
        line(tracking_no="A", events=[{"type": "supplement_requested", "on": "2024-03-04"}],
             outcome="other.no_supplement", concluded_on="2024-03-26"),
        line(tracking_no="B", events=[{"type": "withdrawn", "on": "2024-03-05"}]),
        line(tracking_no="C", channel="online", received_on=None,
             submitted_at="2024-03-01T09:00:00+08:00"),
        line(tracking_no="D", events=[{"type": "supplement_requested", "on": "2024-03-04"}]),
        line(tracking_no="E", events=[
            {"type": "fee_notified", "on": "2024-03-04", "method": "per_case",
             "amount_yuan": "100.00"}]),
    ), today=TODAY)
    a, b, c, d, e = (case_by(n) for n in "ABCDE")
    assert (a.status, a.concluded_by_sweep, a.timely) == ("abandoned", True, True)
    assert (b.status, b.outcome, b.concluded_on) == ("withdrawn", "other.other", date(2024, 3, 5))
    assert (c.status, c.received_on, c.due_on) == ("submitted", None, None)
    assert c.tracking_no == "C" and c.submitted_at is not None
    assert (d.status, d.due_on, d.clock_started_on) == ("awaiting_supplement", None,
                                                         date(2024, 3, 1))
    assert e.status == "paused"


# -- the same case by hand and by ledger ----------------------------------------------------------
def _by_hand(agency, staff) -> Case:
    reg, hand, head = (Actor.of(staff[r]) for r in ("registrar", "handler", "office_head"))
    case = cases.register_paper(agency, person_payload(), "mail_signed", date(2024, 1, 4),
                                reg, date(2024, 1, 4)).case
    case_actions.request_supplement(case, "请写明文件名称", 15, hand, date(2024, 1, 8),
                                    on=date(2024, 1, 8))
    send_notices(case, date(2024, 1, 8))
    case_actions.receive_supplement(case, date(2024, 1, 15), hand, date(2024, 1, 15))
    case_actions.start_consultation(case, "third_party", "某建设有限公司", hand, date(2024, 1, 22),
                               on=date(2024, 1, 22))
    case_actions.end_consultation(case, hand, date(2024, 2, 5), on=date(2024, 2, 5))
    case_actions.request_extension(case, 10, "需要调取档案", hand, date(2024, 2, 19))
    case_actions.decide_extension(case, True, head, date(2024, 2, 19))
    case_actions.notify_fee(case, "per_page", 100, hand, date(2024, 2, 20))
    send_notices(case, date(2024, 2, 20))
    case_actions.record_fee_payment(case, hand, date(2024, 2, 22), on=date(2024, 2, 22))
    return case


BY_LEDGER = {  # the same case: a tracking number of its own, else it *is* the hand-made one
    "tracking_no": "L-1", "agency": "BCZ", "applicant": person_payload()["applicant"],
    "channel": "mail_signed",
    "received_on": "2024-01-04", "subject": person_payload()["subject"],
    "delivery": person_payload()["delivery"],
    "events": [
        {"type": "supplement_requested", "on": "2024-01-08", "period_workdays": 15,
         "items": "请写明文件名称"},
        {"type": "supplement_received", "on": "2024-01-15"},
        {"type": "consultation_started", "on": "2024-01-22", "party": "third_party",
         "party_name": "某建设有限公司"},
        {"type": "consultation_ended", "on": "2024-02-05"},
        {"type": "extension_approved", "on": "2024-02-19", "workdays": 10},
        {"type": "fee_notified", "on": "2024-02-20", "method": "per_page", "amount_yuan": "700.00"},
        {"type": "fee_paid", "on": "2024-02-22"},
    ],
}


def test_services_and_ledger_give_the_same_due_dates(agency, staff):
    hand = _by_hand(agency, staff)
    assert ledger.import_ledger(jsonl(BY_LEDGER), today=date(2024, 2, 22)).ok
    imported = db.session.execute(select(Case).where(Case.id != hand.id)).scalar_one()
    assert imported.due_on == hand.due_on is not None
    assert imported.clock_started_on == hand.clock_started_on == date(2024, 1, 15)
    assert imported.status == hand.status == "in_progress"
    for as_of in (date(2024, 2, 22), date(2024, 3, 20), date(2024, 6, 1)):
        by_hand, by_ledger = export(as_of=as_of)
        assert by_hand.pop("tracking_no") != by_ledger.pop("tracking_no")
        assert by_hand == by_ledger  # same facts, events and derived fields


def test_services_and_ledger_agree_on_deferral_and_withdrawal(agency, staff):
    reg, hand, head = (Actor.of(staff[r]) for r in ("registrar", "handler", "office_head"))
    case = cases.register_paper(agency, person_payload(), "in_person", date(2024, 3, 1),
                                reg, date(2024, 3, 1)).case
    case_actions.set_deferred_deadline(case, date(2024, 5, 31), "申请数量明显超过合理范围", head,
                                  date(2024, 3, 5))
    case_actions.withdraw(case, hand, date(2024, 4, 8), on=date(2024, 4, 8),
                          reason="申请人书面撤回")
    obj = {**BY_LEDGER, "channel": "in_person", "received_on": "2024-03-01", "events": [
        {"type": "deferred_deadline_set", "on": "2024-03-05", "due_on": "2024-05-31"},
        {"type": "withdrawn", "on": "2024-04-08"}]}
    assert ledger.import_ledger(jsonl(obj), today=TODAY).ok
    by_hand, by_ledger = export()
    del by_hand["tracking_no"], by_ledger["tracking_no"]
    assert by_hand == by_ledger
    assert by_ledger["status"] == "withdrawn" and by_ledger["due_on"] == "2024-05-31"


# -- export ---------------------------------------------------------------------------------------
def test_export_flags_depend_on_as_of(agency):
    ledger.import_ledger(jsonl(line()), today=date(2024, 3, 1))  # received Fri 03-01, due 03-29
    early, soon, late = (export(as_of=date(2024, 3, d))[0] for d in (5, 26, 30))
    assert early["due_on"] == soon["due_on"] == late["due_on"] == "2024-03-29"
    assert (early["due_soon"], early["overdue"]) == (False, False)
    assert (soon["due_soon"], soon["overdue"]) == (True, False)
    assert (late["due_soon"], late["overdue"]) == (False, True)
    assert (early["workdays_used"], soon["workdays_used"]) == (2, 17)
    assert early["status"] == "registered" and early["timely"] is None


def test_export_filters_by_agency_and_year(agency):
    from disclosure.services.users import create_agency
    create_agency("HMQ", "海门区")
    ledger.import_ledger(jsonl(line(tracking_no="A"),
                               line(tracking_no="B", received_on="2023-05-05"),
                               line(tracking_no="C", agency="HMQ")), today=TODAY)
    assert [x["tracking_no"] for x in export()] == ["A", "B", "C"]
    assert [x["tracking_no"] for x in export(agency_code="BCZ")] == ["A", "B"]
    assert [x["tracking_no"] for x in export(year=2024)] == ["A", "C"]
    assert [x["tracking_no"] for x in export(agency_code="HMQ", year=2023)] == []


def test_export_streams_in_batches(agency, monkeypatch):
    ledger.import_ledger(jsonl(*(line(tracking_no=f"N{i}") for i in range(5))), today=TODAY)
    from disclosure.services.ledger import exporter
    monkeypatch.setattr(exporter, "EXPORT_BATCH", 2)
    batches = []
    event_dates = exporter.event_dates
    monkeypatch.setattr(exporter, "event_dates",
                        lambda ids: batches.append(len(ids)) or event_dates(ids))
    stream = ledger.export_ledger(as_of=TODAY)
    assert isinstance(stream, types.GeneratorType)
    assert [x["tracking_no"] for x in stream] == [f"N{i}" for i in range(5)]
    assert batches == [2, 2, 1]


def test_export_line_shape(agency):
    ledger.import_ledger(jsonl(EXAMPLE), today=TODAY)
    [out] = export()
    assert list(out)[:len(dl.IMPORTED_KEYS) - 1] == [k for k in dl.IMPORTED_KEYS if k != "delivery"]
    assert {k: out[k] for k in EXAMPLE} == EXAMPLE
    assert list(out)[-len(dl.DERIVED_KEYS):] == list(dl.DERIVED_KEYS)
    assert out["status"] == "replied" and out["timely"] is True


def test_round_trip_through_an_empty_database(agency, staff, empty_app):
    _by_hand(agency, staff)
    ledger.import_ledger(jsonl(
        EXAMPLE, line(), BY_LEDGER,
        line(tracking_no="X-1", channel="online", received_on=None,
             submitted_at="2024-03-01T09:00:00.123456+08:00"),
        line(tracking_no="X-2", applicant={"type": "legal_service_org", "name": "某律师事务所",
                                           "credit_code": "91110000600037341L",
                                           "contact_name": "赵律师"},
             events=[{"type": "supplement_requested", "on": "2024-03-04", "period_workdays": 10},
                     {"type": "consultation_started", "on": "2024-03-04", "party": "agency"},
                     {"type": "consultation_ended", "on": "2024-03-04"},
                     {"type": "consultation_started", "on": "2024-03-05", "party": "agency"}],
             outcome="other.no_supplement", concluded_on="2024-03-27",
             appeals=[{"kind": "litigation_direct", "filed_on": "2024-04-01"}]),
    ), today=TODAY)
    first = [json.dumps(x, ensure_ascii=False) for x in export()]
    assert len(first) == 6
    with empty_app.app_context():
        from disclosure.services.users import create_agency
        create_agency("BCZ", "包场镇人民政府")
        result = ledger.import_ledger("\n".join(first), today=TODAY)
        assert result.ok and result.created == 6
        second = [json.dumps(x, ensure_ascii=False) for x in ledger.export_ledger(as_of=TODAY)]
    assert second == first


# -- command line ----------------------------------------------------------------------------------
def test_cli_import_and_export(app, agency, tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_text(jsonl(EXAMPLE, line()) + "\n", encoding="utf-8")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["ledger", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "可新增 2 件" in dry.output
    assert count() == 0
    done = runner.invoke(args=["ledger", "import", str(path)])
    assert done.exit_code == 0, done.output
    assert "新增 2 件" in done.output
    again = runner.invoke(args=["ledger", "import", str(path)])
    assert again.exit_code == 0 and "新增 0 件，已存在且相同（未变化） 2 件" in again.output
    out = runner.invoke(args=["ledger", "export", "--as-of", "2024-03-05", "--year", "2024"])
    assert out.exit_code == 0, (out.output, out.exception)
    lines = out.stdout.splitlines()
    assert "张三" in lines[0]  # ensure_ascii=False
    assert [json.loads(x)["tracking_no"] for x in lines] == ["BCZ-2024-000017", "BCZ-2024-000018"]
    assert json.loads(lines[1])["workdays_used"] == 2


def test_cli_import_reports_every_error_and_writes_nothing(app, agency, tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_text(jsonl(line(),
                          line(events=[{"type": "supplement_received", "on": "2024-03-04"}]),
                          line(concluded_on="2099-01-01", outcome="disclosed")), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["ledger", "import", str(path)])
    assert result.exit_code == 1
    assert "line 2: events[0]: 收到补正之前没有发出补正告知（supplement_requested） " \
           "(supplement_without_request)" in result.output
    assert "line 3: concluded_on: " in result.output and "(future_date)" in result.output
    assert count() == 0


def test_cli_unknown_agency(app, agency, tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_text(jsonl(line()), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["ledger", "import", str(path), "--agency", "NOPE"])
    assert result.exit_code == 1 and "NOPE" in result.output
    export_cmd = ["ledger", "export", "--agency", "NOPE"]
    assert app.test_cli_runner().invoke(args=export_cmd).exit_code == 1


def test_online_submission_is_still_found_by_the_applicant_after_an_import(agency):
    ledger.import_ledger(jsonl(line(tracking_no="BCZ-2024-000003")), today=TODAY)
    sub = cases.submit_online(person_payload(), today=date(2024, 6, 3))
    assert sub.case.tracking_no == "BCZ-2024-000004"
    assert cases.lookup_for_applicant(sub.case.tracking_no, sub.query_code) is not None
    assert cases.lookup_for_applicant("BCZ-2024-000003", "anything") is None
    assert APPLICANT_ACTOR.id is None


def test_cli_refuses_a_file_that_is_not_utf8(app, agency, tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(json.dumps(line(), ensure_ascii=False).encode("gbk"))
    result = app.test_cli_runner().invoke(args=["ledger", "import", str(path)])
    assert result.exit_code == 1 and "UTF-8" in result.output
    assert count() == 0


# -- issue 13: late acts (R8.1), delivery (R8.2), a new 补正 period (R4.3) -------------------------
# National Day 2024: received Fri 2024-09-27 → due 2024-10-30 (Sat 10-12 is a working day).
LATE_DAY = date(2025, 6, 1)
FEE = {"method": "per_case", "amount_yuan": "100.00"}
LATE_LINES = [
    # the probe of issue 13: received 03-03 (due 03-31), 补正 notice 04-14, supplement 04-20
    line(tracking_no="LATE-S", received_on="2025-03-03", events=[
        {"type": "supplement_requested", "on": "2025-04-14"},
        {"type": "supplement_received", "on": "2025-04-20"}]),
    line(tracking_no="LATE-F", received_on="2024-09-27", events=[
        {"type": "fee_notified", "on": "2024-10-31", **FEE},
        {"type": "fee_paid", "on": "2024-11-04"}],
        outcome="disclosed", concluded_on="2024-11-08"),
    line(received_on="2024-09-27", events=[  # no tracking number: numbered on import
        {"type": "extension_approved", "on": "2024-10-31", "workdays": 10}]),
    line(tracking_no="LATE-D", received_on="2024-09-27", events=[
        {"type": "deferred_deadline_set", "on": "2024-10-31", "due_on": "2024-12-31"}]),
    line(tracking_no="ON-TIME", received_on="2024-09-27", events=[
        {"type": "supplement_requested", "on": "2024-10-12"}]),  # the 7th working day: Saturday
]


def test_late_acts_are_imported_as_history_flagged_and_counted(agency):
    result = ledger.import_ledger(jsonl(*LATE_LINES), today=LATE_DAY)
    assert result.ok and result.created == 5
    assert [(x.line, x.tracking_no, x.flags) for x in result.late] == [
        (1, "LATE-S", ("supplement_notice_late",)), (2, "LATE-F", ("fee_notice_late",)),
        (3, "BCZ-2024-000001", ("extension_late",)), (4, "LATE-D", ("deferral_late",))]
    assert result.late_counts == {"supplement_notice_late": 1, "fee_notice_late": 1,
                                  "extension_late": 1, "deferral_late": 1}
    # kept as facts, without effect on the clock
    probe = case_by("LATE-S")
    assert (probe.supplement_requested_on, probe.supplement_received_on) == (
        date(2025, 4, 14), date(2025, 4, 20))
    assert (probe.due_on, probe.clock_started_on) == (date(2025, 3, 31), date(2025, 3, 3))
    assert case_by("LATE-F").timely is False and case_by("LATE-D").deferred_on == date(2024, 10, 31)
    assert case_by("BCZ-2024-000001").extension_on == date(2024, 10, 31)
    out = {x["tracking_no"]: x for x in export(as_of=LATE_DAY)}
    assert (out["LATE-S"]["due_on"], out["LATE-S"]["late_acts"]) == (
        "2025-03-31", ["supplement_notice_late"])
    assert out["LATE-S"]["overdue"] is True and out["LATE-S"]["clock_started_on"] == "2025-03-03"
    for number, flag in (("LATE-F", "fee_notice_late"), ("BCZ-2024-000001", "extension_late"),
                         ("LATE-D", "deferral_late")):
        assert (out[number]["due_on"], out[number]["late_acts"]) == ("2024-10-30", [flag])
    assert out["LATE-F"]["workdays_paused"] == 0  # a late fee notice pauses nothing
    assert (out["ON-TIME"]["due_on"], out["ON-TIME"]["late_acts"]) == (None, [])
    # the history goes back out as it came in
    assert ledger.import_ledger(jsonl(*export(as_of=LATE_DAY)), today=LATE_DAY).unchanged == 5


def test_dry_run_lists_the_late_acts_too(agency):
    result = ledger.import_ledger(jsonl(*LATE_LINES), today=LATE_DAY, dry_run=True)
    assert result.ok and result.dry_run and count() == 0
    assert [(x.line, x.tracking_no) for x in result.late] == [
        (1, "LATE-S"), (2, "LATE-F"), (3, None), (4, "LATE-D")]  # line 3 is not numbered yet
    assert sum(result.late_counts.values()) == 4
    # lines in error: nothing is listed but the errors
    bad = ledger.import_ledger(jsonl(*LATE_LINES, line(channel="x")), today=LATE_DAY, dry_run=True)
    assert not bad.ok and bad.late == []
    # a line already imported is unchanged, not listed again
    ledger.import_ledger(jsonl(LATE_LINES[0]), today=LATE_DAY)
    again = ledger.import_ledger(jsonl(*LATE_LINES), today=LATE_DAY, dry_run=True)
    assert again.unchanged == 1 and [x.line for x in again.late] == [2, 3, 4]


def test_delivery_and_a_new_period_go_to_the_case(agency):
    # Spring Festival 2024: notice Mon 02-05 delivered Thu 02-08 (5 working days: last day
    # 02-21), a new period of 10 on 02-21; a posted fee notice with no delivery date yet
    ledger.import_ledger(jsonl(
        line(tracking_no="P", received_on="2024-02-01", events=[
            {"type": "supplement_requested", "on": "2024-02-05", "period_workdays": 5,
             "delivered_on": "2024-02-08"},
            {"type": "supplement_period_extended", "on": "2024-02-21", "period_workdays": 10,
             "reason": "申请人春节期间在外地"}]),
        line(tracking_no="Q", received_on="2024-02-01", events=[
            {"type": "fee_notified", "on": "2024-02-05", **FEE, "delivered_on": None}]),
        line(tracking_no="R", received_on="2024-02-01", events=[
            {"type": "supplement_requested", "on": "2024-02-05", "delivered_on": None}]),
    ), today=TODAY)
    p, q, r = case_by("P"), case_by("Q"), case_by("R")
    assert (p.supplement_delivered_on, p.supplement_undelivered) == (date(2024, 2, 8), False)
    assert (p.supplement_new_period_on, p.supplement_new_period_workdays) == (date(2024, 2, 21), 10)
    assert (p.status, p.due_on) == ("awaiting_supplement", None)
    event = db.session.execute(select(Event).where(Event.case_id == p.id)).scalar_one()
    assert event.data["supplement_period_reason"] == "申请人春节期间在外地"
    assert (q.fee_delivered_on, q.fee_undelivered, q.status) == (None, True, "paused")
    assert (r.supplement_delivered_on, r.supplement_undelivered) == (None, True)
    # the same facts as a hand-entered case: the domain says when each period ends
    cal = get_calendar()
    from disclosure.domain.deadlines import fee_payment_end, supplement_period_end
    assert supplement_period_end(cases.facts_of(p), cal) == date(2024, 3, 6)
    assert supplement_period_end(cases.facts_of(r), cal) is None  # never lapses
    assert fee_payment_end(cases.facts_of(q), cal) is None
    out = {x["tracking_no"]: x for x in export()}
    assert out["P"]["events"] == [
        {"type": "supplement_requested", "on": "2024-02-05", "period_workdays": 5,
         "delivered_on": "2024-02-08"},
        {"type": "supplement_period_extended", "on": "2024-02-21", "period_workdays": 10,
         "reason": "申请人春节期间在外地"}]
    assert out["Q"]["events"][0]["delivered_on"] is None
    assert out["R"]["events"][0] == {"type": "supplement_requested", "on": "2024-02-05",
                                     "delivered_on": None}


def test_a_new_period_after_the_lapse_is_an_error_on_import(agency):
    result = ledger.import_ledger(jsonl(line(received_on="2024-02-01", events=[
        {"type": "supplement_requested", "on": "2024-02-05", "period_workdays": 5},
        {"type": "supplement_period_extended", "on": "2024-02-19", "period_workdays": 10,
         "reason": "x"}])), today=TODAY)
    assert [(e.line, e.field, e.code) for e in result.errors] == [
        (1, "events[1].on", "supplement_period_lapsed")]
    assert count() == 0


def test_the_office_calendar_dates_the_period(agency, staff):
    from disclosure.services import calendar as calendar_service
    obj = line(received_on="2024-02-01", events=[
        {"type": "supplement_requested", "on": "2024-02-05", "period_workdays": 5},
        {"type": "supplement_period_extended", "on": "2024-02-19", "period_workdays": 10,
         "reason": "x"}])
    assert not ledger.import_ledger(jsonl(obj), today=TODAY, dry_run=True).ok
    # the office declares Sunday 2024-02-18 a day off: the period now ends Monday 02-19
    from disclosure.models import CalendarOverride
    from disclosure.timeutil import now
    db.session.add(CalendarOverride(day=date(2024, 2, 18), is_workday=False, note="测试",
                                    created_at=now()))
    db.session.commit()
    calendar_service.forget()
    assert ledger.import_ledger(jsonl(obj), today=TODAY, dry_run=True).ok


def _posted_by_hand(agency, staff) -> Case:
    """A case whose applicant asked for paper by mail: the 补正 notice goes by post (R8.2)."""
    reg, hand = Actor.of(staff["registrar"]), Actor.of(staff["handler"])
    payload = person_payload(delivery={"form": "paper", "method": "mail"})
    case = cases.register_paper(agency, payload, "mail_signed", date(2024, 2, 1), reg,
                                date(2024, 2, 1)).case
    case_actions.request_supplement(case, "请写明文件名称", 5, hand, date(2024, 2, 5),
                                    on=date(2024, 2, 5))
    send_notices(case, date(2024, 2, 5))
    return case


def test_delivery_and_new_period_by_hand_export_and_reimport(agency, staff):
    from disclosure.models import Notice
    from disclosure.services.review import notices
    case = _posted_by_hand(agency, staff)
    [posted] = export()
    assert posted["events"][0]["delivered_on"] is None and posted["due_on"] is None
    notice = db.session.execute(select(Notice).where(Notice.case_id == case.id,
                                                     Notice.kind == "supplement")).scalar_one()
    notices.record_delivery(case, notice.id, date(2024, 2, 8), Actor.of(staff["registrar"]),
                            date(2024, 2, 9))
    case_actions.extend_supplement_period(case, 10, "申请人春节期间在外地",
                                          Actor.of(staff["handler"]), date(2024, 2, 21))
    [out] = export()
    assert out["events"] == [
        {"type": "supplement_requested", "on": "2024-02-05", "period_workdays": 5,
         "items": "请写明文件名称", "delivered_on": "2024-02-08"},
        {"type": "supplement_period_extended", "on": "2024-02-21", "period_workdays": 10,
         "reason": "申请人春节期间在外地"}]
    assert ledger.import_ledger(jsonl(out), today=TODAY).unchanged == 1  # identical
    # the same line under another number is the same case for the clock
    again = ledger.import_ledger(jsonl({**out, "tracking_no": "L-2"}), today=TODAY)
    assert again.created == 1 and again.late == []
    by_hand, by_ledger = export()
    assert by_hand.pop("tracking_no") != by_ledger.pop("tracking_no")
    assert by_hand == by_ledger


def test_round_trip_with_delivery_dates_and_late_acts(agency, staff, empty_app):
    _posted_by_hand(agency, staff)
    ledger.import_ledger(jsonl(
        *LATE_LINES,
        line(tracking_no="DLV", received_on="2024-02-01", events=[
            {"type": "supplement_requested", "on": "2024-02-05", "period_workdays": 5,
             "delivered_on": "2024-02-08"},
            {"type": "supplement_period_extended", "on": "2024-02-21", "period_workdays": 10,
             "reason": "申请人春节期间在外地"},
            {"type": "supplement_received", "on": "2024-02-26"},
            {"type": "fee_notified", "on": "2024-02-27", **FEE, "delivered_on": "2024-03-01"},
            {"type": "fee_paid", "on": "2024-03-05"}],
            outcome="disclosed", concluded_on="2024-03-20"),
        line(tracking_no="SAME", events=[
            {"type": "fee_notified", "on": "2024-03-04", **FEE, "delivered_on": "2024-03-04"}]),
        line(tracking_no="POST", events=[
            {"type": "fee_notified", "on": "2024-03-04", **FEE, "delivered_on": None}]),
    ), today=LATE_DAY)
    first = [json.dumps(x, ensure_ascii=False) for x in export(as_of=LATE_DAY)]
    assert len(first) == 9
    by_no = {json.loads(x)["tracking_no"]: json.loads(x) for x in first}
    assert "delivered_on" not in by_no["SAME"]["events"][0]  # delivered the same day
    assert by_no["POST"]["events"][0]["delivered_on"] is None
    assert by_no["DLV"]["events"][3]["delivered_on"] == "2024-03-01"
    assert by_no["DLV"]["workdays_paused"] == 5  # fee notice 02-27 → paid 03-05 (R5.4)
    with empty_app.app_context():
        from disclosure.services.users import create_agency
        create_agency("BCZ", "包场镇人民政府")
        result = ledger.import_ledger("\n".join(first), today=LATE_DAY)
        assert result.ok and result.created == 9 and len(result.late) == 4
        second = [json.dumps(x, ensure_ascii=False)
                  for x in ledger.export_ledger(as_of=LATE_DAY)]
    assert second == first


def test_cli_lists_the_late_acts(app, agency, tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_text(jsonl(*LATE_LINES) + "\n", encoding="utf-8")
    runner = app.test_cli_runner()
    app.config["FIXED_TODAY"] = LATE_DAY
    dry = runner.invoke(args=["ledger", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "其中 4 件记录了超过法定期限才作出的行为" in dry.output
    assert "supplement_notice_late（补正告知超过 7 个工作日发出）：1 件" in dry.output
    assert "line 1: LATE-S: supplement_notice_late" in dry.output
    assert "line 3: （编号待分配）: extension_late" in dry.output
    done = runner.invoke(args=["ledger", "import", str(path)])
    assert done.exit_code == 0, done.output
    assert "新增 5 件" in done.output
    assert "deferral_late（延后答复期限在原期限届满后确定）：1 件" in done.output
    assert "line 3: BCZ-2024-000001: extension_late" in done.output
    again = runner.invoke(args=["ledger", "import", str(path)])
    assert "超过法定期限" not in again.output  # nothing new, nothing listed
    out = runner.invoke(args=["ledger", "export", "--as-of", "2025-06-01"])
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["late_acts"] for x in lines] == [
        ["supplement_notice_late"], ["fee_notice_late"], ["extension_late"], ["deferral_late"], []]


# -- the shape of the code (issue 14) -------------------------------------------------------------
def test_ledger_modules_are_small_commit_nothing_and_know_no_flask():
    root = Path(__file__).resolve().parents[2] / "disclosure"
    modules = sorted((root / "domain" / "ledger").glob("*.py")) + sorted(
        (root / "services" / "ledger").glob("*.py"))
    assert len(modules) > 10
    for path in modules:
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) < 400, path
        assert "flask import" not in source and "import flask" not in source, path
        assert "commit()" not in source and "rollback()" not in source, path
        assert "current_app" not in source, path


# -- issue 18: PostgreSQL COPY writes exactly what the INSERTs write ----------------------------
def _copy_lines(code: str) -> list[dict]:
    """Lines with every child row the writer makes (pauses, appeals, extensions), numbered and
    unnumbered, a deferral and a new 补正 period — for agency ``code``."""
    example = copy.deepcopy(EXAMPLE)
    example.update(agency=code, tracking_no=f"{code}-2024-000017")
    lines = [example]
    for i in range(30):
        obj = line(agency=code, subject=f"第{i}号文件", received_on=f"2024-03-{1 + i % 28:02d}")
        if i % 2:
            obj["tracking_no"] = f"{code}-2023-{i:06d}"
        if i % 3 == 0:
            obj["events"] = [{"type": "extension_approved", "on": "2024-04-10", "workdays": 20}]
        if i % 5 == 0:
            obj.update(outcome="disclosed", concluded_on="2024-04-20")
        lines.append(obj)
    return lines


def _stored(agency_id: int) -> dict:
    """Every row an import wrote for the agency, ids and the agency left out (cases by tracking
    number suffix, children and events by their case's)."""
    cases = db.session.execute(select(Case).where(Case.agency_id == agency_id)
                               .order_by(Case.id)).scalars().all()
    key = {c.id: c.tracking_no.split("-", 1)[1] for c in cases}

    def cols(obj, skip=()):
        return {c.key: getattr(obj, c.key) for c in obj.__table__.columns
                if c.key not in {"id", "agency_id", "case_id", *skip}}

    def children(model):
        return [(key[x.case_id], cols(x)) for x in db.session.execute(
            select(model).where(model.case_id.in_(key)).order_by(model.id)).scalars()]

    return {
        "cases": [(key[c.id], cols(c, ("tracking_no", "created_at"))) for c in cases],
        "events": [(key[e.case_id], cols(e, ("seq", "prev_hash", "hash", "occurred_at")))
                   for e in db.session.execute(select(Event).where(Event.case_id.in_(key))
                                               .order_by(Event.id)).scalars()],
        "pauses": children(CasePause), "appeals": children(Appeal),
        "extensions": children(ExtensionRequest)}


def test_copy_writes_the_same_rows_as_inserts(agency, monkeypatch):
    """The same lines through INSERT (agency BCZ) and through COPY (agency CPY): the same cases,
    events, pauses, appeals and extensions column by column, ids in file order, and one
    unbroken audit chain."""
    from disclosure.domain import chain
    from disclosure.services.ledger import writer
    from disclosure.services.users import create_agency
    if db.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    other = create_agency("CPY", "复制镇人民政府")
    monkeypatch.setattr(writer, "USE_COPY", False)
    by_insert = ledger.import_ledger(jsonl(*_copy_lines("BCZ")), today=TODAY)
    monkeypatch.setattr(writer, "USE_COPY", True)
    calls = []
    monkeypatch.setattr(writer, "_copy", lambda *a, _copy=writer._copy: calls.append(
        a[1].name) or _copy(*a))
    by_copy = ledger.import_ledger(jsonl(*_copy_lines("CPY")), today=TODAY)
    assert by_insert.ok and by_copy.ok and by_insert.created == by_copy.created == 31
    assert set(calls) == {"case_file", "event", "case_pause", "appeal", "extension_request"}
    inserted, copied = _stored(agency.id), _stored(other.id)
    for table in inserted:
        assert len(inserted[table]) == len(copied[table]) > 0, table
        for a, b in zip(inserted[table], copied[table], strict=True):
            assert a == b, table
    in_id_order = db.session.execute(select(Event.data).where(Event.agency_id == other.id,
                                                              Event.action == "import")
                                     .order_by(Event.case_id)).scalars().all()
    assert [d["line"] for d in in_id_order] == list(range(1, 32))  # ids in file order
    assert ledger.import_ledger(jsonl(*_copy_lines("CPY")), today=TODAY).unchanged == 31
    events = db.session.execute(select(Event).order_by(Event.seq)).scalars().all()
    assert chain.verify(events)[0] == []


def test_copy_failure_leaves_nothing(agency, monkeypatch):
    """All or nothing holds with COPY: a failure after the cases were copied keeps none."""
    from disclosure.services.ledger import writer
    if db.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")

    def boom(*a, **kw):
        raise RuntimeError("disk full")
    monkeypatch.setattr(writer, "_audit", boom)
    before = [count(m) for m in (Case, Event, CasePause, Appeal, ExtensionRequest)]
    with pytest.raises(RuntimeError):
        ledger.import_ledger(jsonl(*_copy_lines("BCZ")), today=TODAY)
    db.session.rollback()
    assert [count(m) for m in (Case, Event, CasePause, Appeal, ExtensionRequest)] == before
    assert before[0] == 0
