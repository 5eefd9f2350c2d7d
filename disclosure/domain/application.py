"""What an application must contain (条例第二十九条) and how each field is checked.

One validator for the online form, the JSON API, paper registration and the ledger: it takes the
API's JSON shape and returns either clean values or *every* field error at once, keyed by JSON
path, in Chinese. Text is kept exactly as typed (HTML is escaped on output, never mangled here).
Errors are ``N_`` texts or ``Msg`` (field labels as ``N_`` params), so the web layer can show
them in the reader's language; as strings they are the Chinese messages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from .codes import ApplicantType, DeliveryForm, DeliveryMethod, IdType
from .text import N_, Msg

NAME_MAX = 100
ORG_NAME_MAX = 200
SUBJECT_MAX = 500
DESCRIPTION_MAX = 5000
ADDRESS_MAX = 300
ASSISTANCE_MAX = 500  # 条例第四十三条: what help the applicant needs (reading, sight, hearing…)
KEY_MAX = 128

# What validate_application requires (by JSON path): of everyone, and by applicant type. The
# forms mark exactly these fields 必填 (tests/domain/test_application.py checks the validator
# against these lists). E-mail and address are required only for delivery by e-mail / by mail.
REQUIRED_ALWAYS = ("applicant.type", "applicant.name", "applicant.phone", "subject",
                   "delivery.form", "delivery.method")
REQUIRED_PERSON = ("applicant.id_type", "applicant.id_number")
REQUIRED_ORGANISATION = ("applicant.credit_code", "applicant.contact_name")
REQUIRED_FOR_DELIVERY = {"email": "applicant.email", "mail": "applicant.address"}
ID_PROOF_KEY = "attachments.identity"  # the error of id_proof_errors

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 (but \t \n \r), DEL, C1
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Phone numbers (issue 16). A mainland mobile: 11 digits, 1[3-9]…, spaces/hyphens allowed, an
# optional +86. A landline: 0 + area code (010, 02x, or 0 + three digits from 3–9), 7–8 digits,
# an optional hyphen after the area code and an optional extension (-123, 转123, #123); or +86
# and the area code without its 0. A number abroad (Hong Kong, Macao, Taiwan, other countries):
# + and the country code, 8–15 digits.
_SPACES = re.compile(r"[\s\u3000]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_AREA = r"0(?:10|2[0-9]|[3-9][0-9][0-9])"
_LANDLINE = re.compile(rf"(?:{_AREA}-?|\({_AREA}\))[0-9]{{7,8}}(?:(?:-|转|#)[0-9]{{1,6}})?")
_LANDLINE_86 = re.compile(r"(?:\+86|0086)(?:10|2[0-9]|[3-9][0-9][0-9])[0-9]{7,8}")  # no 0
_ABROAD = re.compile(r"\+(?!86)[1-9][0-9]{7,14}")
_WIDE_DIGITS = re.compile("[０-９]")  # typed with a Chinese input method in full-width mode
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# The allowed codes of each list, built once (the validator runs for every submission and every
# ledger line; rebuilding ``{c.value for c in Enum}`` per call was a third of an import's time).
_CODES: dict[type, frozenset[str]] = {
    e: frozenset(c.value for c in e) for e in (ApplicantType, DeliveryForm, DeliveryMethod, IdType)}


def _codes(choices: type) -> frozenset[str]:
    codes = _CODES.get(choices)
    if codes is None:  # a list not known above: cached on first use
        codes = _CODES[choices] = frozenset(c.value for c in choices)
    return codes


@dataclass
class Applicant:
    type: str
    name: str
    id_type: str | None = None
    id_number: str | None = None
    credit_code: str | None = None
    legal_representative: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    # 条例第四十三条: help asked for (reading, sight or hearing difficulties…) — optional
    assistance: str | None = None


@dataclass
class Application:
    applicant: Applicant
    subject: str
    description: str | None = None
    delivery_form: str | None = None
    delivery_method: str | None = None
    idempotency_key: str | None = None
    agency: str | None = None


@dataclass
class _Reader:
    """Collects errors while reading fields from nested dicts."""

    data: dict
    prefix: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, key: str, *, required: bool = False, max_len: int = 200,
             multiline: bool = False, label: str = "") -> str | None:
        path = self.prefix + key
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.errors[path] = Msg("请填写{label}", label=label)
            return None
        if not isinstance(value, str):
            self.errors[path] = Msg("{label}应为文本", label=label)
            return None
        value = value.strip()
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # e.g. a lone surrogate "\ud800" from JSON
            self.errors[path] = Msg("{label}包含无效字符", label=label)
            return None
        if len(value) > max_len:
            self.errors[path] = Msg("{label}不能超过 {max_len} 个字（现为 {length} 个字）",
                                     label=label, max_len=max_len, length=len(value))
            return None
        pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
        if pattern.search(value):
            self.errors[path] = Msg("{label}包含不可见的控制字符，请删除后重新填写", label=label)
            return None
        return value

    def choice(self, key: str, choices: type, *, required: bool = True,
               label: str = "") -> str | None:
        """A code from a list: left blank it is "请选择…" (a select is chosen, not typed)."""
        value = self.data.get(key)
        if required and (value is None or (isinstance(value, str) and not value.strip())):
            self.errors[self.prefix + key] = Msg("请选择{label}", label=label)
            return None
        value = self.text(key, required=required, max_len=64, label=label)
        if value is not None and value not in _codes(choices):
            self.errors[self.prefix + key] = Msg("{label}不在可选范围内", label=label)
            return None
        return value


def check_resident_id(number: str) -> str | None:
    """居民身份证号码 (GB 11643): 18 characters with an ISO 7064 check character."""
    try:
        ric.validate(number)
    except InvalidChecksum:  # the ISO 7064 check character (ledger code: bad_check_digit)
        return N_("身份证号码最后一位不对，请核对")
    except InvalidLength:
        return N_("身份证号码应为18位")
    except InvalidComponent:
        return N_("身份证号码中的出生日期或地区代码不对，请核对")
    except StdnumError:
        return N_("身份证号码前17位应为数字，最后一位为数字或字母X，请核对")
    return None


def check_credit_code(code: str) -> str | None:
    """统一社会信用代码 (GB 32100): 18 characters with a check character."""
    try:
        uscc.validate(code)
    except InvalidChecksum:  # the check character (ledger code: bad_check_digit)
        return N_("统一社会信用代码最后一位不对，请核对")
    except InvalidLength:
        return N_("统一社会信用代码应为18位")
    except StdnumError:
        return N_("统一社会信用代码只能由数字和大写字母组成（不含 I、O、S、V、Z），请核对")
    return None


def check_phone(phone: str) -> str | None:
    """A mainland mobile (11 digits, 1[3-9]), a landline with its area code, or a number abroad
    with + and the country code; None when it is one of them, else a message in plain words."""
    compact = _SPACES.sub("", phone)
    digits = re.sub(r"^(?:\+86|0086)", "", compact.replace("-", ""))
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(compact) \
            or _LANDLINE_86.fullmatch(compact.replace("-", "")) \
            or _ABROAD.fullmatch(compact.replace("-", "")):
        return None
    if _WIDE_DIGITS.search(phone):
        return N_("联系电话请用半角数字填写（把输入法切换到英文或半角状态）")
    if digits.isascii() and digits.isdigit() and digits.startswith("1"):  # meant as a mobile
        if len(digits) != 11:
            return Msg("手机号码应为11位数字（现为 {length} 位），请核对", length=len(digits))
        return N_("手机号码应以13至19开头，请核对")
    return N_("联系电话应为11位手机号码，或带区号的固定电话（如 0513-82345678，"
              "有分机号的写在后面，如 0513-82345678-123）")


def id_proof_errors(applicant_type: str | None, file_kinds, *, required: bool) -> dict[str, str]:
    """APPLY_REQUIRE_ID_PROOF (issue 16): an office may require a natural person applying online
    to attach proof of identity (a file of kind "identity"); organisations never need one."""
    if required and applicant_type == ApplicantType.NATURAL_PERSON \
            and "identity" not in set(file_kinds):
        return {ID_PROOF_KEY: N_("请上传身份证明材料：身份证件的扫描件或照片"
                                 "（PDF、JPG、PNG 或 OFD 文件）")}
    return {}


def _read_applicant(r: _Reader) -> Applicant | None:
    kind = r.choice("type", ApplicantType, label=N_("申请人类型"))
    natural = kind == ApplicantType.NATURAL_PERSON
    a = Applicant(
        type=kind or "",
        name=r.text("name", required=True, max_len=NAME_MAX if natural else ORG_NAME_MAX,
                    label=N_("姓名") if natural else N_("名称")) or "",
        phone=r.text("phone", required=True, max_len=20, label=N_("联系电话")),
        email=r.text("email", max_len=254, label=N_("电子邮箱")),
        address=r.text("address", max_len=ADDRESS_MAX, label=N_("通信地址")),
        assistance=r.text("assistance", max_len=ASSISTANCE_MAX, multiline=True,
                          label=N_("所需帮助（阅读、视听障碍等）")),
    )
    if a.phone and (err := check_phone(a.phone)):
        r.errors[r.prefix + "phone"] = err
    if a.email and not _EMAIL.match(a.email):
        r.errors[r.prefix + "email"] = N_("电子邮箱格式不正确")
    if kind is None:
        return a
    if natural:
        a.id_type = r.choice("id_type", IdType, label=N_("证件类型"))
        a.id_number = r.text("id_number", required=True, max_len=40, label=N_("证件号码"))
        if a.id_number and a.id_type == IdType.RESIDENT_ID:
            a.id_number = a.id_number.upper()
            if err := check_resident_id(a.id_number):
                r.errors[r.prefix + "id_number"] = err
    else:
        a.credit_code = r.text("credit_code", required=True, max_len=18,
                               label=N_("统一社会信用代码"))
        if a.credit_code:
            a.credit_code = a.credit_code.upper()
            if err := check_credit_code(a.credit_code):
                r.errors[r.prefix + "credit_code"] = err
        a.legal_representative = r.text("legal_representative", max_len=NAME_MAX,
                                        label=N_("法定代表人"))
        a.contact_name = r.text("contact_name", required=True, max_len=NAME_MAX, label=N_("联系人"))
    return a


def validate_application(payload: Any, *, require_agency: bool = False
                         ) -> tuple[Application | None, dict[str, str]]:
    """Check an application in the API's JSON shape (条例第二十九条).

    Returns (application, {}) or (None, {json.path: 中文错误}) listing every error at once.
    """
    if not isinstance(payload, dict):
        return None, {"": N_("请求内容应为 JSON 对象")}
    top = _Reader(payload)
    agency = top.text("agency", required=require_agency, max_len=32, label=N_("受理机关"))
    applicant_data = payload.get("applicant")
    if not isinstance(applicant_data, dict):
        top.errors["applicant"] = N_("请填写申请人信息")
        applicant = None
    else:
        ar = _Reader(applicant_data, "applicant.", top.errors)
        applicant = _read_applicant(ar)
    subject = top.text("subject", required=True, max_len=SUBJECT_MAX, multiline=True,
                       label=N_("所需政府信息的名称、文号或者便于查询的其他特征性描述"))
    description = top.text("description", max_len=DESCRIPTION_MAX, multiline=True,
                           label=N_("补充说明"))
    key = top.text("idempotency_key", max_len=KEY_MAX, label=N_("幂等键"))
    delivery = payload.get("delivery", {})
    form = method = None
    if not isinstance(delivery, dict):
        top.errors["delivery"] = N_("获取方式格式不正确")
    else:
        dr = _Reader(delivery, "delivery.", top.errors)
        form = dr.choice("form", DeliveryForm, label=N_("信息的提供形式"))
        method = dr.choice("method", DeliveryMethod, label=N_("获取信息的方式"))
    if applicant and method == DeliveryMethod.EMAIL and not applicant.email:
        top.errors.setdefault("applicant.email", N_("选择电子邮件获取时须填写电子邮箱"))
    if applicant and method == DeliveryMethod.MAIL and not applicant.address:
        top.errors.setdefault("applicant.address", N_("选择邮寄获取时须填写通信地址"))
    if top.errors:
        return None, top.errors
    return Application(applicant, subject, description, form, method, key, agency), {}
