"""督办 and the supervisor's comparison (issue 17), without a web request: every figure of the
comparison table is the figure of the annual report / statistics for that agency, every figure
drills down to exactly as many cases, the total row is the sum, and a 督办 notice names only
overdue cases of one agency below the supervisor, and is answered once."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from disclosure.domain.errors import ValidationFailed
from disclosure.domain.workflow import WorkflowError
from disclosure.extensions import db
from disclosure.models import Case, Event, SupervisionCase, SupervisionNotice
from disclosure.services import agency_tree, appeals, case_actions, due_changes
from disclosure.services import report as rsvc
from disclosure.services import supervision as svc
from disclosure.services.actors import Actor
from disclosure.services.report.statistics import overdue, year_rates
from disclosure.services.unit_of_work import unit_of_work
from disclosure.services.users import create_user
from tests.conftest import PASSWORD
from tests.services.test_report import make_staff, register, release

D = date
TODAY = D(2025, 6, 30)


def build_county() -> dict:
    """CTY (the county, at the root) ─ AAA (a department), BBB (a township) ─ BBC (below BBB);
    OTH beside them (a tree of its own). ``sup``: a supervisor of CTY; ``sup-b``: of BBB."""
    out = {"agency": {}, "who": {}, "case": {}}
    for code, name in (("CTY", "某县人民政府"), ("AAA", "县教育局"), ("BBB", "某镇人民政府"),
                       ("BBC", "某镇便民服务中心"), ("OTH", "邻县人民政府")):
        out["agency"][code], out["who"][code] = make_staff(code, name)
    ag, who, c = out["agency"], out["who"], out["case"]
    for child, parent in (("AAA", "CTY"), ("BBB", "CTY"), ("BBC", "BBB")):
        agency_tree.set_parent(ag[child].id, str(ag[parent].id))
    out["sup"] = Actor.of(create_user("sup", PASSWORD, "CTY", ["supervisor"], "县政务公开办"))
    out["sup_b"] = Actor.of(create_user("sup-b", PASSWORD, "BBB", ["supervisor"], "镇督查"))
    for code in ("AAA", "BBB"):
        who[code]["admin"] = Actor.of(create_user(f"{code.lower()}-admin", PASSWORD, code,
                                                  ["admin"], f"{code}管理员"))
    c["c0"] = release(register(ag["CTY"], who["CTY"], D(2024, 2, 1)), "disclosed",
                      D(2024, 2, 20), who["CTY"])
    c["a1"] = release(register(ag["AAA"], who["AAA"], D(2024, 3, 1)), "disclosed",
                      D(2024, 3, 15), who["AAA"])
    c["a2"] = release(register(ag["AAA"], who["AAA"], D(2024, 4, 1)), "disclosed",
                      D(2024, 5, 20), who["AAA"])  # past its due date: not timely
    appeals.add_appeal(c["a1"], {"kind": "reconsideration", "filed_on": "2024-05-01"},
                       who["AAA"]["office_head"], D(2024, 5, 1))
    appeals.record_result(c["a1"].appeals[0], {"result": "upheld", "decided_on": "2024-06-01"},
                          who["AAA"]["office_head"], D(2024, 6, 2))
    appeals.add_appeal(c["a2"], {"kind": "litigation_direct", "filed_on": "2024-07-01"},
                       who["AAA"]["office_head"], D(2024, 7, 1))
    c["a3"] = register(ag["AAA"], who["AAA"], D(2024, 12, 2))  # open at year end, due by then
    c["a4"] = register(ag["AAA"], who["AAA"], D(2025, 3, 3))
    c["b1"] = release(register(ag["BBB"], who["BBB"], D(2024, 6, 3)), "unavailable.not_held",
                      D(2024, 6, 10), who["BBB"])
    c["b2"] = register(ag["BBB"], who["BBB"], D(2024, 7, 1))
    case_actions.withdraw(c["b2"], who["BBB"]["handler"], D(2024, 7, 2), reason="申请人书面撤回")
    c["b3"] = register(ag["BBB"], who["BBB"], D(2025, 6, 25))  # open, not yet due
    c["b4"] = register(ag["BBB"], who["BBB"], D(2025, 4, 1))
    c["x1"] = release(register(ag["BBC"], who["BBC"], D(2024, 9, 2)), "disclosed",
                      D(2024, 9, 6), who["BBC"])
    c["x2"] = register(ag["BBC"], who["BBC"], D(2025, 3, 10))
    c["o1"] = release(register(ag["OTH"], who["OTH"], D(2024, 3, 1)), "disclosed",
                      D(2024, 3, 8), who["OTH"])
    c["o2"] = register(ag["OTH"], who["OTH"], D(2025, 3, 3))
    with unit_of_work():  # an R8.1 flag as a ledger import records it (history, not refused)
        db.session.execute(update(Case).where(Case.id == c["x1"].id)
                           .values(late_acts="extension_late"))
    return out


@pytest.fixture
def county(ctx):
    return build_county()


SUBTREE = ["CTY", "AAA", "BBB", "BBC"]
FIGURES = ("received", "concluded", "timely", "reply_den", "times", "overdue", "late_acts",
           "appeals", "appeals.upheld", "appeals.corrected", "appeals.other", "appeals.pending")


def figure(counts, name: str) -> int:
    """The number a figure's link shows (for the median / p90: the cases they are taken of)."""
    return {"received": counts.received, "concluded": counts.concluded, "timely": counts.timely,
            "reply_den": counts.reply_rate.denominator, "times": counts.times["n"],
            "overdue": counts.overdue, "late_acts": counts.late_acts,
            "appeals": counts.appeals_total}.get(name) or counts.appeals.get(
                name.partition(".")[2], 0)


# -- the comparison -------------------------------------------------------------------------------
def test_rows_are_the_subtree_in_tree_order(county):
    c = svc.comparison(county["sup"], 2024, TODAY)
    assert [(r.agency.code, r.depth) for r in c.rows] == [("CTY", 0), ("AAA", 1), ("BBB", 1),
                                                           ("BBC", 2)]
    assert [r.supervisable for r in c.rows] == [False, True, True, True]
    mid = svc.comparison(county["sup_b"], 2024, TODAY)
    assert [r.agency.code for r in mid.rows] == ["BBB", "BBC"]


def test_each_row_is_the_reports_own_figures(county):
    c = svc.comparison(county["sup"], 2024, TODAY)
    for row in c.rows:
        s = rsvc.scope(2024, [row.agency.code])
        rates, open_due = year_rates(s)
        assert row.counts.reply_rate == rates["reply_rate"], row.agency.code
        assert row.counts.timely_rate == rates["timely_rate"], row.agency.code
        assert row.counts.open_due == open_due
        report = rsvc.build(s)
        assert row.counts.received == report.rows["new"]["total"]
        assert row.counts.concluded == report.rows["total"]["total"]
        assert row.counts.overdue == overdue(s, TODAY).now
        times = rsvc.processing_times(s)["all"]
        assert (row.counts.times["median"], row.counts.times["p90"], row.counts.times["n"]) == (
            times["median"], times["p90"], times["n"])
        late = due_changes.counts(2024, [row.agency.id])["late_acts"]
        assert row.counts.late_acts == sum(x["cases"] for x in late)  # one flag per case here
        t4 = report.table4
        assert row.counts.appeals_total == sum(t4[k]["total"] for k in t4)
        for result, n in row.counts.appeals.items():
            assert n == sum(t4[k][result] for k in t4), (row.agency.code, result)


def test_the_expected_numbers(county):
    c = svc.comparison(county["sup"], 2024, TODAY)
    by = {r.agency.code: r.counts for r in c.rows}
    aaa = by["AAA"]
    assert (aaa.received, aaa.concluded, aaa.timely, aaa.open_due, aaa.overdue) == (3, 2, 1, 1, 2)
    assert aaa.reply_rate.percent == "66.67%" and aaa.timely_rate.percent == "50.00%"
    assert aaa.appeals == {"upheld": 1, "corrected": 0, "other": 0, "pending": 1}
    assert by["BBC"].late_acts == 1 and by["BBB"].overdue == 1 and by["BBB"].concluded == 2
    assert c.total.received == 1 + 3 + 2 + 1 and c.total.overdue == 2 + 1 + 1
    # the total's rates are computed from the sums, never averaged
    assert c.total.reply_rate.numerator == sum(r.counts.concluded for r in c.rows)
    assert c.total.times["n"] == sum(r.counts.times["n"] for r in c.rows)


def test_every_figure_drills_down_to_as_many_cases(county):
    c = svc.comparison(county["sup"], 2024, TODAY)
    for row in c.rows + [None]:
        counts = row.counts if row else c.total
        for name in FIGURES:
            d = svc.drill(county["sup"], 2024, row.agency if row else None, name, TODAY)
            assert len(d.ids) == figure(counts, name), (row and row.agency.code, name)
            assert len(svc.drill_items(d)) == len(d.ids)
    d = svc.drill(county["sup"], 2024, None, "overdue", TODAY)
    assert county["case"]["o2"].id not in d.ids  # beside the subtree: never counted
    with pytest.raises(KeyError):
        svc.drill(county["sup"], 2024, None, "bogus", TODAY)


def test_find_agency_only_in_the_subtree(county):
    assert svc.find_agency(county["sup"], "bbc").code == "BBC"
    assert svc.find_agency(county["sup"], "OTH") is None
    assert svc.find_agency(county["sup_b"], "CTY") is None  # above
    assert svc.find_agency(county["sup_b"], "AAA") is None  # beside


def test_only_a_supervisor_compares(county):
    with pytest.raises(WorkflowError):
        svc.comparison(county["who"]["AAA"]["office_head"], 2024, TODAY)


# -- 督办 ------------------------------------------------------------------------------------------
def _issue(county, agency="AAA", cases=("a3", "a4"), actor="sup", **over):
    values = {"title": "关于加快办理超期申请的督办通知",
              "body": "请于期限内办结并书面说明超期原因。", "reply_by": "2025-07-15"} | over
    return svc.issue(county[actor], str(county["agency"][agency].id),
                     [str(county["case"][k].id) for k in cases], values["title"], values["body"],
                     values["reply_by"], TODAY)


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_issue_records_the_notice_its_cases_and_one_event(county):
    before = _count(Event)
    notice = _issue(county)
    db.session.rollback()
    notice = db.session.get(SupervisionNotice, notice.id)
    a3, a4 = county["case"]["a3"], county["case"]["a4"]
    assert notice.agency.code == "AAA" and notice.supervisor_agency.code == "CTY"
    assert notice.reply_by == D(2025, 7, 15) and notice.issued_on == TODAY
    assert [(sc.case_id, sc.due_on) for sc in notice.cases] == [
        (a3.id, db.session.get(Case, a3.id).due_on), (a4.id, db.session.get(Case, a4.id).due_on)]
    events = db.session.execute(select(Event).where(Event.action == "supervision_issued")).scalars()
    (ev,) = list(events)
    assert _count(Event) == before + 1 and ev.case_id is None and ev.agency_id == notice.agency_id
    assert [x["tracking_no"] for x in ev.data["cases"]] == [a3.tracking_no, a4.tracking_no]


@pytest.mark.parametrize("agency,cases", [
    ("OTH", ("o2",)),   # beside the subtree
    ("CTY", ("a3",)),   # the supervisor's own agency: not "below"
])
def test_a_notice_outside_the_subtree_is_refused(county, agency, cases):
    with pytest.raises(WorkflowError):
        _issue(county, agency=agency, cases=cases)
    assert _count(SupervisionNotice) == 0


def test_a_mid_level_supervisor_cannot_reach_above_or_beside(county):
    with pytest.raises(WorkflowError):
        _issue(county, agency="AAA", cases=("a4",), actor="sup_b")
    notice = _issue(county, agency="BBC", cases=("x2",), actor="sup_b")
    assert notice.agency.code == "BBC"


def test_only_a_supervisor_issues(county):
    county["head"] = county["who"]["CTY"]["office_head"]
    with pytest.raises(WorkflowError):
        _issue(county, actor="head")


@pytest.mark.parametrize("cases,message", [
    ((), "请至少选择"),
    (("b4",), "不是该机关当前超期未办结"),   # another agency's overdue case
    (("a1",), "不是该机关当前超期未办结"),   # concluded
    (("o2",), "不是该机关当前超期未办结"),   # outside the subtree
])
def test_only_overdue_cases_of_that_agency(county, cases, message):
    with pytest.raises(ValidationFailed) as exc:
        _issue(county, cases=cases)
    assert message in exc.value.errors["cases"]
    assert _count(SupervisionNotice) == 0 and _count(SupervisionCase) == 0


def test_not_yet_overdue_is_refused(county):
    with pytest.raises(ValidationFailed):
        _issue(county, agency="BBB", cases=("b3",))


def test_bad_ids_and_fields(county):
    with pytest.raises(ValidationFailed) as exc:
        svc.issue(county["sup"], str(county["agency"]["AAA"].id), ["x", "1e3"], "", "",
                  "2025-02-30", TODAY)
    assert set(exc.value.errors) == {"cases", "title", "body", "reply_by"}
    with pytest.raises(ValidationFailed) as exc:
        _issue(county, reply_by="2025-06-29")
    assert "不能早于今天" in exc.value.errors["reply_by"]
    with pytest.raises(ValidationFailed) as exc:
        _issue(county, title="长" * 201)
    assert "200" in exc.value.errors["title"]
    for bad in ("abc", "", "-1", "99999999999999999999999", None):
        with pytest.raises(WorkflowError):
            svc.issue(county["sup"], bad, ["1"], "t", "b", "2025-07-01", TODAY)
    assert _count(SupervisionNotice) == 0


# -- reading and replying ------------------------------------------------------------------------
def test_the_supervised_agency_replies_once(county):
    notice = _issue(county)
    head = county["who"]["AAA"]["office_head"]
    admin = county["who"]["AAA"]["admin"]
    assert [n.id for n in svc.inbox(head)] == [notice.id] == [n.id for n in svc.inbox(admin)]
    assert svc.open_inbox_count(head) == 1
    assert svc.inbox(county["who"]["BBB"]["office_head"]) == []
    with pytest.raises(ValidationFailed):
        svc.reply(head, notice.id, "   ", D(2025, 7, 1))
    svc.reply(head, notice.id, "已于7月1日办结，超期原因是……", D(2025, 7, 1))
    db.session.rollback()
    got = db.session.get(SupervisionNotice, notice.id)
    assert (got.replied_on, got.replied_by_id) == (D(2025, 7, 1), head.id)
    with pytest.raises(WorkflowError) as exc:
        svc.reply(admin, notice.id, "改一下", D(2025, 7, 2))
    assert exc.value.code == "replied"
    db.session.rollback()
    assert db.session.get(SupervisionNotice, notice.id).reply_text.startswith("已于7月1日")
    assert svc.open_inbox_count(head) == 0
    assert len(list(db.session.execute(select(Event).where(
        Event.action == "supervision_replied")).scalars())) == 1


def test_who_may_read_and_reply(county):
    notice = _issue(county)
    who = county["who"]
    assert svc.load(county["sup"], notice.id) is not None
    assert svc.load(who["AAA"]["office_head"], notice.id) is not None
    assert svc.load(who["AAA"]["handler"], notice.id) is None        # not the inbox's roles
    assert svc.load(who["BBB"]["office_head"], notice.id) is None    # another agency
    assert svc.load(county["sup_b"], notice.id) is None              # another supervisor
    assert svc.load(county["sup"], "abc") is None
    for actor in (county["sup"], who["AAA"]["handler"], who["BBB"]["office_head"]):
        with pytest.raises(WorkflowError):
            svc.reply(actor, notice.id, "答复", TODAY)
    assert [n.id for n in svc.issued(county["sup"])] == [notice.id]
    assert svc.issued(county["sup_b"]) == []


# -- the aggregate annual report: the sum of its agencies' reports, figure by figure ---------------
def _numbers(value, path=()):
    """Every numeric leaf of the JSON report (figures of tables 二, 三, 四 and the fees)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, path + (k,))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        yield path, value
    elif isinstance(value, str) and path[:1] in (("table2",), ("fees",)):
        from decimal import Decimal, InvalidOperation
        try:
            yield path, Decimal(value)
        except InvalidOperation:
            return


def test_aggregate_report_is_the_sum_of_the_agencies_reports(county):
    for year in (2024, 2025):
        s = rsvc.readable_scope(county["sup"], year, [])
        assert s.codes == sorted(SUBTREE) and not s.everyone
        whole = rsvc.to_json(rsvc.build(s))
        parts = [rsvc.to_json(rsvc.annual(year, [code])) for code in SUBTREE]
        got = dict(_numbers({k: whole[k] for k in ("table2", "table3", "table4", "fees")}))
        assert len(got) > 100
        for path, value in got.items():
            expected = sum(dict(_numbers({k: p[k] for k in ("table2", "table3", "table4",
                                                              "fees")})).get(path, 0)
                           for p in parts)
            assert value == expected, (year, path)
        assert all(c["ok"] for c in whole["checks"]), whole["checks"]
        for key in ("reply_rate", "timely_rate", "completion_rate"):
            assert whole["rates"][key]["numerator"] == sum(
                p["rates"][key]["numerator"] for p in parts)
            assert whole["rates"][key]["denominator"] == sum(
                p["rates"][key]["denominator"] for p in parts)
        assert "OTH" not in whole["agencies"]
