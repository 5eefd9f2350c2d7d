"""The one place the app reads the clock (time is an input: see docs/architecture.md).

Services take ``today`` as an argument; the web edge, the CLI and the scheduler get it here, in
the configured TIMEZONE (Asia/Shanghai), or pinned by FIXED_TODAY for demos and tests.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from . import settings

DEFAULT_TZ = "Asia/Shanghai"


def _setting(name: str, default=None):
    """Outside any settings scope (a bare domain test) the defaults apply."""
    try:
        return settings.current().get(name, default)
    except RuntimeError:
        return default


def tz() -> ZoneInfo:
    return ZoneInfo(_setting("TIMEZONE", DEFAULT_TZ) or DEFAULT_TZ)


def now() -> datetime:
    """Aware UTC now (stored form); on a pinned FIXED_TODAY, that day at the current time."""
    real = datetime.now(timezone.utc)
    fixed = _setting("FIXED_TODAY")
    if not fixed:
        return real
    local = real.astimezone(tz())
    pinned = datetime.combine(date.fromisoformat(str(fixed)), local.timetz())
    return pinned.astimezone(timezone.utc)


def today() -> date:
    """Today in the office's time zone — the date every deadline rule is evaluated on."""
    fixed = _setting("FIXED_TODAY")
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
