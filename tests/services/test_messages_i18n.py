"""Issue 8, bilingual polish: what the services and the ledger import tell people is translatable.

Fixed texts are ``N_``-marked, texts with values are ``Msg`` (a str equal to the Chinese, with
its template and values kept); either way the text, the template and any label passed in as a
value are found by extraction (``i18n_tools.extract``), so the catalogues can hold their English.
The Chinese stays exactly what it was.
"""
from __future__ import annotations

import copy
import json
import pickle
from datetime import date

import i18n_tools
import pytest

from disclosure.domain import ledger as dl
from disclosure.domain.errors import ValidationFailed
from disclosure.domain.text import Msg, compose, joined
from disclosure.domain.workflow import WorkflowError
from disclosure.services import case_actions, cases, integrity, ledger, review, uploads, users
from disclosure.services.actors import Actor
from tests.conftest import person_payload, send_notices
from tests.domain.test_ledger_parse import MINIMAL

D = date
TODAY = date(2025, 1, 1)


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in i18n_tools.extract() if m.id}


def assert_translatable(message, msgids: set[str]) -> None:
    """A Msg whose template (and every text value) is in the catalogue, or a marked text."""
    if isinstance(message, Msg):
        assert message.template in msgids, message.template
        assert message == message.template.format(**message.params)
        for value in message.params.values():
            if isinstance(value, Msg):
                assert_translatable(value, msgids)
    else:
        assert message in msgids, message


@pytest.fixture
def actors(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def _registered(agency, actors, received=D(2024, 9, 27)):
    return cases.register_paper(agency, person_payload(), "in_person", received,
                                actors["registrar"], received).case


# -- workflow errors and field errors of case actions -----------------------------------------
def test_workflow_error_text_is_marked(agency, actors, msgids):
    case = _registered(agency, actors)
    case_actions.request_supplement(case, "请写明道路名称", None, actors["handler"], D(2024, 9, 30))
    send_notices(case, D(2024, 9, 30))
    case_actions.receive_supplement(case, D(2024, 10, 8), actors["handler"], D(2024, 10, 8))
    with pytest.raises(WorkflowError) as exc:
        case_actions.request_supplement(case, "again", None, actors["handler"], D(2024, 10, 9))
        send_notices(case, D(2024, 10, 9))
    assert exc.value.code == "supplement_once"
    assert exc.value.message == "补正告知只能发出一次（一次性告知）"
    assert_translatable(exc.value.message, msgids)


def test_workflow_error_with_a_value_is_a_msg(agency, actors, msgids):
    case = _registered(agency, actors)
    case_actions.request_extension(case, 5, "理由", actors["handler"], D(2024, 10, 30))
    with pytest.raises(WorkflowError) as exc:
        case_actions.decide_extension(case, True, actors["office_head"], D(2024, 10, 31))
    message = exc.value.message
    assert isinstance(message, Msg) and message.template == "答复期限（{due}）已过，不能再批准延期"
    assert message == f"答复期限（{case.due_on.isoformat()}）已过，不能再批准延期"
    assert_translatable(message, msgids)
    assert str(exc.value) == message  # the exception text is unchanged too


def test_field_errors_carry_their_label(agency, actors, msgids):
    case = _registered(agency, actors)
    with pytest.raises(ValidationFailed) as exc:
        case_actions.request_extension(case, "abc", "理由", actors["handler"], D(2024, 10, 8))
    message = exc.value.errors["workdays"]
    assert message == "延长的工作日数须为整数"
    assert isinstance(message, Msg) and message.params == {"label": "延长的工作日数"}
    assert_translatable(message, msgids)
    assert message.params["label"] in msgids  # the label itself is extracted (N_)
    with pytest.raises(ValidationFailed) as exc:
        case_actions.request_extension(case, 5, "  ", actors["handler"], D(2024, 10, 8))
    assert exc.value.errors == {"reason": "请填写延期理由"}
    assert_translatable(exc.value.errors["reason"], msgids)
    assert exc.value.errors["reason"].params["label"] in msgids


def test_receipt_date_and_registration_errors(agency, actors, msgids):
    errors = cases.check_receipt_date(D(2024, 1, 2), D(2024, 1, 5), earliest=D(2024, 1, 3))
    assert errors == {"received_on": "收到申请之日不能早于提交之日（2024-01-03）"}
    assert_translatable(errors["received_on"], msgids)
    with pytest.raises(ValidationFailed) as exc:
        cases.register_paper(agency, person_payload(), "online", None, actors["registrar"],
                             D(2024, 1, 5))
    for key in ("channel", "received_on"):
        assert_translatable(exc.value.errors[key], msgids)


def test_release_without_review_names_the_items(agency, actors, msgids):
    from disclosure.services.review import replies
    case = _registered(agency, actors)
    replies.draft_reply(case, "art36_2", None, actors["handler"], D(2024, 10, 8))
    with pytest.raises(WorkflowError) as exc:
        review.release_items(replies.items_of(case), actors["office_head"], D(2024, 10, 8))
    message = exc.value.message
    assert message == "以下内容未经保密审查同意，不能发出：政府信息公开申请答复告知书"
    assert_translatable(message, msgids)


def test_user_and_upload_messages(ctx, msgids):
    problem = users.password_problem("short")
    assert isinstance(problem, Msg) and problem.template == "密码至少 {min_len} 位"
    assert_translatable(problem, msgids)
    assert_translatable(users.password_problem("abcdefghijklmnop"), msgids)  # too guessable
    assert_translatable(users.password_problem("password1234"), msgids)  # a common password
    with pytest.raises(ValidationFailed) as exc:
        users.create_agency("", "")
    assert all(m in msgids for m in exc.value.errors.values())
    too_big = uploads.check(uploads.Upload("a.pdf", b"%PDF-" + b"0" * 2048), 1024)
    assert too_big == "文件过大：不能超过 0 MB"
    assert_translatable(too_big, msgids)
    assert_translatable(uploads.check(uploads.Upload("a.exe", b"MZ"), 1024), msgids)


def test_upload_problem_keeps_the_file_name_and_translatable_problem(agency, actors, msgids):
    with pytest.raises(ValidationFailed) as exc:
        cases.register_paper(agency, person_payload(), "in_person", D(2024, 1, 5),
                             actors["registrar"], D(2024, 1, 5),
                             files=[("application", uploads.Upload("空.pdf", b""))])
    message = exc.value.errors["attachments.0"]
    assert message == "空.pdf：文件为空"
    # The frame "{filename}：{problem}" has no words to translate (not extracted); its parts are.
    assert isinstance(message, Msg) and message.template not in msgids
    assert message.params["problem"] in msgids


def test_joined_and_composed_messages_stay_the_same_text():
    first, second = Msg("密码至少 {min_len} 位", min_len=8), "机关不存在"
    both = joined([first, second])
    assert both == "密码至少 8 位；机关不存在" and isinstance(both, Msg)
    assert both.params == {"part_0": first, "part_1": second}
    assert joined([first]) is first
    assert compose("{a} · {b}", a="分子", b="分母") == "分子 · 分母"


def test_integrity_findings_are_translatable(agency, actors, msgids):
    from sqlalchemy import text

    from disclosure.extensions import db
    case = _registered(agency, actors)
    db.session.execute(text("UPDATE case_file SET status = 'in_progress' WHERE id = :c"),
                       {"c": case.id})
    db.session.commit()
    [found] = integrity.check_history()
    assert found.detail == "当前状态 in_progress 与最后一条记录 registered 不一致"
    assert_translatable(found.detail, msgids)


def test_messages_survive_pickling():
    exc = WorkflowError("extension_too_late", Msg("答复期限（{due}）已过，不能再批准延期",
                                                  due="2024-10-30"))
    again = pickle.loads(pickle.dumps(exc))
    assert again.message == exc.message and again.message.template == exc.message.template


# -- the ledger import --------------------------------------------------------------------------
def _line(**over) -> str:
    obj = copy.deepcopy(MINIMAL)
    obj.update(over)
    return json.dumps(obj, ensure_ascii=False)


def test_ledger_line_errors_are_msgs_in_the_catalogue(agency, msgids):
    source = "\n".join([
        _line(received_on="2024-02-30"),                      # invalid date (label)
        _line(channel="carrier_pigeon"),                      # unknown code (label, listed)
        _line(received_on="2030-01-01"),                      # future date
        _line(agency="NOPE"),                                 # unknown agency (database check)
        _line(extra=1),                                       # unknown field
        "{not json",
    ])
    result = ledger.import_ledger(source, today=TODAY)
    assert not result.ok
    assert {e.code for e in result.errors} >= {"invalid_date", "unknown_code", "future_date",
                                                "unknown_agency", "unknown_field", "not_json"}
    for error in result.errors:
        assert isinstance(error.message, Msg), error
        assert_translatable(error.message, msgids)
    by_code = {e.code: e.message for e in result.errors}
    assert by_code["invalid_date"] == "收到申请之日无效：2024-02-30 不是真实存在的日期"
    assert by_code["invalid_date"].params["label"] in msgids
    assert by_code["future_date"] == "收到申请之日（2030-01-01）不能晚于今天（2025-01-01）"
    assert by_code["unknown_agency"].template.startswith("受理机关 {agency} 不存在")
    # The command line prints the same Chinese as before.
    assert str(result.errors[0]) == (
        "line 1: received_on: 收到申请之日无效：2024-02-30 不是真实存在的日期 (invalid_date)")


def test_ledger_fixed_texts_are_marked(msgids):
    _rec, errors = dl.parse_record({**MINIMAL, "events": {}}, 1, today=TODAY)
    assert [(e.code, e.message) for e in errors] == [("invalid", "events 应为 JSON 数组")]
    assert_translatable(errors[0].message, msgids)
    _rec, errors = dl.parse_line("NaN", 3, today=TODAY)
    [error] = errors
    assert error.message == "不是有效的 JSON：不支持 NaN"
    assert_translatable(error.message, msgids)
    assert_translatable(error.message.params["error"], msgids)
