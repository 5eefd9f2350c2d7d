"""The staff case page: rendering it (again, with a failed form's errors beside the form) and
the POST glue its forms share — the case a form was posted for, a step run on it."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for

from ..domain.errors import ValidationFailed
from ..domain.late_acts import LATE_ACT_LABELS
from ..domain.replies import REPLY_TYPES
from ..domain.workflow import ACTION_LABELS, WorkflowError, allowed_actions
from ..models import Case
from ..services import case_view
from ..services.review import notices
from ..timeutil import today
from .forms import ActionForm, ConfirmForm
from .guards import actor, case_or_404
from .staff_actions import DISPATCH


def render_case(case: Case, errors: dict | None = None, failed: str | None = None, status=200,
                **extra):
    """The case page; ``failed`` names the form whose ``errors`` are shown (its input kept)."""
    who = actor()
    receipt = case_view.staff_receipt(session.pop("staff_receipt", None), case)
    page = case_view.staff_case_page(who, case, today())
    return render_template(
        "staff/case.html", case=case, **page,
        actions=[a for a in allowed_actions(case.status, who.roles)
                 if a in DISPATCH or a == "confirm_receipt"], labels=ACTION_LABELS,
        confirm_form=ConfirmForm(), action_form=ActionForm(), receipt=receipt,
        reply_types=REPLY_TYPES, delivery_labels=notices.DELIVERY_LABELS,
        late_labels=LATE_ACT_LABELS, errors=errors or {}, failed=failed,
        values=request.form if failed else {}, **extra), status


def posted_case(case_id: int) -> Case:
    """The case a button on its page was posted for: 404 if not visible, 400 without a valid
    CSRF token."""
    case = case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return case


def run_on_case(case: Case, fn, done, failed: str = "reply", anchor: str = "h-reply"):
    """Run ``fn`` (one service call); its refusal is shown on the case page beside the form
    ``failed`` (400 invalid input, 409 not now), success is flashed (``done``) back at
    ``anchor``."""
    try:
        fn()
    except ValidationFailed as exc:
        return render_case(case, exc.errors, failed, 400)
    except WorkflowError as exc:
        return render_case(case, {"_": exc.message}, failed, 409)
    flash(str(done), "ok")
    return redirect(url_for("staff.case_view", case_id=case.id, _anchor=anchor))
