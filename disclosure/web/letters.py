"""Official letters as A4 PDF downloads: staff (any notice, the latest reply letter, the 回执)
and the applicant (own notices and the released reply, code posted like /status/document)."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, current_app, request, send_file

from ..extensions import db, limiter
from ..models import Case, Notice, ReleaseItem
from ..services import cases, pdf, review
from ..services.review import notices, replies
from ..timeutil import today
from .forms import StatusLookupForm
from .guards import STAFF_ROLES, can_see, guard_blueprint

bp = Blueprint("letters", __name__, url_prefix="/staff")
guard_blueprint(bp, STAFF_ROLES)
public_bp = Blueprint("public_letters", __name__)


def _send(letter: pdf.Letter):
    resp = send_file(BytesIO(pdf.render(letter)), mimetype="application/pdf",
                     as_attachment=True, download_name=letter.filename)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can_see(case):
        abort(404)
    return case


@bp.get("/cases/<int:case_id>/notices/<int:notice_id>.pdf")
def notice_pdf(case_id: int, notice_id: int):
    case = _case_or_404(case_id)
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.case_id != case.id:
        abort(404)
    return _send(pdf.from_notice(case, notice))


@bp.get("/cases/<int:case_id>/reply.pdf")
def reply_pdf(case_id: int):
    """The latest version of the reply letter; marked as a draft unless it is the one sent."""
    case = _case_or_404(case_id)
    reply = replies.reply_of(case)
    letter = db.session.get(ReleaseItem, reply.letter_item_id) \
        if reply and reply.letter_item_id else None
    if letter is None or letter.current is None:
        abort(404)
    released = review.released_versions([letter.id]).get(letter.id)
    sent = bool(released and released[1].id == letter.current.id and reply.released_on)
    return _send(pdf.from_reply(case, letter.current.text or "", reply.reply_type,
                                reply.released_on if sent else today(), draft=not sent))


@bp.get("/cases/<int:case_id>/receipt.pdf")
def receipt_pdf(case_id: int):
    case = _case_or_404(case_id)
    dl = cases.deadline_of(case, today())
    return _send(pdf.receipt(case, dl.due_on, dl.provisional))


def _lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


def _applicant_letter(case: Case, which: str) -> pdf.Letter | None:
    if which == "reply":
        r = replies.released_reply(case)
        if r is None or not r["letter"]:
            return None
        return pdf.from_reply(case, r["letter"], replies.reply_of(case).reply_type, r["replied_on"])
    notice = next((n for n in notices.for_case(case, applicant_only=True) if str(n.id) == which),
                  None)
    return pdf.from_notice(case, notice) if notice else None


@public_bp.post("/status/letter.pdf")
@limiter.limit(_lookup_limit)
def status_letter():
    """The applicant's copy of a notice addressed to them (field ``letter`` = its id) or of the
    released reply (``letter`` = "reply"); the same 404 for every failure."""
    form = StatusLookupForm()
    case = cases.lookup_for_applicant(form.tracking_no.data or "", form.query_code.data or "") \
        if form.validate_on_submit() else None
    letter = _applicant_letter(case, (request.form.get("letter") or "").strip()) if case else None
    if letter is None:
        abort(404)
    return _send(letter)
