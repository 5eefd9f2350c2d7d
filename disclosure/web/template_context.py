"""Template globals: labels for codes, the current date, the calendar alert, the language."""
from __future__ import annotations

from datetime import date

from markupsafe import Markup

from ..domain import codes
from ..i18n import current_language
from ..timeutil import as_local


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


def register_context(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.loopcontrols")
    app.jinja_env.filters["cndate"] = fmt_date
    app.jinja_env.filters["officialdate"] = official_date
    app.jinja_env.filters["day"] = time_element
    app.jinja_env.filters["localtime"] = fmt_datetime
    app.jinja_env.globals["codes"] = codes  # macros imported without context need it too

    @app.context_processor
    def _globals():
        return {
            "lang": current_language(),
        }
