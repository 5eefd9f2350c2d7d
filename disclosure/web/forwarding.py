"""转办 before acceptance (issue 17): the page that says what forwarding does, then does it.
Routes on the staff blueprint (imported by web/__init__ before it is registered)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..domain.errors import ValidationFailed
from ..domain.workflow import ACTION_ROLES, WorkflowError
from ..services import case_view, forwarding
from ..timeutil import today
from .forms import ActionForm
from .guards import actor, case_or_404
from .staff import bp


def _page(case, errors=None, status=200):
    if not case_view.steps_for(actor(), case).has("forward"):
        abort(409 if set(actor().roles) & ACTION_ROLES["forward"] else 403)
    return render_template("staff/forward.html", case=case, targets=forwarding.targets(case),
                           errors=errors or {}, values=request.form,
                           action_form=ActionForm()), status


@bp.get("/cases/<int:case_id>/forward")
def forward_page(case_id: int):
    return _page(case_or_404(case_id))


@bp.post("/cases/<int:case_id>/forward")
def forward(case_id: int):
    case = case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    number = case.tracking_no
    try:
        target = forwarding.forward(case, request.form.get("to_agency"),
                                    request.form.get("reason"), actor(), today())
    except ValidationFailed as exc:
        return _page(case, exc.errors, 400)
    except WorkflowError as exc:
        return _page(case, {"_": exc.message}, 409 if exc.code != "forbidden" else 403)
    # the case now belongs to the other agency: this user can no longer open it
    flash(_("已将申请 %(no)s 转送%(agency)s，由其确认收到后开始计算答复期限",
            no=number, agency=target.name), "ok")
    return redirect(url_for("staff.dashboard"))
