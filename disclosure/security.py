"""Sign-in wiring and security headers on every response."""
from __future__ import annotations

from flask import request
from flask_babel import gettext

from .domain.text import N_
from .extensions import login_manager

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # (/receipt shows the query code: never kept by a browser or proxy cache either)
    if request.path.startswith(("/staff", "/admin", "/status", "/api", "/receipt")):
        h.setdefault("Cache-Control", "no-store")
    return response


def _refuse_nul():
    """No field, path or parameter of ours may contain a NUL byte: answer 400 before it reaches
    a query (PostgreSQL text cannot store NUL and would raise a 500)."""
    from flask import abort
    if "\x00" in request.path or any("\x00" in v for v in request.args.values()) or \
            (request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
             and any("\x00" in v for v in request.form.values())):
        abort(400)


def init_app(app) -> None:
    from .services.users import dummy_hash, load_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Flashed (stored in the session) when a page needs a sign-in: translated at that moment.
    login_manager.login_message = N_("请先登录")
    login_manager.localize_callback = gettext
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    app.before_request(_refuse_nul)
    app.after_request(_headers)
    # Sign-in verifies this hash when there is no user to verify against (issue 12): make it
    # now, so even the first such attempt costs one verification and nothing more.
    with app.app_context():
        dummy_hash()
