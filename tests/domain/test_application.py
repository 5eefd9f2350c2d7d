"""条例第二十九条 — the one application validator (pure: no app, no database).

validate_application takes the API's JSON shape and returns (Application, {}) or
(None, {json.path: 中文错误}) with every field error at once."""
from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure.domain.application import (
    ID_PROOF_KEY,
    REQUIRED_ALWAYS,
    REQUIRED_FOR_DELIVERY,
    REQUIRED_ORGANISATION,
    REQUIRED_PERSON,
    SUBJECT_MAX,
    Application,
    check_credit_code,
    check_phone,
    check_resident_id,
    id_proof_errors,
    validate_application,
)

VALID_ID = "11010519491231002X"
BAD_ID_CHECK = "110105194912310021"
VALID_USCC = "91110000600037341L"
BAD_USCC_CHECK = "91110000600037341A"
SUBJECT_LABEL = "所需政府信息的名称、文号或者便于查询的其他特征性描述"


def person(**over) -> dict:
    body = {
        "agency": "BCZ",
        "applicant": {"type": "natural_person", "name": "张三", "id_type": "resident_id",
                      "id_number": VALID_ID, "phone": "13800000000",
                      "email": "a@example.cn", "address": "包场镇1号"},
        "subject": "2023年某村道路拓宽工程的立项批复",
        "description": "",
        "delivery": {"form": "electronic", "method": "online"},
    }
    body.update(over)
    return body


def org(**over) -> dict:
    body = person(applicant={"type": "commercial_enterprise", "name": "某某有限公司",
                             "credit_code": VALID_USCC, "legal_representative": "李四",
                             "contact_name": "王五", "phone": "010-12345678"})
    body.update(over)
    return body


def with_applicant(base: dict | None = None, **fields) -> dict:
    body = copy.deepcopy(base or person())
    for k, v in fields.items():
        if v is _DROP:
            body["applicant"].pop(k, None)
        else:
            body["applicant"][k] = v
    return body


_DROP = object()


# -- the happy paths ------------------------------------------------------------------------------

def test_valid_natural_person_is_accepted_with_clean_values():
    app, errors = validate_application(person(), require_agency=True)
    assert errors == {}
    assert isinstance(app, Application)
    assert app.agency == "BCZ"
    assert app.applicant.type == "natural_person"
    assert app.applicant.id_number == VALID_ID
    assert app.applicant.credit_code is None
    assert app.delivery_form == "electronic" and app.delivery_method == "online"
    assert app.description is None  # empty optional text is absent, not ""


def test_valid_organisation_is_accepted():
    app, errors = validate_application(org())
    assert errors == {}
    assert app.applicant.credit_code == VALID_USCC
    assert app.applicant.contact_name == "王五"
    assert app.applicant.legal_representative == "李四"
    assert app.applicant.id_number is None


def test_surrounding_whitespace_is_trimmed():
    app, errors = validate_application(with_applicant(name="  张三 \u3000"))
    assert errors == {}
    assert app.applicant.name == "张三"


def test_lower_case_x_check_character_is_accepted_and_normalised():
    app, errors = validate_application(with_applicant(id_number=VALID_ID.lower()))
    assert errors == {}
    assert app.applicant.id_number == VALID_ID


def test_lower_case_credit_code_is_accepted_and_normalised():
    app, errors = validate_application(with_applicant(org(), credit_code=VALID_USCC.lower()))
    assert errors == {}
    assert app.applicant.credit_code == VALID_USCC


def test_no_purpose_field_is_required():
    body = person()
    assert "purpose" not in body  # the 2019 条例 dropped it
    assert validate_application(body)[1] == {}


@pytest.mark.parametrize("kind", ["commercial_enterprise", "research_institution",
                                  "social_welfare_org", "legal_service_org", "other_org"])
def test_every_organisation_type_is_accepted(kind):
    app, errors = validate_application(with_applicant(org(), type=kind))
    assert errors == {}
    assert app.applicant.type == kind


@pytest.mark.parametrize("id_type", ["passport", "hk_macao_permit", "taiwan_permit",
                                     "foreign_permanent_resident", "other"])
def test_other_document_types_skip_the_resident_id_check_digit(id_type):
    app, errors = validate_application(with_applicant(id_type=id_type, id_number="E12345678"))
    assert errors == {}
    assert app.applicant.id_number == "E12345678"


# -- check digits ---------------------------------------------------------------------------------

def test_resident_id_check_digit_valid():
    assert check_resident_id(VALID_ID) is None


def test_resident_id_check_digit_invalid():
    assert check_resident_id(BAD_ID_CHECK) == "身份证号码最后一位不对，请核对"


@pytest.mark.parametrize("number, fragment", [
    ("1101051949123100", "18位"),
    ("11010519491231002X9", "18位"),
    ("1101051949123100AX", "最后一位为数字或字母X"),
])
def test_resident_id_other_problems_have_their_own_message(number, fragment):
    assert fragment in check_resident_id(number)


def test_credit_code_check_character_valid():
    assert check_credit_code(VALID_USCC) is None


def test_credit_code_check_character_invalid():
    assert check_credit_code(BAD_USCC_CHECK) == "统一社会信用代码最后一位不对，请核对"


def test_credit_code_wrong_length():
    assert "18位" in check_credit_code("9111000060003734")


def test_invalid_resident_id_is_reported_at_its_json_path():
    app, errors = validate_application(with_applicant(id_number=BAD_ID_CHECK))
    assert app is None
    assert errors == {"applicant.id_number": "身份证号码最后一位不对，请核对"}


def test_invalid_credit_code_is_reported_at_its_json_path():
    app, errors = validate_application(with_applicant(org(), credit_code=BAD_USCC_CHECK))
    assert app is None
    assert errors == {"applicant.credit_code": "统一社会信用代码最后一位不对，请核对"}


# -- every field error key ------------------------------------------------------------------------

FIELD_CASES = [
    # (description, payload, expected key, fragment of the message)
    ("payload not an object", ["not", "a", "dict"], "", "JSON 对象"),
    ("agency missing when required", person(agency=""), "agency", "受理机关"),
    ("agency too long", person(agency="X" * 33), "agency", "32"),
    ("applicant missing", person(applicant=None), "applicant", "申请人"),
    ("applicant not an object", person(applicant="张三"), "applicant", "申请人"),
    ("applicant type unknown", with_applicant(type="alien"), "applicant.type", "不在可选范围"),
    ("applicant type missing", with_applicant(type=_DROP), "applicant.type", "请选择申请人类型"),
    ("name missing", with_applicant(name=""), "applicant.name", "请填写姓名"),
    ("name too long", with_applicant(name="张" * 101), "applicant.name", "100"),
    ("org name missing", with_applicant(org(), name=" "), "applicant.name", "请填写名称"),
    ("phone missing", with_applicant(phone=_DROP), "applicant.phone", "请填写联系电话"),
    ("phone malformed", with_applicant(phone="call me"), "applicant.phone", "11位手机号码"),
    ("phone a digit short", with_applicant(phone="1380000000"), "applicant.phone", "11位数字"),
    ("email malformed", with_applicant(email="not-an-email"), "applicant.email",
     "电子邮箱格式不正确"),
    ("address too long", with_applicant(address="路" * 301), "applicant.address", "300"),
    ("id type missing", with_applicant(id_type=""), "applicant.id_type", "请选择证件类型"),
    ("id type unknown", with_applicant(id_type="library_card"), "applicant.id_type",
     "不在可选范围"),
    ("id number missing", with_applicant(id_number=_DROP), "applicant.id_number", "请填写证件号码"),
    ("id number check digit", with_applicant(id_number=BAD_ID_CHECK), "applicant.id_number",
     "最后一位不对"),
    ("credit code missing", with_applicant(org(), credit_code=""), "applicant.credit_code",
     "请填写统一社会信用代码"),
    ("credit code check", with_applicant(org(), credit_code=BAD_USCC_CHECK),
     "applicant.credit_code", "最后一位不对"),
    ("legal representative too long", with_applicant(org(), legal_representative="李" * 101),
     "applicant.legal_representative", "100"),
    ("contact name missing", with_applicant(org(), contact_name=_DROP), "applicant.contact_name",
     "请填写联系人"),
    ("subject missing", person(subject=""), "subject", "请填写" + SUBJECT_LABEL),
    ("subject whitespace only", person(subject=" \u3000 "), "subject", "请填写"),
    ("subject too long", person(subject="文" * (SUBJECT_MAX + 1)), "subject", "500 个字"),
    ("description too long", person(description="文" * 5001), "description", "5000"),
    ("idempotency key too long", person(idempotency_key="k" * 129), "idempotency_key", "128"),
    ("delivery not an object", person(delivery="email"), "delivery", "获取方式"),
    ("delivery form unknown", person(delivery={"form": "carrier pigeon", "method": "online"}),
     "delivery.form", "不在可选范围"),
    ("delivery form missing", person(delivery={"method": "online"}), "delivery.form",
     "请选择信息的提供形式"),
    ("delivery method unknown", person(delivery={"form": "paper", "method": "telepathy"}),
     "delivery.method", "不在可选范围"),
    ("delivery method missing", person(delivery={"form": "paper"}), "delivery.method",
     "请选择获取信息的方式"),
    ("email required for e-mail delivery",
     with_applicant(person(delivery={"form": "electronic", "method": "email"}), email=_DROP),
     "applicant.email", "电子邮件"),
    ("address required for postal delivery",
     with_applicant(person(delivery={"form": "paper", "method": "mail"}), address=""),
     "applicant.address", "邮寄"),
]


@pytest.mark.parametrize("what, payload, key, fragment", FIELD_CASES,
                         ids=[c[0] for c in FIELD_CASES])
def test_each_field_error_is_keyed_by_its_json_path(what, payload, key, fragment):
    app, errors = validate_application(payload, require_agency=True)
    assert app is None
    assert key in errors, errors
    assert fragment in errors[key]
    # one fault, one error: the rest of the payload is fine
    assert set(errors) == {key}, errors


def test_agency_is_optional_unless_required():
    body = person()
    del body["agency"]
    assert validate_application(body)[1] == {}
    assert set(validate_application(body, require_agency=True)[1]) == {"agency"}


def test_subject_of_exactly_the_maximum_length_is_accepted():
    app, errors = validate_application(person(subject="文" * SUBJECT_MAX))
    assert errors == {} and len(app.subject) == SUBJECT_MAX


def test_one_megabyte_subject_is_refused_with_the_limit_in_the_message():
    _app, errors = validate_application(person(subject="x" * (1024 * 1024)))
    assert "不能超过 500 个字" in errors["subject"]


def test_all_errors_are_returned_at_once():
    body = person(subject="", delivery={"form": "scroll", "method": "online"})
    body["applicant"].update(id_number=BAD_ID_CHECK, phone="??", email="nope")
    app, errors = validate_application(body, require_agency=True)
    assert app is None
    assert set(errors) == {"applicant.id_number", "applicant.phone", "applicant.email",
                           "subject", "delivery.form"}
    assert all(isinstance(v, str) and v for v in errors.values())


# -- plain words (issue 16) -----------------------------------------------------------------------

def test_check_character_messages_say_what_to_do_without_jargon():
    for message in (check_resident_id(BAD_ID_CHECK), check_credit_code(BAD_USCC_CHECK)):
        assert "最后一位不对，请核对" in message
        assert "校验" not in message


@pytest.mark.parametrize("payload, key", [
    (with_applicant(type=""), "applicant.type"),
    (with_applicant(id_type=_DROP), "applicant.id_type"),
    (person(delivery={"form": " ", "method": "online"}), "delivery.form"),
    (person(delivery={"form": "paper", "method": None}), "delivery.method"),
])
def test_a_choice_left_blank_says_choose_not_fill_in(payload, key):
    _app, errors = validate_application(payload)
    assert errors[key].startswith("请选择"), errors[key]
    assert errors[key].template == "请选择{label}"  # the ledger maps the template (exact key)


def test_a_choice_of_the_wrong_type_is_still_not_text():
    _app, errors = validate_application(with_applicant(type=7))
    assert "应为文本" in errors["applicant.type"]


# -- phone numbers (issue 16) ---------------------------------------------------------------------

@pytest.mark.parametrize("phone", [
    "13800000000", "19912345678", "138 0000 0000", "138-0000-0000", "+86 138 0000 0000",
    "010-12345678", "01012345678", "021-1234567", "0513-82345678", "0513 82345678",
    "(0513)82345678", "0513-82345678-123", "0513-82345678转8001", "0755-8888888#12",
    "+86 10 12345678", "+86-513-82345678", "+852 9123 4567", "+1 202 555 0143",
])
def test_mobiles_landlines_with_area_code_and_numbers_abroad_are_accepted(phone):
    assert check_phone(phone) is None
    _app, errors = validate_application(with_applicant(phone=phone))
    assert errors == {}


@pytest.mark.parametrize("phone, fragment", [
    ("1380000000", "手机号码应为11位数字（现为 10 位）"),  # a 10-digit "mobile"
    ("138 0000 000", "现为 10 位"),
    ("138000000001", "现为 12 位"),
    ("12345678901", "应以13至19开头"),
    ("8888888", "带区号的固定电话"),  # a landline without its area code
    ("0513-823456", "带区号的固定电话"),  # 6 digits after the area code
    ("0513-823456789", "带区号的固定电话"),  # 9 digits
    ("01380000000", "带区号的固定电话"),  # 013 is no area code
    ("+8612345", "手机号码应为11位数字"),
    ("call me", "带区号的固定电话"),
    ("00000", "带区号的固定电话"),
    ("１３８００００００００", "半角数字"),
])
def test_other_phone_formats_are_refused_in_plain_words(phone, fragment):
    assert fragment in check_phone(phone)
    _app, errors = validate_application(with_applicant(phone=phone))
    assert set(errors) == {"applicant.phone"}
    assert fragment in errors["applicant.phone"]


# -- what is required: the lists the forms mark 必填 -----------------------------------------------

def _blank(body: dict, path: str) -> dict:
    body = copy.deepcopy(body)
    *parents, key = path.split(".")
    target = body
    for p in parents:
        target = target[p]
    target[key] = ""
    return body


OPTIONAL_TEXT = ["applicant.name", "applicant.id_type", "applicant.id_number",
                 "applicant.credit_code", "applicant.legal_representative",
                 "applicant.contact_name", "applicant.phone", "applicant.email",
                 "applicant.address", "applicant.assistance", "subject", "description",
                 "delivery.form", "delivery.method", "applicant.type"]


@pytest.mark.parametrize("base, required", [
    (person(), set(REQUIRED_ALWAYS) | set(REQUIRED_PERSON)),
    (org(), set(REQUIRED_ALWAYS) | set(REQUIRED_ORGANISATION)),
])
def test_the_required_lists_are_exactly_what_the_validator_requires(base, required):
    found = set()
    for path in OPTIONAL_TEXT:
        _app, errors = validate_application(_blank(base, path))
        message = errors.get(path, "")
        if message.startswith(("请填写", "请选择")):
            found.add(path)
        elif path != "applicant.type":
            assert not errors, (path, errors)
    assert found == required


@pytest.mark.parametrize("method, path", list(REQUIRED_FOR_DELIVERY.items()))
def test_email_and_address_are_required_only_for_their_delivery(method, path):
    body = _blank(person(delivery={"form": "paper", "method": method}), path)
    assert path in validate_application(body)[1]
    other = _blank(person(delivery={"form": "paper", "method": "pickup"}), path)
    assert validate_application(other)[1] == {}


# -- proof of identity (APPLY_REQUIRE_ID_PROOF) ---------------------------------------------------

def test_proof_of_identity_is_required_of_a_person_only_when_the_setting_says_so():
    assert id_proof_errors("natural_person", [], required=False) == {}
    errors = id_proof_errors("natural_person", ["supporting"], required=True)
    assert set(errors) == {ID_PROOF_KEY}
    assert "请上传身份证明材料" in errors[ID_PROOF_KEY]
    assert id_proof_errors("natural_person", ["identity"], required=True) == {}
    assert id_proof_errors("commercial_enterprise", [], required=True) == {}


# -- HTML and control characters ------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "<b>粗体</b> & \"引号\" 'single' &amp;",
    "a < b > c",
])
def test_html_is_kept_verbatim(text):
    body = person(subject=text, description=text)
    body["applicant"]["name"] = text[:100]
    body["applicant"]["address"] = text
    app, errors = validate_application(body)
    assert errors == {}
    assert app.subject == text
    assert app.description == text
    assert app.applicant.name == text[:100]
    assert app.applicant.address == text


@pytest.mark.parametrize("ch", ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f",
                                "\x7f"])
@pytest.mark.parametrize("where", ["subject", "description", "applicant.name",
                                   "applicant.address", "delivery.method"])
def test_control_characters_are_refused(ch, where):
    body = person()
    value = f"中{ch}文"
    if where.startswith("applicant."):
        body["applicant"][where.split(".")[1]] = value
    elif where.startswith("delivery."):
        body["delivery"]["method"] = value
    else:
        body[where] = value
    app, errors = validate_application(body)
    assert app is None
    assert where in errors
    assert "控制字符" in errors[where]


@pytest.mark.parametrize("ch", ["\n", "\r\n", "\t"])
def test_line_breaks_and_tabs_are_allowed_in_the_description(ch):
    text = f"第一行{ch}第二行"
    app, errors = validate_application(person(description=text))
    assert errors == {}
    assert app.description == text


@pytest.mark.parametrize("ch", ["\n", "\r"])
def test_line_breaks_are_refused_in_single_line_fields(ch):
    _app, errors = validate_application(with_applicant(name=f"张{ch}三"))
    assert "applicant.name" in errors


@pytest.mark.parametrize("ch", ["\x80", "\x85", "\x9b", "\x9f"])
def test_c1_control_characters_are_refused(ch):
    _app, errors = validate_application(person(subject=f"中{ch}文", description=f"说{ch}明"))
    assert "控制字符" in errors["subject"]
    assert "控制字符" in errors["description"]


@pytest.mark.parametrize("where", ["subject", "description", "applicant.name"])
def test_lone_surrogates_are_refused(where):
    """JSON may carry "\\ud800"; such a string cannot be stored as UTF-8."""
    body = person()
    if where.startswith("applicant."):
        body["applicant"]["name"] = "张\ud800三"
    else:
        body[where] = "文\udfff件"
    app, errors = validate_application(body)
    assert app is None
    assert "无效字符" in errors[where]


# -- wrong types ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [123, 1.5, True, ["张三"], {"text": "张三"}])
def test_non_string_subject_is_refused(value):
    app, errors = validate_application(person(subject=value))
    assert app is None
    assert "应为文本" in errors["subject"]


@pytest.mark.parametrize("key", ["name", "phone", "id_number", "email", "address", "type",
                                 "id_type"])
def test_non_string_applicant_fields_are_refused(key):
    app, errors = validate_application(with_applicant(**{key: 13800000000}))
    assert app is None
    assert f"applicant.{key}" in errors
    assert "应为文本" in errors[f"applicant.{key}"]


def test_numbers_in_every_text_field_give_every_error_at_once():
    body = {"agency": 1, "applicant": {"type": 2, "name": 3, "phone": 4},
            "subject": 5, "description": 6, "delivery": {"form": 7, "method": 8},
            "idempotency_key": 9}
    app, errors = validate_application(body, require_agency=True)
    assert app is None
    assert {"agency", "applicant.type", "applicant.name", "applicant.phone", "subject",
            "description", "delivery.form", "delivery.method", "idempotency_key"} <= set(errors)


@pytest.mark.parametrize("payload", [None, 0, "text", [], [person()], 3.14, True])
def test_non_object_payloads_are_refused(payload):
    app, errors = validate_application(payload)
    assert app is None
    assert errors == {"": "请求内容应为 JSON 对象"}


# -- property: never raises -----------------------------------------------------------------------

KEYS = ["agency", "applicant", "subject", "description", "delivery", "idempotency_key", "type",
        "name", "id_type", "id_number", "credit_code", "legal_representative", "contact_name",
        "phone", "email", "address", "form", "method"]
VALUES = ["natural_person", "commercial_enterprise", "resident_id", "passport", "paper",
          "electronic", "online", "email", "mail", "pickup", VALID_ID, BAD_ID_CHECK, VALID_USCC,
          BAD_USCC_CHECK, "13800000000", "a@example.cn", "BCZ", "\ud800", "中\x00文", "\x85"]

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                | st.text(max_size=40) | st.sampled_from(VALUES))
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=8),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(KEYS), json_values, max_size=10),
    st.builds(lambda a, s, d: person(applicant=a, subject=s, delivery=d),
              st.dictionaries(st.sampled_from(KEYS), json_values, max_size=10),
              json_values,
              st.dictionaries(st.sampled_from(["form", "method"]), json_values, max_size=2)),
))
def test_validate_application_never_raises(payload):
    app, errors = validate_application(payload, require_agency=True)
    if app is None:
        assert isinstance(errors, dict) and errors
        assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in errors.items())
    else:
        assert isinstance(app, Application)
        assert errors == {}
        assert isinstance(app.subject, str) and app.subject.strip()
