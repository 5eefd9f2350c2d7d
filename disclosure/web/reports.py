"""Staff: the annual report (政府信息公开工作年度报告), its drill-down, statistics, appeals."""
from __future__ import annotations

from flask import Blueprint

from .guards import STAFF_ROLES, guard_blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff")
guard_blueprint(bp, STAFF_ROLES)
