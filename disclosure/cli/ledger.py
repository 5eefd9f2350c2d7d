"""`flask --app disclosure ledger import|export|template` (docs/ledger.md)."""
from __future__ import annotations

import io
import json
import sys
from datetime import date

import click
from flask.cli import AppGroup

ledger_cli = AppGroup("ledger", help="案件台账导入导出（JSONL 或 Excel）")


def _agency_exists(code: str | None) -> bool:
    from sqlalchemy import select

    from ..extensions import db
    from ..models import Agency
    return code is None or db.session.execute(
        select(Agency.id).where(Agency.code == code)).first() is not None


@ledger_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--agency", "agency_code", default=None,
              help="受理机关代码（行内未填 agency 时使用）")
@click.option("--dry-run", is_flag=True, help="只校验，不写入")
def import_cmd(file, agency_code: str | None, dry_run: bool) -> None:
    """Import a JSONL or Excel (.xlsx) ledger: all cases or none (every error is listed, exit
    status 1). An .xlsx is recognised by its content (a zip archive) or its name."""
    from ..services.ledger import LedgerFileError, import_ledger, import_workbook, is_workbook
    from ..timeutil import today
    if not _agency_exists(agency_code):
        click.echo(f"--agency: 受理机关 {agency_code} 不存在 (unknown_agency)", err=True)
        sys.exit(1)
    data = file.read()
    workbook = is_workbook(data[:8], getattr(file, "name", None))
    try:
        if workbook:
            result = import_workbook(data, agency_code=agency_code, dry_run=dry_run,
                                     today=today())
        else:  # read as the text file it always was (universal newlines, BOM dropped)
            text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig")
            result = import_ledger(text, agency_code=agency_code, dry_run=dry_run,
                                   today=today())
    except UnicodeDecodeError:
        click.echo("文件不是 UTF-8 编码的文本，未导入任何案件", err=True)
        sys.exit(1)
    except LedgerFileError as exc:
        click.echo(str(exc.message), err=True)
        sys.exit(1)
    if not result.ok:
        for err in result.errors:
            click.echo(str(err), err=True)
        click.echo(f"共 {len(result.errors)} 处错误，未导入任何案件", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(f"校验通过（试运行，未写入）：可新增 {result.created} 件，"
                   f"已存在且相同 {result.unchanged} 件")
    else:
        click.echo(f"导入完成：新增 {result.created} 件，"
                   f"已存在且相同（未变化） {result.unchanged} 件")
    _echo_late(result, "案件!第 {line} 行" if workbook else "line {line}")


def _echo_late(result, where: str) -> None:
    """rules.md R8.1: acts recorded after their period are imported as history, flagged and
    without effect on the clock — counted per flag, then one line per case (``where``: how the
    file's line or the workbook's 案件 row is named)."""
    from ..domain.late_acts import LATE_ACT_LABELS
    if not result.late:
        return
    click.echo(f"其中 {len(result.late)} 件记录了超过法定期限才作出的行为"
               "（作为历史记录导入并标记，不影响答复期限，rules.md R8.1）：")
    for flag, n in result.late_counts.items():
        click.echo(f"  {flag}（{LATE_ACT_LABELS[flag]}）：{n} 件")
    for x in result.late:
        number = x.tracking_no or "（编号待分配）"
        click.echo(f"  {where.format(line=x.line)}: {number}: {', '.join(x.flags)}")


def _binary_out() -> io.BufferedIOBase:
    """Standard output for a workbook — refused on a terminal, where it would be noise."""
    if sys.stdout.isatty():
        click.echo("Excel 文件是二进制内容，请重定向到文件，例如 … > 台账.xlsx", err=True)
        sys.exit(1)
    return sys.stdout.buffer


@ledger_cli.command("export")
@click.option("--agency", "agency_code", default=None, help="只导出该机关的案件")
@click.option("--year", type=int, default=None, help="只导出该年收到的申请")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="派生字段的计算日期（默认今天）")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "xlsx"]), default="jsonl",
              show_default=True, help="jsonl：每行一个案件；xlsx：Excel 台账")
def export_cmd(agency_code: str | None, year: int | None, as_of, fmt: str) -> None:
    """Write every case to standard output: one JSON object per line, or an Excel workbook."""
    from ..services.ledger import export_ledger, export_workbook
    from ..timeutil import today
    if not _agency_exists(agency_code):
        click.echo(f"受理机关 {agency_code} 不存在", err=True)
        sys.exit(1)
    day: date = as_of.date() if as_of else today()
    if fmt == "xlsx":
        out = _binary_out()
        out.write(export_workbook(agency_code, year, as_of=day))
        out.flush()
        return
    out = sys.stdout.buffer  # bytes: the file is UTF-8 whatever the locale
    for line in export_ledger(agency_code, year, as_of=day):
        out.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    out.flush()


@ledger_cli.command("template")
def template_cmd() -> None:
    """Write the empty Excel ledger (sheets, headings, code lists, 说明) to standard output."""
    from ..services.ledger import workbook_template
    out = _binary_out()
    out.write(workbook_template())
    out.flush()
