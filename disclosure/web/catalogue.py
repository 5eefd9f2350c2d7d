"""Staff: the proactive disclosure catalogue — edit, per-item review, publish, repeal."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..domain.errors import ValidationFailed
from ..domain.workflow import WorkflowError
from ..models import CatalogueEntry
from ..services import access, catalogue_view
from ..services.review import catalogue
from ..timeutil import today
from .forms import ActionForm
from .guards import STAFF_ROLES, actor, found_or_404, guard_blueprint
from .uploads_form import uploaded

bp = Blueprint("catalogue", __name__, url_prefix="/staff/catalogue")
guard_blueprint(bp, STAFF_ROLES)


def _entry(entry_id: int) -> CatalogueEntry:
    return found_or_404(access.load_entry(actor(), entry_id))


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _render(entry: CatalogueEntry | None, errors=None, status=200):
    return render_template("staff/catalogue_entry.html", entry=entry, errors=errors or {},
                           **catalogue_view.entry_page(entry),
                           values=request.form if errors else {},
                           labels=catalogue.CATEGORY_LABELS, action_form=ActionForm()), status


@bp.get("/")
def index():
    return render_template("staff/catalogue_list.html",
                           entries=catalogue_view.staff_entries(actor()),
                           labels=catalogue.CATEGORY_LABELS)


@bp.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "GET":
        return _render(None)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _save(None)


def _save(entry: CatalogueEntry | None):
    f = request.form
    issued = _date(f.get("issued_on"))
    try:
        who = actor()
        agency_id = who.agency_id if entry is None else entry.agency_id  # a new one: the user's
        entry = catalogue.save_entry(entry, agency_id, who, title=f.get("title", ""),
                                     doc_number=f.get("doc_number"),
                                     category=f.get("category", ""), issued_on=issued,
                                     body=f.get("body", ""))
    except ValidationFailed as exc:
        errors = dict(exc.errors)
        if f.get("issued_on") and issued is None:
            errors["issued_on"] = _("日期无效，请按 年-月-日 填写")
        return _render(entry, errors, 400)
    except WorkflowError as exc:
        return _render(entry, {"_": exc.message}, 403)
    flash(_("已保存；修改后的内容须经保密审查同意后才能发布"), "ok")
    return redirect(url_for("catalogue.entry_view", entry_id=entry.id))


@bp.route("/<int:entry_id>", methods=["GET", "POST"])
def entry_view(entry_id: int):
    entry = _entry(entry_id)
    if request.method == "GET":
        return _render(entry)
    if not ActionForm().validate_on_submit():
        abort(400)
    return _save(entry)


def _act(entry: CatalogueEntry, fn, done: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        fn()
    except ValidationFailed as exc:
        return _render(entry, exc.errors, 400)
    except WorkflowError as exc:
        return _render(entry, {"_": exc.message}, 409)
    flash(done, "ok")
    return redirect(url_for("catalogue.entry_view", entry_id=entry.id))


@bp.post("/<int:entry_id>/attachments")
def attach(entry_id: int):
    entry = _entry(entry_id)
    up = uploaded("attachment")
    if up is None:
        return _render(entry, {"attachment": _("请选择文件")}, 400)
    return _act(entry, lambda: catalogue.add_attachment(entry, up, actor()),
                _("附件已添加，待审查"))


@bp.post("/<int:entry_id>/items/<int:item_id>/decide")
def decide(entry_id: int, item_id: int):
    entry = _entry(entry_id)
    f = request.form
    return _act(entry, lambda: catalogue.decide(
        entry, item_id, f.get("decision", ""), f.get("reason"), actor(),
        version_id=f.get("version_id"), sha256=f.get("sha256")), _("审查决定已记录"))


@bp.get("/<int:entry_id>/publish")
def confirm_publish(entry_id: int):
    """The confirmation page of publishing (issue 15): what becomes public, then the button."""
    entry = _entry(entry_id)
    return render_template("staff/catalogue_publish.html", entry=entry,
                           **catalogue_view.entry_page(entry), action_form=ActionForm())


@bp.post("/<int:entry_id>/publish")
def publish(entry_id: int):
    entry = _entry(entry_id)
    return _act(entry, lambda: catalogue.publish(entry, actor(), today()), _("已发布"))


@bp.post("/<int:entry_id>/repeal")
def repeal(entry_id: int):
    entry = _entry(entry_id)
    repealed_on = _date(request.form.get("repealed_on"))
    return _act(entry, lambda: catalogue.repeal(entry, repealed_on, actor()),
                _("已记录废止；须经保密审查同意并发布后才对外显示"))
