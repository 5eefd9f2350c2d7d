"""Staff: "纳入主动公开" (条例第四十四条, issue 17) — a catalogue draft from a case's released
reply. The route belongs to the ``catalogue`` blueprint (web/catalogue.py), so its endpoint is
``catalogue.from_case`` and it shares that blueprint's staff guard; web/__init__.py imports this
module before the blueprint is registered."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from ..domain.errors import ValidationFailed
from ..domain.workflow import WorkflowError
from ..services import proactive
from ..timeutil import today
from .case_page import posted_case, render_case
from .catalogue import bp
from .guards import actor


@bp.post("/from-case/<int:case_id>")
def from_case(case_id: int):
    """Creates a DRAFT only: it is public once reviewed and published like any entry."""
    case = posted_case(case_id)
    try:
        entry = proactive.propose(case, actor(), today(),
                                  category=request.form.get("category") or "other")
    except ValidationFailed as exc:
        return render_case(case, exc.errors, "proactive", 400)
    except WorkflowError as exc:
        return render_case(case, {"_": exc.message}, "proactive", 409)
    flash(_("已生成主动公开目录草稿：请核对内容，经保密审查同意并发布后才对外公开"), "ok")
    return redirect(url_for("catalogue.entry_view", entry_id=entry.id))
