"""Drafting, reviewing and releasing a case's reply (条例第三十六条–第三十九条; R6).

The handler drafts the letter (政府信息公开申请答复告知书) from the template of the chosen reply
type and attaches documents; every letter text and document is a release item, fingerprinted
per version. The reviewer decides item by item. Sending the reply concludes the case only when
every item is approved at its current fingerprint.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ... import settings
from ...domain import review as gate
from ...domain.codes import PauseKind
from ...domain.errors import ValidationFailed
from ...domain.replies import REMEDY, REPLY_TYPES, letter_problems
from ...domain.text import N_, Msg, joined
from ...domain.workflow import WorkflowError
from ...extensions import db
from ...i18n import render_official
from ...models import Agency, Case, CasePause, CaseReply, ReleaseItem, SignOff
from ...timeutil import now
from .. import notify, numbering, review, search, uploads
from ..actors import Actor
from ..cases import apply, guard
from ..unit_of_work import atomic

LETTER_MAX = 20000
REPLY_KINDS = ("letter", "document")  # a case's other release items are its notices


def reply_of(case: Case) -> CaseReply | None:
    return db.session.execute(select(CaseReply).where(CaseReply.case_id == case.id)).scalar()


def items_of(case: Case) -> list[ReleaseItem]:
    """The active items of the reply: the letter first, then documents in upload order."""
    rows = db.session.execute(select(ReleaseItem).where(
        ReleaseItem.case_id == case.id, ReleaseItem.kind.in_(REPLY_KINDS),
        ReleaseItem.withdrawn.is_(False)).order_by(ReleaseItem.kind != "letter", ReleaseItem.id)
    ).scalars().all()
    return list(rows)


def default_letter(case: Case, reply_type: str) -> str:
    rt = REPLY_TYPES[reply_type]
    return render_official("replies/letter.txt", case=case, rt=rt, remedy=REMEDY).strip()


def _item(case: Case, item_id) -> ReleaseItem:
    try:
        item = db.session.get(ReleaseItem, int(item_id))
    except (TypeError, ValueError):
        item = None
    if item is None or item.case_id != case.id or item.withdrawn or item.kind not in REPLY_KINDS:
        raise ValidationFailed({"item": N_("未找到该答复内容")})
    return item


def _letter_meta(case: Case, reply_type: str) -> dict:
    """R6.1: what leaves with the letter besides its text — the reply type, the outcome the
    annual report counts, the legal basis, and the exact documents sent with it."""
    rt = REPLY_TYPES[reply_type]
    docs = [{"name": i.current.filename, "sha256": i.current.content_sha256,
             "redacted": bool(i.redacted)}
            for i in items_of(case) if i.kind == "document" and i.current is not None]
    return {"reply_type": reply_type, "outcome": rt.outcome, "legal_basis": rt.basis,
            "documents": docs}


def _letter(reply: CaseReply | None) -> ReleaseItem | None:
    if reply and reply.letter_item_id:
        return db.session.get(ReleaseItem, reply.letter_item_id)
    return None


def _refresh_letter(case: Case, actor: Actor) -> None:
    """The documents changed: the letter's package changed with them, so the letter gets a new
    version (same text) that needs its own review (R6.2)."""
    reply = reply_of(case)
    letter = _letter(reply)
    if letter is not None and letter.current is not None:
        review.copy_version(letter, actor, **_letter_meta(case, reply.reply_type))


HOLDER_PLACEHOLDER = "〔请承办人写明机关名称、地址和联系电话〕"


def holder_text(agency: Agency) -> str:
    """How a letter names the agency that holds the information (条例第三十六条第五项)."""
    parts = [f"地址：{agency.address}" if agency.address else "",
             f"联系电话：{agency.phone}" if agency.phone else ""]
    details = "；".join(p for p in parts if p)
    return f"{agency.name}（{details}）" if details else agency.name


def _holder(case: Case, reply_type: str, holder_id) -> Agency | None:
    """The holding agency picked from the platform's list (issue 17) — only for a reply of
    第三十六条第五项, never the case's own agency."""
    if reply_type != "art36_5" or holder_id in (None, ""):
        return None
    try:
        agency = db.session.get(Agency, int(holder_id))
    except (TypeError, ValueError, OverflowError):
        agency = None
    if agency is None or agency.id == case.agency_id:
        raise ValidationFailed({"holder": N_("请从列表中选择负责公开该信息的其他机关")})
    return agency


@atomic
def draft_reply(case: Case, reply_type: str, letter_text: str | None, actor: Actor,
                today: date, holder_id=None) -> CaseReply:
    """Choose the reply type (fixing the outcome code) and save the letter; a change of the
    text, the type, the outcome or the documents is a new version needing review (R6.1/R6.2).
    ``holder_id``: for 第三十六条第五项, the platform agency that holds the information — it
    fills the letter's placeholder for that agency."""
    guard(case, "draft_reply", actor)
    if reply_type not in REPLY_TYPES:
        raise ValidationFailed({"reply_type": N_("请选择答复类型")})
    holder = _holder(case, reply_type, holder_id)
    rt = REPLY_TYPES[reply_type]
    reply = reply_of(case)
    if reply is None:
        reply = CaseReply(case_id=case.id, reply_type=reply_type, outcome=rt.outcome,
                          drafted_by_id=actor.id)
        db.session.add(reply)
    reply.reply_type, reply.outcome = reply_type, rt.outcome
    text = (letter_text or "").strip() or default_letter(case, reply_type)
    if holder is not None:
        text = text.replace(HOLDER_PLACEHOLDER, holder_text(holder))
    if len(text) > LETTER_MAX:
        raise ValidationFailed({"letter": Msg("答复告知书不能超过 {max_len} 字",
                                              max_len=LETTER_MAX)})
    if reply.letter_item_id is None:
        reply.letter_item_id = review.new_item(kind="letter",
                                               title=N_("政府信息公开申请答复告知书"),
                                               case=case).id
    letter = db.session.get(ReleaseItem, reply.letter_item_id)
    version = review.add_text_version(letter, text, actor, meta=_letter_meta(case, reply_type))
    apply(case, "draft_reply", actor, today, data={
        "reply_type": reply_type, "outcome": rt.outcome,
        "letter_version": version.number if version else letter.current.number,
        "sha256": letter.current.sha256})
    return reply


@atomic
def add_document(case: Case, upload: uploads.Upload, redacted: bool, actor: Actor,
                 today: date) -> ReleaseItem:
    guard(case, "draft_reply", actor)
    if msg := uploads.check(upload, settings.current()["UPLOAD_MAX_BYTES"]):
        raise ValidationFailed({"document": msg})
    title = uploads.safe_filename(upload.filename) + ("（删除处理后）" if redacted else "")
    item = review.new_item(kind="document", title=title, case=case, redacted=redacted)
    review.add_file_version(item, upload, actor, meta={"redacted": bool(redacted)})
    _refresh_letter(case, actor)
    apply(case, "draft_reply", actor, today, data={"document_added": title,
                                                   "sha256": item.current.sha256})
    return item


@atomic
def replace_document(case: Case, item_id, upload: uploads.Upload, actor: Actor,
                     today: date) -> None:
    """R6.2: replacing a document makes a new version, which needs its own review."""
    guard(case, "draft_reply", actor)
    item = _item(case, item_id)
    if msg := uploads.check(upload, settings.current()["UPLOAD_MAX_BYTES"]):
        raise ValidationFailed({"document": msg})
    version = review.add_file_version(item, upload, actor, meta={"redacted": bool(item.redacted)})
    _refresh_letter(case, actor)
    apply(case, "draft_reply", actor, today, data={"document_replaced": item.title,
                                                   "version": version.number,
                                                   "sha256": version.sha256})


@atomic
def remove_document(case: Case, item_id, actor: Actor, today: date) -> None:
    guard(case, "draft_reply", actor)
    item = _item(case, item_id)
    if item.kind == "letter":
        raise ValidationFailed({"item": N_("答复告知书不能删除")})
    item.withdrawn = True
    db.session.flush()
    _refresh_letter(case, actor)
    apply(case, "draft_reply", actor, today, data={"document_removed": item.title})


@atomic
def draft_and_submit(case: Case, reply_type: str, letter_text: str | None, actor: Actor,
                     today: date, holder_id=None) -> CaseReply:
    """Save the letter and submit the reply for review in one step — the handler's usual last
    move when nothing else goes with the letter. One unit of work: if the reply cannot go to
    review (incomplete letter, missing documents), nothing is saved and the form shows why."""
    reply = draft_reply(case, reply_type, letter_text, actor, today, holder_id)
    submit_for_review(case, actor, today)
    return reply


@atomic
def submit_for_review(case: Case, actor: Actor, today: date) -> None:
    guard(case, "submit_for_review", actor)
    reply = reply_of(case)
    if reply is None or reply.letter_item_id is None:
        raise WorkflowError("no_draft", N_("请先起草答复告知书"))
    items = items_of(case)
    returned = [i for i in items if review.status_of(i) == "rejected"]
    if returned:  # R6.2: a rejected version is never approved as it stands — change it first
        raise WorkflowError("rejected_unchanged", Msg(
            "“{title}”已被审查退回，请先修改（上传新版本）后再提交审查",
            title=returned[0].title))
    letter = _letter(reply)
    problems = letter_problems(reply.reply_type, letter.current.text if letter.current else "",
                               sum(1 for i in items if i.kind == "document"))
    if problems:
        raise WorkflowError("letter_incomplete", joined(problems))
    apply(case, "submit_for_review", actor, today, data={"items": len(items)})


@atomic
def decide(case: Case, item_id, decision: str, reason: str | None, actor: Actor, today: date, *,
           version_id, sha256) -> str:
    """R6.2 一事一审: one decision on the version and fingerprint the reviewer saw.

    Each item is decided on its own: a rejection is recorded and the case stays in review
    until the current version of every item has a decision (this system's choice, R6.4). The
    call that decides the last item ends the round: if any current version was rejected, that
    same call returns the case to drafting (its one audit event is ``return_to_drafting``,
    recording this decision and the rejected items); otherwise it is ``review_item``. A
    referral to the competent / 保密 authority runs as an other-agency consultation (R6.4).
    Returns the action applied (``review_item``, ``return_to_drafting`` or ``refer_review``)."""
    action = "refer_review" if decision == "referred" else "review_item"
    guard(case, action, actor)
    # Two reviewers deciding the last two items at once must not both see the round open
    # (neither would end it): decisions on one case queue behind its row lock.
    _lock(case)
    db.session.refresh(case)
    guard(case, action, actor)
    item = _item(case, item_id)
    rev = review.record_decision(item, decision, reason, actor, version_id=version_id,
                                 sha256=sha256)
    data = review.decision_data(item, rev)
    if decision == "referred":
        case.pauses.append(CasePause(kind=PauseKind.AGENCY, party="保密行政管理部门或有关主管部门",
                                     start_on=today))
        apply(case, "refer_review", actor, today, data=data)
        return "refer_review"
    items = items_of(case)
    if review.round_result(items) == gate.REJECTED:
        data["returned"] = _rejected(items)
        apply(case, "return_to_drafting", actor, today, data=data)
        return "return_to_drafting"
    apply(case, "review_item", actor, today, data=data)
    return "review_item"


def _rejected(items: list[ReleaseItem]) -> list[dict]:
    """The items whose current version was rejected (what the drafter must change)."""
    return [{"item_id": i.id, "item": i.title, "version_id": i.current.id}
            for i, decided in zip(items, review.current_decisions(items), strict=True)
            if gate.standing_decision(decided) == gate.REJECTED]


def sign_off_of(case: Case) -> SignOff | None:
    """The 签发 of the letter's current version — none once the package changed (R6.2)."""
    letter = _letter(reply_of(case))
    v = letter.current if letter is not None else None
    if v is None:
        return None
    return db.session.execute(select(SignOff).where(
        SignOff.version_id == v.id, SignOff.sha256 == v.sha256)).scalar()


@atomic
def sign_off(case: Case, actor: Actor, today: date, *, version_id, sha256) -> None:
    """签发 by the office head (setting REQUIRE_SIGN_OFF), bound to the letter version and
    fingerprint the head saw — the letter's fingerprint covers the whole package."""
    guard(case, "sign_off", actor)
    letter = _letter(reply_of(case))
    if letter is None or letter.current is None:
        raise WorkflowError("no_draft", N_("尚无答复"))
    v = letter.current
    gate.check_current(v.id, v.sha256, version_id, sha256)
    if sign_off_of(case) is not None:
        raise WorkflowError("already_signed", N_("该版本已签发"))
    db.session.add(SignOff(version_id=v.id, sha256=v.sha256, signed_by_id=actor.id,
                           signed_at=now()))
    apply(case, "sign_off", actor, today, data={"version_id": v.id, "version": v.number,
                                                "sha256": v.sha256})


def _lock(case: Case) -> None:
    """Serialise releases of one case (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE already
    serialises writers)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Case.id).where(Case.id == case.id).with_for_update())


@atomic
def release_reply(case: Case, actor: Actor, today: date) -> None:
    """R6.3 先审查、后公开: send the reply — every item approved at its current fingerprint,
    re-checked here inside the transaction — and conclude the case (R3.6 timely computed)."""
    guard(case, "release_reply", actor)
    _lock(case)
    db.session.refresh(case)
    guard(case, "release_reply", actor)
    reply = reply_of(case)
    letter = _letter(reply)
    if reply is None or letter is None or letter.current is None:
        raise WorkflowError("no_draft", N_("尚无答复"))
    if settings.current().get("REQUIRE_SIGN_OFF") and sign_off_of(case) is None:
        raise WorkflowError("not_signed_off", N_("答复尚未经负责人签发（或签发后内容已变更）"))
    items = items_of(case)
    releases = review.release_items(items, actor, today)
    # The outcome that counts is the one the reviewer approved with the letter (R6.1).
    outcome = letter.current.meta["outcome"]
    case.outcome, case.concluded_on, reply.released_on = outcome, today, today
    reply.doc_number = numbering.next_letter_no(case.agency, "reply", today.year)
    search.index_reply(case)  # issue 17: "similar applications" across the platform
    apply(case, "release_reply", actor, today, data={
        "outcome": outcome, "items": len(items), "released": review.release_data(releases)})
    notify.applicant_event(case, "reply")


def released_reply(case: Case) -> dict | None:
    """What the applicant may read: only released versions (never drafts, reviewers or reasons)."""
    reply = reply_of(case)
    if reply is None or reply.released_on is None:
        return None
    items = db.session.execute(select(ReleaseItem).where(ReleaseItem.case_id == case.id,
                                                        ReleaseItem.kind.in_(REPLY_KINDS))
                               .order_by(ReleaseItem.kind != "letter", ReleaseItem.id)
                               ).scalars().all()
    released = review.released_versions([i.id for i in items])
    letter, documents, outcome = None, [], reply.outcome
    for item in items:
        if item.id not in released:
            continue
        rel, ver = released[item.id]
        if item.kind == "letter":
            letter, outcome = ver.text, (ver.meta or {}).get("outcome", reply.outcome)
        else:
            documents.append({"release_id": rel.id, "name": ver.filename, "size": ver.size,
                              "stored_name": ver.stored_name, "content_type": ver.content_type})
    return {"outcome": outcome, "replied_on": reply.released_on, "letter": letter,
            "documents": documents}
