"""A staff member's own settings (issue 17: reminder preferences)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
