"""先审查、后公开、一事一审 (R6; 条例第十七条, 保密法实施条例第四十二条) as plain rules.

An item may be released only when its *current* version has an approving review of exactly
that version's fingerprint. The service re-checks this inside the releasing transaction and the
database refuses a release row without such a review; this module is the rule both rely on.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .codes import Role
from .text import N_
from .workflow import WorkflowError


def fingerprint(content: str | bytes) -> str:
    """R6.1: SHA-256 of the exact content (text as UTF-8)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ItemState:
    """What the gate needs to know about one item."""
    item_id: int
    title: str
    version_id: int | None
    sha256: str | None
    approved: frozenset[tuple[int, str]] = field(default_factory=frozenset)  # (version, sha)


def unapproved(items: list[ItemState]) -> list[ItemState]:
    """R6.2/R6.3: the items whose current version lacks an approval of its exact fingerprint."""
    return [i for i in items if i.version_id is None or (i.version_id, i.sha256) not in i.approved]


def can_release(items: list[ItemState]) -> bool:
    """R6.3: every item approved at its current fingerprint (and at least one item)."""
    return bool(items) and not unapproved(items)


def check_reviewer(roles: set[str] | frozenset[str], reviewer_id: int | None,
                   drafter_id: int | None) -> None:
    """R6.4: the reviewer holds the reviewer role and is not the item's drafter."""
    if Role.REVIEWER not in roles:
        raise WorkflowError("not_reviewer", N_("只有保密审查员可以作出审查决定"))
    if reviewer_id is not None and reviewer_id == drafter_id:
        raise WorkflowError("own_draft", N_("不能审查本人起草的内容（审查人与起草人须分离）"))


DECISIONS = {"approved": N_("同意公开"), "rejected": N_("退回修改"),
             "referred": N_("报有关主管部门或保密行政管理部门确定")}


def check_decision(decision: str, reason: str | None) -> str:
    """A rejection or referral carries a reason (R6.4)."""
    if decision not in DECISIONS:
        raise WorkflowError("bad_decision", N_("审查决定无效"))
    reason = (reason or "").strip()
    if decision != "approved" and not reason:
        raise WorkflowError("reason_required", N_("退回或报送确定时须写明理由"))
    return reason
