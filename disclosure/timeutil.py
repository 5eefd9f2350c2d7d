"""The one place the app reads the clock (DESIGN 5: time is an input).

Services take ``today`` as an argument; the web edge, the CLI and the scheduler get it here, in
the configured TIMEZONE (Asia/Shanghai), or pinned by FIXED_TODAY for demos and tests.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TZ = "Asia/Shanghai"


def tz() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE", DEFAULT_TZ) if has_app_context() else DEFAULT_TZ
    return ZoneInfo(name)


def now() -> datetime:
    """Aware UTC now (stored form); on a pinned FIXED_TODAY, that day at the current time."""
    real = datetime.now(timezone.utc)
    fixed = current_app.config.get("FIXED_TODAY") if has_app_context() else None
    if not fixed:
        return real
    local = real.astimezone(tz())
    pinned = datetime.combine(date.fromisoformat(str(fixed)), local.timetz())
    return pinned.astimezone(timezone.utc)


def today() -> date:
    """Today in the office's time zone — the date every deadline rule is evaluated on."""
    fixed = current_app.config.get("FIXED_TODAY") if has_app_context() else None
    if fixed:
        return date.fromisoformat(str(fixed))
    return datetime.now(tz()).date()


def as_local(dt: datetime | None) -> datetime | None:
    """Stored timestamps are UTC (SQLite drops the zone): present them in the office's zone."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(tz())


def local_date(dt: datetime) -> date:
    return as_local(dt).date()
