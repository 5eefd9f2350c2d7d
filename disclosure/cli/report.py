"""`flask --app disclosure report annual --year Y …` (docs/report.md)."""
from __future__ import annotations

import json
import os
import sys

import click
from flask.cli import AppGroup

from ..domain.bounds import FIRST_YEAR, LAST_YEAR

report_cli = AppGroup("report", help="政府信息公开工作年度报告")

FORMATS = ("json", "csv", "html", "xlsx")


def render_html(r) -> str:
    """A standalone HTML file (styles inlined, no links): for reading offline and printing."""
    from flask import current_app, render_template

    from ..domain import report as rules
    css_path = os.path.join(current_app.static_folder, "report.css")
    with open(css_path, encoding="utf-8") as fh:
        css = fh.read()
    return render_template("staff/reports/annual_standalone.html", r=r, rules=rules,
                           drill_url=None, printing=True, form=None, css=css)


@report_cli.command("annual")
@click.option("--year", type=click.IntRange(FIRST_YEAR, LAST_YEAR), required=True, help="报告年度")
@click.option("--agency", "agencies", multiple=True,
              help="机关代码（可重复，多个机关汇总）；不填为全部机关汇总")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="输出文件；文本格式不填时写到标准输出，xlsx 必须填写")
def annual(year: int, agencies: tuple[str, ...], fmt: str, output: str | None) -> None:
    """Write the annual report of YEAR as json, csv, html or xlsx."""
    from ..services import report as svc
    if fmt == "xlsx" and not output:
        click.echo("xlsx 格式须用 --output 指定输出文件", err=True)
        sys.exit(1)
    try:
        r = svc.annual(year, list(agencies))
    except svc.UnknownAgency as exc:
        click.echo(f"机关不存在：{exc}", err=True)
        sys.exit(1)
    if fmt == "xlsx":
        with open(output, "wb") as fh:
            fh.write(svc.xlsx_bytes(r))
        click.echo(f"已写入 {output}", err=True)
        return
    text = {"json": lambda: json.dumps(svc.to_json(r), ensure_ascii=False, indent=2) + "\n",
            "csv": lambda: svc.csv_text(r),
            "html": lambda: render_html(r)}[fmt]()
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        click.echo(f"已写入 {output}", err=True)
    else:
        click.echo(text, nl=False)
    if r.failing:
        click.echo(f"警告：{len(r.failing)} 项校验未通过：" +
                   "；".join(f"{c.name} {c.detail}" for c in r.failing), err=True)
