"""Chinese first (docs/i18n.md): zh_CN by default, English by the switch (cookie `lang`).

How to wrap texts, the glossary and the catalogue workflow: docs/i18n.md.

Catalogues live in disclosure/translations (source: messages.po, compiled by
``scripts/i18n.py compile``, which setup runs). The msgids are the Chinese texts, so a
missing catalogue degrades to Chinese, never to an identifier.

Official documents (letters, notices, PDFs, the State Council report tables) are Chinese
whatever the reader's language: render them with ``render_official``.
"""
from __future__ import annotations

import os

from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale, get_locale, get_translations

from .domain.text import Msg
from .extensions import babel

OFFICIAL_LOCALE = "zh_CN"
# The switch names each language in that language (never translated).
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    lang = request.cookies.get("lang") if has_request_context() else None
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    try:
        return str(get_locale() or OFFICIAL_LOCALE)
    except RuntimeError:  # outside an app context (CLI helpers, pure tests)
        return OFFICIAL_LOCALE


def translate(value):
    """Show a domain label or ``Msg`` in the reader's language (Chinese if untranslated)."""
    if isinstance(value, Msg):
        params = {k: translate(v) for k, v in value.params.items()}
        return _lookup(value.template).format(**params)
    if isinstance(value, str):
        return _lookup(value)
    return value


def _lookup(text: str) -> str:
    if not text:  # gettext("") would return the catalogue header
        return text
    try:
        # ugettext, not flask_babel.gettext: a label is looked up, never %-formatted.
        return get_translations().ugettext(text)
    except RuntimeError:  # no app context
        return text


def render_official(template: str, **context) -> str:
    """Render an official document in Chinese, whatever the reader's UI language."""
    with force_locale(OFFICIAL_LOCALE):
        return render_template(template, **context)


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          os.path.join(os.path.dirname(__file__), "translations"))
    babel.init_app(app, locale_selector=select_locale,
                   timezone_selector=lambda: app.config["TIMEZONE"])
    app.jinja_env.filters["t"] = translate
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES
