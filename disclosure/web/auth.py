"""Staff sign-in and sign-out (Flask-Login)."""
from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import timeutil
from ..extensions import limiter
from ..services import users
from .forms import LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: no scheme, no host, no '//' or backslash tricks."""
    if not target:
        return url_for("staff.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return url_for("staff.dashboard")
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _retry_text(retry_at) -> str:
    """When the next attempt is accepted, in the office's time zone (the wait is ≤ 15 minutes)."""
    return timeutil.as_local(retry_at).strftime("%H:%M:%S")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    error = None
    status = 200
    headers = {}
    if form.validate_on_submit():
        # One message whether the user name exists or not (no enumeration); a throttled
        # client is told when to try again, the same way for every user name.
        result = users.sign_in(form.username.data, form.password.data, request.remote_addr)
        if result.user is not None:
            session.clear()  # renew the session at login (no fixation)
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.refused:
            error = _("登录失败次数过多，为保护账户，请于 %(time)s 之后再试。",
                      time=_retry_text(result.retry_at))
            status = 429
        else:
            status = 401
            if result.retry_at is None:
                error = _("用户名或密码错误，或账户已被暂时锁定")
            else:
                error = _("用户名或密码错误，或账户已被暂时锁定。下一次尝试须等到 %(time)s 之后。",
                          time=_retry_text(result.retry_at))
        if result.retry_at is not None:
            wait = math.ceil((result.retry_at - timeutil.now()).total_seconds())
            headers["Retry-After"] = str(max(1, wait))
    return render_template("auth/login.html", form=form, error=error), status, headers


@bp.post("/logout")
@login_required
def logout():
    users.logout(current_user._get_current_object())
    logout_user()
    session.clear()
    return redirect(url_for("public.home"))
