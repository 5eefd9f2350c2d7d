"""Official letters as A4 PDF downloads: staff (any notice, the latest reply letter, the 回执)
and the applicant (own notices and the released reply, code posted like /status/document)."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _

from ..extensions import limiter
from ..services import cases, letters, pdf
from ..timeutil import today
from .forms import StatusLookupForm
from .guards import STAFF_ROLES, actor, case_or_404, found_or_404, guard_blueprint

bp = Blueprint("letters", __name__, url_prefix="/staff")
guard_blueprint(bp, STAFF_ROLES)
public_bp = Blueprint("public_letters", __name__)


def _send(letter: pdf.Letter):
    try:
        data = pdf.render(letter)
    except pdf.PdfUnavailable as exc:
        return _pdf_unavailable(exc)
    resp = send_file(BytesIO(data), mimetype="application/pdf",
                     as_attachment=True, download_name=letter.filename)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def _pdf_unavailable(exc: Exception):
    """WeasyPrint or its system libraries are missing on this server: a 503 page saying so (in
    the reader's language), not a 500; staff are told how to install it."""
    current_app.logger.error("PDF letters unavailable: %s (%s)", exc, exc.__cause__)
    if request.blueprint == bp.name:
        message = _("PDF 生成组件未安装，暂时无法生成 PDF 文件。请系统管理员运行 scripts/setup.sh "
                    "安装 WeasyPrint 及其系统库和中文字体。")
    else:
        message = _("PDF 生成组件未安装，暂时无法生成 PDF 文件。请稍后再试，或联系本机关。")
    return render_template("errors/error.html", code=503, message=message), 503


@bp.get("/cases/<int:case_id>/notices/<int:notice_id>.pdf")
def notice_pdf(case_id: int, notice_id: int):
    case = case_or_404(case_id)
    return _send(found_or_404(letters.notice_letter(actor(), case, notice_id)))


@bp.get("/cases/<int:case_id>/reply.pdf")
def reply_pdf(case_id: int):
    """The latest version of the reply letter; marked as a draft unless it is the one sent."""
    case = case_or_404(case_id)
    return _send(found_or_404(letters.reply_letter(case, today())))


@bp.get("/cases/<int:case_id>/receipt.pdf")
def receipt_pdf(case_id: int):
    return _send(letters.receipt_letter(case_or_404(case_id), today()))


def _lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


@public_bp.post("/status/letter.pdf")
@limiter.limit(_lookup_limit)
def status_letter():
    """The applicant's copy of a notice addressed to them (field ``letter`` = its id) or of the
    released reply (``letter`` = "reply"); the same 404 for every failure."""
    form = StatusLookupForm()
    case = cases.lookup_for_applicant(form.tracking_no.data or "", form.query_code.data or "") \
        if form.validate_on_submit() else None
    which = (request.form.get("letter") or "").strip()
    letter = letters.applicant_letter(case, which) if case else None
    if letter is None:
        abort(404)
    return _send(letter)
