"""Staff: the annual report into the proactive disclosure catalogue in one step (条例第四十九条)
— the button on the report page. The route belongs to the ``reports`` blueprint
(web/reports.py), so its endpoint is ``reports.publish_annual``; the box it answers to is
templates/staff/reports/_publish.html, which asks ``report_publication(r)``."""
from __future__ import annotations

import os

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..domain import report as rules
from ..domain.workflow import WorkflowError
from ..i18n import render_official, translate
from ..services.report import publish
from ..timeutil import today
from .forms import ActionForm
from .guards import actor
from .reports import bp


def _pdf(r) -> bytes | None:
    """The report's print view (the same as the CLI's standalone HTML) as PDF."""
    with open(os.path.join(current_app.static_folder, "report.css"), encoding="utf-8") as fh:
        css = fh.read()
    return publish.pdf_of(render_official(
        "staff/reports/annual_standalone.html", r=r, rules=rules, drill_url=None, printing=True,
        form=None, css=css))


@bp.post("/reports/annual/<int:year>/publish")
def publish_annual(year: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    code = request.form.get("agency", "")
    back = url_for("reports.annual", year=year, agency=code)
    try:
        entry = publish.submit(code, year, actor(), today(), render_pdf=_pdf)
    except publish.UnknownReport:
        abort(404)
    except publish.AlreadyDrafted as exc:
        flash(translate(exc.message), "error")
        if exc.entry is not None:
            return redirect(url_for("catalogue.entry_view", entry_id=exc.entry.id))
        return redirect(back)
    except WorkflowError as exc:
        if exc.code == "forbidden":
            abort(403)
        flash(translate(exc.message), "error")
        return redirect(back)
    flash(_("年度报告已放入主动公开目录并提交保密审查；"
            "审查同意后，在目录中确认发布即对外公开"), "ok")
    return redirect(url_for("catalogue.entry_view", entry_id=entry.id))


@bp.app_context_processor
def _publication():
    """``report_publication(r)`` for _publish.html: the state of this report's catalogue entry
    (None for a report of several agencies: each agency publishes its own)."""
    def state(r):
        s = r.scope
        if s.everyone or len(s.agencies) != 1:
            return None
        return publish.publication(actor(), s.agencies[0], s.year, today())
    return {"report_publication": state}
