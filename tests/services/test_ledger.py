"""spec/ledger.md — importing and exporting the case ledger (台账) through the services and CLI."""
import copy
import json
import types
from datetime import date

import pytest
from sqlalchemy import func, select, text

from disclosure import create_app
from disclosure.domain import ledger as dl
from disclosure.domain.deadlines import ClockFacts, Pause, compute_deadline
from disclosure.domain.workflow import WorkflowError
from disclosure.extensions import db
from disclosure.models import Appeal, Case, CasePause, Event, ExtensionRequest
from disclosure.services import actions, cases, ledger
from disclosure.services.actors import APPLICANT_ACTOR, Actor
from disclosure.services.calendar import get_calendar
from tests.conftest import PG_SCHEMA, PG_URL, _config, person_payload
from tests.domain.test_ledger_parse import EXAMPLE, MINIMAL
from tests.conftest import send_notices

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
    assert [(e.line, e.field, e.code) for e in result.errors] == [(4, "received_on", "invalid_date")]
    assert count() == count(Event.__table__) - 1 == 0  # only the agency_created event
    assert count(CasePause) == count(Appeal) == 0


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
    assert result.ok and db.session.execute(select(Case.tracking_no)).scalar_one() == "HMQ-2024-000001"


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
    actions.start_consultation(sub.case, "agency", "海门区自然资源局", Actor.of(staff["handler"]),
                               date(2024, 3, 4), on=date(2024, 3, 4))
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


# -- statuses ----------------------------------------------------------------------------------------
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
    actions.request_supplement(case, "请写明文件名称", 15, hand, date(2024, 1, 8), on=date(2024, 1, 8))
    send_notices(case, date(2024, 1, 8))
    actions.receive_supplement(case, date(2024, 1, 15), hand, date(2024, 1, 15))
    actions.start_consultation(case, "third_party", "某建设有限公司", hand, date(2024, 1, 22),
                               on=date(2024, 1, 22))
    actions.end_consultation(case, hand, date(2024, 2, 5), on=date(2024, 2, 5))
    actions.request_extension(case, 10, "需要调取档案", hand, date(2024, 2, 19))
    actions.decide_extension(case, True, head, date(2024, 2, 19))
    actions.notify_fee(case, "per_page", 100, hand, date(2024, 2, 20))
    send_notices(case, date(2024, 2, 20))
    actions.record_fee_payment(case, hand, date(2024, 2, 22), on=date(2024, 2, 22))
    return case


BY_LEDGER = {  # the same case: a tracking number of its own, else it *is* the hand-made one
    "tracking_no": "L-1", "agency": "BCZ", "applicant": person_payload()["applicant"], "channel": "mail_signed",
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
    actions.set_deferred_deadline(case, date(2024, 5, 31), "申请数量明显超过合理范围", head,
                                  date(2024, 3, 5))
    actions.withdraw(case, hand, date(2024, 4, 8), on=date(2024, 4, 8))
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
    ledger.import_ledger(jsonl(line(tracking_no="A"), line(tracking_no="B", received_on="2023-05-05"),
                               line(tracking_no="C", agency="HMQ")), today=TODAY)
    assert [x["tracking_no"] for x in export()] == ["A", "B", "C"]
    assert [x["tracking_no"] for x in export(agency_code="BCZ")] == ["A", "B"]
    assert [x["tracking_no"] for x in export(year=2024)] == ["A", "C"]
    assert [x["tracking_no"] for x in export(agency_code="HMQ", year=2023)] == []


def test_export_streams_in_batches(agency, monkeypatch):
    ledger.import_ledger(jsonl(*(line(tracking_no=f"N{i}") for i in range(5))), today=TODAY)
    monkeypatch.setattr(ledger, "EXPORT_BATCH", 2)
    stream = ledger.export_ledger(as_of=TODAY)
    assert isinstance(stream, types.GeneratorType)
    assert [x["tracking_no"] for x in stream] == [f"N{i}" for i in range(5)]


def test_export_line_shape(agency):
    ledger.import_ledger(jsonl(EXAMPLE), today=TODAY)
    [out] = export()
    assert list(out)[:len(dl.IMPORTED_KEYS) - 1] == [k for k in dl.IMPORTED_KEYS if k != "delivery"]
    assert {k: out[k] for k in EXAMPLE} == EXAMPLE
    assert list(out)[-len(dl.DERIVED_KEYS):] == list(dl.DERIVED_KEYS)
    assert out["status"] == "replied" and out["timely"] is True


@pytest.fixture
def empty_app(tmp_path):
    """A second app on its own, empty database (another SQLite file / PostgreSQL schema)."""
    cfg = _config(tmp_path / "second")
    schema = f"{PG_SCHEMA}_second"
    if PG_URL:
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
    else:
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'second.sqlite'}"
    app = create_app(cfg)
    with app.app_context():
        if PG_URL:
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if PG_URL:
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        db.engine.dispose()


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


# -- command line -----------------------------------------------------------------------------------
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
    path.write_text(jsonl(line(), line(events=[{"type": "supplement_received", "on": "2024-03-04"}]),
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
    assert app.test_cli_runner().invoke(args=["ledger", "export", "--agency", "NOPE"]).exit_code == 1


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
