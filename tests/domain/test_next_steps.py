"""domain.next_steps: the case page offers only steps the services would not refuse."""
from disclosure.domain.next_steps import IRREVERSIBLE, Situation, next_steps

H, REG, REV, HEAD = {"handler"}, {"registrar"}, {"reviewer"}, {"office_head"}


def actions(sit, roles):
    return [s.action for s in next_steps(sit, roles).steps]


def test_a_submission_offers_the_registrar_confirmation_forwarding_and_withdrawal():
    sit = Situation(status="submitted")
    assert actions(sit, REG) == ["confirm_receipt", "forward", "withdraw"]
    assert [s.action for s in next_steps(sit, REG).rare] == ["forward", "withdraw"]
    assert actions(sit, H) == ["withdraw"]
    reviewer = next_steps(sit, REV)
    assert reviewer.steps == [] and "等待登记人员确认收到申请" in reviewer.waiting


def test_supplement_is_offered_once_and_extension_once():
    fresh = Situation(status="registered", has_handler=True)
    assert "request_supplement" in actions(fresh, H)
    asked = Situation(status="in_progress", supplement_requested=True, has_handler=True)
    assert "request_supplement" not in actions(asked, H)
    pending = Situation(status="in_progress", extension_pending=True, has_handler=True)
    assert "request_extension" not in actions(pending, H)
    assert [s.action for s in next_steps(pending, HEAD).main] == [
        "approve_extension", "refuse_extension"]
    granted = Situation(status="in_progress", extension_granted=True, has_handler=True)
    assert "request_extension" not in actions(granted, H)
    assert "approve_extension" not in actions(granted, HEAD)


def test_fee_payment_needs_a_fee_notice_and_consultation_end_an_open_one():
    assert "record_fee_payment" not in actions(Situation(status="paused"), H)
    fee = Situation(status="paused", fee_notified=True)
    assert "record_fee_payment" in actions(fee, H)
    assert "record_fee_payment" not in actions(
        Situation(status="paused", fee_notified=True, fee_paid=True), H)
    assert "end_consultation" not in actions(fee, H)
    assert "end_consultation" in actions(Situation(status="paused", consultation_open=True), H)


def test_release_only_when_every_item_is_approved_and_signed_where_required():
    base = dict(status="in_review", reply_drafted=True)
    assert "release_reply" not in actions(Situation(**base, items_pending=1), H)
    assert "release_reply" not in actions(Situation(**base, items_rejected=1), H)
    assert "release_reply" in actions(Situation(**base), H)
    unsigned = Situation(**base, sign_off_required=True)
    assert "release_reply" not in actions(unsigned, H)
    assert "sign_off" in actions(unsigned, HEAD)
    assert "sign_off" not in actions(Situation(**base, sign_off_required=True, items_pending=1),
                                     HEAD)
    signed = Situation(**base, sign_off_required=True, signed_off=True)
    assert "release_reply" in actions(signed, H) and "sign_off" not in actions(signed, HEAD)
    assert next_steps(Situation(**base, items_pending=2), H).waiting == ["等待保密审查"]


def test_no_steps_for_a_concluded_case_or_without_roles():
    for status in ("replied", "withdrawn", "abandoned"):
        assert actions(Situation(status=status), H | REG | REV | HEAD) == []
    assert actions(Situation(status="in_progress"), set()) == []


def test_rare_and_irreversible_steps_are_marked():
    steps = next_steps(Situation(status="in_progress", has_handler=True), H)
    rare = {s.action for s in steps.rare}
    assert {"withdraw", "request_clarification", "notify_fee"} <= rare
    assert {s.action for s in steps.steps if s.irreversible} == {"withdraw"} & IRREVERSIBLE
    assert steps.main[0].action == "draft_reply" or steps.main[0].action in {
        "request_supplement", "start_consultation"}


def test_assignment_is_main_until_a_handler_is_named():
    none = next_steps(Situation(status="registered"), HEAD)
    assert [s.action for s in none.main][0] == "assign_handler"
    assert "尚未指定承办人" in none.waiting
    named = next_steps(Situation(status="registered", has_handler=True), HEAD)
    assert "assign_handler" in {s.action for s in named.rare}
