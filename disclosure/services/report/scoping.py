"""The scope of a report: a year and one, several or every agency — and which a user may read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import select, true

from ...domain.codes import Role
from ...extensions import db
from ...models import Agency
from ...timeutil import tz
from ..access import readable_agency_ids, sees_all
from ..actors import Actor


class UnknownAgency(LookupError):
    """An agency code that does not exist."""


class NotYourAgency(PermissionError):
    """A staff member asked for another agency's report: only a platform administrator reads
    every agency's (services.access)."""


@dataclass(frozen=True)
class Scope:
    year: int
    agencies: tuple[Agency, ...]
    everyone: bool  # all agencies: no agency filter at all

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)

    @property
    def prev_end(self) -> date:
        return date(self.year - 1, 12, 31)

    @property
    def ids(self) -> list[int]:
        return [a.id for a in self.agencies]

    @property
    def codes(self) -> list[str]:
        return [a.code for a in self.agencies]

    def on(self, column):
        """The agency filter for ``column`` (none when the scope is every agency)."""
        return true() if self.everyone else column.in_(self.ids)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The local calendar year (Asia/Shanghai) as UTC instants [start, next start)."""
        zone = tz()
        def utc(day: date) -> datetime:
            return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)
        return utc(self.start), utc(date(self.year + 1, 1, 1))


def scope(year: int, codes: list[str] | tuple[str, ...] | None = None) -> Scope:
    """One agency, several, or (no codes) every agency; UnknownAgency for a code not found."""
    codes = sorted({c.strip().upper() for c in codes or () if c and c.strip()})
    stmt = select(Agency).order_by(Agency.code)
    if codes:
        stmt = stmt.where(Agency.code.in_(codes))
    found = tuple(db.session.execute(stmt).scalars())
    missing = set(codes) - {a.code for a in found}
    if missing:
        raise UnknownAgency(", ".join(sorted(missing)))
    return Scope(year, found, not codes)


def readable_scope(actor: Actor, year: int, codes: list[str] | tuple[str, ...]) -> Scope:
    """The scope ``actor`` asked for. A platform administrator: any agency, several, or (none
    named) all. A supervisor (issue 17): any of its agency's subtree, several, or (none named)
    the whole subtree — the aggregate report. Other staff: their own agency only —
    NotYourAgency when they name another. UnknownAgency for a code not found."""
    codes = [c.strip().upper() for c in codes if c and c.strip()]
    if not sees_all(actor):
        allowed = {a.code: a for a in agency_choices(actor)}
        if any(c not in allowed for c in codes):
            raise NotYourAgency(codes)
        if not codes:
            own = db.session.get(Agency, actor.agency_id).code
            codes = sorted(allowed) if Role.SUPERVISOR in actor.roles else [own]
    return scope(year, codes)


def agency_choices(actor: Actor) -> list[Agency]:
    """The agencies ``actor`` may pick on the report and statistics pages (services.access)."""
    ids = readable_agency_ids(actor)
    stmt = select(Agency).order_by(Agency.code)
    if ids is not None:
        stmt = stmt.where(Agency.id.in_(sorted(ids)))
    return list(db.session.execute(stmt).scalars())
