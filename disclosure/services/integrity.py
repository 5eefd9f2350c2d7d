"""The inspector's question (保密行政管理部门): were the rules kept? `flask check` and the staff
integrity page both run these checks over the whole database.

- every release has an approving review of exactly the released fingerprint, by someone other
  than the drafter, and the released content still has that fingerprint (untampered);
- every concluded case has an outcome and a conclusion date, and a replied case a released letter;
- every case's history is complete: it has events, and its status is the last recorded one.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select

from ..domain.codes import CONCLUDED_STATUSES, Status
from ..domain.review import fingerprint
from ..domain.text import N_, Msg
from ..extensions import db
from ..models import Case, Event, ItemVersion, Release, ReleaseItem, Review
from . import uploads


@dataclass
class Violation:
    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.where}: {self.detail}"


def _content_sha(v: ItemVersion) -> str | None:
    if v.text is not None:
        return fingerprint(v.text)
    if v.stored_name:
        try:
            with open(uploads.path_of(v.stored_name), "rb") as fh:
                return hashlib.sha256(fh.read()).hexdigest()
        except (OSError, ValueError):
            return None
    return None


def check_releases() -> list[Violation]:
    out = []
    rows = db.session.execute(select(Release, ItemVersion, Review).join(
        ItemVersion, ItemVersion.id == Release.version_id).outerjoin(
        Review, Review.id == Release.review_id)).all()
    for rel, ver, rev in rows:
        where = f"release {rel.id} (item {rel.item_id} v{ver.number})"
        if rev is None or rev.decision != "approved":
            out.append(Violation("release.review", where, N_("没有同意公开的审查决定")))
            continue
        if rev.version_id != ver.id or rev.sha256 != rel.sha256 or ver.sha256 != rel.sha256:
            out.append(Violation("release.fingerprint", where, N_("发布的指纹与审查的指纹不一致")))
        if rev.reviewer_id == ver.drafter_id:
            out.append(Violation("release.separation", where, N_("审查人即起草人")))
        actual = _content_sha(ver)
        if actual != rel.sha256:
            out.append(Violation("release.tampered", where,
                                 N_("内容在审查后被改动或文件缺失") if actual else N_("文件缺失")))
    return out


def check_cases() -> list[Violation]:
    out = []
    concluded = [s.value for s in CONCLUDED_STATUSES]
    for cid, tn, status, outcome, concluded_on in db.session.execute(select(
            Case.id, Case.tracking_no, Case.status, Case.outcome, Case.concluded_on).where(
            (Case.status.in_(concluded)) | Case.outcome.is_not(None) | Case.concluded_on.is_not(None))):
        if status not in concluded or outcome is None or concluded_on is None:
            out.append(Violation("case.concluded", tn, Msg(
                "状态 {status}、结果 {outcome}、办结日 {concluded_on} 不一致",
                status=status, outcome=outcome, concluded_on=concluded_on)))
    replied = select(Case.id, Case.tracking_no).where(Case.status == Status.REPLIED, ~select(Release.id).join(
        ReleaseItem, ReleaseItem.id == Release.item_id).where(
        ReleaseItem.case_id == Case.id, ReleaseItem.kind == "letter").exists())
    imported = select(Event.case_id).where(Event.action == "import")
    for cid, tn in db.session.execute(replied.where(Case.id.not_in(imported))):
        out.append(Violation("case.reply", tn, N_("已答复但没有经审查发出的答复告知书")))
    return out


def check_history() -> list[Violation]:
    """Each case's status equals the after_status of its last status-bearing event."""
    out = []
    last = select(Event.case_id, func.max(Event.id).label("eid")).where(
        Event.case_id.is_not(None), Event.after_status.is_not(None)).group_by(Event.case_id).subquery()
    rows = db.session.execute(select(Case.tracking_no, Case.status, Event.after_status).outerjoin(
        last, last.c.case_id == Case.id).outerjoin(Event, Event.id == last.c.eid)).all()
    for tn, status, recorded in rows:
        if recorded is None:
            out.append(Violation("history.missing", tn, N_("没有办理记录")))
        elif recorded != status:
            out.append(Violation("history.status", tn, Msg("当前状态 {status} 与最后一条记录 {recorded} 不一致",
                                                            status=status, recorded=recorded)))
    return out


def run() -> list[Violation]:
    return check_releases() + check_cases() + check_history()


