"""Public JSON API v1 (spec/api.md): submit and follow an application."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from ..extensions import csrf, limiter
from ..services import cases, tracking
from ..timeutil import as_local, today
from .downloads import send_download
from .openapi import document as openapi_document

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
    return {"tracking_no": sub.case.tracking_no, "query_code": sub.query_code,
            "status": "submitted", "submitted_at": as_local(sub.case.submitted_at).isoformat()}


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
    except cases.ValidationFailed as exc:
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
    return jsonify(tracking.applicant_view(case, today()))


@bp.get("/applications/<tracking_no>/documents/<int:release_id>")
@limiter.limit(_lookup_limit)
def document(tracking_no: str, release_id: int):
    """A released document, for the applicant only (same 404 for every failure)."""
    case = cases.lookup_for_applicant(tracking_no, request.headers.get("X-Query-Code"))
    doc = tracking.released_document(case, release_id) if case else None
    if doc is None:
        return jsonify({"error": "未找到", "status": 404}), 404
    return send_download(doc)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
