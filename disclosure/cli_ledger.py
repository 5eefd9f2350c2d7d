"""`flask --app disclosure ledger import|export` (spec/ledger.md)."""
from __future__ import annotations

from flask.cli import AppGroup

ledger_cli = AppGroup("ledger", help="案件台账导入导出（JSONL）")
