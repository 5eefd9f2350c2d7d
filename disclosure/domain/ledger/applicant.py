"""The applicant and delivery of a ledger line: checked by ``domain.application`` — the one
validator of the online form, the API and paper registration — except that identity numbers
and the phone are optional here (old ledgers often lack them) and checked only when present."""
from __future__ import annotations

from ..application import Application, validate_application
from ..codes import ApplicantType
from ..text import N_
from .record import APPLICANT_KEYS, DELIVERY_KEYS
from .values import Errors, allowed, blank, unknown_keys

# Placeholders let validate_application check the rest while these stay optional.
_PROBE = {"phone": "010-12345678", "id_type": "other", "id_number": "0",
          "resident_id": "11010519491231002X", "credit_code": "91110000600037341L",
          "contact_name": "-"}

# The rules of validate_application with a ledger code of their own, by the message id
# (template) each rule reports — one exact key per rule, never a part of the wording. Every
# other rule of the application (length, format, control characters, …) is "invalid".
APPLICATION_RULE_CODES = {
    "请填写{label}": "required",  # a required field left blank
    "请选择{label}": "required",  # a required choice left blank
    "请填写申请人信息": "required",  # no applicant object at all
    "{label}不在可选范围内": "unknown_code",  # a choice outside its list
    "身份证号码最后一位不对，请核对": "bad_check_digit",  # GB 11643 check character
    "统一社会信用代码最后一位不对，请核对": "bad_check_digit",  # GB 32100 check character
}


def rule_code(message: str) -> str:
    """The ledger code of an error of ``validate_application`` (a ``Msg`` or an ``N_`` text)."""
    return APPLICATION_RULE_CODES.get(getattr(message, "template", message), "invalid")


def _probe(applicant: dict, e: Errors) -> tuple[dict, set[str]]:
    """Fill the fields optional in the ledger with valid placeholders (remembered in ``filled``)."""
    probe, filled = dict(applicant), set()

    def fill(key: str, value: str) -> None:
        if blank(probe.get(key)):
            probe[key], _ = value, filled.add(key)

    fill("phone", _PROBE["phone"])
    kind = probe.get("type")
    if kind == ApplicantType.NATURAL_PERSON:
        if not blank(probe.get("id_number")) and blank(probe.get("id_type")):
            e.add("applicant.id_type", "required", N_("填写证件号码时须同时填写证件类型"))
        fill("id_type", _PROBE["id_type"])
        resident = probe["id_type"] == "resident_id"
        fill("id_number", _PROBE["resident_id" if resident else "id_number"])
    elif isinstance(kind, str) and kind in allowed(ApplicantType):
        fill("credit_code", _PROBE["credit_code"])
        fill("contact_name", _PROBE["contact_name"])
    return probe, filled


def read_application(obj: dict, e: Errors) -> Application | None:
    """Applicant, subject, description and delivery of a line (None when any is wrong)."""
    applicant = obj.get("applicant")
    if not isinstance(applicant, dict):
        e.add("applicant", "required", N_("请填写申请人信息（JSON 对象）"))
        applicant = {}
    unknown_keys(applicant, APPLICANT_KEYS, "applicant.", e)
    probe, filled = _probe(applicant, e)
    delivery = obj.get("delivery")
    if delivery is not None and not isinstance(delivery, dict):
        e.add("delivery", "invalid", N_("获取方式格式不正确"))
    if isinstance(delivery, dict):
        unknown_keys(delivery, DELIVERY_KEYS, "delivery.", e)
    payload = {"applicant": probe, "subject": obj.get("subject"),
               "description": obj.get("description"),
               "delivery": delivery if isinstance(delivery, dict) else
               {"form": "electronic", "method": "online"}}
    app, errors = validate_application(payload)
    for path, message in errors.items():
        if path.removeprefix("applicant.") not in filled:
            e.add(path, rule_code(message), message)
    if app is None:
        return None
    for key in filled:
        setattr(app.applicant, key, None)
    if not isinstance(delivery, dict):
        app.delivery_form = app.delivery_method = None
    return app
