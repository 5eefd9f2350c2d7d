"""Staff: the annual report (政府信息公开工作年度报告), its drill-down, statistics, appeals."""
from __future__ import annotations

import io
import json
import re
from string import Formatter

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from ..domain import report as rules
from ..domain.bounds import is_report_year
from ..domain.codes import Role
from ..domain.errors import ValidationFailed
from ..domain.text import N_, Msg
from ..domain.workflow import WorkflowError
from ..i18n import translate
from ..services import access, appeals
from ..services import report as svc
from ..timeutil import today
from .case_page import render_case
from .forms import ActionForm
from .guards import STAFF_ROLES, actor, case_or_404, guard_blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff")
guard_blueprint(bp, STAFF_ROLES)

PAGE_SIZE = 100


# The texts of sections 一, 五 and 六 belong to the official report: Chinese, marked as such.
OFFICIAL_TEXT = {"lang": "zh-CN"}


class ReportYearForm(FlaskForm):
    agency = HiddenField()
    narrative = TextAreaField(_l("一、总体情况（草稿由系统根据数据生成，可修改）"),
                              render_kw=OFFICIAL_TEXT)
    licensing_decisions = StringField(_l("行政许可 · 本年处理决定数量"))
    penalty_decisions = StringField(_l("行政处罚 · 本年处理决定数量"))
    enforcement_decisions = StringField(_l("行政强制 · 本年处理决定数量"))
    fee_item_amount_10k = StringField(_l("行政事业性收费 · 本年收费金额（单位：万元）"))
    problems = TextAreaField(_l("五、存在的主要问题及改进情况"), render_kw=OFFICIAL_TEXT)
    other_matters = TextAreaField(_l("六、其他需要报告的事项"), render_kw=OFFICIAL_TEXT)


# The statistics page and the drill-down titles are UI, in the reader's language; they show some
# of the report's own labels (domain.report: official, never translated in the report itself).
# Those are marked here for the catalogue and translated where a UI page shows them (|t,
# translate).
# tests/web/test_english_admin.py checks this list against domain.report.
REPORT_UI_LABELS = (
    # outcome groups and table 三 result rows (statistics, drill-down)
    N_("予以公开"), N_("部分公开"), N_("不予公开"), N_("无法提供"), N_("不予处理"), N_("其他处理"),
    N_("（一）予以公开"), N_("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    N_("1.属于国家秘密"), N_("2.其他法律行政法规禁止公开"), N_("3.危及“三安全一稳定”"),
    N_("4.保护第三方合法权益"), N_("5.属于三类内部事务信息"), N_("6.属于四类过程性信息"),
    N_("7.属于行政执法案卷"), N_("8.属于行政查询事项"),
    N_("1.本机关不掌握相关政府信息"), N_("2.没有现成信息需要另行制作"),
    N_("3.补正后申请内容仍不明确"),
    N_("1.信访举报投诉类申请"), N_("2.重复申请"), N_("3.要求提供公开出版物"),
    N_("4.无正当理由大量反复申请"), N_("5.要求行政机关确认或重新出具已获取信息"),
    N_("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    N_("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    N_("3.其他"),
    # the other rows and the total column of table 三, the rates, tables 四 and 二 (drill-down)
    N_("一、本年新收政府信息公开申请数量"), N_("二、上年结转政府信息公开申请数量"),
    N_("（七）总计"),
    N_("四、结转下年度继续办理"), N_("总计"),
    N_("答复率"), N_("答复及时率"), N_("办结率"),
    N_("行政复议"), N_("未经复议直接起诉"), N_("复议后起诉"),
    N_("结果维持"), N_("结果纠正"), N_("其他结果"), N_("尚未审结"),
    N_("本年制发件数"), N_("本年废止件数"), N_("现行有效件数"),
)


# -- scope: year and agencies the user may read --------------------------------------------------
def _year(value, default: int | None = None) -> int:
    try:
        year = int(value) if value not in (None, "") else default
    except ValueError:
        abort(404)
    if year is None or not is_report_year(year):
        abort(404)
    return year


def _is_admin() -> bool:
    """Reads every agency's report: a platform administrator only (services.access) — an
    agency's own administrator, like the rest of its staff, reads that agency's."""
    return access.sees_all(actor())


def _aggregate_choice() -> bool:
    """The picker's summed option: every agency for a platform administrator, the subtree for
    a supervisor (issue 17: the aggregate report of the agencies it supervises)."""
    return _is_admin() or Role.SUPERVISOR in actor().roles


def _aggregate_label(page: str = "annual") -> str:
    if not _is_admin():
        return _("本机关及下级机关（汇总）")
    return _("全部机关（汇总）") if page == "annual" else _("全部机关")


def _aggregate(s: svc.Scope) -> bool:
    """The summed report: every agency, or a supervisor's whole subtree (none named)."""
    if s.everyone:
        return True
    if Role.SUPERVISOR not in actor().roles or len(s.agencies) < 2:
        return False
    return set(s.codes) == {a.code for a in svc.agency_choices(actor())}


def _scope(year: int, codes: list[str] | None = None) -> svc.Scope:
    """Platform admins: any agency, several, or (none named) all. Other staff: their own
    agency only (services.report.readable_scope)."""
    try:
        return svc.readable_scope(actor(), year, codes if codes is not None
                                  else request.args.getlist("agency"))
    except svc.NotYourAgency:
        abort(403)
    except svc.UnknownAgency:
        abort(404)


def _agency_args(s: svc.Scope) -> dict:
    """The scope as URL arguments; a supervisor's aggregate as none (readable_scope makes the
    subtree of "no agency named"), so its links stay short however many agencies it has."""
    return {} if _aggregate(s) else {"agency": s.codes}


def _drill_url(s: svc.Scope):
    def url(row: str, col: str) -> str:
        return url_for("reports.drill", year=s.year, row=row, col=col, **_agency_args(s))
    return url


def _can_edit(s: svc.Scope) -> bool:
    """One agency's report, and this user states it (services.report.may_state)."""
    return len(s.agencies) == 1 and not s.everyone and svc.may_state(actor(), s.agencies[0].id)


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
        read_only=not editable and not printing and len(s.agencies) == 1 and not s.everyone,
        all_agencies_choice=_aggregate_choice(), aggregate=_aggregate(s),
        aggregate_label=_aggregate_label(), agencies=svc.agency_choices(actor())), status


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
    except WorkflowError:  # the service's own check (the same rule as _can_edit)
        abort(403)
    except ValidationFailed as exc:
        for key, message in exc.errors.items():
            field = getattr(form, key, None)
            if field is not None:
                field.errors = list(field.errors or []) + [translate(message)]
        return _render_annual(s, form, 400)
    flash(_("已保存 %(agency)s %(year)s 年度报告的文字和填报数据", agency=s.agencies[0].name,
            year=s.year), "ok")
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
                           title_parts=_title_parts(d.title),
                           pages=pages, row=row, col=col, agency_args=_agency_args(s),
                           appeal_kinds=appeals.KIND_LABELS, appeal_results=appeals.RESULT_LABELS)


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _title_part(text) -> tuple[str, bool]:
    shown = translate(text)
    return shown, shown == text and bool(_HAN.search(str(text)))


def _title_parts(title) -> list[tuple[str, bool]]:
    """A drill-down title as (text, official) parts, in the reader's language where there is one.
    A part left untranslated is one of the report's own labels (domain.report, official): it is
    shown in Chinese and the page marks it lang="zh-CN"."""
    if not isinstance(title, Msg) or not title.params:
        return [_title_part(title)]
    parts = []
    for literal, name, _spec, _conversion in Formatter().parse(title.template):
        if literal:
            parts.append((literal, False))
        if name is not None:
            parts.append(_title_part(title.params[name]))
    return parts


# -- statistics ------------------------------------------------------------------------------------
@bp.get("/stats")
def stats():
    s = _scope(_year(request.args.get("year"), today().year))
    return render_template("staff/reports/stats.html", st=svc.stats(s, today()), s=s, rules=rules,
                           agencies=svc.agency_choices(actor()), agency_args=_agency_args(s),
                           all_agencies_choice=_aggregate_choice(), aggregate=_aggregate(s),
                           aggregate_label=_aggregate_label("stats"))


# -- appeals (report table 四) ---------------------------------------------------------------------
@bp.app_context_processor
def _appeal_rights():
    """``may_record_appeals(case)`` for staff/_appeals.html: the forms only for those who may."""
    return {"may_record_appeals": lambda case: appeals.may_record(actor(), case)}


@bp.post("/cases/<int:case_id>/appeals")
def add_appeal(case_id: int):
    case = case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        appeals.add_appeal(case, request.form, actor(), today())
    except ValidationFailed as exc:
        return render_case(case, exc.errors, "appeal", 400)
    except WorkflowError as exc:
        return render_case(case, {"refused": exc.message}, "appeal", 403)
    flash(_("已登记行政复议/行政诉讼"), "ok")
    return redirect(url_for("staff.case_view", case_id=case.id) + "#h-appeals")


@bp.post("/cases/<int:case_id>/appeals/<int:appeal_id>")
def record_appeal(case_id: int, appeal_id: int):
    case = case_or_404(case_id)
    appeal = svc.appeal_of(case, appeal_id)
    if appeal is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        appeals.record_result(appeal, request.form, actor(), today())
    except ValidationFailed as exc:
        return render_case(case, exc.errors, f"appeal-{appeal.id}", 400)
    except WorkflowError as exc:
        return render_case(case, {"refused": exc.message}, f"appeal-{appeal.id}", 403)
    flash(_("已记录复议/诉讼结果"), "ok")
    return redirect(url_for("staff.case_view", case_id=case.id) + "#h-appeals")
