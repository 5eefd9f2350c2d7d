"""Staff pages: dashboard, case list, case page, paper registration, receipt confirmation."""
from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _

from ..domain import codes
from ..domain.errors import ValidationFailed
from ..domain.next_steps import IRREVERSIBLE
from ..domain.text import N_
from ..domain.workflow import WorkflowError
from ..i18n import current_language, translate
from ..services import (
    access,
    assignment,
    cases,
    code_recovery,
    directory,
    handlers,
    pdf,
    query_codes,
    uploads,
    workbench,
)
from ..services import dashboard as dash
from ..services.review import notices
from ..timeutil import today
from .case_page import render_case, render_confirmation
from .forms import ActionForm, ConfirmForm, RegisterForm, handler_choices
from .guards import STAFF_ROLES, actor, case_or_404, found_or_404, guard_blueprint, require_role
from .staff_actions import DISPATCH, DONE
from .uploads_form import application_files

bp = Blueprint("staff", __name__, url_prefix="/staff")
guard_blueprint(bp, STAFF_ROLES)


# The suffix services.replies puts after the file name of a redacted copy (stored, Chinese).
REDACTED_SUFFIX = N_("（删除处理后）")


@bp.context_processor
def _calendar_alert():
    return {"calendar_missing": dash.calendar_alert_years(today())}


@bp.app_template_global()
def item_title(item) -> str:
    """A release item's name in the reader's language. The stored titles are Chinese (the
    letter's official title, 正文, a file name with the redaction suffix); file names stay."""
    if item.kind == "letter":
        return _("政府信息公开申请答复告知书")
    if item.kind == "entry_text":
        return _("正文")
    if item.redacted and item.title.endswith(REDACTED_SUFFIX):
        return item.title[:-len(REDACTED_SUFFIX)] + translate(REDACTED_SUFFIX)
    return item.title


def _joined(messages) -> str:
    """Several domain messages in one flash, each in the reader's language."""
    sep = "; " if current_language() == "en" else "；"
    return sep.join(str(translate(m)) for m in messages)


@bp.get("/")
def dashboard():
    if actor().roles == {"supervisor"}:  # issue 17: a supervisor's work is the comparison
        return redirect(url_for("supervision.index"))
    return render_template("staff/dashboard.html", d=dash.summary(actor(), today()),
                           wb=workbench.build(actor(), today()))


@bp.get("/cases/<int:case_id>")
def case_view(case_id: int):
    return render_case(case_or_404(case_id))


@bp.post("/cases/<int:case_id>/act/<action>")
def case_action(case_id: int, action: str):
    case = case_or_404(case_id)
    if action not in DISPATCH or not ActionForm().validate_on_submit():
        abort(400)
    if action in IRREVERSIBLE and request.form.get("confirmed") != "1":
        return render_confirmation(case, action)  # never done without the confirmation page
    try:
        DISPATCH[action](case, request.form, actor(), today())
    except ValidationFailed as exc:
        if action in IRREVERSIBLE:
            return render_confirmation(case, action, exc.errors, 400)
        return render_case(case, exc.errors, action, 400)
    except WorkflowError as exc:
        return render_case(case, {"_": exc.message}, action,
                           409 if exc.code != "forbidden" else 403)
    flash(str(DONE[action]), "ok")
    return redirect(url_for("staff.case_view", case_id=case.id))


@bp.get("/cases/<int:case_id>/confirm/<action>")
def confirm_step(case_id: int, action: str):
    """The confirmation page of an irreversible step (issue 15): what will happen, then the
    button that does it."""
    case = case_or_404(case_id)
    if action not in IRREVERSIBLE:
        abort(404)
    return render_confirmation(case, action)


@bp.post("/cases/<int:case_id>/assign")
def assign_handler(case_id: int):
    case = case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        assignment.assign(case, request.form.get("handler_id"), actor(), today())
    except ValidationFailed as exc:
        return render_case(case, exc.errors, "assign_handler", 400)
    except WorkflowError as exc:
        return render_case(case, {"_": exc.message}, "assign_handler",
                           409 if exc.code != "forbidden" else 403)
    flash(_("已指定承办人：%(name)s", name=case.handler.display_name), "ok")
    return redirect(url_for("staff.case_view", case_id=case.id))


@bp.post("/cases/<int:case_id>/notices/<int:notice_id>/delivery")
def record_delivery(case_id: int, notice_id: int):
    """R8.2: the signed-for date of a posted notice (from the postal receipt)."""
    case = case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    raw = (request.form.get("on") or "").strip()
    try:
        on = date.fromisoformat(raw) if raw else None
    except ValueError:
        error = _("日期无效，请按 年-月-日 填写真实存在的日期")
        return render_case(case, {f"delivered-{notice_id}": error}, "delivery", 400)
    try:
        notices.record_delivery(case, notice_id, on, actor(), today())
    except ValidationFailed as exc:
        return render_case(case, exc.errors, "delivery", 400)
    except WorkflowError as exc:
        return render_case(case, {"_": exc.message}, "notice", 409)
    flash(_("已登记送达日期"), "ok")
    return redirect(url_for("staff.case_view", case_id=case.id, _anchor="h-notices"))


@bp.get("/cases/<int:case_id>/notices/<int:notice_id>")
def notice_view(case_id: int, notice_id: int):
    case = case_or_404(case_id)
    notice = found_or_404(access.load_notice(actor(), notice_id, case_id=case.id))
    return render_template("staff/notice.html", case=case, notice=notice,
                           doc_number=pdf.notice_doc_number(case, notice))


@bp.post("/cases/<int:case_id>/confirm")
def confirm(case_id: int):
    case = case_or_404(case_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_joined(e for errs in form.errors.values() for e in errs) or _("请重试"), "error")
        return redirect(url_for("staff.case_view", case_id=case.id))
    try:
        cases.confirm_receipt(case, form.received_on.data, actor(), today(),
                              handler_id=request.form.get("handler_id"))
    except ValidationFailed as exc:
        flash(_joined(exc.errors.values()), "error")
    except WorkflowError as exc:
        flash(translate(exc.message), "error")
    else:
        flash(_("已确认收到申请，收到申请之日为 %(day)s", day=case.received_on.isoformat()), "ok")
    return redirect(url_for("staff.case_view", case_id=case.id))


@bp.route("/register", methods=["GET", "POST"])
def register():
    require_role("registrar")
    form = RegisterForm()
    agency = directory.own_agency(actor())
    handler_choices(form, handlers.handlers_of(agency.id), handlers.default_handler(agency))
    loose: list[str] = []
    if request.method == "GET" and not form.received_on.data:
        form.received_on.data = today()
    if form.validate_on_submit():
        try:
            sub = cases.register_paper(agency, form.payload(), form.channel.data,
                                       form.received_on.data, actor(), today(),
                                       files=application_files(form),
                                       handler_id=request.form.get("handler_id"))
        except ValidationFailed as exc:
            loose = [translate(m) for m in form.put_errors(exc.errors)]
        except WorkflowError as exc:
            loose = [translate(exc.message)]
        else:
            session["staff_receipt"] = query_codes.keep_for_receipt(sub.case, sub.query_code)
            flash(_("已登记：%(no)s", no=sub.case.tracking_no), "ok")
            return redirect(url_for("staff.case_view", case_id=sub.case.id))
    elif request.method == "POST":
        loose = [] if form.errors.get("received_on") else \
            [e for errs in form.errors.values() for e in errs]
    return render_template("staff/register.html", form=form, loose=loose,
                           rules=codes.CHANNEL_RECEIPT_RULES), \
        (400 if request.method == "POST" else 200)


@bp.get("/cases/<int:case_id>/attachments/<int:att_id>")
def attachment(case_id: int, att_id: int):
    case = case_or_404(case_id)
    att = found_or_404(access.load_attachment(actor(), att_id, case_id=case.id))
    return send_file(uploads.path_of(att.stored_name), mimetype=att.content_type,
                     as_attachment=True, download_name=att.filename)


@bp.post("/cases/<int:case_id>/query-code")
def reissue_query_code(case_id: int):
    """A lost query code (issue 16): a new one, shown once on this response — not flashed (the
    session cookie is signed, not encrypted) and not cached; the old code stops working."""
    case = case_or_404(case_id)
    require_role(*code_recovery.REISSUE_ROLES)
    try:
        code = code_recovery.reissue_by_staff(case, actor())
    except WorkflowError as exc:
        abort(403 if exc.code == "forbidden" else 409)
    resp = make_response(*render_case(case_or_404(case_id), reissued_code=code))
    resp.headers["Cache-Control"] = "no-store"
    return resp
