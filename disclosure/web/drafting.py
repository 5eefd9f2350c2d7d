"""Staff: drafting the reply — its letter and documents — and submitting it for review. The
routes belong to the ``review`` blueprint (web/review.py), so their endpoints stay
``review.draft``, ``review.add_document``…"""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ..services.review import replies
from ..timeutil import today
from .case_page import posted_case, render_case, run_on_case
from .guards import actor
from .review import bp
from .uploads_form import uploaded


@bp.post("/cases/<int:case_id>/reply")
def draft(case_id: int):
    case = posted_case(case_id)
    f = request.form
    if f.get("then") == "submit":  # 保存并提交保密审查: one click for the usual last move
        return run_on_case(case, lambda: replies.draft_and_submit(
            case, f.get("reply_type", ""), f.get("letter"), actor(), today(),
            f.get("holder")), _("答复已保存并提交保密审查"))
    return run_on_case(case, lambda: replies.draft_reply(
        case, f.get("reply_type", ""), f.get("letter"), actor(), today(), f.get("holder")),
        _("答复已保存"))


@bp.post("/cases/<int:case_id>/reply/documents")
def add_document(case_id: int):
    case = posted_case(case_id)
    up = uploaded("document")
    if up is None:
        return render_case(case, {"document": _("请选择文件")}, "reply", 400)
    return run_on_case(case, lambda: replies.add_document(
        case, up, request.form.get("redacted") == "1", actor(), today()), _("附件已添加"))


@bp.post("/cases/<int:case_id>/reply/documents/<int:item_id>/replace")
def replace_document(case_id: int, item_id: int):
    case = posted_case(case_id)
    up = uploaded("document")
    if up is None:
        return render_case(case, {"document": _("请选择文件")}, "reply", 400)
    return run_on_case(case, lambda: replies.replace_document(case, item_id, up, actor(), today()),
                       _("附件已替换（新版本需重新审查）"))


@bp.post("/cases/<int:case_id>/reply/documents/<int:item_id>/remove")
def remove_document(case_id: int, item_id: int):
    case = posted_case(case_id)
    return run_on_case(case, lambda: replies.remove_document(case, item_id, actor(), today()),
                       _("附件已移除"))


@bp.post("/cases/<int:case_id>/reply/submit")
def submit(case_id: int):
    case = posted_case(case_id)
    return run_on_case(case, lambda: replies.submit_for_review(case, actor(), today()),
                       _("已提交保密审查"))
