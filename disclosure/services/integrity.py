"""The inspector's question (保密行政管理部门): were the rules kept? `flask check` and the staff
integrity page both run these checks over the whole database.

- the audit events form an unbroken hash chain (R7.2);
- every release has an approving review of exactly the released fingerprint, by someone other
  than the drafter, the released content still has that fingerprint (untampered), and the
  release event recorded that same fingerprint when it happened — so rewriting a text and its
  fingerprint consistently in every table is still detected;
- a published catalogue entry shows exactly the metadata that was reviewed and released;
- every concluded case has an outcome and a conclusion date, and a replied case a released letter;
- every case's history is complete: it has events, and its status is the last recorded one.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select

from ..domain import chain
from ..domain.codes import CONCLUDED_STATUSES, Status
from ..domain.review import fingerprint, package_fingerprint
from ..domain.text import N_, Msg
from ..extensions import db
from ..models import Case, CatalogueEntry, Event, ItemVersion, Release, ReleaseItem, Review
from . import review, uploads


@dataclass
class Violation:
    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.where}: {self.detail}"


def _content_sha(item: ReleaseItem, v: ItemVersion) -> str | None:
    """The package fingerprint recomputed from what is stored now (the file's bytes read
    again), or None when a file is missing."""
    fields = review.fields_of(item, v)
    if v.stored_name:
        try:
            with open(uploads.path_of(v.stored_name), "rb") as fh:
                fields["content_sha256"] = hashlib.sha256(fh.read()).hexdigest()
        except (OSError, ValueError):
            return None
    if v.fingerprint_scheme == 1:  # made before issue 12: the text or the bytes alone
        return fingerprint(v.text) if v.text is not None else fields["content_sha256"]
    return package_fingerprint(item.kind, fields)


def _recorded_releases() -> dict[int, set[str]]:
    """R7.2: version id → the fingerprints the release events recorded when they happened.
    Only the first ``integrity_baseline`` counts (the one the migration wrote): a later one
    appended by someone with database access proves nothing."""
    out: dict[int, set[str]] = {}
    rows = db.session.execute(select(Event.action, Event.data).where(
        Event.action.in_(RELEASE_ACTIONS)).order_by(Event.seq)).all()
    baseline_seen = False
    for action, data in rows:
        if action == "integrity_baseline":
            if baseline_seen:
                continue
            baseline_seen = True
        for r in (data or {}).get("released", []):
            out.setdefault(r.get("version_id"), set()).add(r.get("sha256"))
    return out


# integrity_baseline: written once by the migration of issue 12 for the releases made before
# release events carried fingerprints.
RELEASE_ACTIONS = ("release_reply", "catalogue_published", "notice_released", "integrity_baseline")


def check_releases() -> list[Violation]:
    out = []
    recorded = _recorded_releases()
    rows = db.session.execute(select(Release, ItemVersion, Review, ReleaseItem).join(
        ItemVersion, ItemVersion.id == Release.version_id).join(
        ReleaseItem, ReleaseItem.id == Release.item_id).outerjoin(
        Review, Review.id == Release.review_id)).all()
    for rel, ver, rev, item in rows:
        where = f"release {rel.id} (item {rel.item_id} v{ver.number})"
        if rev is None or rev.decision != "approved":
            out.append(Violation("release.review", where, N_("没有同意公开的审查决定")))
            continue
        if rev.version_id != ver.id or rev.sha256 != rel.sha256 or ver.sha256 != rel.sha256:
            out.append(Violation("release.fingerprint", where, N_("发布的指纹与审查的指纹不一致")))
        drafters = set(db.session.execute(select(ItemVersion.drafter_id).where(
            ItemVersion.item_id == item.id, ItemVersion.number <= ver.number)).scalars())
        if rev.reviewer_id in drafters:
            out.append(Violation("release.separation", where, N_("审查人即起草人")))
        actual = _content_sha(item, ver)
        if actual != rel.sha256:
            out.append(Violation("release.tampered", where,
                                 N_("内容在审查后被改动或文件缺失") if actual else N_("文件缺失")))
        # every fingerprint ever recorded for this version must be the released one: an
        # event appended later with a forged fingerprint is a disagreement, not a proof
        if recorded.get(ver.id, set()) != {rel.sha256}:
            out.append(Violation("release.event", where,
                                 N_("发布的指纹与发布时记录在办理记录中的指纹不一致")))
    return out


def check_catalogue() -> list[Violation]:
    """A published entry shows exactly the metadata of its last released text version."""
    out = []
    entries = db.session.execute(select(CatalogueEntry).where(
        CatalogueEntry.published_on.is_not(None))).scalars()
    for entry in entries:
        items = db.session.execute(select(ReleaseItem).where(
            ReleaseItem.entry_id == entry.id, ReleaseItem.kind == "entry_text")).scalars().all()
        released = review.released_versions([i.id for i in items])
        version = next((ver for _rel, ver in released.values()), None)
        if version is not None and version.fingerprint_scheme == 1:
            continue  # published before metadata was reviewed: nothing to compare with
        meta = (version.meta if version is not None else None) or {}
        shown = {"title": entry.title, "doc_number": entry.doc_number, "category": entry.category,
                 "issued_on": entry.issued_on.isoformat() if entry.issued_on else None,
                 "repealed_on": entry.repealed_on.isoformat() if entry.repealed_on else None}
        if any(shown[k] != meta.get(k) for k in shown):
            out.append(Violation("catalogue.unreviewed", f"catalogue {entry.id}",
                                 N_("目录显示的标题、文号、类别或日期与经审查发布的版本不一致")))
    return out


def check_chain() -> tuple[list[Violation], tuple[int, str]]:
    """R7.2: the events still form an unbroken hash chain."""
    cols = [Event.id, Event.seq, Event.prev_hash, Event.hash,
            *[getattr(Event, k) for k in chain.CONTENT_FIELDS]]
    rows = (r._asdict() for r in db.session.execute(select(*cols).order_by(Event.seq)))
    breaks, head = chain.verify(rows)
    return [Violation("events.chain", f"event seq {b.seq} (id {b.event_id})",
                      CHAIN_PROBLEMS[b.problem]) for b in breaks], head


CHAIN_PROBLEMS = {"gap": N_("办理记录序号不连续（有记录被删除或插入）"),
                  "prev": N_("办理记录与前一条记录的链接断开"),
                  "hash": N_("办理记录内容与其哈希值不符（记录被改动）")}


def head_still_there(seq: int, digest: str) -> bool:
    """An inspector's noted chain head (seq, hash) is still the event at that place."""
    found = db.session.execute(select(Event.hash).where(Event.seq == seq)).scalar()
    return found == digest


def chain_head() -> tuple[int, str]:
    """The last event's (seq, hash): note it, compare it later (printed with the report)."""
    row = db.session.execute(select(Event.seq, Event.hash)
                             .order_by(Event.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, chain.GENESIS)


def check_cases() -> list[Violation]:
    out = []
    concluded = [s.value for s in CONCLUDED_STATUSES]
    for cid, tn, status, outcome, concluded_on in db.session.execute(select(
            Case.id, Case.tracking_no, Case.status, Case.outcome, Case.concluded_on).where(
            (Case.status.in_(concluded)) | Case.outcome.is_not(None)
            | Case.concluded_on.is_not(None))):
        if status not in concluded or outcome is None or concluded_on is None:
            out.append(Violation("case.concluded", tn, Msg(
                "状态 {status}、结果 {outcome}、办结日 {concluded_on} 不一致",
                status=status, outcome=outcome, concluded_on=concluded_on)))
    letter_released = select(Release.id).join(
        ReleaseItem, ReleaseItem.id == Release.item_id).where(
        ReleaseItem.case_id == Case.id, ReleaseItem.kind == "letter").exists()
    replied = select(Case.id, Case.tracking_no).where(Case.status == Status.REPLIED,
                                                      ~letter_released)
    imported = select(Event.case_id).where(Event.action == "import")
    for cid, tn in db.session.execute(replied.where(Case.id.not_in(imported))):
        out.append(Violation("case.reply", tn, N_("已答复但没有经审查发出的答复告知书")))
    return out


def check_history() -> list[Violation]:
    """Each case's status equals the after_status of its last status-bearing event."""
    out = []
    last = select(Event.case_id, func.max(Event.id).label("eid")).where(
        Event.case_id.is_not(None), Event.after_status.is_not(None)
    ).group_by(Event.case_id).subquery()
    rows = db.session.execute(select(Case.tracking_no, Case.status, Event.after_status).outerjoin(
        last, last.c.case_id == Case.id).outerjoin(Event, Event.id == last.c.eid)).all()
    for tn, status, recorded in rows:
        if recorded is None:
            out.append(Violation("history.missing", tn, N_("没有办理记录")))
        elif recorded != status:
            out.append(Violation("history.status", tn, Msg(
                "当前状态 {status} 与最后一条记录 {recorded} 不一致",
                status=status, recorded=recorded)))
    return out


def run() -> list[Violation]:
    return check_chain()[0] + check_releases() + check_catalogue() + check_cases() + check_history()


def report() -> dict:
    """The staff integrity page: the chain head to note, and every violation found."""
    seq, digest = chain_head()
    return {"head_seq": seq, "head_hash": digest, "problems": run()}
