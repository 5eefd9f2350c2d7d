"""Public pages: what 依申请公开 is, the online application, the receipt, the status page, and
the page that sends a new query code to the contact on file (issue 16)."""
from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from ..domain import application as rules
from ..domain.errors import ValidationFailed
from ..domain.workflow import WorkflowError
from ..extensions import limiter
from ..i18n import translate
from ..services import (
    applicant_view,
    case_actions,
    cases,
    code_recovery,
    directory,
    query_codes,
    search,
)
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


def _recover_limit() -> str:
    """The same per-client limit as the API's POST …/query-code: each request may send a
    message."""
    return current_app.config["QUERY_CODE_RATE_LIMIT"]


def _similar_limit() -> str:
    """"已经公开了吗" asks while the applicant types (debounced): more often than a lookup, and
    each answer costs one indexed query."""
    return current_app.config.get("SIMILAR_RATE_LIMIT", "120/minute")


# No tracking number is longer (the API answers such a number with a 400 as well).
TRACKING_NO_MAX = 64


class RecoverForm(FlaskForm):
    tracking_no = StringField(_l("申请编号"))


@bp.get("/")
def home():
    return render_template("public/home.html", agencies=directory.public_agencies())


@bp.route("/apply", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def apply():
    """The online application in two steps (issue 16). POST of the form ("下一步") checks it
    and shows the review page: every answer read-only, the files to attach, "修改" (back to the
    form, everything kept) and "确认提交". Only the confirmation (step=confirm) creates the case.

    Files are chosen on the review page, not in the form: a browser cannot carry a chosen file
    across pages, and keeping uploads server-side between the steps would store an applicant's
    identity scans before they decided to apply. The review page carries an idempotency key of
    its own (services.cases.submit_online), so a confirmation posted twice — a double click, a
    resubmitted page — gives the one case and its receipt."""
    agencies = directory.public_agencies()
    if not agencies:
        abort(503)
    agency_code = request.values.get("agency", agencies[0].code)
    form = OnlineApplicationForm()
    step = request.form.get("step", "review") if request.method == "POST" else None
    id_proof = bool(current_app.config.get("APPLY_REQUIRE_ID_PROOF"))
    if id_proof:  # APPLY_REQUIRE_ID_PROOF: a natural person must attach proof of identity
        form.id_scan.label.text = _("身份证明材料")

    def page(template: str, status: int, loose=(), key: str | None = None):
        return render_template(template, form=form, loose=list(loose), agencies=agencies,
                               agency_code=agency_code, id_proof_required=id_proof,
                               idempotency_key=key), status

    if step is None or step == "edit":  # the form; "修改" brings back everything as typed
        return page("public/apply.html", 200)
    if not form.validate_on_submit():
        csrf = getattr(form, "csrf_token", None)
        if csrf is not None and csrf.errors:
            return page("public/apply.html", 400,
                        [_("页面已过期，请重新提交（您填写的内容已保留）")])
        return page("public/apply.html", 400, [e for errs in form.errors.values() for e in errs])
    if step != "confirm":  # the review page: the domain's checks, nothing is written
        _app, errors = rules.validate_application(
            {**form.payload(), "agency": agency_code}, require_agency=True)
        if agency_code not in {a.code for a in agencies}:
            errors["agency"] = _("受理机关不存在")
        if errors:
            return page("public/apply.html", 400, form.put_errors(errors))
        return page("public/apply_review.html", 200, key="web-" + secrets.token_urlsafe(18))

    files = application_files(form)
    kinds = [kind for kind, _up in files]
    key = request.form.get("idempotency_key") or None
    payload = form.payload() | ({"idempotency_key": key} if key else {})
    try:
        if missing := rules.id_proof_errors(form.applicant_type.data, kinds, required=id_proof):
            _app, errors = rules.validate_application({**payload, "agency": agency_code})
            raise ValidationFailed({**errors, **missing})
        sub = cases.submit_online(payload, agency_code=agency_code, files=files, today=today())
    except ValidationFailed as exc:
        loose = form.put_errors(exc.errors, kinds)
        if all(path.startswith("attachments.") for path in exc.errors):
            # only the files: the review page again, to choose them again
            return page("public/apply_review.html", 400, loose, key=key)
        return page("public/apply.html", 400, loose)
    except cases.IdempotencyConflict:  # this review page's application was sent already
        return page("public/apply.html", 400, [_(
            "这份申请已经提交过，同一个核对页面不能再提交另一份内容。"
            "如需另外提出申请，请核对下面的内容后点“下一步”。")])
    # The session cookie is signed, not encrypted: it gets a token and a one-time pad,
    # never the code itself (services.query_codes.keep_for_receipt).
    session["receipt"] = query_codes.keep_for_receipt(sub.case, sub.query_code)
    return redirect(url_for("public.receipt", tracking_no=sub.case.tracking_no))


SIMILAR_MAX = 200  # characters of a subject looked up (search.QUERY_MAX)
SIMILAR_MIN = 2


@bp.get("/apply/similar")
@limiter.limit(_similar_limit)
def apply_similar():
    """"可能已经公开" (条例第四十四条, issue 17): up to five PUBLISHED catalogue entries like the
    subject being typed — never a reply, never a draft (services.search.public_similar). JSON
    for apply.js; the form works the same without it."""
    q = (request.args.get("q") or "").strip()
    if len(q) > SIMILAR_MAX:
        return jsonify({"errors": {"q": _("不能超过 %(n)s 字", n=SIMILAR_MAX)}}), 400
    if len(q) < SIMILAR_MIN:
        return jsonify([])
    return jsonify([{
        "title": e.title, "doc_number": e.doc_number,
        "issued_on": e.issued_on.isoformat() if e.issued_on else None,
        "published_on": e.published_on.isoformat(),
        "repealed": e.repealed_on is not None,
        "url": url_for("public.catalogue_entry", entry_id=e.id),
    } for e in search.public_similar(q, limit=5)])


@bp.get("/receipt/<tracking_no>")
def receipt(tracking_no: str):
    """回执 with the query code: only in the session that submitted, for RECEIPT_CODE_MINUTES
    (the code is not stored in clear anywhere, nor in the cookie). Afterwards — or in another
    browser, or for a number that does not exist: the same page for all — a 404 page that says
    why and where to go: the status page (which shows the receipt without the code) and the
    page that sends a new code."""
    data = session.get("receipt")
    case = cases.find_by_tracking(tracking_no) \
        if isinstance(data, dict) and data.get("tracking_no") == tracking_no else None
    code = query_codes.code_for_receipt(data, case) if case is not None else None
    if code is None:
        return render_template("public/receipt_gone.html"), 404
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
    if request.method == "GET" and not form.tracking_no.data:
        # the link in the applicant's e-mail / SMS names the number (never the code)
        form.tracking_no.data = (request.args.get("no") or "").strip()[:64]
    if form.validate_on_submit():
        case = cases.lookup_for_applicant(form.tracking_no.data or "", form.query_code.data or "")
        if case is None:
            error = _("未找到该申请：请核对申请编号和查询码")
        else:
            view = applicant_view.status_page(case, today())
    code = 404 if error else 200
    return render_template("public/status.html", form=form, view=view, error=error), code


@bp.post("/status/receipt")
@limiter.limit(_lookup_limit)
def status_receipt():
    """The 回执 again, from the status page (code posted again, re-verified) — without the query
    code, which is shown only once."""
    form = StatusLookupForm()
    case = cases.lookup_for_applicant(form.tracking_no.data or "", form.query_code.data or "") \
        if form.validate_on_submit() else None
    if case is None:
        return render_template("public/status.html", form=form, view=None,
                               error=_("未找到该申请：请核对申请编号和查询码")), 404
    return render_template("public/receipt.html", case=case, query_code=None,
                           view=applicant_view.applicant_view(case, today()))


@bp.route("/status/recover", methods=["GET", "POST"])
@limiter.limit(_recover_limit, methods=["POST"])
def status_recover():
    """A lost query code: a new one goes to the e-mail address or phone on file
    (services.code_recovery.recover, as the API's POST …/query-code). The answer is the same
    whether or not the number exists, has a contact, or reached the day's limit."""
    form = RecoverForm()
    sent = False
    error = None
    if form.validate_on_submit():
        number = (form.tracking_no.data or "").strip()
        if not number:
            error = _("请填写申请编号")
        elif len(number) > TRACKING_NO_MAX:
            error = _("申请编号格式不正确")
        else:
            code_recovery.recover(number)
            sent = True
            form.tracking_no.data = ""
    elif request.method == "POST":
        error = _("页面已过期，请重新提交（您填写的内容已保留）")
    status = 400 if error else 200
    return render_template("public/recover.html", form=form, sent=sent, error=error), status


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
    """政府信息公开目录: published entries only; a query searches their titles, 文号 and texts
    (services.search: every word, best matches first)."""
    category = request.args.get("category") or None
    q = (request.args.get("q") or "").strip()[:search.QUERY_MAX] or None
    try:
        page = min(max(1, int(request.args.get("page", 1))), 10_000)
    except ValueError:
        page = 1
    if q:
        entries, total = search.public_catalogue(q, category, page)
    else:
        entries, total = catalogue.public_list(category, None, page)
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


@bp.get("/guide")
def guide_index():
    """政府信息公开指南 (条例第二十二条): every agency, where to find it, and its guide."""
    return render_template("public/guide.html", agencies=directory.public_agencies(),
                           agency=None)


@bp.get("/guide/<code>")
def guide(code: str):
    agency = next((a for a in directory.public_agencies() if a.code == code), None)
    if agency is None:
        abort(404)
    return render_template("public/guide.html", agencies=None, agency=agency)


@bp.get("/lang/<code>")
def set_language(code: str):
    resp = redirect(request.referrer if request.referrer and request.referrer.startswith(
        request.host_url) else url_for("public.home"))
    if code in current_app.config["LANGUAGES"]:
        resp.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return resp
