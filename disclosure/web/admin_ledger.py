"""Admin: ledger upload (JSONL or Excel import, all-or-nothing), the Excel template and the
export downloads (docs/ledger.md)."""
from __future__ import annotations

import json
from datetime import date

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from ..domain.late_acts import LATE_ACT_LABELS
from ..i18n import current_language, translate
from ..models import Agency
from ..services import access, directory, ledger
from ..timeutil import today
from .guards import actor, guard_blueprint

bp = Blueprint("admin_ledger", __name__, url_prefix="/admin/ledger")
guard_blueprint(bp, frozenset({"admin", "platform_admin"}))

ERRORS_SHOWN = 1000
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LedgerUploadForm(FlaskForm):
    file = FileField(_l("台账文件（Excel .xlsx，或 JSONL：每行一个案件，UTF-8 编码）"))
    agency = SelectField(_l("受理机关"), choices=[], default="")
    dry_run = BooleanField(_l("只校验，不导入（试运行）"))


def _agencies() -> list[Agency]:
    """The agencies this administrator may import for or export (services.access)."""
    return directory.visible_agencies(actor())


def _import(form) -> tuple[ledger.ImportResult | None, str | None, bool]:
    """Import the uploaded file — an Excel workbook (by its content or name) or JSONL text —
    → (result, a problem with the file itself, whether it was a workbook)."""
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        return None, _("请选择要导入的台账文件"), False
    data = upload.read()
    options = {"agency_code": form.agency.data or None, "dry_run": form.dry_run.data,
               "today": today(), "actor": actor()}
    if ledger.is_workbook(data[:8], upload.filename):
        try:
            return ledger.import_workbook(data, **options), None, True
        except ledger.LedgerFileError as exc:
            return None, translate(exc.message), True
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, _("文件不是 UTF-8 编码的文本，未导入任何案件"), False
    return ledger.import_ledger(text, **options), None, False


def _render(form, agencies, result=None, problem=None, status=200, workbook=False):
    return render_template("admin/ledger.html", form=form, agencies=agencies, result=result,
                           problem=problem, shown=ERRORS_SHOWN, today=today(),
                           late_labels=LATE_ACT_LABELS, workbook=workbook), status


@bp.route("/", methods=["GET", "POST"])
def upload():
    form, agencies = LedgerUploadForm(), _agencies()
    form.agency.choices = [SelectChoice("", _("按文件中每行的 agency"))] + [
        SelectChoice(a.code, f"{a.code} {a.name}") for a in agencies]
    if request.method == "GET":
        return _render(form, agencies)
    if not form.validate_on_submit():
        sep = "; " if current_language() == "en" else "；"
        problem = sep.join(str(translate(e)) for errs in form.errors.values() for e in errs)
        return _render(form, agencies, problem=problem, status=400)
    result, problem, workbook = _import(form)
    if problem:
        return _render(form, agencies, problem=problem, status=400, workbook=workbook)
    if result.ok and not result.dry_run:
        flash(_("导入完成：新增 %(created)s 件，已存在且相同 %(unchanged)s 件",
                created=result.created, unchanged=result.unchanged), "ok")
        if not result.late:
            return redirect(url_for("admin_ledger.upload"))
        # R8.1: the late acts imported as history are listed once, on this very page
    return _render(form, agencies, result=result, status=200 if result.ok else 400,
                   workbook=workbook)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and 1900 <= int(value) <= 2999 else None


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


def _export_scope() -> tuple[str | None, int | None, date] | None:
    """The agency, year and as-of day of an export download; None for an agency this
    administrator may not see (404)."""
    code = request.args.get("agency", "").strip() or None
    mine = _agencies()
    if code and code not in {a.code for a in mine}:
        return None
    if code is None and not access.sees_all(actor()):
        code = mine[0].code  # an agency's administrator exports that agency only
    return code, _int_arg("year"), _date_arg("as_of") or today()


def _download_name(code: str | None, year: int | None, as_of: date, ext: str) -> str:
    name = "-".join(str(p) for p in ("ledger", code, year, as_of.isoformat()) if p)
    return f'attachment; filename="{name}.{ext}"'


def _not_found() -> Response:
    return Response(_("受理机关不存在") + "\n", status=404, mimetype="text/plain")


@bp.get("/export.jsonl")
def export():
    scope = _export_scope()
    if scope is None:
        return _not_found()
    code, year, as_of = scope
    lines = ledger.export_ledger(code, year, as_of=as_of)
    body = (json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    return Response(stream_with_context(body), mimetype="application/x-ndjson",
                    headers={"Content-Disposition": _download_name(code, year, as_of, "jsonl")})


@bp.get("/export.xlsx")
def export_xlsx():
    """The same cases as export.jsonl, as an Excel ledger (docs/ledger.md "Excel 台账")."""
    scope = _export_scope()
    if scope is None:
        return _not_found()
    code, year, as_of = scope
    body = ledger.export_workbook(code, year, as_of=as_of,
                                  agencies=[(a.code, a.name) for a in _agencies()])
    return Response(body, mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": _download_name(code, year, as_of, "xlsx")})


@bp.get("/template.xlsx")
def template():
    """The empty Excel ledger, listing the agencies this administrator may import for."""
    body = ledger.workbook_template([(a.code, a.name) for a in _agencies()])
    return Response(body, mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": 'attachment; filename="ledger-template.xlsx"'})
