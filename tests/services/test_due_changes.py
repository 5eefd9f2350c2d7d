"""R8.3: where the due date moved — per year and agency, with the act, old → new, and late-act
flags; the counts of the annual report's notes."""
from datetime import date

import pytest

from disclosure.services import calendar_admin, case_actions, due_changes, report
from disclosure.services.actors import Actor
from disclosure.services.cases import register_paper
from disclosure.services.unit_of_work import unit_of_work
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, person_payload

D = date


@pytest.fixture
def world(agency, staff):
    """BCZ: one extended case (then moved by a calendar edit), one deferred, one late-flagged
    case that never moved, one untouched; OTH: a case moved by the same calendar edit."""
    who = {k: Actor.of(u) for k, u in staff.items()}
    other = create_agency("OTH", "另一机关")
    oth_registrar = Actor.of(create_user("oreg", PASSWORD, "OTH", ["registrar"], "oreg"))

    def reg(a, actor, day):
        return register_paper(a, person_payload(), "in_person", day, actor, day).case

    extended = reg(agency, who["registrar"], D(2024, 9, 27))  # due 2024-10-30
    deferred = reg(agency, who["registrar"], D(2024, 9, 27))
    flagged = reg(agency, who["registrar"], D(2024, 9, 27))
    untouched = reg(agency, who["registrar"], D(2024, 9, 27))
    foreign = reg(other, oth_registrar, D(2024, 10, 21))
    case_actions.request_extension(extended, 10, "需要调取档案", who["handler"], D(2024, 10, 28))
    case_actions.decide_extension(extended, True, who["office_head"], D(2024, 10, 29))
    case_actions.set_deferred_deadline(deferred, D(2024, 12, 31), "数量明显超过合理范围",
                                  who["office_head"], D(2024, 10, 30))
    # a day off in November moves every open case due after it (calendar edit)
    calendar_admin.enter_notice(2024, "2024-11-05", "", "测试通知〔2024〕1号", D(2024, 10, 1),
                          who["admin"], D(2024, 10, 30))
    with unit_of_work():
        flagged.late_acts = "fee_notice_late"  # as a ledger import leaves it (R8.1: no effect)
    return {"who": who, "extended": extended, "deferred": deferred, "flagged": flagged,
            "untouched": untouched, "foreign": foreign, "other": other}


def test_r8_3_lists_every_move_with_act_and_dates(world):
    listed = due_changes.moved_cases(world["who"]["handler"], 2024)
    by_id = {c.case_id: c for c in listed}
    assert set(by_id) == {world["extended"].id, world["deferred"].id, world["flagged"].id}
    ext = by_id[world["extended"].id]
    assert [(m.on, m.action, m.cause, m.due_before, m.due_after) for m in ext.moves] == [
        (D(2024, 10, 29), "approve_extension", "extension", D(2024, 10, 30), D(2024, 11, 13)),
        (D(2024, 10, 30), "calendar_rederived", "calendar", D(2024, 11, 13), D(2024, 11, 14)),
    ]
    assert ext.moves[0].action_label == "批准延期答复" and ext.late_acts == []
    dfr = by_id[world["deferred"].id]
    assert [(m.action, m.due_before, m.due_after) for m in dfr.moves] == [
        ("set_deferred_deadline", D(2024, 10, 30), D(2024, 12, 31))]
    flagged = by_id[world["flagged"].id]
    assert flagged.moves == [] and flagged.late_acts == ["fee_notice_late"]
    assert flagged.late_labels == ["收费通知在答复期限届满后发出"]
    assert [c.tracking_no for c in listed] == sorted(c.tracking_no for c in listed)


def test_r8_3_scope_is_the_agency_and_the_year(world):
    platform = Actor(None, "平台", frozenset({"platform_admin"}), world["other"].id)
    everyone = {c.case_id for c in due_changes.moved_cases(platform, 2024)}
    assert world["foreign"].id in everyone and world["extended"].id in everyone
    assert world["foreign"].id not in {c.case_id for c in due_changes.moved_cases(
        world["who"]["admin"], 2024)}  # an agency's administrator: own agency only
    assert [m.action for c in due_changes.moved_cases(platform, 2024)
            if c.case_id == world["foreign"].id for m in c.moves] == ["calendar_rederived"]
    assert due_changes.moved_cases(world["who"]["handler"], 2023) == []
    # 2025: nothing moved; the open late-flagged case is still handled that year
    assert [(c.case_id, c.moves) for c in due_changes.moved_cases(world["who"]["handler"], 2025)] \
        == [(world["flagged"].id, [])]


def test_registration_alone_is_not_a_move(agency, staff):
    who = Actor.of(staff["registrar"])
    register_paper(agency, person_payload(), "in_person", D(2024, 9, 27), who, D(2024, 9, 27))
    assert due_changes.moved_cases(who, 2024) == []
    assert due_changes.counts(2024)["moved"] == 0


def test_r8_3_counts_for_the_report_notes(world):
    bcz = due_changes.counts(2024, [world["extended"].agency_id])
    assert bcz["moved"] == 2
    causes = {row["cause"]: row["cases"] for row in bcz["by_cause"]}
    assert causes == {"supplement": 0, "extension": 1, "deferral": 1, "pause": 0, "calendar": 1,
                      "delivery": 0, "other": 0}
    late = {row["flag"]: row["cases"] for row in bcz["late_acts"]}
    assert late["fee_notice_late"] == 1 and late["supplement_notice_late"] == 0
    assert due_changes.counts(2024)["moved"] == 3  # every agency: the foreign case too
    assert due_changes.counts(2023)["moved"] == 0


def test_the_report_carries_the_counts_but_not_its_json(world):
    r = report.annual(2024, ["BCZ"])
    assert r.due_changes["moved"] == 2
    assert "due_changes" not in report.to_json(r)
