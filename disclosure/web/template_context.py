"""Template globals: labels for codes, the current date, the calendar alert, the language, and
who the pages speak for (``site``: the header; ``site_public``: the public footer)."""
from __future__ import annotations

import re
from datetime import date

from flask import has_request_context
from markupsafe import Markup

from ..domain import codes
from ..i18n import current_language
from ..services import agency_profile
from ..timeutil import as_local

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _as_date(d: date | str) -> date:
    return date.fromisoformat(d) if isinstance(d, str) else d  # API-shaped views carry ISO strings


def fmt_date(d: date | str | None) -> str:
    """2026年11月29日 in Chinese (and in every official document); 29 Nov 2026 in English."""
    if not d:
        return "—"
    d = _as_date(d)
    if current_language() == "en":
        return d.strftime("%-d %b %Y")
    return f"{d.year}年{d.month}月{d.day}日"  # i18n: locale format


def time_element(d: date | str | None, empty: str = "—") -> Markup:
    """A date on a page: ``<time datetime="2026-11-29">2026年11月29日</time>`` (the reader's
    notation, the machine-readable day in the attribute)."""
    if not d:
        return Markup.escape(empty)
    d = _as_date(d)
    return Markup('<time datetime="{}">{}</time>').format(d.isoformat(), fmt_date(d))


def official_date(d: date | str | None) -> str:
    """The date line of an official document: Chinese whatever the reader's language."""
    if not d:
        return "—"
    d = _as_date(d)
    return f"{d.year}年{d.month}月{d.day}日"  # i18n: locale format


def fmt_datetime(dt) -> str:
    local = as_local(dt)
    return local.strftime("%Y-%m-%d %H:%M") if local else "—"


def lang_attr(text) -> Markup:
    """`` lang="zh-CN"`` on an English page for user data written in Chinese (an agency's name or
    address), so a screen reader reads it in Chinese; nothing otherwise."""
    if text and current_language() == "en" and HAN.search(str(text)):
        return Markup(' lang="zh-CN"')
    return Markup("")


class LazyIdentity:
    """An ``agency_profile.Identity`` read when a template first uses it (a page that shows no
    header — a PDF, a mail — costs no query; services.agency_profile caches it per request)."""

    def __init__(self, load):
        self._load = load
        self._value = None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._value is None:
            self._value = self._load()
        return getattr(self._value, name)


def _header_identity() -> agency_profile.Identity:
    """Signed-in staff: their agency; everyone else: the public identity."""
    if has_request_context():
        from flask_login import current_user
        if current_user.is_authenticated:
            return agency_profile.header_identity(current_user.agency_id)
    return agency_profile.public_identity()


def register_context(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.loopcontrols")
    app.jinja_env.filters["cndate"] = fmt_date
    app.jinja_env.filters["officialdate"] = official_date
    app.jinja_env.filters["day"] = time_element
    app.jinja_env.filters["localtime"] = fmt_datetime
    app.jinja_env.filters["langattr"] = lang_attr
    app.jinja_env.globals["codes"] = codes  # macros imported without context need it too

    @app.context_processor
    def _globals():
        return {
            "lang": current_language(),
            "site": LazyIdentity(_header_identity),
            "site_public": LazyIdentity(agency_profile.public_identity),
        }
