"""The supervisor's pages (主管部门, issue 17): the comparison table of its subtree, the cases
behind each figure, 督办 notices; and the supervised agency's inbox where its office head or
administrator answers them. Rules in services.supervision (docs/supervision.md)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from ..domain import supervision_stats as stats_rules
from ..domain.bounds import is_report_year
from ..domain.codes import Role
from ..domain.errors import ValidationFailed
from ..domain.late_acts import LATE_ACT_LABELS
from ..domain.workflow import WorkflowError
from ..i18n import translate
from ..services import appeals
from ..services import supervision as svc
from ..timeutil import today
from .guards import actor, found_or_404, guard_blueprint, require_role

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
# The supervisor's pages, and the inbox of the agencies it supervises (their office head and
# administrator): each route names which of the two it serves.
guard_blueprint(bp, frozenset({Role.SUPERVISOR}) | svc.INBOX_ROLES)

PAGE_SIZE = 200


class NoticeForm(FlaskForm):
    """A 督办 notice; the cases are the checkboxes ``case_id`` of the overdue list."""
    agency = HiddenField()
    year = HiddenField()
    title = StringField(_l("督办事项标题"), render_kw={"maxlength": stats_rules.TITLE_MAX})
    body = TextAreaField(_l("督办内容"), render_kw={"rows": 6})
    reply_by = StringField(_l("要求书面答复日期"), render_kw={"type": "date"})


class ReplyForm(FlaskForm):
    reply_text = TextAreaField(_l("书面答复"), render_kw={"rows": 8})


def _supervisor() -> None:
    require_role(Role.SUPERVISOR)


def _year(value) -> int:
    try:
        year = int(value) if value not in (None, "") else today().year
    except ValueError:
        abort(404)
    if not is_report_year(year):
        abort(404)
    return year


def _put(form, errors: dict) -> list[str]:
    """Service errors beside their fields, in the reader's language; the rest returned."""
    loose = []
    for key, message in errors.items():
        field = getattr(form, key, None)
        if field is None or key in ("agency", "year"):
            loose.append(translate(message))
        else:
            field.errors = list(field.errors or []) + [translate(message)]
    return loose


# -- the comparison table and its drill-down -------------------------------------------------------
@bp.get("/")
def index():
    _supervisor()
    year = _year(request.args.get("year"))
    return render_template("supervision/index.html",
                           c=svc.comparison(actor(), year, today()))


def _render_drill(year: int, agency, figure: str, form: NoticeForm | None = None,
                  picked: set[int] | None = None, loose=None, status: int = 200):
    try:
        d = svc.drill(actor(), year, agency, figure, today())
    except KeyError:
        abort(404)
    items = svc.drill_items(d)
    may_notice = figure == "overdue" and agency is not None \
        and svc.may_supervise(actor(), agency.id) and bool(items)
    if may_notice and form is None:
        form = NoticeForm(formdata=None, agency=str(agency.id), year=str(year))
    return render_template(
        "supervision/cases.html", d=d, year=year, items=items[:PAGE_SIZE],
        more=max(0, len(items) - PAGE_SIZE), form=form if may_notice else None,
        picked=picked if picked is not None else {c.id for c in items} if may_notice else set(),
        loose=loose or [], late_labels=LATE_ACT_LABELS, appeal_kinds=appeals.KIND_LABELS,
        appeal_results=appeals.RESULT_LABELS), status


@bp.get("/cases")
def cases():
    _supervisor()
    year = _year(request.args.get("year"))
    code = request.args.get("agency")
    agency = svc.find_agency(actor(), code) if code else None
    if code and agency is None:
        abort(404)  # unknown, or outside the subtree: the same answer
    return _render_drill(year, agency, request.args.get("figure", ""))


# -- 督办 ------------------------------------------------------------------------------------------
@bp.post("/notices")
def issue():
    _supervisor()
    form = NoticeForm()
    if not form.validate_on_submit():
        abort(400)
    picked = request.form.getlist("case_id")
    try:
        notice = svc.issue(actor(), form.agency.data, picked, form.title.data, form.body.data,
                           form.reply_by.data, today())
    except WorkflowError:
        abort(403)  # not below this supervisor (or not a supervisor): nothing written
    except ValidationFailed as exc:
        agency = svc.agency_of(form.agency.data)
        year = _year(form.year.data) if form.year.data else today().year
        ids, _bad = stats_rules.parse_ids(picked)
        return _render_drill(year, agency, "overdue", form, set(ids), _put(form, exc.errors),
                             400)
    flash(_("已向 %(agency)s 发出督办通知（%(n)s 件案件）", agency=notice.agency.name,
            n=len(notice.cases)), "ok")
    return redirect(url_for("supervision.notice", notice_id=notice.id))


@bp.get("/notices")
def notices():
    _supervisor()
    return render_template("supervision/notices.html", notices=svc.issued(actor()))


def _render_notice(notice, form: ReplyForm | None = None, loose=None, status: int = 200):
    me = actor()
    may_reply = svc.may_reply(me, notice) and notice.replied_on is None
    return render_template("supervision/notice.html", n=notice, today=today(),
                           form=(form or ReplyForm(formdata=None)) if may_reply else None,
                           loose=loose or [], supervisor_view=svc.is_supervisor(me)
                           and notice.supervisor_agency_id == me.agency_id), status


@bp.get("/notices/<int:notice_id>")
def notice(notice_id: int):
    return _render_notice(found_or_404(svc.load(actor(), notice_id)))


@bp.post("/notices/<int:notice_id>/reply")
def reply(notice_id: int):
    found = found_or_404(svc.load(actor(), notice_id))
    form = ReplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.reply(actor(), notice_id, form.reply_text.data, today())
    except ValidationFailed as exc:
        return _render_notice(found, form, _put(form, exc.errors), 400)
    except WorkflowError as exc:
        if exc.code == "forbidden":
            abort(403)
        found = found_or_404(svc.load(actor(), notice_id))  # the reply someone else just sent
        return _render_notice(found, None, [translate(exc.message)], 409)
    flash(_("已提交书面答复"), "ok")
    return redirect(url_for("supervision.notice", notice_id=notice_id))


@bp.get("/inbox")
def inbox():
    if not svc.reads_inbox(actor()):
        abort(403)
    return render_template("supervision/inbox.html", notices=svc.inbox(actor()))
