"""Staff: the confidentiality review — the queue, the per-item and per-notice decisions — then
sign-off, release and the download of one exact version. This module holds the ``review``
blueprint; web/drafting.py (the reply being drafted) and web/integrity.py (the integrity page)
add their routes to it, so the endpoint names stay ``review.*``."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..domain.errors import ValidationFailed
from ..domain.workflow import WorkflowError
from ..services import access, uploads
from ..services.review import diff, notices, replies
from ..services.review.queue import notice_queue, queue
from ..timeutil import today
from .case_page import posted_case, render_case, run_on_case
from .downloads import send_download
from .forms import ActionForm
from .guards import STAFF_ROLES, actor, case_or_404, found_or_404, guard_blueprint

bp = Blueprint("review", __name__, url_prefix="/staff")
guard_blueprint(bp, STAFF_ROLES)

DECIDED = {"approved": _l("已同意"), "rejected": _l("已退回修改"),
           "referred": _l("已报送确定（暂停计时）")}
NOTICE_DECIDED = {"approved": _l("已同意，告知文书已发出"), "rejected": _l("已退回修改"),
                  "referred": _l("已报送确定")}


def _back(case, anchor: str):
    """After a decision: back to the queue it was taken from, or to the case page."""
    return redirect(request.form.get("back") == "queue" and url_for("review.review_queue")
                    or url_for("staff.case_view", case_id=case.id, _anchor=anchor))


@bp.post("/cases/<int:case_id>/reply/items/<int:item_id>/decide")
def decide(case_id: int, item_id: int):
    case = posted_case(case_id)
    decision = request.form.get("decision", "")
    try:
        applied = replies.decide(case, item_id, decision, request.form.get("reason"), actor(),
                                 today(), version_id=request.form.get("version_id"),
                                 sha256=request.form.get("sha256"))
    except ValidationFailed as exc:
        return render_case(case, exc.errors, "reply", 400)
    except WorkflowError as exc:
        return render_case(case, {f"reason-{item_id}": exc.message}, "reply", 409)
    if applied == "return_to_drafting":  # the last decision of a round with a rejection
        flash(_("审查完毕：有内容被退回，案件已退回承办人修改"), "ok")
    elif decision == "rejected":
        flash(_("已退回；其余内容审查完毕后，案件退回承办人修改"), "ok")
    else:
        flash(str(DECIDED[decision]), "ok")
    return _back(case, "h-reply")


@bp.post("/cases/<int:case_id>/notices/<int:notice_id>/decide")
def decide_notice(case_id: int, notice_id: int):
    """一事一审 for a notice: approving it releases it to the applicant (or third party)."""
    case = posted_case(case_id)
    f = request.form
    decision = f.get("decision", "")
    try:
        notices.decide(case, notice_id, decision, f.get("reason"), actor(), today(),
                       version_id=f.get("version_id"), sha256=f.get("sha256"))
    except ValidationFailed as exc:
        return render_case(case, exc.errors, "notice", 400)
    except WorkflowError as exc:
        key = f"notice-reason-{notice_id}" if exc.code in ("reason_required", "bad_decision") \
            else "_"
        return render_case(case, {key: exc.message}, "notice", 409)
    flash(str(NOTICE_DECIDED.get(decision, DECIDED["approved"])), "ok")
    return _back(case, "h-notices")


@bp.post("/cases/<int:case_id>/notices/<int:notice_id>/revise")
def revise_notice(case_id: int, notice_id: int):
    case = posted_case(case_id)
    return run_on_case(case, lambda: notices.revise(case, notice_id, request.form.get("text", ""),
                                                    actor(), today()),
                       _("告知文书已修改，等待保密审查"), failed="notice", anchor="h-notices")


@bp.post("/cases/<int:case_id>/reply/sign-off")
def sign_off(case_id: int):
    case = posted_case(case_id)
    return run_on_case(case, lambda: replies.sign_off(
        case, actor(), today(), version_id=request.form.get("version_id"),
        sha256=request.form.get("sha256")), _("已签发"))


@bp.post("/cases/<int:case_id>/reply/release")
def release(case_id: int):
    case = posted_case(case_id)
    return run_on_case(case, lambda: replies.release_reply(case, actor(), today()),
                       _("答复已发出，案件办结"))


@bp.get("/cases/<int:case_id>/items/<int:item_id>/versions/<int:version_id>")
def version_file(case_id: int, item_id: int, version_id: int):
    """Staff download of one exact version (what the reviewer reviews)."""
    case = case_or_404(case_id)
    version = found_or_404(access.load_version(actor(), version_id, item_id=item_id,
                                               case_id=case.id))
    if not version.stored_name:  # a text version: printed, not downloaded
        abort(404)
    return send_download({"stored_name": version.stored_name, "content_type": version.content_type,
                          "name": version.filename})


# The preview of one version, framed by the case page (same origin only): a PDF or image is
# shown inline under its sniffed type; the response may run nothing (it is never HTML/SVG) and
# no other origin may frame it. Every other response keeps the app's headers (DENY, 'none').
PREVIEW_CSP = ("default-src 'none'; object-src 'self'; img-src 'self'; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'self'")


@bp.get("/cases/<int:case_id>/items/<int:item_id>/versions/<int:version_id>/preview")
def version_preview(case_id: int, item_id: int, version_id: int):
    """The reviewer's inline view of one exact version — access exactly as the download."""
    case = case_or_404(case_id)
    version = found_or_404(access.load_version(actor(), version_id, item_id=item_id,
                                               case_id=case.id))
    if diff.preview_kind(version.content_type, version.stored_name) is None:
        abort(404)  # a text version, or a type that is only ever downloaded (OFD)
    resp = send_file(uploads.path_of(version.stored_name), mimetype=version.content_type,
                     as_attachment=False, download_name=version.filename)
    h = resp.headers
    h["X-Content-Type-Options"] = "nosniff"
    h["Content-Security-Policy"] = PREVIEW_CSP
    h["X-Frame-Options"] = "SAMEORIGIN"
    h["Cross-Origin-Resource-Policy"] = "same-origin"
    h["Cache-Control"] = "no-store"  # a draft under review: like every staff page
    return resp


@bp.app_template_global()
def version_comparison(previous, current):
    """The review table's 「与第 N 版对比」: ``current`` against the version before it."""
    return diff.compare(previous, current)


@bp.app_template_global()
def version_preview_kind(version) -> str | None:
    """'pdf' / 'image' when the version's file may be shown inline, else None."""
    return diff.preview_kind(version.content_type, version.stored_name)


@bp.get("/review")
def review_queue():
    """Items waiting for a decision, oldest due date first, with the case's days left."""
    rows = queue(actor(), today())
    return render_template("staff/review_queue.html", rows=rows, action_form=ActionForm(),
                           notice_rows=notice_queue(actor(), today()),
                           can_review="reviewer" in current_user.roles)
