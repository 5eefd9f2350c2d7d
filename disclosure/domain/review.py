"""先审查、后公开、一事一审 (R6; 条例第十七条, 保密法实施条例第四十二条) as plain rules.

An item may be released only when its *current* version has an approving review of exactly
that version's fingerprint. The service re-checks this inside the releasing transaction and the
database refuses a release row without such a review; this module is the rule both rely on.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .codes import Role
from .text import N_
from .workflow import WorkflowError


def fingerprint(content: str | bytes) -> str:
    """R6.1: SHA-256 of the exact content (text as UTF-8)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


# R6.1: what leaves with each kind of item, hence what its fingerprint covers. A field missing
# from a version counts as empty, so adding a field later never silently matches old content.
PACKAGE_FIELDS: dict[str, tuple[str, ...]] = {
    # reply letter: the outcome and legal basis the applicant reads, the text, and the exact
    # documents sent with it (name, bytes' hash, redaction) — the whole outgoing package
    "letter": ("reply_type", "outcome", "legal_basis", "text", "documents"),
    "document": ("filename", "content_sha256", "redacted"),
    # proactive publication: every field the public catalogue shows
    "entry_text": ("title", "doc_number", "category", "issued_on", "repealed_on", "text"),
    "entry_file": ("filename", "content_sha256"),
    # a notice to the applicant or a third party: its full text under its title
    "notice": ("notice_kind", "title", "text"),
}


def canonical(kind: str, fields: dict) -> str:
    """The canonical serialisation of one item version (R6.1): sorted-key JSON of exactly the
    fields of its kind, so the same content always gives the same bytes."""
    if kind not in PACKAGE_FIELDS:
        raise ValueError(f"unknown release item kind {kind!r}")
    body = {"kind": kind, **{k: fields.get(k) for k in PACKAGE_FIELDS[kind]}}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def package_fingerprint(kind: str, fields: dict) -> str:
    """R6.1: the fingerprint of everything that leaves with the item."""
    return fingerprint(canonical(kind, fields))


def check_current(current_version_id: int | None, current_sha: str | None,
                  seen_version_id, seen_sha) -> None:
    """R6.2: a decision (or 签发) names the version and fingerprint the person saw; it is
    refused unless both are still current — a stale form never approves newer content."""
    try:
        seen_id = int(seen_version_id)
    except (TypeError, ValueError):
        seen_id = None
    if current_version_id is None or seen_id != current_version_id or seen_sha != current_sha:
        raise WorkflowError("stale", N_("内容已变更，请重新审查"))


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
                   drafter_ids) -> None:
    """R6.4: the reviewer holds the reviewer role and drafted none of the item's content.

    ``drafter_ids`` are the drafters of every version of the item: a version made by a
    colleague (a new document changes the letter's package, a repeal the entry's validity)
    still carries text the reviewer may have written, so any authorship disqualifies."""
    if Role.REVIEWER not in roles or Role.PLATFORM_ADMIN in roles:
        raise WorkflowError("not_reviewer", N_("只有保密审查员可以作出审查决定"))
    if isinstance(drafter_ids, int | None):
        drafter_ids = {drafter_ids}
    if reviewer_id is not None and reviewer_id in set(drafter_ids):
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


# -- the review round (R6.4; this system's choice, issue 15) -----------------------------------
# Every item of a submitted reply is decided on its own. A rejection does not end the round:
# the case stays in review until the current version of every item has a decision, so the
# reviewer's opinion on each item reaches the drafter in one go. Then the round is over — back
# to drafting if any current version was rejected, ready to release if all were approved.
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


def standing_decision(decisions) -> str:
    """The decision that stands on one version, from its review decisions in order: approved,
    rejected, or pending (none yet, or only a referral still awaiting the authority's answer)."""
    decisions = list(decisions)
    if APPROVED in decisions:
        return APPROVED
    if REJECTED in decisions:
        return REJECTED
    return PENDING


def round_result(current_decisions) -> str:
    """Is the review round over, and how did it end? ``current_decisions`` holds, for each item,
    the decisions on its *current* version (an item without content: an empty list).

    'pending' while any item's current version awaits a decision (or there is no item);
    'rejected' once every item is decided and at least one was rejected; else 'approved'."""
    standing = [standing_decision(d) for d in current_decisions]
    if not standing or PENDING in standing:
        return PENDING
    return REJECTED if REJECTED in standing else APPROVED
