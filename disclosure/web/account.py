"""A staff member's own settings (issue 17: reminder preferences) — the mobile number for the
daily digest's SMS and the opt-out of the digest."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, TelField

from ..domain.errors import ValidationFailed
from ..i18n import translate
from ..services import digest, sms
from .guards import STAFF_ROLES, actor, guard_blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
guard_blueprint(bp, STAFF_ROLES)


class SettingsForm(FlaskForm):
    mobile = TelField(_l("手机号码"), render_kw={"autocomplete": "tel", "inputmode": "tel",
                                                 "maxlength": 30})
    digest_opt_out = BooleanField(_l("不接收每日工作提醒（邮件和短信）"))


@bp.route("/", methods=["GET", "POST"])
def settings():
    data = None
    if request.method == "GET":
        data = {"mobile": current_user.mobile or "",
                "digest_opt_out": bool(current_user.digest_opt_out)}
    form = SettingsForm(data=data)
    loose = []
    if form.validate_on_submit():
        try:
            changed = digest.save_settings(actor(), form.mobile.data,
                                           bool(form.digest_opt_out.data))
        except ValidationFailed as exc:
            for key, message in exc.errors.items():
                field = getattr(form, key, None)
                if field is None:
                    loose.append(translate(message))
                else:  # beside its field; what was typed stays in the form
                    field.errors = list(field.errors or []) + [translate(message)]
        else:
            flash(_("设置已保存") if changed else _("没有改动"), "ok")
            return redirect(url_for("account.settings"))
    elif request.method == "POST":
        loose = [translate(e) for errs in form.errors.values() for e in errs]
    status = 400 if request.method == "POST" else 200
    return render_template("account/settings.html", form=form, loose=loose,
                           email=current_user.email, quiet=digest.quiet_label(),
                           sms_on=sms.configured()), status
