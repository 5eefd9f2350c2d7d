"""The staff case page: rendering it (again, with a failed form's errors beside the form) and
the POST glue its forms share — the case a form was posted for, a step run on it."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..domain.errors import ValidationFailed
from ..domain.late_acts import LATE_ACT_LABELS
from ..domain.next_steps import STEP_LABELS
from ..domain.replies import REPLY_TYPES
from ..domain.workflow import ACTION_LABELS, ACTION_ROLES, WorkflowError
from ..models import Case
from ..services import case_view, proactive
from ..services.review import notices
from ..timeutil import today
from .forms import ActionForm, ConfirmForm, handler_choices
from .guards import actor, case_or_404
from .staff_actions import DISPATCH


def render_case(case: Case, errors: dict | None = None, failed: str | None = None, status=200,
                **extra):
    """The case page; ``failed`` names the form whose ``errors`` are shown (its input kept)."""
    who = actor()
    receipt = case_view.staff_receipt(session.pop("staff_receipt", None), case)
    page = case_view.staff_case_page(who, case, today())
    confirm_form = ConfirmForm(formdata=None)
    handler_choices(confirm_form, page["handlers"], page["default_handler"])
    return render_template(
        "staff/case.html", case=case, **page,
        actions=[s.action for s in page["steps"].steps if s.action in DISPATCH],
        labels=ACTION_LABELS, confirm_form=confirm_form, action_form=ActionForm(),
        receipt=receipt,
        reply_types=REPLY_TYPES, delivery_labels=notices.DELIVERY_LABELS,
        late_labels=LATE_ACT_LABELS, errors=errors or {}, failed=failed,
        values=request.form if failed else {},
        similar=proactive.panel(who, case),  # templates/staff/_similar.html
        **extra), status


def render_confirmation(case: Case, action: str, errors: dict | None = None, status=200):
    """The confirmation page of an irreversible step (domain.next_steps.IRREVERSIBLE): refused
    like the step itself when the step is not open to this user now."""
    steps = case_view.steps_for(actor(), case)
    if not steps.has(action):
        abort(409 if set(actor().roles) & ACTION_ROLES[action] else 403)
    on = None
    if action == "withdraw":
        raw = (request.form.get("on") or "").strip()
        try:
            on = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors, status = {"on": _("日期无效，请按 年-月-日 填写真实存在的日期"),
                              **(errors or {})}, 400
    try:
        preview = case_view.confirmation(case, action, on, today())
    except ValidationFailed as exc:  # an impossible day: say so, preview today
        errors, status = {**exc.errors, **(errors or {})}, 400
        preview = case_view.confirmation(case, action, None, today())
    return render_template(
        "staff/confirm.html", case=case, action=action,
        step_label=STEP_LABELS.get(action, ACTION_LABELS[action]),
        c=preview, errors=errors or {},
        values=request.form, action_form=ActionForm()), status


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
