"""Staff: the annual report (政府信息公开工作年度报告), its drill-down, statistics, appeals."""
from __future__ import annotations

import json

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from ..domain import report as rules
from ..domain.codes import Role
from ..extensions import db
from ..models import Agency, Appeal
from ..services import appeals
from ..services import report as svc
from ..services.cases import ValidationFailed
from ..timeutil import today
from .forms import ActionForm
from .guards import STAFF_ROLES, actor, guard_blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff")
guard_blueprint(bp, STAFF_ROLES)

PAGE_SIZE = 100


class ReportYearForm(FlaskForm):
    agency = HiddenField()
    narrative = TextAreaField("一、总体情况（草稿由系统根据数据生成，可修改）")
    licensing_decisions = StringField("行政许可 · 本年处理决定数量")
    penalty_decisions = StringField("行政处罚 · 本年处理决定数量")
    enforcement_decisions = StringField("行政强制 · 本年处理决定数量")
    fee_item_amount_10k = StringField("行政事业性收费 · 本年收费金额（单位：万元）")
    problems = TextAreaField("五、存在的主要问题及改进情况")
    other_matters = TextAreaField("六、其他需要报告的事项")


# -- scope: year and agencies the user may read --------------------------------------------------
def _year(value, default: int | None = None) -> int:
    try:
        year = int(value) if value not in (None, "") else default
    except ValueError:
        abort(404)
    if year is None or not 2000 <= year <= 2100:
        abort(404)
    return year


def _is_admin() -> bool:
    return Role.ADMIN in current_user.roles


def _scope(year: int, codes: list[str] | None = None) -> svc.Scope:
    """Admins: any agency, several, or (none named) all. Other staff: their own agency only."""
    codes = [c.strip().upper() for c in (codes if codes is not None else
                                         request.args.getlist("agency")) if c and c.strip()]
    if not _is_admin():
        own = db.session.get(Agency, current_user.agency_id).code
        if any(c != own for c in codes):
            abort(403)
        codes = [own]
    try:
        return svc.scope(year, codes)
    except svc.UnknownAgency:
        abort(404)


def _agency_args(s: svc.Scope) -> dict:
    return {} if s.everyone else {"agency": s.codes}


def _drill_url(s: svc.Scope):
    def url(row: str, col: str) -> str:
        return url_for("reports.drill", year=s.year, row=row, col=col, **_agency_args(s))
    return url


def _can_edit(s: svc.Scope) -> bool:
    return len(s.agencies) == 1 and not s.everyone and (
        _is_admin() or s.agencies[0].id == current_user.agency_id)


def _form_for(r: svc.AnnualReport) -> ReportYearForm:
    form = ReportYearForm(formdata=None)
    e = r.entered
    form.agency.data = r.scope.codes[0] if r.scope.codes else ""
    form.narrative.data = r.texts["narrative"]
    form.problems.data = r.texts["problems"]
    form.other_matters.data = r.texts["other_matters"]
    for name in svc.FIGURE_FIELDS:
        getattr(form, name).data = str(getattr(e, name) or 0) if e else "0"
    form.fee_item_amount_10k.data = r.table2["fee_item"]["amount_10k_yuan"]
    return form


def _render_annual(s: svc.Scope, form: ReportYearForm | None = None, status: int = 200):
    r = svc.build(s)
    printing = request.args.get("print") == "1"
    editable = _can_edit(s) and not printing
    return render_template(
        "staff/reports/annual.html", r=r, rules=rules, printing=printing,
        drill_url=None if printing else _drill_url(s), agency_args=_agency_args(s),
        form=(form or _form_for(r)) if editable else None,
        agencies=_agency_choices()), status


def _agency_choices() -> list[Agency]:
    if not _is_admin():
        return [db.session.get(Agency, current_user.agency_id)]
    return list(db.session.execute(db.select(Agency).order_by(Agency.code)).scalars())


# -- the report ----------------------------------------------------------------------------------
@bp.get("/reports/annual")
def annual():
    return _render_annual(_scope(_year(request.args.get("year"), today().year - 1)))


@bp.post("/reports/annual/<int:year>")
def save_annual(year: int):
    form = ReportYearForm()
    if not form.validate_on_submit():
        abort(400)
    s = _scope(_year(year), [form.agency.data or ""])
    if not _can_edit(s):
        abort(403)
    try:
        svc.save_year(s.agencies[0], s.year, form.data, actor())
    except ValidationFailed as exc:
        for key, message in exc.errors.items():
            field = getattr(form, key, None)
            if field is not None:
                field.errors = list(field.errors or []) + [message]
        return _render_annual(s, form, 400)
    flash(f"已保存 {s.agencies[0].name} {s.year} 年度报告的文字和填报数据", "ok")
    return redirect(url_for("reports.annual", year=s.year, agency=s.codes[0]))


@bp.get("/reports/annual/<int:year>.json")
def annual_json(year: int):
    r = svc.build(_scope(_year(year)))
    return Response(json.dumps(svc.to_json(r), ensure_ascii=False, indent=2),
                    mimetype="application/json")


def _filename(r: svc.AnnualReport, ext: str) -> str:
    who = "-".join(r.scope.codes) if not r.scope.everyone else "ALL"
    return f"annual-report-{r.year}-{who}.{ext}"


@bp.get("/reports/annual/<int:year>.csv")
def annual_csv(year: int):
    r = svc.build(_scope(_year(year)))
    return Response("\ufeff" + svc.csv_text(r), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={_filename(r, 'csv')}"})


@bp.get("/reports/annual/<int:year>.xlsx")
def annual_xlsx(year: int):
    import io
    r = svc.build(_scope(_year(year)))
    return send_file(io.BytesIO(svc.xlsx_bytes(r)), as_attachment=True,
                     download_name=_filename(r, "xlsx"),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/reports/annual/<int:year>/cases")
def drill(year: int):
    s = _scope(_year(year))
    row, col = request.args.get("row", ""), request.args.get("col", "")
    try:
        d = svc.drill(s, row, col)
    except KeyError:
        abort(404)
    if request.args.get("format") == "json":
        return {"title": d.title, "kind": d.kind, "count": len(d.ids), "ids": d.ids}
    pages = max(1, -(-len(d.ids) // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    items = svc.drill_items(d, d.ids[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])
    return render_template("staff/reports/drill.html", d=d, s=s, items=items, page=page,
                           pages=pages, row=row, col=col, agency_args=_agency_args(s),
                           appeal_kinds=appeals.KIND_LABELS, appeal_results=appeals.RESULT_LABELS)


# -- statistics ------------------------------------------------------------------------------------
@bp.get("/stats")
def stats():
    s = _scope(_year(request.args.get("year"), today().year))
    return render_template("staff/reports/stats.html", st=svc.stats(s), s=s, rules=rules,
                           agencies=_agency_choices(), agency_args=_agency_args(s))


# -- appeals (report table 四) ----------------------------------------------------------------------
def _case_or_404(case_id: int):
    from .staff import _case_or_404 as load
    return load(case_id)


def _appeal_failed(case, errors: dict, failed: str):
    from .staff import _render_case
    return _render_case(case, errors, failed, 400)


@bp.post("/cases/<int:case_id>/appeals")
def add_appeal(case_id: int):
    case = _case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        appeals.add_appeal(case, request.form, actor(), today())
    except ValidationFailed as exc:
        return _appeal_failed(case, exc.errors, "appeal")
    flash("已登记行政复议/行政诉讼", "ok")
    return redirect(url_for("staff.case_view", case_id=case.id) + "#h-appeals")


@bp.post("/cases/<int:case_id>/appeals/<int:appeal_id>")
def record_appeal(case_id: int, appeal_id: int):
    case = _case_or_404(case_id)
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or appeal.case_id != case.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        appeals.record_result(appeal, request.form, actor(), today())
    except ValidationFailed as exc:
        return _appeal_failed(case, exc.errors, f"appeal-{appeal.id}")
    flash("已记录复议/诉讼结果", "ok")
    return redirect(url_for("staff.case_view", case_id=case.id) + "#h-appeals")
