"""Public pages: the guide, the online application (条例第二十九条), the receipt and the status
page — including the bad input of issue 2."""
from __future__ import annotations

import io
import os
import re
import warnings

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from disclosure.extensions import db
from disclosure.models import Attachment, Case
from disclosure.services.users import create_agency
from tests.conftest import login

TODAY = "2024-09-27"
VALID_ID = "11010519491231002X"
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program"
FORM = {
    "agency": "BCZ", "applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
    "id_number": VALID_ID, "phone": "13800000000", "email": "a@example.cn",
    "address": "包场镇1号", "subject": "2023年某村道路拓宽工程的立项批复", "description": "",
    "delivery_form": "electronic", "delivery_method": "online",
    "step": "confirm",  # the review page's 确认提交 (issue 16; the review step: test_apply_form)
}
ORG_FORM = {**FORM, "applicant_type": "commercial_enterprise", "name": "某某有限公司",
            "id_type": "", "id_number": "", "credit_code": "91110000600037341L",
            "legal_representative": "李四", "contact_name": "王五"}


@pytest.fixture
def app(make_app):
    """Every test here runs on a pinned day (tracking numbers, dates)."""
    return make_app(FIXED_TODAY=TODAY)


def _file(value):
    if isinstance(value, tuple):
        data, name = value
        return FileStorage(stream=data, filename=name, content_type="application/octet-stream")
    return value


def multipart(fields: dict) -> dict:
    """Encode a multipart body in memory. (The test client spools bodies over 500 kB to a
    temporary file it never closes — a ResourceWarning, i.e. an error, in a later test.)"""
    values = MultiDict()
    for key, value in fields.items():
        for item in (value if isinstance(value, list) else [value]):
            values.add(key, _file(item))
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def post_apply(client, **over):
    return client.post("/apply", **multipart({**FORM, **over}))


def case_count() -> int:
    return db.session.execute(select(func.count()).select_from(Case)).scalar_one()


def stored_files(app) -> list[str]:
    folder = os.path.join(app.instance_path, "uploads")
    return os.listdir(folder) if os.path.isdir(folder) else []


def query_code_of(html: str) -> str:
    m = re.search(r'id="query-code">([^<]+)<', html)
    assert m, "receipt shows no query code"
    return m.group(1).strip()


def submit_ok(client, **over) -> tuple[str, str]:
    resp = post_apply(client, **over)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    loc = resp.headers["Location"]
    assert loc.startswith("/receipt/")
    tracking_no = loc.rsplit("/", 1)[1]
    html = client.get(loc).get_data(as_text=True)
    return tracking_no, query_code_of(html)


# -- the guide ------------------------------------------------------------------------------------

def test_home_page_explains_the_essentials(client, agency):
    resp = client.get("/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for phrase in ("20 个工作日", "补正", "7 个工作日", "行政复议", "行政诉讼", "不收取费用",
                   "包场镇人民政府", "/apply", "/status"):
        assert phrase in html, phrase


def test_public_pages_send_security_headers(client, agency):
    resp = client.get("/")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert client.get("/status").headers["Cache-Control"] == "no-store"


def test_apply_page_offers_every_applicant_type_and_no_purpose_field(client, agency):
    html = client.get("/apply").get_data(as_text=True)
    for code in ("natural_person", "commercial_enterprise", "research_institution",
                 "social_welfare_org", "legal_service_org", "other_org", "online", "email",
                 "mail", "pickup", "paper", "electronic"):
        assert f'value="{code}"' in html, code
    assert 'name="purpose"' not in html


def test_apply_without_any_agency_is_503(client, ctx):
    assert client.get("/apply").status_code == 503


def test_language_switch_ignores_foreign_referrer(client, agency):
    resp = client.get("/lang/en", headers={"Referer": "https://evil.example/phish"})
    assert resp.status_code == 302
    assert "evil.example" not in resp.headers["Location"]


# -- happy path -----------------------------------------------------------------------------------

def test_online_application_gives_a_receipt_with_tracking_no_and_query_code(client, agency):
    resp = post_apply(client)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/receipt/BCZ-2024-000001"
    html = client.get("/receipt/BCZ-2024-000001").get_data(as_text=True)
    assert "BCZ-2024-000001" in html
    code = query_code_of(html)
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    case = db.session.execute(select(Case)).scalar_one()
    assert case.status == "submitted" and case.channel == "online"
    assert case.received_on is None and case.submitted_at is not None
    assert case.query_code_hash and code not in case.query_code_hash  # only a hash is stored
    assert case.applicant_name == "张三" and case.id_number == VALID_ID


def test_status_page_shows_the_submitted_application(client, agency):
    tracking_no, code = submit_ok(client)
    resp = client.post("/status", data={"tracking_no": tracking_no, "query_code": code})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert tracking_no in html
    assert "已提交，待确认收到" in html
    assert "已在线提交申请" in html   # the public history
    assert "待工作人员确认" in html    # no receipt date yet


def test_status_lookup_accepts_a_lower_case_query_code_and_spaces(client, agency):
    tracking_no, code = submit_ok(client)
    resp = client.post("/status", data={"tracking_no": f" {tracking_no} ",
                                        "query_code": f" {code.lower()} "})
    assert resp.status_code == 200
    assert "已提交，待确认收到" in resp.get_data(as_text=True)


def test_wrong_code_and_unknown_number_give_the_same_404(client, agency):
    tracking_no, code = submit_ok(client)
    wrong = "A" * 10 if code != "A" * 10 else "B" * 10
    r1 = client.post("/status", data={"tracking_no": tracking_no, "query_code": wrong})
    r2 = client.post("/status", data={"tracking_no": "BCZ-2024-999999", "query_code": code})
    r3 = client.post("/status", data={"tracking_no": tracking_no, "query_code": ""})
    message = "未找到该申请：请核对申请编号和查询码"
    for resp in (r1, r2, r3):
        assert resp.status_code == 404
        html = resp.get_data(as_text=True)
        assert message in html
        assert "已提交，待确认收到" not in html
    # apart from the echoed number, the pages are the same
    assert (r1.get_data(as_text=True).replace(tracking_no, "N")
            == r2.get_data(as_text=True).replace("BCZ-2024-999999", "N"))


def test_status_lookup_with_a_nul_byte_is_refused_not_a_500(client, agency):
    # (a 500 on PostgreSQL before the NUL guard in security.py)
    resp = client.post("/status", data={"tracking_no": "BCZ\x00", "query_code": "ABCDEFGHJK"})
    assert resp.status_code in (400, 404)


def test_receipt_is_shown_only_in_the_submitting_browser(app, client, agency):
    tracking_no, _code = submit_ok(client)
    assert app.test_client().get(f"/receipt/{tracking_no}").status_code == 404
    assert client.get(f"/receipt/{tracking_no}").status_code == 200
    assert client.post(f"/receipt/{tracking_no}/done").status_code == 302
    assert client.get(f"/receipt/{tracking_no}").status_code == 404  # the code is shown once


def test_application_goes_to_the_chosen_agency(client, agency):
    create_agency("OTH", "另一镇人民政府")
    html = client.get("/apply").get_data(as_text=True)
    assert 'name="agency"' in html and "另一镇人民政府" in html
    tracking_no, _ = submit_ok(client, agency="OTH")
    assert tracking_no == "OTH-2024-000001"
    case = db.session.execute(select(Case)).scalar_one()
    assert case.agency.code == "OTH"


def test_organisation_application_is_accepted(client, agency):
    tracking_no, _code = submit_ok(client, **{k: v for k, v in ORG_FORM.items() if k != "agency"})
    case = db.session.execute(select(Case).where(Case.tracking_no == tracking_no)).scalar_one()
    assert case.applicant_type == "commercial_enterprise"
    assert case.credit_code == "91110000600037341L" and case.contact_name == "王五"
    assert case.id_number is None


# -- bad input: the form keeps what was typed -----------------------------------------------------

def test_wrong_id_check_digit_is_refused_and_the_form_keeps_the_input(client, agency):
    resp = post_apply(client, id_number="110105194912310021", name="李小明",
                      subject="关于某某的批复文件")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "身份证号码最后一位不对，请核对" in html
    assert 'value="李小明"' in html
    assert "关于某某的批复文件" in html
    assert 'value="110105194912310021"' in html
    assert case_count() == 0


def test_all_form_errors_are_shown_together(client, agency):
    resp = post_apply(client, id_number="110105194912310021", subject="", phone="电话",
                      delivery_method="")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    for message in ("身份证号码最后一位不对", "请填写所需政府信息", "联系电话应为11位手机号码",
                    "请选择获取信息的方式"):
        assert message in html, message
    assert case_count() == 0


def test_empty_subject_is_refused(client, agency):
    resp = post_apply(client, subject="   ")
    assert resp.status_code == 400
    assert ("请填写所需政府信息的名称、文号或者便于查询的其他特征性描述"
            in resp.get_data(as_text=True))
    assert case_count() == 0


def test_one_megabyte_subject_gets_a_field_error_and_keeps_the_input(client, agency):
    # (was a bare 413 page: Werkzeug's default MAX_FORM_MEMORY_SIZE is 500 kB)
    resp = post_apply(client, subject="x" * (1024 * 1024), name="李小明")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "不能超过 500 个字" in html
    assert 'value="李小明"' in html
    assert case_count() == 0


def test_subject_just_over_the_limit_gets_a_field_error(client, agency):
    resp = post_apply(client, subject="文" * 501)
    assert resp.status_code == 400
    assert "不能超过 500 个字（现为 501 个字）" in resp.get_data(as_text=True)
    assert case_count() == 0


@pytest.mark.parametrize("field, value", [
    ("name", "张\x1b[31m三"), ("subject", "文件\x08名称"), ("address", "包场镇\x07"),
    ("description", "说\x0b明"), ("name", "张\x85三"),
])
def test_control_characters_are_refused_next_to_the_field(client, agency, field, value):
    resp = post_apply(client, **{field: value}, phone="13900000000")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "控制字符" in html
    assert 'value="13900000000"' in html  # the rest of the input is kept
    assert case_count() == 0


@pytest.mark.parametrize("field", ["name", "subject", "description"])
def test_nul_byte_in_any_field_is_refused_without_storing(app, client, agency, field):
    resp = post_apply(client, **{field: "文件\x00名称"}, supporting=[(io.BytesIO(PDF), "a.pdf")])
    assert resp.status_code == 400
    assert case_count() == 0
    assert stored_files(app) == []


def test_description_may_span_several_lines(client, agency):
    tracking_no, _ = submit_ok(client, description="第一段\r\n第二段")
    case = db.session.execute(select(Case).where(Case.tracking_no == tracking_no)).scalar_one()
    assert "第一段" in case.description and "第二段" in case.description


def test_subject_typed_on_two_lines_in_the_textarea_is_accepted(client, agency):
    # (was refused as "控制字符": the subject was validated as a single-line field)
    resp = post_apply(client, subject="2023年第一号文件\r\n2023年第二号文件")
    assert resp.status_code == 302
    subject = db.session.execute(select(Case.subject)).scalar_one()
    assert "2023年第一号文件" in subject and "2023年第二号文件" in subject


@pytest.mark.parametrize("field, value", [("applicant_type", "alien"),
                                          ("delivery_method", "carrier_pigeon")])
def test_choice_outside_the_list_is_a_400_not_a_500(client, agency, field, value):
    # (was an AttributeError on form.csrf_token with WTF_CSRF_ENABLED=False → 500)
    resp = post_apply(client, **{field: value})
    assert resp.status_code == 400
    assert "不是有效的选择" in resp.get_data(as_text=True)
    assert case_count() == 0


def test_choice_outside_the_list_is_refused_with_csrf_on(make_app):
    app = make_app(FIXED_TODAY=TODAY, WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        client = app.test_client()
        page = client.get("/apply").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        resp = client.post("/apply", **multipart({**FORM, "csrf_token": token,
                                                  "applicant_type": "alien"}))
        assert resp.status_code == 400
        assert "不是有效的选择" in resp.get_data(as_text=True)
        assert case_count() == 0


def test_unknown_agency_is_refused(client, agency):
    resp = post_apply(client, agency="NOPE")
    assert resp.status_code == 400
    assert "受理机关不存在" in resp.get_data(as_text=True)
    assert case_count() == 0


def test_invalid_credit_code_is_refused(client, agency):
    data = {**ORG_FORM, "credit_code": "91110000600037341A"}
    resp = client.post("/apply", **multipart(data))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "统一社会信用代码最后一位不对，请核对" in html
    assert 'value="某某有限公司"' in html
    assert case_count() == 0


# -- HTML is kept as typed and escaped on output --------------------------------------------------

def test_html_is_stored_verbatim_and_escaped_on_every_page(client, staff):
    script = "<script>alert(1)</script>"
    tracking_no, _ = submit_ok(client, subject=script, name="<b>张三</b>",
                               description="<img src=x onerror=alert(2)>")
    receipt = client.get(f"/receipt/{tracking_no}").get_data(as_text=True)
    assert script not in receipt and "&lt;script&gt;alert(1)&lt;/script&gt;" in receipt
    case = db.session.execute(select(Case).where(Case.tracking_no == tracking_no)).scalar_one()
    assert case.subject == script
    assert case.applicant_name == "<b>张三</b>"
    assert case.description == "<img src=x onerror=alert(2)>"
    assert login(client, "registrar").status_code == 302
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;张三&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert script not in page and "<b>张三</b>" not in page and "<img src=x" not in page
    listing = client.get("/staff/cases").get_data(as_text=True)
    assert script not in listing and "<b>张三</b>" not in listing


def test_html_in_a_refused_form_is_escaped_when_echoed(client, agency):
    resp = post_apply(client, name="<script>alert(3)</script>", id_number="110105194912310021")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "<script>alert(3)</script>" not in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html


# -- attachments ----------------------------------------------------------------------------------

def test_exe_renamed_pdf_is_refused_and_nothing_is_stored(app, client, agency):
    resp = post_apply(client, supporting=[(io.BytesIO(EXE), "申请材料.pdf")])
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "文件类型不支持或与内容不符" in html
    assert "申请材料.pdf" in html
    assert case_count() == 0
    assert db.session.execute(select(func.count()).select_from(Attachment)).scalar_one() == 0
    assert stored_files(app) == []


def test_one_bad_file_among_good_ones_stores_nothing_at_all(app, client, agency):
    resp = post_apply(client, id_scan=(io.BytesIO(PDF), "id.pdf"),
                      supporting=[(io.BytesIO(PDF), "ok.pdf"), (io.BytesIO(EXE), "bad.pdf")])
    assert resp.status_code == 400
    assert case_count() == 0
    assert stored_files(app) == []


def test_invalid_form_with_a_good_file_stores_nothing(app, client, agency):
    resp = post_apply(client, subject="", supporting=[(io.BytesIO(PDF), "ok.pdf")])
    assert resp.status_code == 400
    assert case_count() == 0
    assert stored_files(app) == []


def test_empty_file_is_refused(client, agency):
    resp = post_apply(client, supporting=[(io.BytesIO(b""), "empty.pdf")])
    assert resp.status_code == 400
    assert "文件为空" in resp.get_data(as_text=True)
    assert case_count() == 0


def test_oversized_attachment_is_refused(make_app):
    app = make_app(FIXED_TODAY=TODAY, UPLOAD_MAX_BYTES=1024 * 1024)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        client = app.test_client()
        big = PDF + b"0" * (1024 * 1024)
        resp = post_apply(client, supporting=[(io.BytesIO(big), "big.pdf")])
        assert resp.status_code == 400
        assert "文件过大：不能超过 1 MB" in resp.get_data(as_text=True)
        assert case_count() == 0
        assert stored_files(app) == []


def test_real_pdf_is_accepted_and_downloadable_by_staff(app, client, staff):
    tracking_no, _ = submit_ok(client, id_scan=(io.BytesIO(PDF), "../../身份证.pdf"),
                               supporting=[(io.BytesIO(PDF + b"2"), "材料.pdf")])
    case = db.session.execute(select(Case).where(Case.tracking_no == tracking_no)).scalar_one()
    atts = sorted(case.attachments, key=lambda a: a.id)
    assert [(a.kind, a.filename, a.content_type) for a in atts] == [
        ("identity", "身份证.pdf", "application/pdf"),
        ("supporting", "材料.pdf", "application/pdf")]
    assert len(stored_files(app)) == 2
    # random, ending in the sniffed type's extension (issue 12)
    assert all(re.fullmatch(r"[0-9a-f]{32}\.(pdf|png|jpg|ofd)", a.stored_name) for a in atts)
    assert login(client, "registrar").status_code == 302
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "身份证.pdf" in page and "材料.pdf" in page
    resp = client.get(f"/staff/cases/{case.id}/attachments/{atts[0].id}")
    assert resp.status_code == 200
    assert resp.data == PDF
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.mimetype == "application/pdf"
    resp.close()


def test_attachment_of_another_case_is_404(client, staff):
    first, _ = submit_ok(client, supporting=[(io.BytesIO(PDF), "a.pdf")])
    second, _ = submit_ok(client)
    c1 = db.session.execute(select(Case).where(Case.tracking_no == first)).scalar_one()
    c2 = db.session.execute(select(Case).where(Case.tracking_no == second)).scalar_one()
    assert login(client, "registrar").status_code == 302
    att = c1.attachments[0]
    assert client.get(f"/staff/cases/{c2.id}/attachments/{att.id}").status_code == 404


def test_online_form_is_rate_limited(make_app):
    app = make_app(FIXED_TODAY=TODAY, RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="2/minute")
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        client = app.test_client()
        statuses = [post_apply(client).status_code for _ in range(3)]
        assert statuses == [302, 302, 429]
        assert "请求过于频繁" in post_apply(client).get_data(as_text=True)
        assert case_count() == 2
        assert client.get("/apply").status_code == 200  # reading the form is not limited


# -- CSRF -----------------------------------------------------------------------------------------

def test_csrf_token_is_required(make_app):
    app = make_app(FIXED_TODAY=TODAY, WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        client = app.test_client()
        resp = client.post("/apply", **multipart(FORM))
        assert resp.status_code == 400
        assert "CSRF" in resp.get_data(as_text=True) or "页面已过期" in resp.get_data(as_text=True)
        assert case_count() == 0
        # control: the same post with the page's token goes through
        page = client.get("/apply").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        resp = client.post("/apply", **multipart({**FORM, "csrf_token": token}))
        assert resp.status_code == 302
        assert case_count() == 1


# -- no deprecated WTForms API (choices as tuples are deprecated in 3.3, removed in 3.4) ----------

def test_forms_use_no_deprecated_wtforms_select_choices(client, agency):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert client.get("/apply").status_code == 200
