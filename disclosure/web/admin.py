"""Administration: agencies, staff accounts and roles (never lock out the last admin)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..domain.errors import ValidationFailed
from ..i18n import current_language, translate
from ..services import access, calendar, calendar_admin, directory, outbox_view, users
from ..services.dashboard import calendar_alert_years
from ..timeutil import today
from .forms import ActionForm, AgencyForm, CalendarNoticeForm, RolesForm, UserForm
from .guards import actor, found_or_404, guard_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard_blueprint(bp, frozenset({"admin", "platform_admin"}))


@bp.context_processor
def _calendar_alert():
    return {"calendar_missing": calendar_alert_years(today())}


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_page():
    """R1.1/R1.2: coverage per year, the overrides, and a form to record a year's notice."""
    t = today()
    form = CalendarNoticeForm()
    year = _int(request.values.get("year"), t.year + 1)
    if not 2000 <= year <= 2100:  # an absurd year is a typing error, not a date to compute with
        year = t.year + 1
    loose = []
    if form.validate_on_submit():
        try:
            result = calendar_admin.enter_notice(year, form.off_days.data, form.work_days.data,
                                           form.notice_number.data, form.notice_date.data,
                                           actor(), t)
        except ValidationFailed as exc:
            loose = form.put_errors(exc.errors)  # beside their fields; the input stays
        else:
            flash(_("已录入 %(year)s 年节假日安排 %(days)s 天；"
                    "%(cases)s 件在办案件的答复期限已重新计算",
                    year=year, days=result["days"], cases=result["cases_changed"]), "ok")
            return redirect(url_for("admin.calendar_page", year=year))
    failed = request.method == "POST" and bool(loose or form.errors)
    years = sorted(set(range(t.year - 2, t.year + 2)) | {year})
    return render_template("admin/calendar.html", form=form, year=year, loose=loose,
                           coverage=calendar.coverage(years), overrides=calendar.overrides(year),
                           notice=calendar.recorded_notice(year),
                           action_form=ActionForm()), (400 if failed else 200)


@bp.post("/calendar/<day>/delete")
def calendar_delete(day: str):
    form = ActionForm()
    try:
        d = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if form.validate_on_submit():
        changed = calendar_admin.delete_override(d, actor(), today())
        flash(_("已删除 %(day)s 的调整；%(n)s 件案件答复期限已重新计算",
                day=d.isoformat(), n=changed), "ok")
    return redirect(url_for("admin.calendar_page", year=d.year))


@bp.get("/outbox")
def outbox_page():
    """The mails as written — an agency's administrator sees its own agency's only (mails about
    its cases and to its staff); a platform administrator all."""
    return render_template("admin/outbox.html", rows=outbox_view.visible_mails(actor()))


def _sep() -> str:
    """Between several messages in one line: the reader's punctuation."""
    return "; " if current_language() == "en" else "；"


def _put(form, errors: dict) -> list[str]:
    """Service errors onto their fields (the rest returned), in the reader's language."""
    loose = []
    for key, msg in errors.items():
        msg = translate(msg)
        field = getattr(form, key, None)
        if field is None:
            loose.append(msg)
        else:
            field.errors = list(field.errors or []) + [msg]
    return loose


@bp.route("/agencies", methods=["GET", "POST"])
def agencies():
    form = AgencyForm()
    loose = []
    if form.validate_on_submit():
        try:
            agency = users.create_agency(form.code.data, form.name.data, actor())
        except ValidationFailed as exc:
            loose = _put(form, exc.errors)
        else:
            flash(_("已创建机关 %(code)s", code=agency.code), "ok")
            return redirect(url_for("admin.agencies"))
    code = 400 if request.method == "POST" else 200
    return render_template("admin/agencies.html", form=form, loose=loose,
                           agencies=directory.visible_agencies(actor())), code


@bp.route("/users", methods=["GET", "POST"])
def user_list():
    form = UserForm()
    form.agency.choices = [SelectChoice(a.code, f"{a.code} {a.name}")
                           for a in directory.visible_agencies(actor())]
    loose = []
    if form.validate_on_submit():
        try:
            user = users.create_user(form.username.data, form.password.data, form.agency.data,
                                     form.roles.data, form.display_name.data, actor())
        except ValidationFailed as exc:
            loose = _put(form, exc.errors)
        else:
            flash(_("已创建用户 %(name)s", name=user.username), "ok")
            return redirect(url_for("admin.user_list"))
    elif request.method == "POST":
        loose = [translate(e) for errs in form.errors.values() for e in errs]
    all_users = directory.visible_users(actor())
    code = 400 if request.method == "POST" else 200
    return render_template("admin/users.html", form=form, loose=loose, users=all_users,
                           action_form=ActionForm()), code


def _user_or_404(user_id: int):
    """An account of an agency this administrator manages (services.access)."""
    return found_or_404(access.load_user(actor(), user_id))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    form = RolesForm(data={"roles": sorted(user.roles)} if request.method == "GET" else None)
    loose = []
    if form.validate_on_submit():
        try:
            users.set_roles(user, form.roles.data, actor())
        except ValidationFailed as exc:
            loose = [translate(m) for m in exc.errors.values()]
        else:
            flash(_("角色已更新"), "ok")
            return redirect(url_for("admin.user_list"))
    elif request.method == "POST":
        loose = [translate(e) for errs in form.errors.values() for e in errs]
    return render_template("admin/user_edit.html", user=user, form=form, loose=loose,
                           action_form=ActionForm()), (400 if loose else 200)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    user = _user_or_404(user_id)
    form = ActionForm()
    if request.form.get("active") not in ("0", "1"):
        abort(400)
    if form.validate_on_submit():
        try:
            users.set_active(user, request.form.get("active") == "1", actor())
        except ValidationFailed as exc:
            flash(_sep().join(translate(m) for m in exc.errors.values()), "error")
        else:
            flash(_("账户状态已更新"), "ok")
    return redirect(url_for("admin.user_list"))
