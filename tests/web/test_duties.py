"""Duties of the 条例 in the UI (issue 13, last bullet): registering an oral application only once
the applicant confirmed it (第二十九条), the receipt rule of each channel on the register form
(第三十一条), the written notice to a third party (第三十二条), assistance (第四十三条) and the
complaint route (第五十一条) on the guide and the status page."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from disclosure.extensions import db
from disclosure.models import Case, Notice
from disclosure.services import case_actions, cases
from disclosure.services.actors import Actor
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, login, person_payload, send_notices
from tests.web.test_english_staff import _payload, assert_english

TODAY = date(2024, 10, 8)
FORM = {
    "applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
    "id_number": "11010519491231002X", "phone": "13800000000", "email": "a@example.cn",
    "address": "包场镇1号", "subject": "2023年某村道路拓宽工程的立项批复", "description": "",
    "delivery_form": "paper", "delivery_method": "mail",
}
COMPLAINT = "向上一级行政机关或者政府信息公开工作主管部门"


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY.isoformat())


def multipart(fields: dict) -> dict:
    boundary, body = encode_multipart(MultiDict(fields))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def register(client, **over):
    data = {**FORM, "channel": "oral", "received_on": "2024-09-30", **over}
    return client.post("/staff/register", **multipart(data))


def only_case() -> Case | None:
    return db.session.execute(select(Case)).scalar_one_or_none()


# -- 第二十九条 / 第三十一条 on the register form --------------------------------------------------

def test_register_form_offers_the_oral_channel_and_names_each_receipt_day(login_as):
    html = login_as("registrar").get("/staff/register").get_data(as_text=True)
    assert 'value="oral"' in html and "口头提出（工作人员代为填写，第二十九条）" in html
    assert "申请人已确认（签字）代为填写的申请内容" in html and 'name="applicant_confirmed"' in html
    assert "以与申请人确认之日为收到申请之日" in html          # 平常信函
    assert "电子邮件（互联网渠道，第三十一条第三项）" in html
    assert "以双方确认之日（工作人员确认收到之日）为收到申请之日" in html  # e-mail
    assert "以申请人确认（签字）之日为收到申请之日" in html       # oral
    assert 'name="assistance"' in html


def test_oral_application_without_the_applicants_confirmation_is_refused(login_as):
    resp = register(login_as("registrar"))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'id="applicant_confirmed-error"' in html and "须经申请人确认（签字）才能登记" in html
    assert 'value="张三"' in html  # the input is kept
    assert only_case() is None


def test_oral_application_confirmed_is_registered_on_the_confirmation_day(login_as):
    client = login_as("registrar")
    resp = register(client, applicant_confirmed="y")
    assert resp.status_code == 302
    case = only_case()
    assert case.channel == "oral" and case.received_on == date(2024, 9, 30)
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "口头提出（工作人员代为填写，第二十九条）" in html


def test_after_a_refusal_the_hint_names_the_chosen_channels_rule(login_as):
    resp = register(login_as("registrar"), channel="mail_ordinary", name="")
    assert resp.status_code == 400
    assert ("所选方式以哪一天为收到申请之日：以平常信函等无需签收的邮寄方式提交的，"
            "以与申请人确认之日为收到申请之日") in resp.get_data(as_text=True)


# -- 第四十三条: assistance ------------------------------------------------------------------------

def test_assistance_given_at_registration_is_shown_on_the_case_page(login_as, staff):
    client = login_as("registrar")
    assert register(client, applicant_confirmed="y",
                    assistance="申请人视力障碍，已由工作人员朗读申请内容").status_code == 302
    case = only_case()
    assert case.assistance == "申请人视力障碍，已由工作人员朗读申请内容"
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "所需帮助（条例第四十三条）" in html and "已由工作人员朗读申请内容" in html


def test_case_page_without_assistance_has_no_such_row(login_as):
    client = login_as("registrar")
    register(client, applicant_confirmed="y")
    assert "所需帮助（条例第四十三条）" not in client.get(
        f"/staff/cases/{only_case().id}").get_data(as_text=True)


def test_online_form_asks_for_assistance_and_stores_it(client, agency):
    html = client.get("/apply").get_data(as_text=True)
    assert "如需帮助（阅读、视听障碍等），请说明" in html and 'name="assistance"' in html
    data = {**FORM, "agency": "BCZ", "delivery_form": "electronic", "delivery_method": "online",
            "assistance": "听力障碍，请用短信联系", "step": "confirm"}  # 确认提交 (issue 16)
    resp = client.post("/apply", **multipart(data))
    assert resp.status_code == 302
    assert only_case().assistance == "听力障碍，请用短信联系"


def test_online_form_refuses_too_long_assistance(client, agency):
    data = {**FORM, "agency": "BCZ", "delivery_form": "electronic", "delivery_method": "online",
            "assistance": "帮" * 501}
    resp = client.post("/apply", **multipart(data))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'id="assistance-error"' in html and "不能超过 500 个字" in html
    assert only_case() is None


def test_api_accepts_assistance_as_an_optional_applicant_field(client, agency):
    body = person_payload()
    body["applicant"] = {**body["applicant"], "assistance": "阅读困难"}
    assert client.post("/api/v1/applications", json=body).status_code == 201
    assert only_case().assistance == "阅读困难"


# -- 第五十一条 and 第四十三条 on the public pages -------------------------------------------------

def test_guide_says_how_to_ask_for_help_and_how_to_complain(client, agency):
    html = client.get("/").get_data(as_text=True)
    assert "需要帮助（条例第四十三条）" in html
    assert "口头提出申请，由工作人员代为填写" in html and "打电话" in html
    assert "如需帮助（阅读、视听障碍等），请说明" in html
    assert "行政复议" in html and "行政诉讼" in html
    assert COMPLAINT in html and "投诉、举报" in html


def _with_code(agency, staff):
    sub = cases.register_paper(agency, person_payload(), "in_person", date(2024, 9, 27),
                               Actor.of(staff["registrar"]), date(2024, 9, 27))
    return sub.case, sub.query_code


def test_status_page_lists_the_remedies_with_their_limits(client, agency, staff):
    case, code = _with_code(agency, staff)
    html = client.post("/status", data={"tracking_no": case.tracking_no,
                                        "query_code": code}).get_data(as_text=True)
    assert "如对办理不满意" in html
    assert "60 日内依法申请行政复议" in html and "6 个月内依法提起行政诉讼" in html
    assert COMPLAINT + "投诉、举报，不受上述期限限制" in html


# -- 第三十二条: the written notice to the third party ---------------------------------------------

ACTION = "notify_third_party_disclosure"


def test_the_form_shows_only_once_a_third_party_was_consulted(login_as, agency, staff):
    case, _code = _with_code(agency, staff)
    client = login_as("handler")
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert f"/act/{ACTION}" not in html
    case_actions.start_consultation(case, "third_party", "南通某建设有限公司",
                                    Actor.of(staff["handler"]), date(2024, 9, 30))
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert f"/act/{ACTION}" in html and "书面告知第三方决定公开" in html
    assert f'id="{ACTION}-party" name="party" type="text" value="南通某建设有限公司"' in html


def test_posting_it_without_a_consultation_is_refused(login_as, agency, staff):
    case, _code = _with_code(agency, staff)
    resp = login_as("handler").post(f"/staff/cases/{case.id}/act/{ACTION}", data={
        "party": "某公司", "content": "合同", "reasons": "公共利益"})
    assert resp.status_code == 409
    assert "本案尚未征求第三方意见" in resp.get_data(as_text=True)


def test_notice_drafted_reviewed_and_kept_from_the_applicant(login_as, agency, staff):
    case, code = _with_code(agency, staff)
    case_actions.start_consultation(case, "third_party", "南通某建设有限公司",
                                    Actor.of(staff["handler"]), date(2024, 9, 30))
    client = login_as("handler")
    url = f"/staff/cases/{case.id}/act/{ACTION}"
    resp = client.post(url, data={"party": "南通某建设有限公司", "content": "",
                                  "reasons": "公共利益"})
    assert resp.status_code == 400 and f'id="{ACTION}-content-error"' in resp.get_data(as_text=True)
    resp = client.post(url, data={"party": "南通某建设有限公司", "content": "施工合同金额条款",
                                  "reasons": "涉及财政资金使用，不公开可能对公共利益造成重大影响"})
    assert resp.status_code == 302
    notice = db.session.execute(
        select(Notice).where(Notice.kind == "third_party_disclosure")).scalar_one()
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "向第三方告知公开决定书" in html and "待审查" in html
    send_notices(case, TODAY)
    assert notice.released_on == TODAY
    status = client.post("/status", data={"tracking_no": case.tracking_no,
                                          "query_code": code}).get_data(as_text=True)
    assert "向第三方告知公开决定书" not in status and "施工合同金额条款" not in status


# -- English --------------------------------------------------------------------------------------

@pytest.fixture
def latin(ctx):
    agency = create_agency("RVT", "Riverside Town Government")
    clerk = create_user("rvt-clerk", PASSWORD, "RVT", ["registrar", "handler", "office_head"],
                        "Casey Clerk")
    create_user("rvt-reviewer", PASSWORD, "RVT", ["reviewer"], "Rey Reviewer")
    body = _payload("Alice Example", "Road widening approval 2023")
    body["applicant"]["assistance"] = "Large print please"
    sub = cases.register_paper(agency, body, "in_person", date(2024, 9, 27), Actor.of(clerk), TODAY)
    case = sub.case
    case.query_code = sub.query_code  # for the status page (a plain attribute, not stored)
    case_actions.start_consultation(case, "third_party", "Acme Ltd", Actor.of(clerk),
                                    date(2024, 9, 30))
    return case


@pytest.fixture
def english(client, latin):
    client.set_cookie("lang", "en")
    assert login(client, "rvt-clerk").status_code == 302
    return client


def test_case_page_with_the_third_party_form_and_assistance_in_english(english, latin):
    html = english.get(f"/staff/cases/{latin.id}").get_data(as_text=True)
    assert_english(html, "Notify the third party in writing of the decision to disclose",
                   "Information to be disclosed", "Large print please",
                   "Help needed (Article 43 of the Regulations)")
    resp = english.post(f"/staff/cases/{latin.id}/act/{ACTION}",
                        data={"party": "Acme Ltd", "content": "", "reasons": ""})
    assert resp.status_code == 400
    assert_english(resp.get_data(as_text=True), f'id="{ACTION}-content-error"')
    resp = english.post(f"/staff/cases/{latin.id}/act/{ACTION}", data={
        "party": "Acme Ltd", "content": "The contract", "reasons": "Public interest"})
    assert resp.status_code == 302
    assert_english(english.get(f"/staff/cases/{latin.id}").get_data(as_text=True),
                   "Notice to the third party of the decision to disclose")


def test_register_refusal_of_an_oral_application_in_english(english):
    resp = english.post("/staff/register", **multipart({
        **FORM, "name": "Alice Example", "address": "1 Example Road", "subject": "Road approval",
        "channel": "oral", "received_on": "2024-09-30"}))
    assert resp.status_code == 400
    assert_english(resp.get_data(as_text=True), "can be registered only once the applicant",
                   "Made orally (written up by staff, Article 29)")


def test_public_guide_and_status_remedies_in_english(client, latin):
    client.set_cookie("lang", "en")
    assert_english(client.get("/").get_data(as_text=True), "file a complaint or report",
                   "staff can help you")
    html = client.post("/status", data={"tracking_no": latin.tracking_no,
                                        "query_code": latin.query_code}).get_data(as_text=True)
    assert_english(html, "If you are not satisfied", "the time limits above do not apply")
