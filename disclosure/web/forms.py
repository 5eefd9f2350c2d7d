"""Flask-WTF forms: CSRF and rendering. The rules themselves are in domain.application, so the
web form, the API and the ledger check an application the same way; domain errors come back
keyed by JSON path and are put next to the matching field here."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..domain import codes


class CNDateField(DateField):
    """A date field whose parse error is in Chinese (e.g. 2024-02-30 → “日期无效”)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("日期无效，请按 年-月-日 填写真实存在的日期")


def _choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    out = [SelectChoice("", blank)] if blank else []
    return out + [SelectChoice(k.value, v) for k, v in labels.items()]


class ApplicationForm(FlaskForm):
    applicant_type = SelectField("申请人类型", choices=_choices(codes.APPLICANT_TYPE_LABELS, "请选择"))
    name = StringField("姓名 / 名称")
    id_type = SelectField("证件类型", choices=_choices(codes.ID_TYPE_LABELS, "请选择"))
    id_number = StringField("证件号码")
    credit_code = StringField("统一社会信用代码")
    legal_representative = StringField("法定代表人")
    contact_name = StringField("联系人")
    phone = StringField("联系电话")
    email = StringField("电子邮箱")
    address = StringField("通信地址")
    subject = TextAreaField("所需政府信息的名称、文号或者便于查询的其他特征性描述")
    description = TextAreaField("补充说明（选填）")
    delivery_form = SelectField("信息的提供形式", choices=_choices(codes.DELIVERY_FORM_LABELS, "请选择"))
    delivery_method = SelectField("获取信息的方式", choices=_choices(codes.DELIVERY_METHOD_LABELS, "请选择"))
    id_scan = FileField("身份证明材料（选填）")
    supporting = MultipleFileField("其他材料（选填）")

    # JSON path of a domain error → the field that shows it
    FIELD_OF = {
        "applicant.type": "applicant_type", "applicant.name": "name", "applicant.id_type": "id_type",
        "applicant.id_number": "id_number", "applicant.credit_code": "credit_code",
        "applicant.legal_representative": "legal_representative",
        "applicant.contact_name": "contact_name", "applicant.phone": "phone",
        "applicant.email": "email", "applicant.address": "address", "subject": "subject",
        "description": "description", "delivery.form": "delivery_form",
        "delivery.method": "delivery_method", "received_on": "received_on", "channel": "channel",
    }

    def payload(self) -> dict:
        g = lambda f: (f.data or "") if isinstance(f.data, str) else f.data  # noqa: E731
        return {
            "applicant": {k: g(getattr(self, k)) for k in (
                "name", "id_type", "id_number", "credit_code", "legal_representative",
                "contact_name", "phone", "email", "address")} | {"type": self.applicant_type.data},
            "subject": self.subject.data or "",
            "description": self.description.data or "",
            "delivery": {"form": self.delivery_form.data, "method": self.delivery_method.data},
        }

    def put_errors(self, errors: dict[str, str]) -> list[str]:
        """Attach errors to fields; return those that belong to no field (shown on top)."""
        loose = []
        for path, message in errors.items():
            name = self.FIELD_OF.get(path)
            if path.startswith("attachments."):
                name = "supporting"
            field = getattr(self, name, None) if name else None
            if field is None:
                loose.append(message)
            else:
                field.errors = list(field.errors or []) + [message]
        return loose


class RegisterForm(ApplicationForm):
    channel = SelectField("提交方式", choices=[
        SelectChoice(c.value, codes.CHANNEL_LABELS[c]) for c in codes.Channel if c != codes.Channel.ONLINE])
    received_on = CNDateField("收到申请之日", validators=[Optional()])


class ConfirmForm(FlaskForm):
    received_on = CNDateField("收到申请之日（双方确认之日）", validators=[Optional()])


class StatusLookupForm(FlaskForm):
    tracking_no = StringField("申请编号")
    query_code = PasswordField("查询码")


class LoginForm(FlaskForm):
    username = StringField("用户名")
    password = PasswordField("密码")


class AgencyForm(FlaskForm):
    code = StringField("机关代码")
    name = StringField("机关名称")


class UserForm(FlaskForm):
    username = StringField("用户名")
    display_name = StringField("姓名")
    password = PasswordField("初始密码")
    agency = SelectField("所属机关", choices=[])
    roles = SelectMultipleField("角色", choices=_choices(codes.ROLE_LABELS))


class RolesForm(FlaskForm):
    roles = SelectMultipleField("角色", choices=_choices(codes.ROLE_LABELS))


class ActionForm(FlaskForm):
    """A bare form for POST buttons (CSRF only)."""


class CalendarNoticeForm(FlaskForm):
    off_days = TextAreaField("放假日期（每行一个日期或“开始 至 结束”）")
    work_days = TextAreaField("调休上班日期（每行一个）")
    note = StringField("依据（通知文号）")
