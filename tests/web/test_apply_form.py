"""The online application form of issue 16: required marks that match the rules, the right input
types, an error summary with links, plain messages, stricter phone numbers, a review step before
anything is created (files attached there), and the APPLY_REQUIRE_ID_PROOF setting."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from disclosure.extensions import db
from disclosure.models import Attachment, Case
from disclosure.web.forms import ApplicationForm

TODAY = "2024-09-27"
VALID_ID = "11010519491231002X"
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
PERSON = {
    "agency": "BCZ", "applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
    "id_number": VALID_ID, "phone": "13800000000", "email": "a@example.cn",
    "address": "包场镇1号", "subject": "2023年某村道路拓宽工程的立项批复", "description": "",
    "delivery_form": "electronic", "delivery_method": "online",
}
ORGANISATION = {**PERSON, "applicant_type": "commercial_enterprise", "name": "某某有限公司",
                "id_type": "", "id_number": "", "credit_code": "91110000600037341L",
                "legal_representative": "李四", "contact_name": "王五"}
# every field of the application on the form (files are chosen on the review page)
FIELDS = ["applicant_type", "name", "id_type", "id_number", "credit_code", "legal_representative",
          "contact_name", "phone", "email", "address", "subject", "description", "delivery_form",
          "delivery_method", "assistance"]


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY)


# -- a small DOM, enough to ask what a reader and a browser get ------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, attrs, parent, [], ""

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Dom(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.node)
        self.node.children.append(node)
        if tag not in VOID:
            self.node = node

    def handle_endtag(self, tag):
        node = self.node
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.node = node.parent

    def handle_data(self, data):
        self.node.text += data

    def find(self, pred) -> list[Node]:
        return [n for n in self.root.walk() if pred(n)]

    def by_id(self, id_: str) -> Node:
        [node] = self.find(lambda n: n.attrs.get("id") == id_)
        return node


def marked_required(dom: Dom) -> dict[str, str]:
    """Control id → the group it is in ("person", "organisation" or "") for every control
    whose label shows a visible * and which says required / aria-required="true"."""
    out = {}
    for label in dom.find(lambda n: n.tag == "label" and n.attrs.get("for")):
        stars = [s for s in label.walk() if "required" in s.classes()]
        visible = [s for s in stars if "hidden" not in s.attrs]
        control = dom.by_id(label.attrs["for"])
        says = "required" in control.attrs and control.attrs.get("aria-required") == "true"
        for star in stars:
            assert star.attrs.get("aria-hidden") == "true"  # said by the control, not twice
        assert bool(visible) == says, (label.attrs["for"], visible, control.attrs)
        if visible:
            groups = [a.classes() for a in control.ancestors()]
            out[label.attrs["for"]] = ("person" if any("person-only" in g for g in groups) else
                                       "organisation" if any("org-only" in g for g in groups)
                                       else "")
    return out


def _file(value):
    if isinstance(value, tuple):
        data, name = value
        return FileStorage(stream=io.BytesIO(data), filename=name,
                           content_type="application/octet-stream")
    return value


def multipart(fields: dict) -> dict:
    values = MultiDict()
    for key, value in fields.items():
        for item in (value if isinstance(value, list) else [value]):
            values.add(key, _file(item))
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def case_count() -> int:
    return db.session.execute(select(func.count()).select_from(Case)).scalar_one()


def review(client, **over):
    """The first step: the form posted with its button ("下一步")."""
    return client.post("/apply", data={**PERSON, "step": "review", **over})


def form_values(html: str, form_id: str) -> dict[str, str]:
    """What the browser sends from a form of the page: its hidden inputs (the answers, CSRF,
    the idempotency key)."""
    dom = Dom(html)
    form = dom.by_id(form_id)
    return {n.attrs["name"]: n.attrs.get("value", "") for n in form.walk()
            if n.tag == "input" and n.attrs.get("type") == "hidden"}


def confirm(client, review_html: str, **files):
    return client.post("/apply", **multipart({**form_values(review_html, "confirm-form"),
                                              "step": "confirm", **files}))


# -- 1. required marks --------------------------------------------------------------------------

def required_by_the_rules(client, base: dict) -> set[str]:
    """The fields the domain refuses left blank ("请填写…" / "请选择…"), found by trying each."""
    found = set()
    for name in FIELDS:
        resp = review(client, **{**base, name: ""})
        if resp.status_code == 200:
            continue
        dom = Dom(resp.get_data(as_text=True))
        error = dom.find(lambda n, name=name: n.attrs.get("id") == f"{name}-error")
        if error and re.match(r"请(填写|选择)", error[0].all_text().strip()):
            found.add(name)
    return found


def test_required_marks_are_exactly_what_the_rules_require_of_each_applicant_type(
        client, agency):
    marks = marked_required(Dom(client.get("/apply").get_data(as_text=True)))
    person = required_by_the_rules(client, PERSON)
    organisation = required_by_the_rules(client, ORGANISATION)
    assert {"applicant_type", "name", "phone", "subject", "delivery_form",
            "delivery_method"} <= person & organisation  # (the test finds something)
    assert {f for f, group in marks.items() if group in ("", "person")} == person
    assert {f for f, group in marks.items() if group in ("", "organisation")} == organisation
    assert {f for f, group in marks.items() if group == "person"} == person - organisation
    assert {f for f, group in marks.items() if group == "organisation"} == \
        organisation - person


def test_each_applicant_types_group_says_whose_fields_they_are(client, agency):
    dom = Dom(client.get("/apply").get_data(as_text=True))
    for cls, words in (("person-only", "自然人"), ("org-only", "法人或其他组织")):
        [group] = dom.find(lambda n, cls=cls: cls in n.classes())
        title = dom.by_id(group.attrs["aria-labelledby"])
        assert words in title.all_text()


def test_email_and_address_are_marked_when_the_delivery_needs_them(client, agency):
    dom = Dom(client.get("/apply").get_data(as_text=True))  # preset: view online
    assert "email" not in marked_required(dom) and "address" not in marked_required(dom)
    for field in ("email", "address"):  # a hidden * that apply.js shows
        assert dom.find(lambda n, f=field: n.tag == "label" and n.attrs.get("for") == f
                        and any("required" in s.classes() and "hidden" in s.attrs
                                for s in n.walk()))
    resp = review(client, delivery_method="email", email="")
    assert resp.status_code == 400
    marks = marked_required(Dom(resp.get_data(as_text=True)))
    assert "email" in marks and "address" not in marks
    resp = review(client, delivery_method="mail", address="")
    assert "address" in marked_required(Dom(resp.get_data(as_text=True)))


def test_the_intro_names_the_mark_the_form_uses(client, agency):
    html = client.get("/apply").get_data(as_text=True)
    assert "带 * 号的栏目为必填项" in html
    assert 'class="required" aria-hidden="true">*</span>' in html


def test_the_staff_registration_form_has_the_same_marks(client, login_as):
    client = login_as("registrar")
    dom = Dom(client.get("/staff/register").get_data(as_text=True))
    marks = marked_required(dom)
    assert {"applicant_type", "name", "phone", "subject"} <= set(marks)
    assert marks["id_number"] == "person" and marks["credit_code"] == "organisation"
    assert dom.by_id("phone").attrs["type"] == "tel"


# -- 2. input types -------------------------------------------------------------------------------

def test_phone_and_email_have_their_input_types_and_autocomplete(client, agency):
    dom = Dom(client.get("/apply").get_data(as_text=True))
    phone, email = dom.by_id("phone"), dom.by_id("email")
    assert (phone.attrs["type"], phone.attrs["autocomplete"], phone.attrs["inputmode"]) == \
        ("tel", "tel", "tel")
    assert (email.attrs["type"], email.attrs["autocomplete"]) == ("email", "email")
    assert dom.by_id("name").attrs["autocomplete"] == "name"
    assert dom.by_id("contact_name").attrs["autocomplete"] == "name"
    assert dom.by_id("address").attrs["autocomplete"] == "street-address"
    assert dom.by_id("id_number").attrs["autocomplete"] == "off"


def test_an_organisations_name_autofills_as_an_organisation(client, agency):
    resp = review(client, **{**ORGANISATION, "subject": ""})
    assert Dom(resp.get_data(as_text=True)).by_id("name").attrs["autocomplete"] == "organization"


def test_the_form_loads_its_own_script_only(client, agency):
    html = client.get("/apply").get_data(as_text=True)
    assert "/static/apply.js" in html
    assert "/static/apply.js" not in client.get("/status").get_data(as_text=True)
    assert "<script>" not in html  # no inline script (CSP)


# -- 3. the error summary -------------------------------------------------------------------------

def test_error_summary_links_each_field_with_an_error_in_page_order(client, agency):
    resp = review(client, id_number="110105194912310021", phone="1380000000", subject="",
                  delivery_method="")
    assert resp.status_code == 400
    dom = Dom(resp.get_data(as_text=True))
    summary = dom.by_id("error-summary")
    assert summary.attrs["tabindex"] == "-1" and summary.attrs["role"] == "alert"
    links = [a.attrs["href"] for a in summary.walk() if a.tag == "a"]
    assert links == ["#id_number", "#phone", "#subject", "#delivery_method"]
    for href in links:  # each link leads to a control of the page
        assert dom.by_id(href[1:]).tag in ("input", "select", "textarea")
    assert "有 4 处需要修改" in summary.all_text()
    # without JavaScript the page opens at the first field with an error
    assert [n.attrs["id"] for n in dom.find(lambda n: "autofocus" in n.attrs)] == ["id_number"]
    assert dom.by_id("id_number").attrs["aria-invalid"] == "true"
    assert dom.by_id("id_number").attrs["aria-describedby"] == "id_number-error id_number-hint"


def test_no_summary_and_no_autofocus_on_a_fresh_form(client, agency):
    html = client.get("/apply").get_data(as_text=True)
    assert 'id="error-summary"' not in html and "autofocus" not in html


# -- 4. plain words -------------------------------------------------------------------------------

def test_a_select_left_blank_says_choose(client, agency):
    html = review(client, delivery_method="", delivery_form="", id_type="").get_data(as_text=True)
    for label in ("获取信息的方式", "信息的提供形式", "证件类型"):
        assert f"请选择{label}" in html
        assert f"请填写{label}" not in html


def test_a_wrong_last_character_is_said_in_plain_words(client, agency):
    html = review(client, id_number="110105194912310021").get_data(as_text=True)
    assert "身份证号码最后一位不对，请核对" in html and "校验位" not in html
    html = review(client, **{**ORGANISATION, "credit_code": "91110000600037341A"}) \
        .get_data(as_text=True)
    assert "统一社会信用代码最后一位不对，请核对" in html and "校验位" not in html


# -- 5. phone numbers -----------------------------------------------------------------------------

def test_a_ten_digit_mobile_number_is_refused(client, agency):
    resp = review(client, phone="1380000000")
    assert resp.status_code == 400
    assert "手机号码应为11位数字（现为 10 位），请核对" in resp.get_data(as_text=True)


@pytest.mark.parametrize("phone", ["0513-82345678", "010-12345678-801", "13800000000"])
def test_a_landline_with_area_code_or_a_mobile_is_accepted(client, agency, phone):
    resp = review(client, phone=phone)
    assert resp.status_code == 200
    assert phone in resp.get_data(as_text=True)


def test_a_landline_without_area_code_is_refused(client, agency):
    html = review(client, phone="82345678").get_data(as_text=True)
    assert "带区号的固定电话" in html


# -- 6. the review step ---------------------------------------------------------------------------

def test_valid_input_shows_the_review_page_and_creates_nothing(client, agency):
    resp = review(client, description="第一行\r\n第二行", assistance="请电话联系")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "核对申请内容" in html and case_count() == 0
    dom = Dom(html)
    text = dom.root.all_text()
    for shown in ("包场镇人民政府", "自然人", "张三", "居民身份证", VALID_ID, "13800000000",
                  "a@example.cn", "2023年某村道路拓宽工程的立项批复", "电子", "在线查看",
                  "请电话联系"):
        assert shown in text, shown
    # read-only: no visible text box or select, only the files to attach
    controls = dom.find(lambda n: n.tag in ("select", "textarea") or (
        n.tag == "input" and n.attrs.get("type") not in ("hidden",)))
    assert sorted(n.attrs.get("id") for n in controls) == ["id_scan", "supporting"]
    assert all(n.attrs["type"] == "file" for n in controls)
    buttons = {n.all_text().strip(): n.attrs for n in dom.find(lambda n: n.tag == "button"
                                                              and n.attrs.get("name") == "step")}
    assert buttons["确认提交"]["value"] == "confirm"
    assert buttons["修改"]["value"] == "edit" and buttons["修改"]["form"] == "edit-form"
    assert dom.by_id("confirm-form").attrs["enctype"] == "multipart/form-data"
    values = form_values(html, "confirm-form")
    assert values["description"] == "第一行\r\n第二行"  # kept as typed, line breaks too
    assert values["idempotency_key"].startswith("web-")


def test_the_form_itself_has_no_file_inputs(client, agency):
    html = client.get("/apply").get_data(as_text=True)
    assert 'type="file"' not in html
    assert "下一步核对内容时，可以上传身份证明材料和其他材料" in html


def test_edit_goes_back_to_the_form_with_everything_kept(client, agency):
    html = review(client, **{**ORGANISATION, "description": "补充", "assistance": "大字"}) \
        .get_data(as_text=True)
    resp = client.post("/apply", data={**form_values(html, "edit-form"), "step": "edit"})
    assert resp.status_code == 200
    dom = Dom(resp.get_data(as_text=True))
    assert dom.find(lambda n: n.tag == "button" and n.attrs.get("value") == "review")
    for name in ("name", "credit_code", "legal_representative", "contact_name", "phone",
                 "email", "address"):
        assert dom.by_id(name).attrs["value"] == ORGANISATION[name], name
    assert dom.by_id("subject").all_text().strip() == ORGANISATION["subject"]
    assert dom.by_id("description").all_text().strip() == "补充"
    assert dom.by_id("assistance").all_text().strip() == "大字"
    [chosen] = [o for o in dom.by_id("applicant_type").walk() if "selected" in o.attrs]
    assert chosen.attrs["value"] == "commercial_enterprise"
    assert 'id="error-summary"' not in resp.get_data(as_text=True)  # no errors on the way back
    assert case_count() == 0


def test_confirming_creates_exactly_one_case_even_when_posted_twice(client, agency):
    html = review(client).get_data(as_text=True)
    first = confirm(client, html)
    assert first.status_code == 302 and first.headers["Location"].startswith("/receipt/")
    again = confirm(client, html)  # a double click, or back and confirm again
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert case_count() == 1
    receipt = client.get(again.headers["Location"])
    assert receipt.status_code == 200 and 'id="query-code"' in receipt.get_data(as_text=True)


def test_each_review_page_is_its_own_submission(client, agency):
    """Two applications with the same content, reviewed twice, are two cases (a new key)."""
    confirm(client, review(client).get_data(as_text=True))
    confirm(client, review(client).get_data(as_text=True))
    assert case_count() == 2


def test_files_are_attached_on_the_review_page(app, client, agency):
    html = review(client).get_data(as_text=True)
    resp = confirm(client, html, id_scan=(PDF, "身份证.pdf"), supporting=[(PDF + b"2", "材料.pdf")])
    assert resp.status_code == 302
    kinds = db.session.execute(select(Attachment.kind, Attachment.filename)
                               .order_by(Attachment.id)).all()
    assert [tuple(k) for k in kinds] == [("identity", "身份证.pdf"), ("supporting", "材料.pdf")]
    again = confirm(client, html, id_scan=(PDF, "身份证.pdf"),
                    supporting=[(PDF + b"2", "材料.pdf")])
    assert again.headers["Location"] == resp.headers["Location"] and case_count() == 1


def test_a_bad_file_keeps_the_review_page_and_asks_to_choose_again(client, agency):
    html = review(client).get_data(as_text=True)
    resp = confirm(client, html, supporting=[(EXE, "申请材料.pdf")])
    assert resp.status_code == 400 and case_count() == 0
    page = resp.get_data(as_text=True)
    dom = Dom(page)
    assert dom.by_id("confirm-form")  # still the review page
    assert "文件类型不支持或与内容不符" in dom.by_id("supporting-error").all_text()
    assert [a.attrs["href"] for a in dom.by_id("error-summary").walk() if a.tag == "a"] == \
        ["#supporting"]
    assert "请重新选择" in page
    # the same review page (its key) still works once the file is fixed
    assert form_values(page, "confirm-form")["idempotency_key"] == \
        form_values(html, "confirm-form")["idempotency_key"]
    assert confirm(client, page, supporting=[(PDF, "申请材料.pdf")]).status_code == 302
    assert case_count() == 1


def test_a_bad_identity_file_is_shown_at_the_identity_field(client, agency):
    html = review(client).get_data(as_text=True)
    resp = confirm(client, html, id_scan=(EXE, "id.pdf"), supporting=[(PDF, "ok.pdf")])
    assert resp.status_code == 400
    dom = Dom(resp.get_data(as_text=True))
    assert "文件类型不支持" in dom.by_id("id_scan-error").all_text()
    assert not dom.find(lambda n: n.attrs.get("id") == "supporting-error")


def test_answers_changed_on_the_way_are_checked_again(client, agency):
    values = form_values(review(client).get_data(as_text=True), "confirm-form")
    resp = client.post("/apply", data={**values, "phone": "12", "step": "confirm"})
    assert resp.status_code == 400 and case_count() == 0
    dom = Dom(resp.get_data(as_text=True))
    assert dom.find(lambda n: n.attrs.get("id") == "phone-error")
    assert dom.by_id("phone").tag == "input"  # back on the form, where it can be corrected


def test_another_content_under_a_used_review_page_is_refused(client, agency):
    html = review(client).get_data(as_text=True)
    assert confirm(client, html).status_code == 302
    resp = confirm(client, html, supporting=[(PDF, "后来加的.pdf")])
    assert resp.status_code == 400
    assert "这份申请已经提交过" in resp.get_data(as_text=True)
    assert case_count() == 1


def test_an_unknown_agency_is_refused_at_the_review_step(client, agency):
    resp = review(client, agency="NOPE")
    assert resp.status_code == 400 and "受理机关不存在" in resp.get_data(as_text=True)


# -- 7. APPLY_REQUIRE_ID_PROOF --------------------------------------------------------------------

@pytest.fixture
def proof_client(make_app):
    app = make_app(FIXED_TODAY=TODAY, APPLY_REQUIRE_ID_PROOF=True)
    with app.app_context():
        from disclosure.services.users import create_agency
        create_agency("BCZ", "包场镇人民政府")
        yield app.test_client()


def test_without_the_setting_the_proof_of_identity_is_optional(client, agency):
    html = review(client).get_data(as_text=True)
    assert "id_scan" not in marked_required(Dom(html))
    assert "身份证明材料（选填）" in html
    assert confirm(client, html).status_code == 302


def test_with_the_setting_a_person_must_attach_proof_of_identity(proof_client):
    form_page = proof_client.get("/apply").get_data(as_text=True)
    assert "须上传身份证明材料" in form_page
    html = review(proof_client).get_data(as_text=True)
    assert marked_required(Dom(html)).get("id_scan") == ""
    resp = confirm(proof_client, html, supporting=[(PDF, "其他.pdf")])
    assert resp.status_code == 400 and case_count() == 0
    dom = Dom(resp.get_data(as_text=True))
    assert "请上传身份证明材料" in dom.by_id("id_scan-error").all_text()
    assert [a.attrs["href"] for a in dom.by_id("error-summary").walk() if a.tag == "a"] == \
        ["#id_scan"]
    assert confirm(proof_client, html, id_scan=(PDF, "身份证.pdf")).status_code == 302
    assert case_count() == 1


def test_with_the_setting_an_organisation_needs_no_proof_of_identity(proof_client):
    html = review(proof_client, **ORGANISATION).get_data(as_text=True)
    assert "id_scan" not in marked_required(Dom(html))
    assert confirm(proof_client, html).status_code == 302


def test_the_summary_follows_the_order_the_fields_are_shown_in():
    shown = ApplicationForm.SHOWN
    assert shown.index("delivery_method") < shown.index("id_scan") < shown.index("assistance")
