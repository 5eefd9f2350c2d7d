"""Admin: ledger upload (JSONL import, all-or-nothing) and export download (docs/ledger.md)."""
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


class LedgerUploadForm(FlaskForm):
    file = FileField(_l("台账文件（JSONL：每行一个案件，UTF-8 编码）"))
    agency = SelectField(_l("受理机关"), choices=[], default="")
    dry_run = BooleanField(_l("只校验，不导入（试运行）"))


def _agencies() -> list[Agency]:
    """The agencies this administrator may import for or export (services.access)."""
    return directory.visible_agencies(actor())


def _text(upload) -> tuple[str | None, str | None]:
    """The uploaded file as text, or a problem to show."""
    if upload is None or not getattr(upload, "filename", ""):
        return None, _("请选择要导入的台账文件")
    try:
        return upload.read().decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, _("文件不是 UTF-8 编码的文本，未导入任何案件")


def _render(form, agencies, result=None, problem=None, status=200):
    return render_template("admin/ledger.html", form=form, agencies=agencies, result=result,
                           problem=problem, shown=ERRORS_SHOWN, today=today(),
                           late_labels=LATE_ACT_LABELS), status


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
    text, problem = _text(form.file.data)
    if problem:
        return _render(form, agencies, problem=problem, status=400)
    result = ledger.import_ledger(text, agency_code=form.agency.data or None,
                                  dry_run=form.dry_run.data, today=today(), actor=actor())
    if result.ok and not result.dry_run:
        flash(_("导入完成：新增 %(created)s 件，已存在且相同 %(unchanged)s 件",
                created=result.created, unchanged=result.unchanged), "ok")
        if not result.late:
            return redirect(url_for("admin_ledger.upload"))
        # R8.1: the late acts imported as history are listed once, on this very page
    return _render(form, agencies, result=result, status=200 if result.ok else 400)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and 1900 <= int(value) <= 2999 else None


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


@bp.get("/export.jsonl")
def export():
    code = request.args.get("agency", "").strip() or None
    mine = _agencies()
    if code and code not in {a.code for a in mine}:
        return Response(_("受理机关不存在") + "\n", status=404, mimetype="text/plain")
    if code is None and not access.sees_all(actor()):
        code = mine[0].code  # an agency's administrator exports that agency only
    year, as_of = _int_arg("year"), _date_arg("as_of") or today()
    lines = ledger.export_ledger(code, year, as_of=as_of)
    body = (json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    name = "-".join(str(p) for p in ("ledger", code, year, as_of.isoformat()) if p)
    return Response(stream_with_context(body), mimetype="application/x-ndjson",
                    headers={"Content-Disposition": f'attachment; filename="{name}.jsonl"'})
