"""The supervisor's pages (主管部门, issue 17)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
