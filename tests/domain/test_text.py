"""Translatable domain text (disclosure/domain/text.py): ``Msg`` is the Chinese string it formats
to, keeps what the web layer needs to translate it, and every domain label and message template
is found by extraction (so it reaches the catalogues). Pure: no app, no database."""
from __future__ import annotations

import copy
import json
import pickle
import re
from datetime import date

import pytest

from disclosure.domain import codes, review, workflow
from disclosure.domain.application import validate_application
from disclosure.domain.calendar_notice import parse_notice
from disclosure.domain.deadlines import ClockFacts, Pause, compute_deadline
from disclosure.domain.replies import REPLY_TYPES
from disclosure.domain.text import N_, Msg
from disclosure.domain.workdays import WorkCalendar

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CAL = WorkCalendar()


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    from i18n_tools import extract

    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in extract() if m.id}


# -- Msg and N_ ---------------------------------------------------------------------------------
def test_n_is_the_text_itself():
    assert N_("已答复") == "已答复" and type(N_("已答复")) is str


def test_msg_is_the_formatted_chinese_and_keeps_template_and_params():
    m = Msg("{label}不能超过 {n} 个字", label="姓名", n=30)
    assert m == "姓名不能超过 30 个字" and isinstance(m, str)
    assert m.template == "{label}不能超过 {n} 个字"
    assert m.params == {"label": "姓名", "n": 30}
    assert f"错误：{m}" == "错误：姓名不能超过 30 个字"
    assert json.dumps({"e": m}, ensure_ascii=False) == '{"e": "姓名不能超过 30 个字"}'


def test_msg_without_params_is_the_template():
    m = Msg("审查决定无效")
    assert m == "审查决定无效" and m.template == "审查决定无效" and m.params == {}


def test_params_are_not_format_templates():
    """User text as a parameter is inserted as is, never interpreted as a template."""
    m = Msg("无法识别“{line}”", line="{0} {x!r} %(y)s")
    assert m == "无法识别“{0} {x!r} %(y)s”" and m.params["line"] == "{0} {x!r} %(y)s"


@pytest.mark.parametrize("clone", [lambda m: pickle.loads(pickle.dumps(m)), copy.deepcopy,
                                   copy.copy])
def test_msg_survives_pickle_and_copy(clone):
    inner = Msg("{kinds}、征求其他行政机关意见",
                kinds=codes.PAUSE_KIND_LABELS[codes.PauseKind.THIRD_PARTY])
    m = Msg("{text}（重叠期间只计一次）", text=inner)
    back = clone(m)
    assert back == m == "征求第三方意见、征求其他行政机关意见（重叠期间只计一次）"
    assert isinstance(back, Msg) and back.template == m.template
    assert isinstance(back.params["text"], Msg) and back.params["text"].template == inner.template


def test_workflow_error_survives_pickle_with_its_msg():
    with pytest.raises(workflow.WorkflowError) as info:
        workflow.transition(codes.Status.REPLIED, "withdraw", {codes.Role.HANDLER})
    err = pickle.loads(pickle.dumps(info.value))
    assert err.message == "案件当前状态下不能执行“申请人撤回申请”"
    assert isinstance(err.message, Msg) and err.message.params == {"action": "申请人撤回申请"}


# -- everything shown is in the catalogue ---------------------------------------------------------
def _labels() -> dict[str, str]:
    out = {}
    for name in dir(codes):
        value = getattr(codes, name)
        if name.endswith("_LABELS") and isinstance(value, dict):
            out.update({f"codes.{name}[{k}]": v for k, v in value.items()})
    out.update({f"codes.CHANNEL_RECEIPT_RULES[{k}]": v
                for k, v in codes.CHANNEL_RECEIPT_RULES.items()})
    out.update({f"workflow.ACTION_LABELS[{k}]": v for k, v in workflow.ACTION_LABELS.items()})
    out.update({f"workflow.PUBLIC_EVENTS[{k}]": v for k, (_c, v) in workflow.PUBLIC_EVENTS.items()})
    out.update({f"REPLY_TYPES[{k}].label": t.label for k, t in REPLY_TYPES.items()})
    out.update({f"review.DECISIONS[{k}]": v for k, v in review.DECISIONS.items()})
    return out


def test_the_label_tables_are_all_there():
    names = {key.split("[")[0] for key in _labels()}
    assert {"codes.APPLICANT_TYPE_LABELS", "codes.ID_TYPE_LABELS", "codes.CHANNEL_LABELS",
            "codes.OUTCOME_LABELS", "codes.STATUS_LABELS", "codes.DELIVERY_FORM_LABELS",
            "codes.DELIVERY_METHOD_LABELS", "codes.PAUSE_KIND_LABELS", "codes.FEE_METHOD_LABELS",
            "codes.ROLE_LABELS", "codes.CHANNEL_RECEIPT_RULES", "workflow.ACTION_LABELS",
            "REPLY_TYPES"} <= names


def test_every_domain_label_is_extracted(msgids):
    missing = {where: label for where, label in _labels().items() if label not in msgids}
    assert not missing


def _untranslatable(value, msgids) -> list[str]:
    """What of ``value`` would stay Chinese in another language: a Msg whose template is not in
    the catalogue, or a Chinese str parameter / text that is not a msgid itself."""
    if isinstance(value, Msg):
        bad = [] if value.template in msgids else [value.template]
        for v in value.params.values():
            bad += _untranslatable(v, msgids)
        return bad
    if isinstance(value, str) and HAN.search(value) and value not in msgids:
        return [value]
    return []


# A list of dates ("a 至 b、c等") is inserted into its (translatable) sentence as plain text.
_DAYS = r"\d{4}-\d\d-\d\d( 至 \d{4}-\d\d-\d\d)?"
DATE_LIST = re.compile(rf"^{_DAYS}(、{_DAYS})*等?$")


def _deadline_texts() -> list:
    D = date
    facts = [
        ClockFacts(received_on=None),
        ClockFacts(received_on=D(2024, 1, 2), supplement_requested_on=D(2024, 1, 5)),
        ClockFacts(received_on=D(2024, 1, 2), supplement_requested_on=D(2024, 1, 5),
                   supplement_received_on=D(2024, 1, 15), extension_workdays=20),
        ClockFacts(received_on=D(2024, 1, 31), deferred_due_on=D(2024, 6, 1)),
        ClockFacts(received_on=D(2024, 3, 1),
                   pauses=(Pause("third_party", D(2024, 3, 4)),
                           Pause("agency", D(2024, 3, 5), D(2024, 3, 6))),
                   fee_notified_on=D(2024, 3, 5)),
        ClockFacts(received_on=D(2024, 9, 20),
                   pauses=(Pause("agency", D(2024, 9, 23), D(2024, 9, 25)),)),
    ]
    texts = [s.text for f in facts for s in compute_deadline(f, CAL, D(2024, 5, 30)).steps]
    kinds = {s.kind for f in facts for s in compute_deadline(f, CAL, D(2024, 5, 30)).steps}
    assert kinds == {"not_started", "awaiting_supplement", "start", "counted", "pause", "holidays",
                     "make_up", "extension", "deferred", "due"}
    return texts


def _errors() -> list:
    out = list(validate_application({"applicant": {"type": "natural_person", "name": "x" * 200,
                                                   "phone": "abc", "id_type": "resident_id",
                                                   "id_number": "110101199003070000"},
                                     "subject": "\x01",
                                     "delivery": {"form": "x", "method": "email"}},
                                    require_agency=True)[1].values())
    off = "2027-10-01 至 2027-10-07\nfoo\n2027-02-30\n2027-10-07 至 2027-10-01\n2026-01-01"
    out += parse_notice(2027, off, "2027-10-03")[1]
    out += parse_notice(1800, "", "")[1] + parse_notice(2027, "", "")[1]
    for call in (lambda: workflow.transition("registered", "nope", {"handler"}),
                 lambda: workflow.transition("registered", "sign_off", {"handler"}),
                 lambda: workflow.transition("replied", "withdraw", {"handler"}),
                 lambda: review.check_reviewer({"handler"}, 1, 2),
                 lambda: review.check_decision("rejected", "")):
        with pytest.raises(workflow.WorkflowError) as info:
            call()
        out.append(info.value.message)
    for call in (lambda: Pause("bogus", date(2024, 1, 1)),
                 lambda: Pause("fee", date(2024, 1, 5), date(2024, 1, 1)),
                 lambda: ClockFacts(received_on=None, extension_workdays=21),
                 lambda: ClockFacts(received_on=None, supplement_period_workdays=0)):
        with pytest.raises(ValueError) as info:
            call()
        out.append(info.value.args[0])
    return out


def test_deadline_explanations_are_translatable(msgids):
    texts = _deadline_texts()
    assert all(isinstance(t, Msg) or t in msgids for t in texts)
    bad = [t for text in texts for t in _untranslatable(text, msgids) if not DATE_LIST.match(t)]
    assert not bad


def test_overlapping_pause_kinds_stay_translatable(msgids):
    pause = next(t for t in _deadline_texts() if "重叠期间只计一次" in t)
    assert pause.startswith("征求第三方意见、征求其他行政机关意见、缴纳信息处理费 2024-03-04 至 ")
    assert not _untranslatable(pause, msgids)


def test_validation_and_refusal_messages_are_translatable(msgids):
    errors = _errors()
    assert "申请人类型不在可选范围内" not in errors  # the type was valid: sanity of the sample
    assert "姓名不能超过 100 个字（现为 200 个字）" in errors
    assert "放假安排第 2 行：无法识别“foo”，应为 YYYY-MM-DD 或 YYYY-MM-DD 至 YYYY-MM-DD" in errors
    assert "当前用户无权执行“负责人签发”" in errors
    bad = [t for e in errors for t in _untranslatable(e, msgids)]
    assert not bad


def test_dates_in_messages_are_iso_strings():
    dl = compute_deadline(ClockFacts(received_on=date(2024, 1, 2)), CAL, date(2024, 12, 31))
    start, due = dl.steps[0].text, dl.steps[-1].text
    assert start.params == {"received": "2024-01-02"}
    assert due == "答复期限：2024-01-30（第 20 个工作日）" and due.params["due"] == "2024-01-30"
