"""Public JSON API v1 (docs/api.md): submit and follow an application."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from ..domain.errors import ValidationFailed
from ..domain.workflow import WorkflowError
from ..extensions import csrf, limiter
from ..services import applicant_view, case_actions, cases, code_recovery
from ..timeutil import as_local, today
from .downloads import send_download
from .openapi import document as openapi_document
from .uploads_form import uploaded_files

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _errors(errors: dict, status: int = 400):
    return jsonify({"errors": errors}), status


def _read_json():
    """The body as JSON, or an error response (413 / 415 / 400), never a 500."""
    limit = current_app.config["API_MAX_JSON_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        return None, (jsonify({"error": "请求内容过大", "status": 413}), 413)
    if request.mimetype != "application/json":
        return None, (jsonify({"error": "Content-Type 须为 application/json", "status": 415}), 415)
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        return None, (jsonify({"error": "请求内容过大", "status": 413}), 413)
    try:
        return json.loads(raw.decode("utf-8")), None
    except UnicodeDecodeError:
        return None, _errors({"": "请求内容不是有效的 UTF-8 文本"})
    except (ValueError, RecursionError):
        return None, _errors({"": "请求内容不是有效的 JSON"})


def _submit_limit():
    return current_app.config["SUBMIT_RATE_LIMIT"]


def _lookup_limit():
    return current_app.config["LOOKUP_RATE_LIMIT"]


def _created_body(sub: cases.Submission) -> dict:
    # the copies taken before the commit: no reload of the case (issue 18)
    return {"tracking_no": sub.tracking_no, "query_code": sub.query_code,
            "status": "submitted", "submitted_at": as_local(sub.submitted_at).isoformat()}


@bp.post("/applications")
@limiter.limit(_submit_limit)
def submit():
    payload, error = _read_json()
    if error:
        return error
    if not isinstance(payload, dict):
        return _errors({"": "请求内容应为 JSON 对象"})
    try:
        sub = cases.submit_online(payload, today=today())
    except ValidationFailed as exc:
        return _errors(exc.errors)
    except cases.IdempotencyConflict as exc:
        # The key is bound to the first submission: say so, and nothing about that case.
        return jsonify({"error": str(exc.message), "status": 409}), 409
    return jsonify(_created_body(sub)), 201


@bp.get("/applications/<tracking_no>")
@limiter.limit(_lookup_limit)
def follow(tracking_no: str):
    case = cases.lookup_for_applicant(tracking_no, request.headers.get("X-Query-Code"))
    if case is None:
        return jsonify({"error": "未找到该申请", "status": 404}), 404
    return jsonify(applicant_view.applicant_view(case, today()))


@bp.get("/applications/<tracking_no>/documents/<int:release_id>")
@limiter.limit(_lookup_limit)
def document(tracking_no: str, release_id: int):
    """A released document, for the applicant only (same 404 for every failure)."""
    case = cases.lookup_for_applicant(tracking_no, request.headers.get("X-Query-Code"))
    doc = applicant_view.released_document(case, release_id) if case else None
    if doc is None:
        return jsonify({"error": "未找到", "status": 404}), 404
    return send_download(doc)


def _supplement_body():
    """(text, files) from a multipart or JSON body, or an error response (400 / 413 / 415)."""
    if request.content_length is not None and \
            request.content_length > current_app.config["MAX_CONTENT_LENGTH"]:
        return None, (jsonify({"error": "请求内容过大", "status": 413}), 413)
    if request.mimetype == "multipart/form-data":
        files = uploaded_files("files", "files[]", unnamed="file")
        return (request.form.get("text", ""), files), None
    if request.mimetype != "application/json":
        return None, (jsonify({"error": "Content-Type 须为 multipart/form-data 或 application/json",
                               "status": 415}), 415)
    payload, error = _read_json()
    if error:
        return None, error
    if not isinstance(payload, dict):
        return None, _errors({"": "请求内容应为 JSON 对象"})
    text = payload.get("text", "")
    if not isinstance(text, str):
        return None, _errors({"text": "补正内容须为文本"})
    return (text, []), None


@bp.post("/applications/<tracking_no>/supplements")
@limiter.limit(_lookup_limit)
def supplement(tracking_no: str):
    """The applicant answers the 补正 (docs/api.md; docs/rules.md R4.2: the clock restarts
    today)."""
    case = cases.lookup_for_applicant(tracking_no, request.headers.get("X-Query-Code"))
    if case is None:
        return jsonify({"error": "未找到该申请", "status": 404}), 404
    body, error = _supplement_body()
    if error:
        return error
    text, files = body
    try:
        receipt = case_actions.submit_supplement(case, text, files, today())
    except ValidationFailed as exc:
        return _errors(exc.errors)
    except WorkflowError as exc:
        return jsonify({"error": str(exc.message), "status": 409}), 409
    return jsonify({"received_on": receipt.received_on.isoformat(),
                    "status": applicant_view.public_status(case)}), 201


def _query_code_limit():
    return current_app.config["QUERY_CODE_RATE_LIMIT"]


# The same answer whether or not the number exists (docs/api.md "Recover a lost query code").
QUERY_CODE_MESSAGE = ("如该申请编号存在且留有电子邮箱或手机号码，新的查询码将发送至预留的联系方式，"
                      "原查询码随即失效。未收到的，请与受理机关联系。")


@bp.post("/applications/<tracking_no>/query-code")
@limiter.limit(_query_code_limit)
def recover_query_code(tracking_no: str):
    """A lost query code: a new one goes to the contact on file (services.code_recovery.recover).
    Only a malformed number (no tracking number is that long) gets a different answer."""
    if len(tracking_no.strip()) > 64:
        return jsonify({"error": "申请编号格式不正确", "status": 400}), 400
    code_recovery.recover(tracking_no)
    return jsonify({"message": QUERY_CODE_MESSAGE}), 202


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
