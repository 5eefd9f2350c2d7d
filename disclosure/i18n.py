"""Chinese first (DESIGN 9): zh_CN by default, English by the switch (cookie `lang`)."""
from __future__ import annotations

import os

from flask import request

from .extensions import babel


def select_locale() -> str:
    from flask import current_app
    lang = request.cookies.get("lang") if request else None
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          os.path.join(os.path.dirname(__file__), "translations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["TIMEZONE"])
