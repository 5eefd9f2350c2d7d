"""`flask --app disclosure report annual --year Y …` (spec/annual-report.md)."""
from __future__ import annotations

from flask.cli import AppGroup

report_cli = AppGroup("report", help="政府信息公开工作年度报告")
