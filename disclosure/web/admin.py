"""Administration: agencies and their profiles, staff accounts and roles (never lock out the
last admin). ``agency_emblem`` (on the public blueprint) serves an agency's emblem to everyone."""
from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..domain.errors import ValidationFailed
from ..i18n import current_language, translate
from ..services import (
    access,
    agency_profile,
    agency_tree,
    calendar,
    calendar_admin,
    directory,
    outbox_view,
    users,
)
from ..services.dashboard import calendar_alert_years
from ..timeutil import today
from . import public
from .forms import ActionForm, AgencyForm, CalendarNoticeForm, RolesForm, UserForm
from .guards import actor, found_or_404, guard_blueprint
from .uploads_form import uploaded

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard_blueprint(bp, frozenset({"admin", "platform_admin"}))
# The emblem an administrator uploads is shown to everyone (the header of every page): its one
# route is added to the public blueprint, as case_list adds its routes to staff.bp.


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


class AgencyTreeForm(AgencyForm):
    """A new agency and where it sits in the tree (issue 17). The parent is checked by
    services.agency_tree (an unknown id gets a field error there), not by WTForms."""
    parent = SelectField(_l("上级机关"), choices=[], validate_choice=False)


def _parent_choices(nodes, skip: int | None = None) -> list[SelectChoice]:
    """"Top of the tree" and every agency, indented as in the tree (``skip``: an agency and
    its descendants, which cannot be its parent — the service refuses them too)."""
    below = access.subtree_ids(skip) if skip is not None else frozenset()
    return [SelectChoice(agency_tree.NO_PARENT, _("（无上级机关）"))] + [
        SelectChoice(str(n.agency.id), "　" * n.depth + f"{n.agency.code} {n.agency.name}")
        for n in nodes if n.agency.id not in below]


def _render_agencies(form, loose, moved_errors=None, status: int = 200):
    nodes = agency_tree.ordered(directory.visible_agencies(actor()))
    tree_admin = access.sees_all(actor())
    return render_template(
        "admin/agencies.html", form=form, loose=loose, nodes=nodes, tree_admin=tree_admin,
        parent_choices={n.agency.id: _parent_choices(nodes, n.agency.id) for n in nodes}
        if tree_admin else {}, moved_errors=moved_errors or {},
        action_form=ActionForm()), status


@bp.route("/agencies", methods=["GET", "POST"])
def agencies():
    form = AgencyTreeForm()
    form.parent.choices = _parent_choices(agency_tree.ordered(
        directory.visible_agencies(actor())))
    loose = []
    if form.validate_on_submit():
        try:
            agency = agency_tree.create(form.code.data, form.name.data, form.parent.data,
                                        actor())
        except ValidationFailed as exc:
            loose = _put(form, exc.errors)
        else:
            flash(_("已创建机关 %(code)s", code=agency.code), "ok")
            return redirect(url_for("admin.agencies"))
    return _render_agencies(form, loose, status=400 if request.method == "POST" else 200)


@bp.post("/agencies/<int:agency_id>/parent")
def agency_parent(agency_id: int):
    """Move an agency under another parent (a platform administrator; services.agency_tree
    refuses anyone else, the agency itself and its descendants)."""
    if not access.sees_all(actor()):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        moved = agency_tree.set_parent(agency_id, request.form.get("parent", ""), actor())
    except ValidationFailed as exc:
        if "agency" in exc.errors:
            abort(404)
        form = AgencyTreeForm(formdata=None)
        form.parent.choices = _parent_choices(agency_tree.ordered(
            directory.visible_agencies(actor())))
        errors = {agency_id: [translate(m) for m in exc.errors.values()]}
        return _render_agencies(form, [], errors, 400)
    flash(_("已调整上级机关") if moved else _("没有改动"), "ok")
    return redirect(url_for("admin.agencies"))


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


# -- the agency profile (issue 15) ----------------------------------------------------------------

class AgencyProfileForm(FlaskForm):
    letter_prefix = StringField(_l("机关代字（文号前缀）"))
    address = StringField(_l("地址"))
    phone = StringField(_l("电话"))
    office_hours = StringField(_l("办公时间"))
    website_code = StringField(_l("网站标识码"))
    icp_record = StringField(_l("ICP 备案号"))
    # The service decides who may be the default handler (another agency's user id is refused
    # with a field error there), so WTForms does not pre-check the choice.
    default_handler_id = SelectField(_l("默认承办人"), choices=[], validate_choice=False)
    emblem = FileField(_l("徽标图片"))
    remove_emblem = BooleanField(_l("删除现有徽标"))
    guide_text = TextAreaField(_l("政府信息公开指南"), render_kw={"rows": 12})

    TEXT = agency_profile.TEXT_FIELDS

    def values(self) -> dict:
        out = {name: getattr(self, name).data or "" for name in self.TEXT}
        return out | {"default_handler_id": self.default_handler_id.data or "",
                      agency_profile.GUIDE_FIELD: self.guide_text.data or ""}


def _profile_form(agency) -> AgencyProfileForm:
    data = None
    if request.method == "GET":
        data = {name: getattr(agency, name) or "" for name in AgencyProfileForm.TEXT}
        data["default_handler_id"] = str(agency.default_handler_id or "")
        data[agency_profile.GUIDE_FIELD] = agency.guide_text or ""
    form = AgencyProfileForm(data=data)
    choices = [SelectChoice("", _("不指定（由登记员分派）"))]
    for user in agency_profile.handlers_of(agency):
        label = user.display_name if user.active else _("%(name)s（已停用）",
                                                        name=user.display_name)
        choices.append(SelectChoice(str(user.id), label))
    form.default_handler_id.choices = choices
    return form


@bp.get("/profile")
def own_profile():
    """The signed-in administrator's own agency's profile."""
    return redirect(url_for("admin.agency_profile_page", agency_id=actor().agency_id or 0))


@bp.route("/agencies/<int:agency_id>/profile", methods=["GET", "POST"])
def agency_profile_page(agency_id: int):
    """The profile of an agency this administrator may edit (another's: 404)."""
    agency = found_or_404(agency_profile.load(actor(), agency_id))
    form = _profile_form(agency)
    loose = []
    if form.validate_on_submit():
        try:
            changed = agency_profile.save(agency, form.values(), actor(),
                                          emblem=uploaded("emblem"),
                                          remove_emblem=bool(form.remove_emblem.data))
        except ValidationFailed as exc:
            loose = _put(form, exc.errors)  # beside their fields; what was typed stays
        else:
            flash(_("机关信息已保存") if changed else _("没有改动"), "ok")
            return redirect(url_for("admin.agency_profile_page", agency_id=agency.id))
    elif request.method == "POST":
        loose = [translate(e) for errs in form.errors.values() for e in errs]
    failed = request.method == "POST"
    return render_template("admin/agency_profile.html", agency=agency, form=form, loose=loose,
                           suggested_prefix=agency_profile.suggested_prefix(agency),
                           example_number=agency_profile.example_number(
                               agency.letter_prefix or agency_profile.suggested_prefix(agency)),
                           icp_example=agency_profile.ICP_EXAMPLE,
                           emblem_max_kb=agency_profile.EMBLEM_MAX_BYTES // 1024,
                           guide_max=agency_profile.GUIDE_MAX,
                           ), (400 if failed else 200)


@public.bp.get("/agency/<int:agency_id>/emblem/<stored_name>")
def agency_emblem(agency_id: int, stored_name: str):
    """An agency's current emblem. The URL names the stored file, so a new emblem gets a new
    URL and this one may be cached for good."""
    try:
        found = agency_profile.emblem_file(agency_id, stored_name)
    except ValueError:
        found = None
    if found is None:
        abort(404)
    path, content_type = found
    try:
        resp = send_file(path, mimetype=content_type, max_age=31_536_000, conditional=True)
    except FileNotFoundError:
        abort(404)
    resp.cache_control.public = True
    resp.cache_control.immutable = True
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Disposition"] = "inline"
    return resp
