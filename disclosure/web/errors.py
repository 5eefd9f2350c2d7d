"""Error pages in the reader's language; JSON bodies under /api/ (never an HTML page or a bare
500 there), whose messages stay Chinese (the API's documented contract)."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..i18n import OFFICIAL_LOCALE

MESSAGES = {
    400: _l("请求有误"), 401: _l("请先登录"), 403: _l("无权访问此页面"), 404: _l("未找到"),
    405: _l("不支持的请求方式"), 413: _l("提交的内容过大"),
    415: _l("不支持的内容类型，请使用 application/json"),
    429: _l("请求过于频繁，请稍后再试"), 500: _l("服务器内部错误"), 503: _l("服务暂不可用"),
}
UNKNOWN = _l("出错了")
CSRF_FAILED = _l("页面已过期或来源不明（CSRF 校验失败），请返回刷新后重试")


def _render(code: int, message=None):
    message = message or MESSAGES.get(code, UNKNOWN)
    if request.path.startswith("/api/"):
        with force_locale(OFFICIAL_LOCALE):
            text = str(message)
        return jsonify({"error": text, "status": code}), code
    return render_template("errors/error.html", code=code, message=str(message)), code


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _render(400, CSRF_FAILED)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return _render(exc.code or 500)

    if app.testing:
        return  # let tests see the traceback of any unexpected exception

    @app.errorhandler(Exception)
    def _unhandled(exc):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500)
