"""Admin: ledger upload (JSONL import, all-or-nothing) and export download."""
from __future__ import annotations

from flask import Blueprint

from .guards import guard_blueprint

bp = Blueprint("admin_ledger", __name__, url_prefix="/admin/ledger")
guard_blueprint(bp, frozenset({"admin"}))
