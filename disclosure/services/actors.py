"""Who is acting: a signed-in user, the applicant (public pages / API) or the system (sweep)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.text import N_
from ..domain.workflow import APPLICANT, SYSTEM


@dataclass(frozen=True)
class Actor:
    id: int | None
    label: str
    roles: frozenset[str] = field(default_factory=frozenset)
    agency_id: int | None = None

    @classmethod
    def of(cls, user) -> "Actor":
        return cls(user.id, user.display_name, frozenset(user.roles), user.agency_id)

    @property
    def is_admin(self) -> bool:
        """Sees every agency: only a platform administrator (services.access)."""
        return "platform_admin" in self.roles


APPLICANT_ACTOR = Actor(None, N_("申请人"), frozenset({APPLICANT}))
SYSTEM_ACTOR = Actor(None, N_("系统"), frozenset({SYSTEM}))
