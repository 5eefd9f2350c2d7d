"""The annual report counted from cases built through the real services (register, confirm,
reply → review → release, withdraw, 补正 / fee lapse by the sweep, fee payment, appeals), across
two years with carry-over; JSON contract, drill-down, checks, xlsx and CLI."""
from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select, update

from disclosure.domain import report as R
from disclosure.domain.replies import REPLY_TYPES
from disclosure.extensions import db
from disclosure.models import Appeal, Case, CatalogueEntry, Event, ReportYear
from disclosure.services import appeals, case_actions, cases, sweep
from disclosure.services import report as svc
from disclosure.services.actors import Actor
from disclosure.services.review import replies
from disclosure.services.review import seen as review_seen
from disclosure.services.unit_of_work import unit_of_work
from disclosure.services.users import create_agency, create_user
from disclosure.timeutil import now
from tests.conftest import PASSWORD, draft_complete, person_payload, send_notices

D = date
NP = "natural_person"
REPLY_FOR = {}
for _code, _rt in REPLY_TYPES.items():
    REPLY_FOR.setdefault(_rt.outcome, _code)


# -- helpers (also used by tests/web/test_reports.py) ---------------------------------------------
def org_payload(kind: str, name: str = "南通某建设有限公司", agency: str = "BCZ") -> dict:
    from stdnum.cn import uscc
    base = "91320684MA1MGRT42"
    return {"agency": agency, "subject": "某项目的审批文件", "description": "",
            "applicant": {"type": kind, "name": name,
                          "credit_code": base + uscc.calc_check_digit(base),
                          "contact_name": "王经理", "phone": "0513-80000000"},
            "delivery": {"form": "electronic", "method": "online"}}


def payload_for(kind: str, agency: str = "BCZ") -> dict:
    return person_payload(agency=agency) if kind == NP else org_payload(kind, agency=agency)


def register(agency, who, received: date, kind: str = NP) -> Case:
    return cases.register_paper(agency, payload_for(kind, agency.code), "in_person", received,
                                who["registrar"], received).case


def online(agency, who, submitted: date, confirmed: date | None, kind: str = NP) -> Case:
    case = cases.submit_online(payload_for(kind, agency.code), today=submitted).case
    if confirmed:
        cases.confirm_receipt(case, confirmed, who["registrar"], confirmed)
    return case


def release(case: Case, outcome: str, day: date, who) -> Case:
    """Reply through the review gate: draft → submit → every item approved → release."""
    draft_complete(case, REPLY_FOR[outcome], who["handler"], day)
    replies.submit_for_review(case, who["handler"], day)
    for item in replies.items_of(case):
        replies.decide(case, item.id, "approved", None, who["reviewer"], day, **review_seen(item))
    replies.release_reply(case, who["handler"], day)
    assert case.outcome == outcome and case.concluded_on == day
    return case


def conclude(agency, who, received: date, outcome: str, kind: str = NP) -> Case:
    """A case received on ``received`` and concluded with ``outcome`` by the matching service."""
    case = register(agency, who, received, kind)
    if outcome == "other.other":
        case_actions.withdraw(case, who["handler"], received, reason="申请人书面撤回")
    elif outcome == "other.no_supplement":
        case_actions.request_supplement(case, "请写明文件名称", 15, who["handler"], received)
        send_notices(case, received)
        sweep.run(D(received.year, received.month, 28) if received.month < 12 else received)
    elif outcome == "other.fee_unpaid":
        case_actions.notify_fee(case, "per_page", 50, who["handler"], received)
        send_notices(case, received)
    else:
        release(case, outcome, received, who)
    return case


def make_staff(code: str, name: str) -> dict:
    agency = create_agency(code, name)
    users = {r: create_user(f"{code.lower()}-{r}", PASSWORD, code, [r], f"{code}{r}")
             for r in ("registrar", "handler", "reviewer", "office_head")}
    return agency, {r: Actor.of(u) for r, u in users.items()}


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def build_two_years(agency, who) -> dict:
    """2023–2024 for BCZ, in time order (see the expected table in the tests below)."""
    c = {}
    c["A"] = release(register(agency, who, D(2023, 3, 1)), "disclosed", D(2023, 3, 20), who)
    appeals.add_appeal(c["A"], {"kind": "reconsideration", "filed_on": "2023-05-01"},
                       who["office_head"], D(2023, 5, 1))
    c["B"] = register(agency, who, D(2023, 12, 20))
    c["C"] = register(agency, who, D(2023, 12, 25), "commercial_enterprise")
    c["D"] = register(agency, who, D(2023, 12, 28))
    c["E"] = register(agency, who, D(2023, 12, 29))
    release(c["D"], "disclosed", D(2023, 12, 31), who)
    release(c["E"], "disclosed", D(2024, 1, 1), who)
    release(c["B"], "disclosed", D(2024, 1, 10), who)
    c["F"] = online(agency, who, D(2024, 2, 1), D(2024, 2, 2))
    release(c["F"], "unavailable.not_held", D(2024, 2, 20), who)
    c["N"] = register(agency, who, D(2024, 3, 1))
    appeals.add_appeal(c["F"], {"kind": "reconsideration", "filed_on": "2024-03-01"},
                       who["office_head"], D(2024, 3, 1))
    release(c["N"], "withheld.process_information", D(2024, 4, 15), who)  # late: not timely
    appeals.record_result(c["F"].appeals[0], {"result": "upheld", "decided_on": "2024-05-01"},
                          who["office_head"], D(2024, 5, 2))
    c["H"] = register(agency, who, D(2024, 5, 6), "legal_service_org")
    case_actions.withdraw(c["H"], who["handler"], D(2024, 5, 10), reason="申请人电话撤回")
    c["I"] = register(agency, who, D(2024, 6, 3), "research_institution")
    case_actions.request_supplement(c["I"], "请写明文件名称", 15, who["handler"], D(2024, 6, 4))
    send_notices(c["I"], D(2024, 6, 4))
    appeals.add_appeal(c["N"], {"kind": "litigation_direct", "filed_on": "2024-06-01"},
                       who["office_head"], D(2024, 6, 1))
    c["J"] = register(agency, who, D(2024, 7, 1), "social_welfare_org")
    case_actions.notify_fee(c["J"], "per_page", 50, who["handler"], D(2024, 7, 2))
    send_notices(c["J"], D(2024, 7, 2))
    sweep.run(D(2024, 7, 15))  # I: 补正 period over → other.no_supplement
    c["K"] = register(agency, who, D(2024, 8, 1), "other_org")
    case_actions.notify_fee(c["K"], "per_page", 50, who["handler"], D(2024, 8, 2))
    send_notices(c["K"], D(2024, 8, 2))
    case_actions.record_fee_payment(c["K"], who["handler"], D(2024, 8, 5), D(2024, 8, 5))
    release(c["K"], "disclosed", D(2024, 8, 20), who)
    sweep.run(D(2024, 9, 2))  # J: fee not paid in time → other.fee_unpaid
    c["L"] = register(agency, who, D(2024, 11, 1))
    c["M"] = register(agency, who, D(2024, 12, 20))
    c["G"] = online(agency, who, D(2024, 12, 30), None)  # never confirmed
    release(c["C"], "partially_disclosed", D(2025, 1, 15), who)
    appeals.record_result(c["N"].appeals[0], {"result": "corrected", "decided_on": "2025-02-01"},
                          who["office_head"], D(2025, 2, 1))
    assert c["I"].outcome == "other.no_supplement" and c["J"].outcome == "other.fee_unpaid"
    return c


@pytest.fixture
def two_years(agency, who):
    return build_two_years(agency, who)


def row(**cells) -> dict:
    out = dict.fromkeys(R.COLUMNS, 0)
    out.update(cells)
    out["total"] = sum(v for k, v in out.items() if k != "total")
    return out


EXPECTED_2024 = {
    "new": row(natural_person=4, research_institution=1, social_welfare_org=1, legal_service_org=1,
               other_org=1),
    "carried_over": row(natural_person=2, commercial_enterprise=1),
    "disclosed": row(natural_person=2, other_org=1),
    "withheld.process_information": row(natural_person=1),
    "unavailable.not_held": row(natural_person=1),
    "other.no_supplement": row(research_institution=1),
    "other.fee_unpaid": row(social_welfare_org=1),
    "other.other": row(legal_service_org=1),
    "total": row(natural_person=4, research_institution=1, social_welfare_org=1,
                 legal_service_org=1, other_org=1),
    "carried_forward": row(natural_person=2, commercial_enterprise=1),
}


# -- table 三 -------------------------------------------------------------------------------------
def test_table3_2024_every_cell(two_years):
    r = svc.annual(2024, ["BCZ"])
    for key in R.ROW_KEYS:
        assert r.rows[key] == EXPECTED_2024.get(key, row()), key
    assert r.failing == []
    assert r.unconfirmed == 1  # G: listed as a warning, not counted


def test_table3_2023_and_carry_over_continuity(two_years):
    r23 = svc.annual(2023, ["BCZ"])
    assert r23.rows["new"] == row(natural_person=4, commercial_enterprise=1)
    assert r23.rows["disclosed"] == row(natural_person=2)  # A, and D concluded on 31 December
    assert r23.rows["carried_forward"] == row(natural_person=2, commercial_enterprise=1)
    assert not r23.has_continuity  # nothing before 2023 in the system
    r24 = svc.annual(2024, ["BCZ"])
    assert r24.has_continuity and r24.rows["carried_over"] == r23.rows["carried_forward"]
    r25 = svc.annual(2025, ["BCZ"])
    assert r25.rows["carried_over"] == r24.rows["carried_forward"]
    assert r25.rows["partially_disclosed"] == row(commercial_enterprise=1)  # C: carried over twice
    assert all(c.ok for r in (r23, r24, r25) for c in r.checks)


def test_sql_counts_match_the_pure_rules_on_the_same_cases(two_years):
    recs = [R.CaseRecord(*row_) for row_ in db.session.execute(select(
        Case.applicant_type, Case.received_on, Case.concluded_on, Case.outcome, Case.due_on,
        Case.timely))]
    for year in (2023, 2024, 2025):
        s = svc.scope(year, ["BCZ"])
        key = lambda g: (g.applicant_type, g.outcome or "")  # noqa: E731
        assert sorted(svc.table3_groups(s), key=key) == sorted(R.group_counts(recs, year), key=key)


def test_sql_matches_rules_on_random_bulk_data(agency):
    import random
    rng = random.Random(7)
    rows_, start = [], D(2022, 1, 1).toordinal()
    for i in range(600):
        received = None if rng.random() < 0.05 else D.fromordinal(start + rng.randrange(1200))
        concluded = None
        if received and rng.random() < 0.8:
            concluded = D.fromordinal(received.toordinal() + rng.randrange(0, 120))
        rows_.append(dict(agency_id=agency.id, tracking_no=f"R-{i}", channel="in_person",
                          status="replied" if concluded else "in_progress",
                          applicant_type=rng.choice(R.TYPE_COLUMNS), applicant_name="x",
                          subject="y",
                          received_on=received, concluded_on=concluded,
                          outcome=rng.choice(R.RESULT_ROWS) if concluded else None,
                          due_on=received and D.fromordinal(received.toordinal() + 28),
                          timely=None if not concluded else rng.random() < 0.9,
                          extension_workdays=0, due_provisional=False, concluded_by_sweep=False,
                          created_at=now()))
    with unit_of_work():
        db.session.execute(insert(Case), rows_)
    recs = [R.CaseRecord(r["applicant_type"], r["received_on"], r["concluded_on"], r["outcome"],
                         r["due_on"], r["timely"]) for r in rows_]
    for year in (2022, 2023, 2024, 2025):
        rep = svc.annual(year, ["BCZ"])
        assert rep.rows == R.table3(R.group_counts(recs, year))
        assert rep.failing == []


def test_every_outcome_code_lands_in_its_row_and_column(agency, who):
    kinds = R.TYPE_COLUMNS
    made = []
    for i, outcome in enumerate(R.RESULT_ROWS):
        received = D(2024, 3, 4) if outcome != "other.fee_unpaid" else D(2024, 3, 1)
        made.append((conclude(agency, who, received, outcome, kinds[i % 6]), outcome, kinds[i % 6]))
    sweep.run(D(2024, 4, 30))  # the fee-unpaid case lapses
    r = svc.annual(2024, ["BCZ"])
    for case, outcome, kind in made:
        db.session.refresh(case)
        assert case.outcome == outcome
        assert r.rows[outcome] == row(**{kind: 1}), outcome
    assert r.rows["total"]["total"] == 21 and r.rows["carried_forward"]["total"] == 0
    assert r.failing == []


# -- rates, fees, table 二, table 四 --------------------------------------------------------------
def test_rates_2024(two_years):
    rates = svc.annual(2024, ["BCZ"]).rates
    # open at year end and due by 31 December: C (due January 2024) and L
    assert rates["reply_rate"].as_json() == {"numerator": 8, "denominator": 10, "value": "0.8000"}
    assert rates["timely_rate"].as_json() == {"numerator": 7, "denominator": 8, "value": "0.8750"}
    assert rates["completion_rate"].as_json() == {"numerator": 8, "denominator": 11,
                                                  "value": "0.7273"}


def test_rates_are_null_for_a_year_without_cases(two_years):
    data = svc.to_json(svc.annual(2019, ["BCZ"]))
    assert {k: v["value"] for k, v in data["rates"].items()} == dict.fromkeys(R.RATE_LABELS)
    assert data["rates"]["reply_rate"] == {"numerator": 0, "denominator": 0, "value": None}


def test_fees_collected_are_the_fees_paid_in_the_year(two_years):
    assert svc.annual(2024, ["BCZ"]).fees_yuan == "200.00"
    assert svc.annual(2023, ["BCZ"]).fees_yuan == "0.00"


def test_table4_from_appeals_as_known_on_31_december(two_years):
    t4 = svc.annual(2024, ["BCZ"]).table4
    assert t4["reconsideration"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0,
                                     "total": 1}
    # N's suit was decided in 2025: still pending on 31 December 2024
    assert t4["litigation_direct"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1,
                                       "total": 1}
    assert svc.annual(2023, ["BCZ"]).table4["reconsideration"]["pending"] == 1


def _entry(agency, category, issued, repealed=None, published=True, title="文件"):
    e = CatalogueEntry(agency_id=agency.id, title=title, category=category, issued_on=issued,
                       repealed_on=repealed, published_on=issued if published else None,
                       created_at=now())
    with unit_of_work():
        db.session.add(e)
    return e


def test_table2_from_the_catalogue_and_entered_figures(agency, staff):
    nd = "normative_document"
    _entry(agency, nd, D(2024, 3, 1))                       # issued, in force
    _entry(agency, nd, D(2024, 12, 31))                     # issued on the last day
    _entry(agency, nd, D(2022, 1, 1), D(2024, 6, 1))        # repealed in 2024
    _entry(agency, nd, D(2020, 1, 1), D(2025, 1, 1))        # repealed after the year: in force
    _entry(agency, nd, D(2024, 5, 1), published=False)      # never published: not counted
    _entry(agency, nd, D(2025, 1, 2))                       # next year
    _entry(agency, "regulation", D(2023, 1, 1))
    _entry(agency, "penalty", D(2024, 1, 1))                # not a catalogue-counted category
    svc.save_year(agency, 2024, {"licensing_decisions": "12", "penalty_decisions": "3",
                                 "enforcement_decisions": "0", "fee_item_amount_10k": "1.5"},
                  Actor.of(staff["office_head"]))
    t2 = svc.annual(2024, ["BCZ"]).table2
    assert t2 == {"regulation": {"issued": 0, "repealed": 0, "in_force": 1},
                  nd: {"issued": 2, "repealed": 1, "in_force": 3},
                  "licensing": {"decisions": 12}, "penalty": {"decisions": 3},
                  "enforcement": {"decisions": 0}, "fee_item": {"amount_10k_yuan": "1.50"}}
    d = svc.drill(svc.scope(2024, ["BCZ"]), "table2.normative_document", "in_force")
    assert d.kind == "catalogue" and len(d.ids) == 3


# -- JSON contract --------------------------------------------------------------------------------
def test_json_shape_exactly(two_years):
    data = json.loads(json.dumps(svc.to_json(svc.annual(2024, ["BCZ"]))))
    assert list(data) == ["year", "agencies", "table2", "table3", "table4", "rates", "fees",
                          "checks"]
    assert data["year"] == 2024 and data["agencies"] == ["BCZ"]
    assert list(data["table2"]) == ["regulation", "normative_document", "licensing", "penalty",
                                    "enforcement", "fee_item"]
    assert data["table2"]["regulation"] == {"issued": 0, "repealed": 0, "in_force": 0}
    assert data["table2"]["fee_item"] == {"amount_10k_yuan": "0.00"}
    assert data["table3"]["columns"] == ["natural_person", "commercial_enterprise",
                                         "research_institution", "social_welfare_org",
                                         "legal_service_org", "other_org", "total"]
    rows = data["table3"]["rows"]
    assert list(rows) == ["new", "carried_over", *[o.value for o in R.Outcome], "total",
                          "carried_forward"]
    for values in rows.values():
        assert list(values) == data["table3"]["columns"]
        assert all(type(v) is int for v in values.values())
    assert list(data["table4"]) == ["reconsideration", "litigation_direct",
                                    "litigation_after_reconsideration"]
    for cells in data["table4"].values():
        assert list(cells) == ["upheld", "corrected", "other", "pending", "total"]
    assert list(data["rates"]) == ["reply_rate", "timely_rate", "completion_rate"]
    for rate in data["rates"].values():
        assert list(rate) == ["numerator", "denominator", "value"]
        assert rate["value"] is None or (isinstance(rate["value"], str) and len(rate["value"]) == 6)
    assert data["fees"] == {"collected_yuan": "200.00"}
    for check in data["checks"]:
        assert list(check) == ["name", "ok", "detail"] and check["ok"] is True
    names = [c["name"] for c in data["checks"]]
    assert "balance.natural_person" in names and "continuity.total" in names
    balance = data["checks"][names.index("balance.natural_person")]
    assert balance["detail"] == "4 + 2 = 4 + 2"


# -- agencies: one, several, all ------------------------------------------------------------------
def test_several_agencies_are_summed_and_all_is_the_default(two_years, agency, who):
    other, owho = make_staff("OTH", "另一镇人民政府")
    conclude(other, owho, D(2024, 4, 1), "disclosed")
    register(other, owho, D(2024, 4, 2), "commercial_enterprise")
    bcz, oth = svc.annual(2024, ["BCZ"]), svc.annual(2024, ["oth"])
    both, everyone = svc.annual(2024, ["BCZ", "OTH"]), svc.annual(2024)
    assert oth.rows["new"]["total"] == 2 and oth.rows["disclosed"]["total"] == 1
    for key in R.ROW_KEYS:
        for col in R.COLUMNS:
            assert both.rows[key][col] == bcz.rows[key][col] + oth.rows[key][col]
    assert everyone.rows == both.rows and everyone.scope.everyone
    assert svc.to_json(everyone)["agencies"] == ["BCZ", "OTH"]
    # OTH: one concluded, one open and overdue by 31 December
    assert both.rates["reply_rate"].denominator == bcz.rates["reply_rate"].denominator + 2


def test_unknown_agency_is_refused(agency):
    with pytest.raises(svc.UnknownAgency):
        svc.annual(2024, ["NOPE"])


def test_staff_read_their_own_agency_and_a_platform_admin_any(agency, who):
    make_staff("OTH", "另一镇人民政府")
    head = who["office_head"]
    assert svc.readable_scope(head, 2024, []).codes == ["BCZ"]
    assert svc.readable_scope(head, 2024, [" bcz ", ""]).codes == ["BCZ"]
    with pytest.raises(svc.NotYourAgency):
        svc.readable_scope(head, 2024, ["BCZ", "OTH"])
    assert [a.code for a in svc.agency_choices(head)] == ["BCZ"]
    admin = Actor(None, "平台管理员", frozenset({"platform_admin"}))
    everyone = svc.readable_scope(admin, 2024, [])
    assert everyone.everyone and everyone.codes == ["BCZ", "OTH"]
    assert svc.readable_scope(admin, 2024, ["oth"]).codes == ["OTH"]
    with pytest.raises(svc.UnknownAgency):
        svc.readable_scope(admin, 2024, ["NOPE"])
    assert [a.code for a in svc.agency_choices(admin)] == ["BCZ", "OTH"]


# -- checks on broken data -----------------------------------------------------------------------
def test_a_broken_figure_produces_a_failing_check(two_years):
    # a data error: a case received in 2024 but concluded (on paper) in 2023
    with unit_of_work():
        db.session.execute(update(Case).where(Case.id == two_years["L"].id).values(
            concluded_on=D(2023, 10, 1), outcome="disclosed", status="replied"))
    r = svc.annual(2024, ["BCZ"])
    failing = {c.name: c.detail for c in r.failing}
    assert failing == {"balance.natural_person": "4 + 2 ≠ 4 + 1", "balance.total": "8 + 3 ≠ 8 + 2"}


def test_an_unknown_outcome_code_fails_the_results_total(two_years):
    with unit_of_work():
        db.session.execute(update(Case).where(Case.id == two_years["F"].id).values(outcome="typo"))
    failing = {c.name for c in svc.annual(2024, ["BCZ"]).failing}
    assert failing == {"results_total.natural_person", "results_total.total"}


# -- drill-down -----------------------------------------------------------------------------------
def test_drill_down_ids_match_every_cell(two_years):
    r = svc.annual(2024, ["BCZ"])
    s = r.scope
    for key in R.ROW_KEYS:
        for col in R.COLUMNS:
            d = svc.drill(s, key, col)
            assert len(d.ids) == r.rows[key][col], (key, col)
    assert set(svc.drill(s, "carried_forward", "total").ids) == {
        two_years[k].id for k in ("C", "L", "M")}
    assert svc.drill(s, "partially_disclosed", "total").ids == []
    for key, rate in r.rates.items():
        assert len(svc.drill(s, f"rate.{key}", "numerator").ids) == rate.numerator
        assert len(svc.drill(s, f"rate.{key}", "denominator").ids) == rate.denominator
    for kind in R.APPEAL_KINDS:
        for res in R.APPEAL_RESULTS:
            assert len(svc.drill(s, f"table4.{kind}", res).ids) == r.table4[kind][res]
    assert svc.drill(s, "fees", "collected_yuan").ids == [two_years["K"].id]
    assert svc.drill(s, "unconfirmed", "total").ids == [two_years["G"].id]
    assert svc.drill(s, "rate.timely_rate", "denominator").ids != svc.drill(
        s, "rate.timely_rate", "numerator").ids
    assert two_years["N"].id not in svc.drill(s, "rate.timely_rate", "numerator").ids


@pytest.mark.parametrize("row_,col", [("new", "alien"), ("bogus", "total"),
                                      ("rate.x", "numerator"), ("table4.reconsideration", "nope"),
                                      ("table2.penalty", "issued")])
def test_drill_down_refuses_unknown_cells(agency, row_, col):
    with pytest.raises(KeyError):
        svc.drill(svc.scope(2024, ["BCZ"]), row_, col)


def test_appeal_of_gives_only_the_cases_own_appeal(two_years):
    f, n = two_years["F"], two_years["N"]
    appeal_id = f.appeals[0].id
    assert svc.appeal_of(f, appeal_id).id == appeal_id
    assert svc.appeal_of(n, appeal_id) is None and svc.appeal_of(f, 10**6) is None


def test_drill_items_pair_appeals_with_their_case(two_years):
    s = svc.scope(2024, ["BCZ"])
    d = svc.drill(s, "table4.litigation_direct", "pending")
    [(appeal, case)] = svc.drill_items(d, d.ids)
    assert case.id == two_years["N"].id and appeal.result == "corrected"  # known only in 2025


# -- entered figures and texts --------------------------------------------------------------------
def test_save_year_upserts_and_audits_every_change(agency, staff):
    head = Actor.of(staff["office_head"])
    svc.save_year(agency, 2024, {"narrative": "总体情况", "licensing_decisions": "５",
                                 "fee_item_amount_10k": "2.000"}, head)
    svc.save_year(agency, 2024, {"narrative": "总体情况", "licensing_decisions": "6",
                                 "fee_item_amount_10k": "2.00", "problems": "问题"}, head)
    svc.save_year(agency, 2024, {"narrative": "总体情况", "licensing_decisions": "6",
                                 "fee_item_amount_10k": "2.00", "problems": "问题"}, head)
    [ry] = db.session.execute(select(ReportYear)).scalars().all()
    assert (ry.narrative, ry.licensing_decisions, ry.fee_item_amount_10k, ry.problems) == (
        "总体情况", 6, Decimal("2.00"), "问题")
    events = db.session.execute(select(Event).where(Event.action == "report_year_saved")
                                .order_by(Event.id)).scalars().all()
    assert len(events) == 2  # the unchanged third save records nothing
    assert events[0].agency_id == agency.id and events[0].actor_id == staff["office_head"].id
    assert events[0].data["changes"]["fee_item_amount_10k"] == {"before": "0.00", "after": "2.00"}
    assert events[1].data == {"year": 2024, "agency": "BCZ", "changes": {
        "licensing_decisions": {"before": 5, "after": 6},
        "problems": {"before": None, "after": "问题"}}}
    r = svc.annual(2024, ["BCZ"])
    assert r.texts["narrative"] == "总体情况" and not r.drafted["narrative"]
    assert r.texts["problems"] == "问题" and r.table2["licensing"]["decisions"] == 6


@pytest.mark.parametrize("values,field", [
    ({"licensing_decisions": "-1"}, "licensing_decisions"),
    ({"penalty_decisions": "1.5"}, "penalty_decisions"),
    ({"enforcement_decisions": "很多"}, "enforcement_decisions"),
    ({"enforcement_decisions": "³"}, "enforcement_decisions"),
    ({"fee_item_amount_10k": "1.234"}, "fee_item_amount_10k"),
    ({"fee_item_amount_10k": "-3"}, "fee_item_amount_10k"),
    ({"fee_item_amount_10k": "NaN"}, "fee_item_amount_10k"),
    ({"problems": "问" * 20001}, "problems"),
])
def test_save_year_refuses_bad_figures_in_chinese(agency, staff, values, field):
    with pytest.raises(cases.ValidationFailed) as exc:
        svc.save_year(agency, 2024, values, Actor.of(staff["office_head"]))
    assert list(exc.value.errors) == [field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.errors[field])
    assert db.session.execute(select(func.count()).select_from(ReportYear)).scalar_one() == 0


@pytest.mark.parametrize("year", [1999, 2101])
def test_save_year_refuses_a_year_out_of_bounds(agency, staff, year):
    with pytest.raises(cases.ValidationFailed) as exc:
        svc.save_year(agency, year, {"narrative": "总体情况"}, Actor.of(staff["office_head"]))
    assert list(exc.value.errors) == ["year"]


def test_save_year_is_one_unit_of_work_kept_whole_or_not_at_all(agency, staff, monkeypatch):
    from disclosure.services import audit

    def audit_fails(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", audit_fails)
    with pytest.raises(RuntimeError):
        svc.save_year(agency, 2024, {"narrative": "总体情况", "licensing_decisions": "3"},
                      Actor.of(staff["office_head"]))
    assert db.session.execute(select(func.count()).select_from(ReportYear)).scalar_one() == 0


def test_drafts_fill_the_texts_until_saved(two_years):
    r = svc.annual(2024, ["BCZ"])
    assert r.drafted == {"narrative": True, "problems": True, "other_matters": True}
    assert "新收政府信息公开申请 8 件，上年结转 3 件" in r.texts["narrative"]
    assert "答复率 80.00%，答复及时率 87.50%" in r.texts["narrative"]
    assert r.texts["other_matters"] == ""  # section 六 opens with the fee line from the records


def test_reviews_performed_are_counted_in_the_year_they_were_decided(agency, who):
    case = register(agency, who, D(2024, 3, 1))
    release(case, "disclosed", D(2024, 3, 5), who)
    this_year = now().astimezone().year
    assert svc.reviews_performed(svc.scope(this_year, ["BCZ"])) >= 1
    assert svc.reviews_performed(svc.scope(2000, ["BCZ"])) == 0


# -- appeals service ------------------------------------------------------------------------------
def test_appeal_validation_in_chinese(agency, who):
    case = register(agency, who, D(2024, 3, 1))
    bad = [({"kind": "appeal"}, "kind"), ({"kind": "reconsideration"}, "filed_on"),
           ({"kind": "reconsideration", "filed_on": "2024-02-30"}, "filed_on"),
           ({"kind": "reconsideration", "filed_on": "2024-02-01"}, "filed_on"),
           ({"kind": "reconsideration", "filed_on": "2024-12-01"}, "filed_on"),
           ({"kind": "reconsideration", "filed_on": "2024-04-01", "result": "won"}, "result"),
           ({"kind": "reconsideration", "filed_on": "2024-04-01", "result": "upheld"},
            "decided_on"),
           ({"kind": "reconsideration", "filed_on": "2024-04-01", "result": "upheld",
             "decided_on": "2024-03-01"}, "decided_on"),
           ({"kind": "reconsideration", "filed_on": "2024-04-01", "decided_on": "2024-05-01"},
            "decided_on")]
    for values, field in bad:
        with pytest.raises(cases.ValidationFailed) as exc:
            appeals.add_appeal(case, values, who["office_head"], D(2024, 6, 1))
        assert list(exc.value.errors) == [field], values
    assert db.session.execute(select(func.count()).select_from(Appeal)).scalar_one() == 0


def test_appeal_is_audited_and_its_result_recorded(agency, who):
    case = register(agency, who, D(2024, 3, 1))
    head = who["office_head"]  # appeals are entered by the office head (issue 12)
    appeal = appeals.add_appeal(case, {"kind": "litigation_after_reconsideration",
                                       "filed_on": "2024-04-01"}, head, D(2024, 4, 2))
    appeals.record_result(appeal, {"result": "other", "decided_on": "2024-09-01"}, head,
                          D(2024, 9, 2))
    events = db.session.execute(select(Event).where(Event.case_id == case.id, Event.action.like(
        "appeal%")).order_by(Event.id)).scalars().all()
    assert [e.action for e in events] == ["appeal_added", "appeal_result_recorded"]
    assert events[1].data["result"] == "other" and events[1].data["before"]["result"] == "pending"
    assert events[0].before_status == events[0].after_status == case.status
    t4 = svc.annual(2024, ["BCZ"]).table4
    assert t4["litigation_after_reconsideration"]["other"] == 1


# -- statistics -----------------------------------------------------------------------------------
def test_stats_per_month_outcomes_types_and_processing_time(two_years):
    st = svc.stats(svc.scope(2024, ["BCZ"]))
    by_month = {m["month"]: m for m in st["months"]}
    assert sum(m["received"] for m in st["months"]) == 8
    assert sum(m["concluded"] for m in st["months"]) == 8
    assert by_month[4]["concluded"] == 1 and by_month[4]["timely"].value == "0.0000"  # N, late
    assert by_month[3]["timely"].value is None  # nothing concluded in March
    assert st["outcome_groups"] == {"disclosed": 3, "partially_disclosed": 0, "withheld": 1,
                                    "unavailable": 1, "not_processed": 0, "other": 3}
    assert st["by_type"]["natural_person"] == 4 and st["unconfirmed"] == 1
    from disclosure.services.calendar import workdays_between
    n_days = workdays_between(two_years["N"].clock_started_on, D(2024, 4, 15))
    assert st["processing"]["withheld"] == {"n": 1, "median": n_days, "mean": n_days, "p90": n_days,
                                            "max": n_days}
    assert st["processing"]["all"]["n"] == 8
    expected: dict[str, list[int]] = {}
    for c in db.session.execute(select(Case).where(Case.concluded_on.between(
            D(2024, 1, 1), D(2024, 12, 31)), Case.received_on.is_not(None))).scalars():
        expected.setdefault(R.outcome_group(c.outcome), []).append(
            workdays_between(c.clock_started_on, c.concluded_on))
    for group, values in expected.items():
        assert st["processing"][group] == R.summary_stats(values), group


# -- outputs ---------------------------------------------------------------------------------------
def test_xlsx_has_the_official_layout(two_years):
    wb = load_workbook(io.BytesIO(svc.xlsx_bytes(svc.annual(2024, ["BCZ"]))))
    ws = wb["年度报告"]
    values = {c.value for r in ws.iter_rows() for c in r if c.value is not None}
    for label in (*R.SECTIONS, *R.ROW_LABELS.values(), R.BALANCE_NOTE, "申请人情况",
                  "法人或其他组织", "第二十条第（一）项", "本年制发件数", "行政事业性收费",
                  "本年收费金额（单位：万元）",
                  "行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "尚未审结", "结果纠正"):
        assert label in values, label
    merged = {str(m) for m in ws.merged_cells.ranges}
    cell = {c.value: c for r in ws.iter_rows() for c in r if isinstance(c.value, str)}
    note = cell[R.BALANCE_NOTE]
    assert f"A{note.row}:C{note.row + 2}" in merged  # the note spans 3 label columns × 3 rows
    assert f"D{note.row}:J{note.row}" in merged      # 申请人情况 over the seven columns
    org = cell["法人或其他组织"]
    assert f"E{org.row}:I{org.row}" in merged
    results = cell["三、本年度办理结果"]
    assert f"A{results.row}:A{results.row + 21}" in merged
    withheld = cell["（三）不予公开"]
    assert f"B{withheld.row}:B{withheld.row + 7}" in merged
    # the numbers are numbers, in the right cells
    new = cell["一、本年新收政府信息公开申请数量"]
    assert [ws.cell(new.row, c).value for c in range(4, 11)] == [4, 0, 1, 1, 1, 1, 8]
    fwd = cell["四、结转下年度继续办理"]
    assert [ws.cell(fwd.row, c).value for c in range(4, 11)] == [2, 1, 0, 0, 0, 0, 3]
    recon = cell["行政复议"]
    assert f"A{recon.row}:E{recon.row + 1}" in merged
    assert [ws.cell(recon.row + 3, c).value for c in range(1, 16)] == [
        1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    fee = cell["行政事业性收费"]
    assert ws.cell(fee.row, 2).value == 0 and ws.cell(fee.row, 2).number_format == "0.00"
    fee_line = cell[svc.FEE_LINE]
    fee_cell = ws.cell(fee_line.row, 4)
    assert fee_cell.value == 200 and fee_cell.number_format == "0.00"
    checks = wb["校验与比率"]
    assert checks["A2"].value == "答复率" and checks["D2"].value == 0.8


def test_csv_long_form(two_years):
    text = svc.csv_text(svc.annual(2024, ["BCZ"]))
    lines = text.splitlines()
    assert lines[0] == "table,row,column,row_label,column_label,value"
    assert "table3,new,total,一、本年新收政府信息公开申请数量,总计,8" in lines
    assert "rates,reply_rate,value,答复率,value,0.8000" in lines
    assert "fees,collected_yuan,amount,信息处理费,元,200.00" in lines


def test_cli_outputs(two_years, app, tmp_path):
    runner = app.test_cli_runner()
    res = runner.invoke(args=["report", "annual", "--year", "2024", "--agency", "BCZ",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data == json.loads(json.dumps(svc.to_json(svc.annual(2024, ["BCZ"]))))
    res = runner.invoke(args=["report", "annual", "--year", "2024", "--format", "csv"])
    assert res.exit_code == 0 and res.stdout.startswith("table,row,column")
    res = runner.invoke(args=["report", "annual", "--year", "2024", "--format", "html"])
    assert res.exit_code == 0 and "<table" in res.stdout and "三、本年度办理结果" in res.stdout
    assert "href=\"/staff" not in res.stdout  # a file: no drill-down links
    out = tmp_path / "r.xlsx"
    res = runner.invoke(args=["report", "annual", "--year", "2024", "--format", "xlsx",
                              "--output", str(out)])
    assert res.exit_code == 0 and load_workbook(out)["年度报告"]["A1"].value.endswith("年度报告")
    res = runner.invoke(args=["report", "annual", "--year", "2024", "--format", "xlsx"])
    assert res.exit_code == 1 and "--output" in res.stderr
    res = runner.invoke(args=["report", "annual", "--year", "2024", "--agency", "NOPE"])
    assert res.exit_code == 1 and "NOPE" in res.stderr
    res = runner.invoke(args=["report", "annual", "--year", "2024", "--agency", "BCZ",
                              "--format", "json", "--output", str(tmp_path / "r.json")])
    assert res.exit_code == 0 and json.loads((tmp_path / "r.json").read_text())["year"] == 2024


def test_cli_warns_on_failing_checks(two_years, app):
    with unit_of_work():
        db.session.execute(update(Case).where(Case.id == two_years["F"].id).values(outcome="typo"))
    res = app.test_cli_runner().invoke(args=["report", "annual", "--year", "2024",
                                             "--format", "json"])
    assert res.exit_code == 0 and "results_total.total" in res.stderr
