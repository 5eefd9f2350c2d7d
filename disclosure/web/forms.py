"""Flask-WTF forms: CSRF and rendering. The rules themselves are in domain.application, so the
web form, the API and the ledger check an application the same way; domain errors come back
keyed by JSON path and are put next to the matching field here."""
from __future__ import annotations

from typing import ClassVar

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..domain import application, codes
from ..i18n import translate


class CNDateField(DateField):
    """A date field whose parse error is in the reader's language (2024-02-30 → “日期无效”)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_("日期无效，请按 年-月-日 填写真实存在的日期"))


def _label(text: str) -> LazyString:
    """A domain label (codes.*_LABELS) shown in the language of the page being rendered."""
    return LazyString(translate, text)


def _choices(labels: dict, blank: LazyString | None = None) -> list[SelectChoice]:
    """Choices for a code list: the value stays the code, the label is translated when shown."""
    out = [SelectChoice("", blank)] if blank else []
    return out + [SelectChoice(k.value, _label(v)) for k, v in labels.items()]


_UPLOAD_TYPES = ".pdf,.jpg,.jpeg,.png,.ofd"  # services.uploads checks the content itself
_CODE_INPUT = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class ApplicationForm(FlaskForm):
    applicant_type = SelectField(_l("申请人类型"),
                                 choices=_choices(codes.APPLICANT_TYPE_LABELS, _l("请选择")))
    # autocomplete "name" for a person; the macro says "organization" for an organisation
    name = StringField(_l("姓名 / 名称"), render_kw={"autocomplete": "name"})
    id_type = SelectField(_l("证件类型"), choices=_choices(codes.ID_TYPE_LABELS, _l("请选择")))
    id_number = StringField(_l("证件号码"), render_kw=_CODE_INPUT)
    credit_code = StringField(_l("统一社会信用代码"), render_kw=_CODE_INPUT)
    legal_representative = StringField(_l("法定代表人"))
    contact_name = StringField(_l("联系人"), render_kw={"autocomplete": "name"})
    # issue 16: type=tel / type=email bring up the right keyboard on a phone
    phone = TelField(_l("联系电话"), render_kw={"autocomplete": "tel", "inputmode": "tel"})
    email = EmailField(_l("电子邮箱"), render_kw={"autocomplete": "email",
                                                 "spellcheck": "false"})
    address = StringField(_l("通信地址"), render_kw={"autocomplete": "street-address"})
    # 条例第四十三条 (optional; at most 500 characters, checked by domain.application)
    assistance = TextAreaField(_l("如需帮助（阅读、视听障碍等），请说明"))
    subject = TextAreaField(_l("所需政府信息的名称、文号或者便于查询的其他特征性描述"))
    description = TextAreaField(_l("补充说明（选填）"))
    delivery_form = SelectField(_l("信息的提供形式"),
                                choices=_choices(codes.DELIVERY_FORM_LABELS, _l("请选择")))
    delivery_method = SelectField(_l("获取信息的方式"),
                                  choices=_choices(codes.DELIVERY_METHOD_LABELS, _l("请选择")))
    id_scan = FileField(_l("身份证明材料（选填）"), render_kw={"accept": _UPLOAD_TYPES})
    supporting = MultipleFileField(_l("其他材料（选填）"), render_kw={"accept": _UPLOAD_TYPES})

    # The order the fields are shown in (the error summary lists them so); a subclass's own
    # fields come first, as its page shows them before the application.
    SHOWN: ClassVar[tuple[str, ...]] = (
        "applicant_type", "name", "id_type", "id_number", "credit_code", "legal_representative",
        "contact_name", "phone", "email", "address", "subject", "description", "delivery_form",
        "delivery_method", "id_scan", "supporting", "assistance")

    # JSON path of a domain error → the field that shows it
    FIELD_OF: ClassVar[dict[str, str]] = {
        "applicant.type": "applicant_type", "applicant.name": "name",
        "applicant.id_type": "id_type",
        "applicant.id_number": "id_number", "applicant.credit_code": "credit_code",
        "applicant.legal_representative": "legal_representative",
        "applicant.contact_name": "contact_name", "applicant.phone": "phone",
        "applicant.email": "email", "applicant.address": "address",
        "applicant.assistance": "assistance", "subject": "subject",
        "description": "description", "delivery.form": "delivery_form",
        "delivery.method": "delivery_method", "received_on": "received_on", "channel": "channel",
        "applicant_confirmed": "applicant_confirmed",
        application.ID_PROOF_KEY: "id_scan",
    }

    def payload(self) -> dict:
        def g(f):
            return (f.data or "") if isinstance(f.data, str) else f.data

        return {
            "applicant": {k: g(getattr(self, k)) for k in (
                "name", "id_type", "id_number", "credit_code", "legal_representative",
                "contact_name", "phone", "email", "address", "assistance")}
            | {"type": self.applicant_type.data},
            "subject": self.subject.data or "",
            "description": self.description.data or "",
            "delivery": {"form": self.delivery_form.data, "method": self.delivery_method.data},
        }

    def requirement(self, name: str) -> str | None:
        """When the domain (domain.application.REQUIRED_*) requires field ``name``: "always",
        "person", "organisation", or the delivery method that needs it ("email", "mail");
        None when it is optional. The form marks exactly these fields 必填."""
        path = next((p for p, n in self.FIELD_OF.items() if n == name), None)
        if path in application.REQUIRED_ALWAYS:
            return "always"
        if path in application.REQUIRED_PERSON:
            return "person"
        if path in application.REQUIRED_ORGANISATION:
            return "organisation"
        return next((m for m, p in application.REQUIRED_FOR_DELIVERY.items() if p == path),
                    None)

    def shown_fields(self) -> list:
        """The fields in the order the page shows them (the error summary's order)."""
        names = [n for n in self._fields if n not in self.SHOWN] + list(self.SHOWN)
        return [self[n] for n in names if n in self._fields]

    def first_error(self) -> str | None:
        """The name of the first field with an error, as shown (it gets ``autofocus``)."""
        return next((f.name for f in self.shown_fields() if f.errors
                     and f.type not in ("CSRFTokenField", "HiddenField")), None)

    def put_errors(self, errors: dict[str, str], kinds: list[str] | None = None) -> list[str]:
        """Attach errors to fields; return those that belong to no field (shown on top).
        ``kinds``: the role of each file sent ("identity", "supporting"), so that an error of
        ``attachments.N`` is put next to the field the file was chosen in."""
        loose = []
        for path, message in errors.items():
            name = self.FIELD_OF.get(path)
            if path.startswith("attachments.") and name is None:
                index = path.removeprefix("attachments.")
                kind = kinds[int(index)] if kinds and index.isdigit() \
                    and int(index) < len(kinds) else None
                name = "id_scan" if kind == "identity" else "supporting"
            field = getattr(self, name, None) if name else None
            if field is None:
                loose.append(message)
            else:
                field.errors = list(field.errors or []) + [message]
        return loose


class OnlineApplicationForm(ApplicationForm):
    """The public form, preset to the most common answers of an online applicant (a person
    with a resident ID card who wants the information electronically, on the status page);
    every preset stays visible and changeable, and a cleared choice is still refused."""
    applicant_type = SelectField(_l("申请人类型"), default="natural_person",
                                 choices=_choices(codes.APPLICANT_TYPE_LABELS, _l("请选择")))
    id_type = SelectField(_l("证件类型"), default="resident_id",
                          choices=_choices(codes.ID_TYPE_LABELS, _l("请选择")))
    delivery_form = SelectField(_l("信息的提供形式"), default="electronic",
                                choices=_choices(codes.DELIVERY_FORM_LABELS, _l("请选择")))
    delivery_method = SelectField(_l("获取信息的方式"), default="online",
                                  choices=_choices(codes.DELIVERY_METHOD_LABELS, _l("请选择")))


class RegisterForm(ApplicationForm):
    channel = SelectField(_l("提交方式"), choices=[
        SelectChoice(c.value, _label(codes.CHANNEL_LABELS[c]))
        for c in codes.Channel if c != codes.Channel.ONLINE])
    received_on = CNDateField(_l("收到申请之日"), validators=[Optional()])
    # 条例第二十九条: an oral application written up by staff is registered once the applicant
    # confirmed (signed) it (services.cases.register_paper refuses it otherwise)
    applicant_confirmed = BooleanField(_l("申请人已确认（签字）代为填写的申请内容"))
    # issue 15: choices are the agency's handlers (set by the view); services.handlers checks
    handler_id = SelectField(_l("承办人"), choices=[], validate_choice=False)

    SHOWN: ClassVar[tuple[str, ...]] = (
        "channel", "received_on", "applicant_confirmed", "handler_id", *ApplicationForm.SHOWN)

    def payload(self) -> dict:
        return super().payload() | {"applicant_confirmed": bool(self.applicant_confirmed.data)}


class ConfirmForm(FlaskForm):
    received_on = CNDateField(_l("收到申请之日（双方确认之日）"), validators=[Optional()])
    handler_id = SelectField(_l("承办人"), choices=[], validate_choice=False)


def handler_choices(form, handlers, default) -> None:
    """Fill ``form.handler_id`` with the agency's handlers, the default one preselected."""
    form.handler_id.choices = [("", _l("暂不指定"))] + [(str(u.id), u.display_name)
                                                       for u in handlers]
    if form.handler_id.data in (None, "") and default is not None and not form.is_submitted():
        form.handler_id.data = str(default.id)


class StatusLookupForm(FlaskForm):
    tracking_no = StringField(_l("申请编号"))
    query_code = PasswordField(_l("查询码"))


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"))
    password = PasswordField(_l("密码"))


class AgencyForm(FlaskForm):
    code = StringField(_l("机关代码"))
    name = StringField(_l("机关名称"))


class UserForm(FlaskForm):
    username = StringField(_l("用户名"))
    display_name = StringField(_l("姓名"))
    password = PasswordField(_l("初始密码"))
    agency = SelectField(_l("所属机关"), choices=[])
    roles = SelectMultipleField(_l("角色"), choices=_choices(codes.ROLE_LABELS))


class RolesForm(FlaskForm):
    roles = SelectMultipleField(_l("角色"), choices=_choices(codes.ROLE_LABELS))


class ActionForm(FlaskForm):
    """A bare form for POST buttons (CSRF only)."""


class CalendarNoticeForm(FlaskForm):
    """R1.2: a year's State Council notice, whole (the service checks it:
    domain.calendar_notice)."""
    off_days = TextAreaField(_l("放假日期（每行一个日期或“开始 至 结束”）"))
    work_days = TextAreaField(_l("调休上班日期（每行一个）"))
    notice_number = StringField(_l("依据（通知文号）"))
    notice_date = CNDateField(_l("通知日期"), validators=[Optional()])

    def put_errors(self, errors: dict[str, str]) -> list[str]:
        """Service errors keyed by field name onto the fields; the rest returned (shown on top)."""
        loose = []
        for name, message in errors.items():
            field = getattr(self, name, None) if name in self._fields else None
            if field is None:
                loose.append(message)
            else:
                field.errors = list(field.errors or []) + [message]
        return loose
