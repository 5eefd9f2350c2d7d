"""Error pages in Chinese; JSON bodies under /api/ (never an HTML page or a bare 500 there)."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "请求有误", 401: "请先登录", 403: "无权访问此页面", 404: "未找到", 405: "不支持的请求方式",
    413: "提交的内容过大", 415: "不支持的内容类型，请使用 application/json",
    429: "请求过于频繁，请稍后再试", 500: "服务器内部错误", 503: "服务暂不可用",
}


def _render(code: int, message: str | None = None):
    message = message or MESSAGES.get(code, "出错了")
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": code}), code
    return render_template("errors/error.html", code=code, message=message), code


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _render(400, "页面已过期或来源不明（CSRF 校验失败），请返回刷新后重试")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return _render(exc.code or 500)

    if app.testing:
        return  # let tests see the traceback of any unexpected exception

    @app.errorhandler(Exception)
    def _unhandled(exc):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500)
