"""Public pages: what 依申请公开 is, the online application, the receipt, the status page."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from ..domain.errors import ValidationFailed
from ..domain.workflow import WorkflowError
from ..extensions import limiter
from ..i18n import translate
from ..services import applicant_view, case_actions, cases, directory, query_codes
from ..services.review import catalogue
from ..timeutil import today
from .downloads import send_download
from .forms import OnlineApplicationForm, StatusLookupForm
from .uploads_form import application_files, uploaded_files

bp = Blueprint("public", __name__)


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def _lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


@bp.get("/")
def home():
    return render_template("public/home.html", agencies=directory.public_agencies())


@bp.route("/apply", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def apply():
    agencies = directory.public_agencies()
    if not agencies:
        abort(503)
    agency_code = request.values.get("agency", agencies[0].code)
    form = OnlineApplicationForm()
    loose: list[str] = []
    if form.validate_on_submit():
        try:
            sub = cases.submit_online(form.payload(), agency_code=agency_code,
                                      files=application_files(form), today=today())
        except ValidationFailed as exc:
            loose = form.put_errors(exc.errors)
        else:
            # The session cookie is signed, not encrypted: it gets a token and a one-time pad,
            # never the code itself (services.query_codes.keep_for_receipt).
            session["receipt"] = query_codes.keep_for_receipt(sub.case, sub.query_code)
            return redirect(url_for("public.receipt", tracking_no=sub.case.tracking_no))
    elif request.method == "POST":
        csrf = getattr(form, "csrf_token", None)
        if csrf is not None and csrf.errors:
            loose = [_("页面已过期，请重新提交（您填写的内容已保留）")]
        else:
            loose = [e for errs in form.errors.values() for e in errs]
    status = 400 if request.method == "POST" else 200
    return render_template("public/apply.html", form=form, loose=loose, agencies=agencies,
                           agency_code=agency_code), status


@bp.get("/receipt/<tracking_no>")
def receipt(tracking_no: str):
    """回执 with the query code: only in the session that submitted, for RECEIPT_CODE_MINUTES
    (the code is not stored in clear anywhere, nor in the cookie)."""
    data = session.get("receipt")
    if not isinstance(data, dict) or data.get("tracking_no") != tracking_no:
        abort(404)
    case = cases.find_by_tracking(tracking_no)
    if case is None:
        abort(404)
    code = query_codes.code_for_receipt(data, case)
    if code is None:
        abort(404)
    resp = make_response(render_template("public/receipt.html", case=case, query_code=code))
    return resp


@bp.post("/receipt/<tracking_no>/done")
def receipt_done(tracking_no: str):
    query_codes.discard_receipt(session.pop("receipt", None))
    return redirect(url_for("public.status"))


@bp.route("/status", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def status():
    form = StatusLookupForm()
    view = error = None
    if form.validate_on_submit():
        case = cases.lookup_for_applicant(form.tracking_no.data or "", form.query_code.data or "")
        if case is None:
            error = _("未找到该申请：请核对申请编号和查询码")
        else:
            view = applicant_view.status_page(case, today())
    code = 404 if error else 200
    return render_template("public/status.html", form=form, view=view, error=error), code


@bp.post("/status/supplement")
@limiter.limit(_lookup_limit)
def status_supplement():
    """The applicant answers the 补正 from the status page (code posted again, re-verified)."""
    form = StatusLookupForm()
    case = cases.lookup_for_applicant(form.tracking_no.data or "", form.query_code.data or "") \
        if form.validate_on_submit() else None
    if case is None:
        return render_template("public/status.html", form=form, view=None,
                               error=_("未找到该申请：请核对申请编号和查询码")), 404
    text = request.form.get("text", "")
    files = uploaded_files("files")
    receipt = None
    sup_errors: dict = {}
    try:
        receipt = case_actions.submit_supplement(case, text, files, today())
    except ValidationFailed as exc:
        sup_errors = {k: translate(v) for k, v in exc.errors.items()}
    except WorkflowError as exc:
        sup_errors = {"": translate(exc.message)}
    view = applicant_view.status_page(case, today())
    status = 400 if sup_errors else 200
    return render_template("public/status.html", form=form, view=view, error=None,
                           sup_errors=sup_errors, sup_text=text if sup_errors else "",
                           sup_receipt=receipt), status


@bp.post("/status/document")
@limiter.limit(_lookup_limit)
def status_document():
    """Download a released document from the status page (code posted, not in the URL)."""
    form = StatusLookupForm()
    case = cases.lookup_for_applicant(form.tracking_no.data or "", form.query_code.data or "") \
        if form.validate_on_submit() else None
    try:
        release_id = int(request.form.get("release_id", ""))
    except ValueError:
        release_id = -1
    doc = applicant_view.released_document(case, release_id) if case else None
    if doc is None:
        abort(404)
    return send_download(doc)


@bp.get("/catalogue")
def catalogue_index():
    """政府信息公开目录: published entries only."""
    category = request.args.get("category") or None
    q = (request.args.get("q") or "").strip()[:100] or None
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    entries, total = catalogue.public_list(category, q, page)
    return render_template("public/catalogue.html", entries=entries, total=total, page=page,
                           category=category, q=q, labels=catalogue.CATEGORY_LABELS)


@bp.get("/catalogue/<int:entry_id>")
def catalogue_entry(entry_id: int):
    view = catalogue.public_entry(entry_id)
    if view is None:
        abort(404)
    return render_template("public/catalogue_entry.html", view=view,
                           labels=catalogue.CATEGORY_LABELS)


@bp.get("/catalogue/<int:entry_id>/files/<int:release_id>")
def catalogue_file(entry_id: int, release_id: int):
    view = catalogue.public_entry(entry_id)
    doc = next((f for f in view.files if f["release_id"] == release_id), None) if view else None
    if doc is None:
        abort(404)
    return send_download(doc)


@bp.get("/lang/<code>")
def set_language(code: str):
    resp = redirect(request.referrer if request.referrer and request.referrer.startswith(
        request.host_url) else url_for("public.home"))
    if code in current_app.config["LANGUAGES"]:
        resp.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return resp
