"""What services read of the configuration, without Flask: a read-only view of the settings
and a per-scope cache, carried by a context variable.

The app opens one scope per app context (a request, a CLI command, a scheduler job run — see
``create_app``); a script or a pure service test opens one with ``opened(Settings(...))``.
Services ask ``current()`` for a setting instead of importing Flask's ``current_app``, so the
service layer has no web dependency and one place says what a service may read.
"""
from __future__ import annotations

import contextvars
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Settings:
    """The configuration (``config.DefaultConfig`` + instance config + environment), read-only
    for the code that uses it."""

    values: Mapping[str, Any]
    instance_path: str

    @classmethod
    def of(cls, values: Mapping[str, Any], instance_path: str) -> Settings:
        """A read-only view of ``values`` (the app's config: what a test sets on it is seen)."""
        return cls(MappingProxyType(values), instance_path)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@dataclass
class Scope:
    settings: Settings
    cache: dict = field(default_factory=dict)  # e.g. the working-day calendar, once per scope


_current: contextvars.ContextVar[Scope] = contextvars.ContextVar("disclosure_scope")


def current() -> Settings:
    """The settings of the scope this code runs in."""
    try:
        return _current.get().settings
    except LookupError:
        raise RuntimeError("no settings scope: run inside the app (or settings.opened)") from None


def cache() -> dict:
    """A cache that lives as long as the scope (one request, one command, one job run)."""
    return _current.get().cache


def enter(settings: Settings) -> contextvars.Token:
    return _current.set(Scope(settings))


def leave(token: contextvars.Token) -> None:
    _current.reset(token)


@contextmanager
def opened(settings: Settings):
    token = enter(settings)
    try:
        yield settings
    finally:
        leave(token)
