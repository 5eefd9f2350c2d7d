"""Release items, their versions, the confidentiality review and the release (R6).

The gate holds in three places: ``domain.review`` states the rule; ``release_items`` re-checks
it inside the releasing transaction (the case row locked on PostgreSQL); the database refuses a
release row whose (review, version, fingerprint, 'approved') does not exist, and a second
approval of one version (partial unique index).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...domain import review as rules
from ...domain.text import N_, Msg
from ...domain.workflow import WorkflowError
from ...extensions import db
from ...models import ItemVersion, Release, ReleaseItem, Review
from ...timeutil import now
from .. import uploads
from ..actors import Actor


def new_item(*, kind: str, title: str, case=None, entry=None,
             redacted: bool = False) -> ReleaseItem:
    item = ReleaseItem(case_id=case.id if case is not None else None,
                       entry_id=entry.id if entry is not None else None, kind=kind,
                       title=title[:255], redacted=redacted, withdrawn=False, created_at=now())
    db.session.add(item)
    db.session.flush()
    return item


def fields_of(item: ReleaseItem, version: ItemVersion) -> dict:
    """Everything that leaves with this version (R6.1), as the fingerprint sees it."""
    fields = dict(version.meta or {})
    if version.text is not None:
        fields["text"] = version.text
    if version.stored_name:
        fields["filename"], fields["content_sha256"] = version.filename, version.content_sha256
    return fields


def _add_version(item: ReleaseItem, actor: Actor, *, text: str | None = None,
                 meta: dict | None = None,
                 stored: uploads.StoredFile | None = None) -> ItemVersion | None:
    """R6.2: any change to anything that leaves with the item is a new version, needing its
    own review; identical content → None (nothing to review again)."""
    version = ItemVersion(item_id=item.id, number=len(item.versions) + 1, text=text,
                          meta=meta or None, drafter_id=actor.id, created_at=now(),
                          fingerprint_scheme=2)
    if stored is not None:
        version.filename, version.stored_name = stored.filename, stored.stored_name
        version.content_type, version.size = stored.content_type, stored.size
        version.content_sha256 = stored.sha256
    version.sha256 = rules.package_fingerprint(item.kind, fields_of(item, version))
    if item.current is not None and item.current.sha256 == version.sha256:
        return None
    item.versions.append(version)
    db.session.flush()
    return version


def add_text_version(item: ReleaseItem, text: str, actor: Actor,
                     meta: dict | None = None) -> ItemVersion | None:
    return _add_version(item, actor, text=text, meta=meta)


def add_file_version(item: ReleaseItem, upload: uploads.Upload, actor: Actor,
                     meta: dict | None = None) -> ItemVersion:
    return _add_version(item, actor, meta=meta, stored=uploads.store(upload))


def copy_version(item: ReleaseItem, actor: Actor, **changes) -> ItemVersion | None:
    """A new version of the current one with some package fields changed (e.g. a document's
    redaction flag, a catalogue entry's validity)."""
    cur = item.current
    meta = {**(cur.meta or {}), **{k: v for k, v in changes.items() if k != "text"}}
    text = changes.get("text", cur.text)
    if cur.stored_name:
        stored = uploads.StoredFile(cur.filename, cur.stored_name, cur.content_type, cur.size,
                                cur.content_sha256)
        return _add_version(item, actor, text=text, meta=meta, stored=stored)
    return _add_version(item, actor, text=text, meta=meta)


def decisions_for(version_ids: list[int]) -> dict[int, list[Review]]:
    out: dict[int, list[Review]] = {v: [] for v in version_ids}
    if version_ids:
        for r in db.session.execute(select(Review).where(Review.version_id.in_(version_ids))
                                    .order_by(Review.id)).scalars():
            out[r.version_id].append(r)
    return out


def item_state(item: ReleaseItem) -> rules.ItemState:
    v = item.current
    approved = frozenset()
    if v is not None:
        approved = frozenset((r.version_id, r.sha256) for r in decisions_for([v.id])[v.id]
                             if r.decision == "approved")
    return rules.ItemState(item.id, item.title, v.id if v else None, v.sha256 if v else None,
                           approved)


def status_of(item: ReleaseItem) -> str:
    """pending / approved / rejected / referred — the decision on the current version."""
    v = item.current
    if v is None:
        return "pending"
    decided = decisions_for([v.id])[v.id]
    if any(r.decision == "approved" for r in decided):
        return "approved"
    return decided[-1].decision if decided else "pending"


def current_decisions(items: list[ReleaseItem]) -> list[list[str]]:
    """For each item, the decisions on its *current* version in order (R6.2: a decision on an
    older version says nothing about the content now); an item without content: []."""
    decided = decisions_for([i.current.id for i in items if i.current is not None])
    return [[r.decision for r in decided[i.current.id]] if i.current is not None else []
            for i in items]


def round_result(items: list[ReleaseItem]) -> str:
    """pending / approved / rejected: the review round of ``items`` (domain.review.round_result)."""
    return rules.round_result(current_decisions(items))


def record_decision(item: ReleaseItem, decision: str, reason: str | None, actor: Actor, *,
                    version_id, sha256) -> Review:
    """R6.2/R6.4: one reviewer's decision on the version and fingerprint they saw — refused
    unless both are still current (a stale form never approves newer content)."""
    version = item.current
    if version is None:
        raise WorkflowError("empty_item", N_("该事项没有内容"))
    rules.check_current(version.id, version.sha256, version_id, sha256)
    rules.check_reviewer(actor.roles, actor.id, {v.drafter_id for v in item.versions})
    reason = rules.check_decision(decision, reason)
    decided = [r.decision for r in decisions_for([version.id])[version.id]]
    if "approved" in decided:
        raise WorkflowError("already_approved", N_("该版本已审查同意（一事一审，不重复审批）"))
    if "rejected" in decided:
        # a returned version is never approved as it stands: the drafter makes a new one
        raise WorkflowError("already_rejected", N_("该版本已被退回修改，须修改后形成新版本再审查"))
    review = Review(version_id=version.id, sha256=version.sha256, reviewer_id=actor.id,
                    drafter_id=version.drafter_id, decision=decision, reason=reason,
                    decided_at=now())
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:
        # Another reviewer approved the same version at the same moment: theirs stands.
        raise WorkflowError("already_approved", N_("该版本已由其他审查员审查同意")) from None
    return review


def decision_data(item: ReleaseItem, review: Review) -> dict:
    """What the review event records (R7.2): the item, version and fingerprint decided on."""
    data = {"item": item.title, "item_id": item.id, "version": item.current.number,
            "version_id": review.version_id, "sha256": review.sha256, "decision": review.decision}
    if review.reason:
        data["reason"] = review.reason
    return data


def release_data(releases: list[Release]) -> list[dict]:
    """What a release event records (R7.2): each released version's fingerprint."""
    return [{"item_id": r.item_id, "version_id": r.version_id, "sha256": r.sha256}
            for r in releases]


def release_items(items: list[ReleaseItem], actor: Actor, today: date) -> list[Release]:
    """R6.3 先审查、后公开: release the current version of each item, referencing its approving
    review of exactly that fingerprint. Refuses (nothing released) if any item lacks one."""
    states = [item_state(i) for i in items]
    missing = rules.unapproved(states)
    if not items or missing:
        names = "、".join(s.title for s in missing) or N_("（无内容）")
        raise WorkflowError("not_reviewed", Msg("以下内容未经保密审查同意，不能发出：{names}",
                                                names=names))
    releases = []
    for item in items:
        v = item.current
        review = db.session.execute(select(Review).where(
            Review.version_id == v.id, Review.sha256 == v.sha256,
            Review.decision == "approved")).scalar_one()
        rel = Release(item_id=item.id, version_id=v.id, sha256=v.sha256, review_id=review.id,
                      review_decision="approved", released_by_id=actor.id, released_on=today,
                      released_at=now())
        db.session.add(rel)
        releases.append(rel)
    db.session.flush()
    return releases


def released_versions(item_ids: list[int]) -> dict[int, tuple[Release, ItemVersion]]:
    """The latest released version of each item (what the applicant / public may see)."""
    out = {}
    if not item_ids:
        return out
    rows = db.session.execute(select(Release, ItemVersion).join(
        ItemVersion, ItemVersion.id == Release.version_id).where(
        Release.item_id.in_(item_ids)).order_by(Release.id)).all()
    for rel, ver in rows:
        out[rel.item_id] = (rel, ver)
    return out


def seen(item: ReleaseItem) -> dict:
    """The version and fingerprint of the item as shown now — what a decision form carries
    (demo data and scripted reviews use it the same way)."""
    v = item.current
    return {"version_id": v.id if v else None, "sha256": v.sha256 if v else None}
