"""Duties of the 条例 (issue 13, last bullet): the oral application written up by staff
(第二十九条), the receipt date of each channel (第三十一条), the written notice to a third party
when the office discloses over its objection (第三十二条), assistance (第四十三条) and the
complaint route (第五十一条) in every remedy clause."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from disclosure.domain import codes
from disclosure.domain.application import validate_application
from disclosure.domain.codes import Channel
from disclosure.domain.replies import EARLIER_REMEDIES, REMEDY
from disclosure.domain.workflow import TRANSITIONS, WorkflowError, transition
from disclosure.extensions import db
from disclosure.models import Case, Event, Notice, Outbox
from disclosure.services import case_actions, cases, ledger, pdf
from disclosure.services.actors import Actor
from disclosure.services.review import notices, replies
from tests.conftest import person_payload, send_notices

D = date
DAY = D(2024, 9, 27)
COMPLAINT = "也可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报"


@pytest.fixture
def actors(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def _register(agency, actors, channel="in_person", received=DAY, **payload):
    return cases.register_paper(agency, {**person_payload(), **payload}, channel, received,
                                actors["registrar"], received).case


def _count(model=Case) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# -- 第二十九条: an oral application written up by staff -------------------------------------------

def test_oral_channel_has_its_label_and_receipt_rule():
    assert Channel("oral") is Channel.ORAL
    assert codes.CHANNEL_LABELS[Channel.ORAL] == "口头提出（工作人员代为填写，第二十九条）"
    assert "申请人确认（签字）之日" in codes.CHANNEL_RECEIPT_RULES[Channel.ORAL]


def test_oral_application_is_refused_until_the_applicant_confirmed_it(agency, actors):
    with pytest.raises(cases.ValidationFailed) as exc:
        _register(agency, actors, "oral")
    assert "须经申请人确认（签字）" in exc.value.errors["applicant_confirmed"]
    with pytest.raises(cases.ValidationFailed):
        _register(agency, actors, "oral", applicant_confirmed=False)
    assert _count() == 0


def test_oral_application_received_the_day_the_applicant_confirmed(agency, actors):
    confirmed_on = D(2024, 9, 30)
    case = _register(agency, actors, "oral", confirmed_on, applicant_confirmed=True)
    assert case.channel == "oral" and case.status == "registered"
    assert case.received_on == confirmed_on
    event = db.session.execute(select(Event).where(Event.case_id == case.id,
                                                   Event.action == "register")).scalar_one()
    assert event.data["channel"] == "oral" and event.data["applicant_confirmed_on"] == "2024-09-30"


def test_confirmation_is_only_asked_for_an_oral_application(agency, actors):
    assert _register(agency, actors, "mail_ordinary").channel == "mail_ordinary"


def test_ledger_accepts_the_oral_channel(agency):
    line = {"agency": "BCZ", "applicant": {"type": "natural_person", "name": "李四"},
            "channel": "oral", "received_on": "2024-03-01", "subject": "某文件"}
    result = ledger.import_ledger(json.dumps(line, ensure_ascii=False), today=D(2025, 1, 1))
    assert result.ok and result.created == 1
    case = db.session.execute(select(Case)).scalar_one()
    assert case.channel == "oral" and case.assistance is None
    [out] = list(ledger.export_ledger(as_of=D(2025, 1, 1)))
    assert out["channel"] == "oral" and "assistance" not in out["applicant"]


# -- 第三十一条: the receipt date of each channel -------------------------------------------------

def test_every_channel_has_a_receipt_rule():
    assert set(codes.CHANNEL_RECEIPT_RULES) == set(Channel) == set(codes.CHANNEL_LABELS)


def test_ordinary_letter_is_received_the_day_confirmed_with_the_applicant():
    assert "与申请人确认之日" in codes.CHANNEL_RECEIPT_RULES[Channel.MAIL_ORDINARY]


def test_email_is_an_internet_channel_received_the_day_both_sides_confirmed():
    assert codes.CHANNEL_LABELS[Channel.EMAIL] == "电子邮件（互联网渠道，第三十一条第三项）"
    rule = codes.CHANNEL_RECEIPT_RULES[Channel.EMAIL]
    assert "互联网渠道" in rule and "双方确认之日" in rule and "电子邮件系统收到" not in rule


@pytest.mark.parametrize("channel", ["in_person", "mail_signed", "mail_ordinary", "fax", "email",
                                     "oral"])
def test_each_channel_starts_the_clock_on_the_day_entered(agency, actors, channel):
    case = _register(agency, actors, channel, applicant_confirmed=True)
    assert case.received_on == DAY and case.due_on == D(2024, 10, 30)


def test_online_is_still_not_registered_by_hand(agency, actors):
    with pytest.raises(cases.ValidationFailed) as exc:
        _register(agency, actors, "online")
    assert "channel" in exc.value.errors


# -- 第三十二条: disclosing over a third party's objection ----------------------------------------

def test_the_action_is_the_handlers_and_keeps_the_status():
    for status in ("registered", "in_progress", "paused"):
        assert transition(status, "notify_third_party_disclosure", {"handler"}) == status
    assert ("in_review", "notify_third_party_disclosure") not in TRANSITIONS
    with pytest.raises(WorkflowError) as exc:
        transition("paused", "notify_third_party_disclosure", {"registrar"})
    assert exc.value.code == "forbidden"


def test_refused_without_a_third_party_consultation(agency, actors):
    case = _register(agency, actors)
    with pytest.raises(WorkflowError) as exc:
        case_actions.notify_third_party_disclosure(case, "某公司", "合同全文", "公共利益",
                                              actors["handler"], D(2024, 10, 8))
    assert exc.value.code == "no_third_party_consultation"
    # consulting another agency (第三十四条) is not a third-party consultation
    case_actions.start_consultation(case, "agency", "县自然资源局", actors["handler"],
                                    D(2024, 10, 8))
    with pytest.raises(WorkflowError):
        case_actions.notify_third_party_disclosure(case, "某公司", "合同全文", "公共利益",
                                              actors["handler"], D(2024, 10, 9))
    assert db.session.execute(select(Notice).where(
        Notice.kind == "third_party_disclosure")).first() is None


def _consulted(agency, actors):
    case = _register(agency, actors)
    case_actions.start_consultation(case, "third_party", "南通某建设有限公司", actors["handler"],
                               D(2024, 10, 8))
    case_actions.end_consultation(case, actors["handler"], D(2024, 10, 15))
    return case


def test_fields_are_required(agency, actors):
    case = _consulted(agency, actors)
    for party, content, reasons, field in (("", "合同", "理由", "party"),
                                           ("某公司", " ", "理由", "content"),
                                           ("某公司", "合同", None, "reasons")):
        with pytest.raises(cases.ValidationFailed) as exc:
            case_actions.notify_third_party_disclosure(case, party, content, reasons,
                                                  actors["handler"], D(2024, 10, 16))
        assert field in exc.value.errors


def test_notice_to_the_third_party_passes_the_review_gate_and_never_reaches_the_applicant(
        agency, actors):
    case = _consulted(agency, actors)
    before = case.status
    outbox_before = _count(Outbox)
    case_actions.notify_third_party_disclosure(
        case, "南通某建设有限公司", "2023年道路拓宽工程施工合同（金额条款）",
        "该工程使用财政资金，不公开可能对公共利益造成重大影响", actors["handler"], D(2024, 10, 16))
    assert case.status == before
    notice = db.session.execute(select(Notice).where(
        Notice.kind == "third_party_disclosure")).scalar_one()
    assert notice.title == "向第三方告知公开决定书" == notices.TITLES["third_party_disclosure"]
    assert "third_party_disclosure" not in notices.FOR_APPLICANT
    assert notice.delivery_method is None  # it goes to the third party
    body = notice.body
    assert body.startswith("南通某建设有限公司：")
    for phrase in ("第三十二条", "决定予以公开",
                   "决定公开的内容：2023年道路拓宽工程施工合同（金额条款）",
                   "决定公开的理由：该工程使用财政资金", "2024年10月8日", "书面告知您",
                   case.agency.name):
        assert phrase in body, phrase
    # a release item awaiting review: nothing has left the office
    assert notices.status_of(notice) == "pending" and notice.released_on is None
    send_notices(case, D(2024, 10, 17))
    assert notice.released_on == D(2024, 10, 17) and notices.status_of(notice) == "released"
    # never shown to the applicant, never mailed to them
    assert notices.for_case(case, applicant_only=True) == []
    assert _count(Outbox) == outbox_before
    assert [n.kind for n in notices.for_case(case)] == ["consultation", "third_party_disclosure"]
    event = db.session.execute(select(Event).where(
        Event.case_id == case.id, Event.action == "notify_third_party_disclosure")).scalar_one()
    assert event.before_status == event.after_status == before


def test_third_party_letter_as_pdf_has_its_basis_and_remedy(agency, actors):
    case = _consulted(agency, actors)
    case_actions.notify_third_party_disclosure(case, "南通某建设有限公司", "合同全文",
                                          "公共利益需要", actors["handler"], D(2024, 10, 16))
    notice = db.session.execute(select(Notice).where(
        Notice.kind == "third_party_disclosure")).scalar_one()
    letter = pdf.from_notice(case, notice)
    assert letter.addressee == "南通某建设有限公司"
    assert letter.legal_basis.endswith("第三十二条")
    assert letter.remedy.startswith("如对本告知书不服，可以自收到本告知书之日起 60 日内")
    assert COMPLAINT in letter.remedy and "本答复" not in letter.remedy
    assert letter.draft  # not reviewed yet


# -- 第四十三条: assistance ------------------------------------------------------------------------

def test_assistance_is_stored_from_the_online_form_and_registration(agency, actors):
    payload = person_payload()
    payload["applicant"] = {**payload["applicant"], "assistance": "视力障碍，请电话告知办理进度"}
    sub = cases.submit_online(payload, today=DAY)
    assert sub.case.assistance == "视力障碍，请电话告知办理进度"
    reg = _register(agency, actors, "in_person", applicant=payload["applicant"])
    assert reg.assistance == "视力障碍，请电话告知办理进度"
    assert _register(agency, actors).assistance is None


def test_assistance_is_at_most_500_characters(agency):
    payload = person_payload()
    payload["applicant"] = {**payload["applicant"], "assistance": "帮" * 501}
    with pytest.raises(cases.ValidationFailed) as exc:
        cases.submit_online(payload, today=DAY)
    assert "500" in exc.value.errors["applicant.assistance"]
    payload["applicant"]["assistance"] = "帮" * 500
    assert cases.submit_online(payload, today=DAY).case.assistance == "帮" * 500


def test_assistance_is_part_of_the_idempotent_submission(agency):
    plain = person_payload(idempotency_key="k-1")
    first = cases.submit_online(plain, today=DAY)
    assert cases.submit_online(plain, today=DAY).replayed
    other = person_payload(idempotency_key="k-1")
    other["applicant"] = {**other["applicant"], "assistance": "听力障碍"}
    with pytest.raises(cases.IdempotencyConflict):
        cases.submit_online(other, today=DAY)
    # an application without assistance keeps the digest it had before the field existed
    app, _ = validate_application(plain, require_agency=True)
    assert "assistance" not in json.dumps(_digest_fields(app))
    assert first.case.idempotency_body_sha256 == cases.submission_digest("BCZ", app, [])


def _digest_fields(app):
    import dataclasses
    fields = dataclasses.asdict(app)
    if fields["applicant"].get("assistance") is None:
        fields["applicant"].pop("assistance")
    return fields


# -- 第五十一条: the complaint route in every remedy clause ----------------------------------------

def test_remedy_names_reconsideration_litigation_and_complaint():
    assert "60 日内依法申请行政复议" in REMEDY and "6 个月内依法提起行政诉讼" in REMEDY
    assert REMEDY.endswith(COMPLAINT + "。")


@pytest.mark.parametrize("kind,noun", [("supplement", "本告知书"), ("extension", "本告知书"),
                                       ("deferred", "本告知书"), ("fee", "本通知书")])
def test_notice_remedies_read_well(kind, noun):
    remedy = pdf._remedy(kind)
    assert remedy == (f"如对{noun}不服，可以自收到{noun}之日起 60 日内依法申请行政复议，"
                      f"或者自收到{noun}之日起 6 个月内依法提起行政诉讼；{COMPLAINT}。")
    assert pdf._remedy("consultation") is None


def test_reply_letter_carries_the_complaint_route(agency, actors):
    case = _register(agency, actors)
    letter = replies.default_letter(case, "art36_2")
    assert REMEDY in letter and COMPLAINT in letter
    out = pdf.from_reply(case, letter, "art36_2", D(2024, 10, 8))
    assert out.remedy == REMEDY and REMEDY not in out.paragraphs


def test_a_letter_sent_before_keeps_its_own_remedy_clause(agency, actors):
    case = _register(agency, actors)
    old = replies.default_letter(case, "art36_2").replace(REMEDY, EARLIER_REMEDIES[0])
    out = pdf.from_reply(case, old, "art36_2", D(2024, 10, 8))
    assert out.remedy == EARLIER_REMEDIES[0]  # as it was sent, not rewritten
    assert not any("行政复议" in p for p in out.paragraphs)
