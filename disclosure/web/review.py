"""Staff: drafting the reply, the per-item confidentiality review, sign-off and release."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..domain.workflow import WorkflowError
from ..extensions import db
from ..models import Case, ItemVersion, ReleaseItem
from ..services.review import notices, replies
from ..domain.errors import ValidationFailed
from ..services.review.queue import notice_queue, queue
from ..services.uploads import Upload
from ..timeutil import today
from .downloads import send_download
from .forms import ActionForm
from .guards import STAFF_ROLES, actor, can_see, guard_blueprint
from .staff import _render_case

bp = Blueprint("review", __name__, url_prefix="/staff")
guard_blueprint(bp, STAFF_ROLES)

DONE = {
    "draft": _l("答复已保存"), "document": _l("附件已添加"),
    "replace": _l("附件已替换（新版本需重新审查）"), "remove": _l("附件已移除"),
    "submit": _l("已提交保密审查"), "sign_off": _l("已签发"), "release": _l("答复已发出，案件办结"),
}
DECIDED = {"approved": _l("已同意"), "rejected": _l("已退回修改"), "referred": _l("已报送确定（暂停计时）")}
NOTICE_DECIDED = {"approved": _l("已同意，告知文书已发出"), "rejected": _l("已退回修改"),
                  "referred": _l("已报送确定")}


def _case(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can_see(case) or not ActionForm().validate_on_submit():
        abort(404 if case is None or not can_see(case) else 400)
    return case


def _upload(name: str) -> Upload | None:
    f = request.files.get(name)
    return Upload(f.filename, f.read()) if f and f.filename else None


def _run(case: Case, key: str, fn):
    try:
        fn()
    except ValidationFailed as exc:
        return _render_case(case, exc.errors, "reply", 400)
    except WorkflowError as exc:
        return _render_case(case, {"_": exc.message}, "reply", 409)
    flash(str(DONE[key]), "ok")
    return redirect(url_for("staff.case_view", case_id=case.id, _anchor="h-reply"))


@bp.post("/cases/<int:case_id>/reply")
def draft(case_id: int):
    case = _case(case_id)
    f = request.form
    return _run(case, "draft", lambda: replies.draft_reply(
        case, f.get("reply_type", ""), f.get("letter"), actor(), today()))


@bp.post("/cases/<int:case_id>/reply/documents")
def add_document(case_id: int):
    case = _case(case_id)
    up = _upload("document")
    if up is None:
        return _render_case(case, {"document": _("请选择文件")}, "reply", 400)
    return _run(case, "document", lambda: replies.add_document(
        case, up, request.form.get("redacted") == "1", actor(), today()))


@bp.post("/cases/<int:case_id>/reply/documents/<int:item_id>/replace")
def replace_document(case_id: int, item_id: int):
    case = _case(case_id)
    up = _upload("document")
    if up is None:
        return _render_case(case, {"document": _("请选择文件")}, "reply", 400)
    return _run(case, "replace", lambda: replies.replace_document(case, item_id, up, actor(), today()))


@bp.post("/cases/<int:case_id>/reply/documents/<int:item_id>/remove")
def remove_document(case_id: int, item_id: int):
    case = _case(case_id)
    return _run(case, "remove", lambda: replies.remove_document(case, item_id, actor(), today()))


@bp.post("/cases/<int:case_id>/reply/submit")
def submit(case_id: int):
    case = _case(case_id)
    return _run(case, "submit", lambda: replies.submit_for_review(case, actor(), today()))


@bp.post("/cases/<int:case_id>/reply/items/<int:item_id>/decide")
def decide(case_id: int, item_id: int):
    case = _case(case_id)
    decision = request.form.get("decision", "")
    try:
        replies.decide(case, item_id, decision, request.form.get("reason"), actor(), today(),
                       version_id=request.form.get("version_id"),
                       sha256=request.form.get("sha256"))
    except ValidationFailed as exc:
        return _render_case(case, exc.errors, "reply", 400)
    except WorkflowError as exc:
        return _render_case(case, {f"reason-{item_id}": exc.message}, "reply", 409)
    flash(str(DECIDED[decision]), "ok")
    return redirect(request.form.get("back") == "queue" and url_for("review.review_queue")
                    or url_for("staff.case_view", case_id=case.id, _anchor="h-reply"))


@bp.post("/cases/<int:case_id>/notices/<int:notice_id>/decide")
def decide_notice(case_id: int, notice_id: int):
    """一事一审 for a notice: approving it releases it to the applicant (or third party)."""
    case = _case(case_id)
    f = request.form
    decision = f.get("decision", "")
    try:
        notices.decide(case, notice_id, decision, f.get("reason"), actor(), today(),
                       version_id=f.get("version_id"), sha256=f.get("sha256"))
    except ValidationFailed as exc:
        return _render_case(case, exc.errors, "notice", 400)
    except WorkflowError as exc:
        key = f"notice-reason-{notice_id}" if exc.code in ("reason_required", "bad_decision") else "_"
        return _render_case(case, {key: exc.message}, "notice", 409)
    flash(str(NOTICE_DECIDED.get(decision, DECIDED["approved"])), "ok")
    return redirect(request.form.get("back") == "queue" and url_for("review.review_queue")
                    or url_for("staff.case_view", case_id=case.id, _anchor="h-notices"))


@bp.post("/cases/<int:case_id>/notices/<int:notice_id>/revise")
def revise_notice(case_id: int, notice_id: int):
    case = _case(case_id)
    try:
        notices.revise(case, notice_id, request.form.get("text", ""), actor(), today())
    except ValidationFailed as exc:
        return _render_case(case, exc.errors, "notice", 400)
    except WorkflowError as exc:
        return _render_case(case, {"_": exc.message}, "notice", 409)
    flash(_("告知文书已修改，等待保密审查"), "ok")
    return redirect(url_for("staff.case_view", case_id=case.id, _anchor="h-notices"))


@bp.post("/cases/<int:case_id>/reply/sign-off")
def sign_off(case_id: int):
    case = _case(case_id)
    return _run(case, "sign_off", lambda: replies.sign_off(
        case, actor(), today(), version_id=request.form.get("version_id"),
        sha256=request.form.get("sha256")))


@bp.post("/cases/<int:case_id>/reply/release")
def release(case_id: int):
    case = _case(case_id)
    return _run(case, "release", lambda: replies.release_reply(case, actor(), today()))


@bp.get("/cases/<int:case_id>/items/<int:item_id>/versions/<int:version_id>")
def version_file(case_id: int, item_id: int, version_id: int):
    """Staff download of one exact version (what the reviewer reviews)."""
    case = db.session.get(Case, case_id)
    item = db.session.get(ReleaseItem, item_id)
    version = db.session.get(ItemVersion, version_id)
    if not case or not can_see(case) or not item or item.case_id != case.id or \
            not version or version.item_id != item.id or not version.stored_name:
        abort(404)
    return send_download({"stored_name": version.stored_name, "content_type": version.content_type,
                          "name": version.filename})


@bp.get("/review")
def review_queue():
    """Items waiting for a decision, oldest due date first, with the case's days left."""
    rows = queue(actor(), today())
    return render_template("staff/review_queue.html", rows=rows, action_form=ActionForm(),
                           notice_rows=notice_queue(actor(), today()),
                           can_review="reviewer" in current_user.roles)




@bp.get("/integrity")
def integrity_page():
    """The same checks as `flask check`, for the office and an inspector."""
    from ..services import integrity
    seq, digest = integrity.chain_head()
    return render_template("staff/integrity.html", problems=integrity.run(), head_seq=seq,
                           head_hash=digest)
