"""Proactive disclosure catalogue (主动公开, 条例第十九条–第二十条): the same gate as replies.

An entry's text and each attachment are release items; nothing appears on the public catalogue
until each is approved at its current fingerprint and released (R6.3). An edited entry keeps
showing its last released version until the new one is reviewed and published.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from ... import settings
from ...domain.codes import CatalogueCategory
from ...domain.errors import ValidationFailed
from ...domain.text import N_
from ...domain.workflow import WorkflowError
from ...extensions import db
from ...models import CatalogueEntry, ReleaseItem
from ...timeutil import now
from .. import audit, review, search, uploads
from ..actors import Actor
from ..unit_of_work import atomic

CATEGORY_LABELS = {
    "regulation": N_("规章"), "normative_document": N_("行政规范性文件"),
    "licensing": N_("行政许可"),
    "penalty": N_("行政处罚"), "enforcement": N_("行政强制"), "fee_item": N_("行政事业性收费"),
    "annual_report": N_("政府信息公开工作年度报告"), "other": N_("其他"),
}
EDIT_ROLES = frozenset({"handler", "office_head"})


def _check(title, doc_number, category, issued_on, body) -> dict:
    errors = {}
    if not (title or "").strip() or len(title) > 300:
        errors["title"] = N_("请填写标题（不超过 300 字）")
    if doc_number and len(doc_number) > 100:
        errors["doc_number"] = N_("文号不能超过 100 字")
    if category not in {c.value for c in CatalogueCategory}:
        errors["category"] = N_("请选择类别")
    if issued_on is None:
        errors["issued_on"] = N_("请填写成文（发布）日期")
    if not (body or "").strip():
        errors["body"] = N_("请填写正文")
    return errors


def _require_editor(actor: Actor) -> None:
    if not actor.roles & EDIT_ROLES:
        raise WorkflowError("forbidden", N_("只有承办人或负责人可以编辑主动公开目录"))


def items_of(entry: CatalogueEntry) -> list[ReleaseItem]:
    return list(db.session.execute(select(ReleaseItem).where(
        ReleaseItem.entry_id == entry.id, ReleaseItem.withdrawn.is_(False))
        .order_by(ReleaseItem.kind != "entry_text", ReleaseItem.id)).scalars())


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def text_item(entry: CatalogueEntry) -> ReleaseItem | None:
    return next((i for i in items_of(entry) if i.kind == "entry_text"), None)


def draft_of(entry: CatalogueEntry | None) -> dict:
    """The entry as drafted (its current text version): what the staff form edits and the
    reviewer reviews. The entry row itself shows what was last published."""
    item = text_item(entry) if entry is not None else None
    if item is None or item.current is None:
        return {}
    v = item.current
    meta = v.meta or {}
    return {"title": meta.get("title"), "doc_number": meta.get("doc_number"),
            "category": meta.get("category"), "issued_on": meta.get("issued_on"),
            "repealed_on": meta.get("repealed_on"), "body": v.text}


def _show(entry: CatalogueEntry, meta: dict) -> None:
    """Copy reviewed metadata onto the entry row (the public face)."""
    entry.title, entry.doc_number, entry.category = (
        meta["title"], meta["doc_number"], meta["category"])
    entry.issued_on = date.fromisoformat(meta["issued_on"])
    entry.repealed_on = date.fromisoformat(meta["repealed_on"]) if meta.get("repealed_on") else None


@atomic
def save_entry(entry: CatalogueEntry | None, agency_id: int, actor: Actor, *, title: str,
               doc_number: str | None, category: str, issued_on: date | None,
               body: str) -> CatalogueEntry:
    """Create or edit an entry. R6.1: the title, 文号, category, dates and body all leave with
    the entry, so any change is a new version needing review; a published entry keeps showing
    its last released version until the new one is reviewed and published."""
    _require_editor(actor)
    if errors := _check(title, doc_number, category, issued_on, body):
        raise ValidationFailed(errors)
    if entry is None:
        entry = CatalogueEntry(agency_id=agency_id, created_by_id=actor.id, created_at=now())
        db.session.add(entry)
    elif entry.agency_id != actor.agency_id:
        raise WorkflowError("forbidden", N_("只能编辑本机关的主动公开目录"))
    meta = {"title": title.strip(), "doc_number": (doc_number or "").strip() or None,
            "category": category, "issued_on": issued_on.isoformat(),
            "repealed_on": draft_of(entry).get("repealed_on") if entry.id else None}
    if entry.published_on is None:
        _show(entry, meta)  # never public yet: the row may follow the draft (staff lists)
    db.session.flush()
    item = text_item(entry) or review.new_item(kind="entry_text", title=N_("正文"), entry=entry)
    if review.add_text_version(item, body.strip(), actor, meta=meta) is not None:
        audit.record(actor, "catalogue_saved", agency_id=entry.agency_id,
                     data={"entry": entry.id, "title": meta["title"],
                           "version": item.current.number, "sha256": item.current.sha256})
    return entry


@atomic
def add_attachment(entry: CatalogueEntry, upload: uploads.Upload, actor: Actor) -> None:
    _require_editor(actor)
    _own(entry, actor)
    if msg := uploads.check(upload, settings.current()["UPLOAD_MAX_BYTES"]):
        raise ValidationFailed({"attachment": msg})
    item = review.new_item(kind="entry_file", title=uploads.safe_filename(upload.filename),
                           entry=entry)
    review.add_file_version(item, upload, actor)
    audit.record(actor, "catalogue_attachment", agency_id=entry.agency_id,
                 data={"entry": entry.id, "file": item.title, "sha256": item.current.sha256})


def _own(entry: CatalogueEntry, actor: Actor) -> None:
    if entry.agency_id != actor.agency_id:
        raise WorkflowError("forbidden", N_("只能处理本机关的主动公开目录"))


@atomic
def decide(entry: CatalogueEntry, item_id: int, decision: str, reason: str | None, actor: Actor, *,
           version_id, sha256) -> None:
    """R6.2 一事一审 for catalogue items, bound to the version and fingerprint the reviewer saw
    (a referral has no clock here: the item stays unpublished)."""
    _own(entry, actor)
    item = db.session.get(ReleaseItem, item_id) if isinstance(item_id, int) else None
    if item is None or item.entry_id != entry.id:
        raise ValidationFailed({"item": N_("未找到该内容")})
    rev = review.record_decision(item, decision, reason, actor, version_id=version_id,
                                 sha256=sha256)
    audit.record(actor, "catalogue_review", agency_id=entry.agency_id,
                 data={"entry": entry.id, **review.decision_data(item, rev)})


@atomic
def publish(entry: CatalogueEntry, actor: Actor, today: date) -> None:
    """R6.3: publish the current versions, each with its approving review of exactly that
    content; the entry row then shows the reviewed metadata."""
    _require_editor(actor)
    _own(entry, actor)
    items = items_of(entry)
    already = review.released_versions([i.id for i in items])
    fresh = [i for i in items if i.id not in already or already[i.id][1].id != i.current.id]
    if not fresh:
        raise WorkflowError("nothing_new", N_("没有需要发布的新内容"))
    releases = review.release_items(items if entry.published_on is None else fresh, actor, today)
    text = text_item(entry)
    if text is not None:
        _show(entry, text.current.meta)
    entry.published_on = entry.published_on or today
    search.index_catalogue_entry(entry)  # issue 17: public text becomes searchable
    audit.record(actor, "catalogue_published", agency_id=entry.agency_id,
                 data={"entry": entry.id, "items": [i.title for i in fresh],
                       "released": review.release_data(releases)})


@atomic
def repeal(entry: CatalogueEntry, repealed_on: date | None, actor: Actor) -> None:
    """The validity (效力) is published with the entry (R6.1): recording a repeal drafts a new
    version that is shown once reviewed and published."""
    _require_editor(actor)
    _own(entry, actor)
    draft = draft_of(entry)
    issued = date.fromisoformat(draft["issued_on"]) if draft.get("issued_on") else entry.issued_on
    if repealed_on is None or repealed_on < issued:
        raise ValidationFailed({"repealed_on": N_("废止日期须不早于成文日期")})
    item = text_item(entry)
    version = review.copy_version(item, actor, repealed_on=repealed_on.isoformat())
    if version is not None:  # an unchanged repeal date is not a new act
        audit.record(actor, "catalogue_repealed", agency_id=entry.agency_id,
                     data={"entry": entry.id, "repealed_on": repealed_on.isoformat(),
                           "sha256": version.sha256})


@dataclass
class PublicEntry:
    entry: CatalogueEntry
    body: str | None
    files: list[dict]


def public_list(category: str | None, q: str | None, page: int, per_page: int = 20):
    stmt = select(CatalogueEntry).where(CatalogueEntry.published_on.is_not(None))
    if category:
        stmt = stmt.where(CatalogueEntry.category == category)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(CatalogueEntry.title.like(like, escape="\\"),
                              CatalogueEntry.doc_number.like(like, escape="\\")))
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = db.session.execute(
        stmt.order_by(CatalogueEntry.issued_on.desc(), CatalogueEntry.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)).scalars().all()
    return rows, total


def public_entry(entry_id: int) -> PublicEntry | None:
    """Only released versions: the reviewed text and attachments, never a newer draft."""
    entry = db.session.get(CatalogueEntry, entry_id)
    if entry is None or entry.published_on is None:
        return None
    items = db.session.execute(select(ReleaseItem).where(ReleaseItem.entry_id == entry.id)
                               .order_by(ReleaseItem.id)).scalars().all()
    released = review.released_versions([i.id for i in items])
    body, files = None, []
    for item in items:
        if item.id in released:
            rel, ver = released[item.id]
            if item.kind == "entry_text":
                body = ver.text
            elif not item.withdrawn:
                files.append({"release_id": rel.id, "name": ver.filename,
                              "stored_name": ver.stored_name, "content_type": ver.content_type})
    return PublicEntry(entry, body, files)
