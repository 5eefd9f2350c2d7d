"""Letters the office sends (补正告知书, 征求第三方意见书, 延期答复告知书, 收费通知书…), rendered
from templates/notices/<kind>.txt when the action happens and stored with the case, so the
letter stays exactly what was sent even if a template changes later.

R6.1/R6.3: a notice leaves the office, so it is a release item like a reply letter. The action
(补正, extension…) records its fact and drafts the notice; the notice reaches the applicant —
the status page, the outbox, the applicant's PDF — only once a reviewer approved exactly that
text, which releases it. Notices have their own queue (services.review_queue), oldest limit
first, so the review does not eat the 7 working days of 条例第三十条.

Issue 15: the release gives the notice its own 文号 from the agency's sequence for its type and
the release year (services.numbering) — a draft, returned or never released, takes none, so the
sequence has no gaps.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ...domain.errors import ValidationFailed
from ...domain.text import N_, Msg
from ...domain.workflow import WorkflowError
from ...extensions import db
from ...i18n import render_official
from ...models import Case, Notice, ReleaseItem
from .. import audit, notify, numbering, review
from ..access import may_act_on
from ..actors import Actor
from ..cases import refresh_derived
from ..unit_of_work import atomic

# The letters themselves are Chinese by law; a title marked N_ may also label the letter in the
# staff UI (translated there), and is stored and sent verbatim.
TITLES = {
    "supplement": N_("补正申请告知书"),
    "consultation": N_("征求第三方意见书"),
    "extension": N_("延期答复告知书"),
    "fee": N_("收费通知书"),
    "deferred": N_("延后答复告知书"),
    "clarification": N_("协助说明函"),
    "supplement_period": N_("补正期限延长告知书"),
    # 条例第三十二条: disclosed over the third party's objection — to the third party
    "third_party_disclosure": N_("向第三方告知公开决定书"),
    # issue 17: a submission forwarded before acceptance — from the agency that now has it
    "forwarded": N_("申请转送告知书"),
}
# Letters addressed to the applicant (shown on the status page); the consultation letter goes
# to the third party.
FOR_APPLICANT = frozenset({"supplement", "extension", "fee", "deferred", "clarification",
                           "supplement_period", "forwarded"})
# R8.2 送达: how a notice reaches the applicant, from the delivery they asked for. Online and
# e-mail notices are delivered the day they are released; post and hand-over need the date
# recorded (the signed-for date from the postal receipt).
DELIVERY_FROM_REQUEST = {"online": "online", "email": "email", "mail": "post",
                         "pickup": "in_person"}
DELIVERED_ON_RELEASE = frozenset({"online", "email"})
DELIVERY_LABELS = {"online": N_("网上送达（查询页面）"), "email": N_("电子邮件"),
                   "post": N_("邮寄（挂号信/EMS）"), "in_person": N_("当面送达")}
# The notices whose delivery starts a period the applicant must keep (R8.2) → the case's
# delivery facts.
PERIOD_NOTICES = {"supplement": ("supplement_delivered_on", "supplement_undelivered"),
                  "fee": ("fee_delivered_on", "fee_undelivered")}


def delivery_method_for(case: Case) -> str:
    if case.delivery_method in DELIVERY_FROM_REQUEST:
        return DELIVERY_FROM_REQUEST[case.delivery_method]
    return "online" if case.channel == "online" else "post"
TEXT_MAX = 20000


def _meta(notice: Notice) -> dict:
    return {"notice_kind": notice.kind, "title": notice.title}


def issue(case: Case, kind: str, on: date, actor: Actor, **values) -> Notice:
    """Draft the notice of an action as a release item awaiting review (inside the action's
    transaction). Nothing is shown or sent yet."""
    body = render_official(f"notices/{kind}.txt", case=case, on=on, **values).strip()
    item = review.new_item(kind="notice", title=TITLES[kind], case=case)
    review.add_text_version(item, body, actor, meta={"notice_kind": kind, "title": TITLES[kind]})
    notice = Notice(case_id=case.id, kind=kind, title=TITLES[kind], body=body, issued_on=on,
                    created_at=item.created_at, item_id=item.id,
                    delivery_method=delivery_method_for(case) if kind in FOR_APPLICANT else None)
    db.session.add(notice)
    if kind in PERIOD_NOTICES:  # R8.2: the applicant's period waits for delivery
        setattr(case, PERIOD_NOTICES[kind][1], True)
        setattr(case, PERIOD_NOTICES[kind][0], None)
    return notice


def _delivered(case: Case, notice: Notice, on: date, actor: Actor, today: date) -> None:
    """R8.2: the notice reached the applicant on ``on``; a period it starts runs from then."""
    notice.delivered_on = on
    if notice.kind in PERIOD_NOTICES:
        day_field, pending_field = PERIOD_NOTICES[notice.kind]
        setattr(case, day_field, on)
        setattr(case, pending_field, False)
        before = case.due_on
        refresh_derived(case, today)
        audit.record(actor, "notice_delivered", case=case, on=on, data={
            "notice": notice.id, "kind": notice.kind, "method": notice.delivery_method,
            "due_before": before.isoformat() if before else None,
            "due_after": case.due_on.isoformat() if case.due_on else None})
    else:
        audit.record(actor, "notice_delivered", case=case, on=on, data={
            "notice": notice.id, "kind": notice.kind, "method": notice.delivery_method})


@atomic
def record_delivery(case: Case, notice_id, on: date | None, actor: Actor, today: date) -> Notice:
    """R8.2: staff record the day a posted (or handed-over) notice reached the applicant —
    the signed-for date on the postal receipt."""
    _same_agency(case, actor)
    if not actor.roles & {"registrar", "handler", "office_head"}:
        raise WorkflowError("forbidden", N_("只有登记员、承办人或负责人可以登记送达"))
    notice = _notice(case, notice_id)
    if notice.released_on is None:
        raise WorkflowError("not_released", N_("告知文书尚未经审查发出，不能登记送达"))
    if notice.delivered_on is not None:
        raise WorkflowError("already_delivered", N_("已登记送达日期"))
    field = f"delivered-{notice.id}"
    if on is None:
        raise ValidationFailed({field: N_("请填写送达日期（邮件签收日期）")})
    if on < notice.released_on or on > today:
        raise ValidationFailed({field: Msg("送达日期须在 {sent} 至今天之间",
                                           sent=notice.released_on.isoformat())})
    _delivered(case, notice, on, actor, today)
    return notice


def item_of(notice: Notice) -> ReleaseItem | None:
    return db.session.get(ReleaseItem, notice.item_id) if notice.item_id else None


def status_of(notice: Notice) -> str:
    """released / pending / rejected / referred (legacy notices without an item: released)."""
    if notice.released_on is not None or notice.item_id is None:
        return "released"
    return review.status_of(item_of(notice))


def _notice(case: Case, notice_id) -> Notice:
    try:
        notice = db.session.get(Notice, int(notice_id))
    except (TypeError, ValueError, OverflowError):
        notice = None
    if notice is None or notice.case_id != case.id:
        raise ValidationFailed({"notice": N_("未找到该告知文书")})
    return notice


def _same_agency(case: Case, actor: Actor) -> None:
    if not may_act_on(actor, case.agency_id):
        raise WorkflowError("forbidden", N_("只能办理本机关的案件"))


@atomic
def decide(case: Case, notice_id, decision: str, reason: str | None, actor: Actor, today: date, *,
           version_id, sha256) -> Notice:
    """R6.2 一事一审 on the notice text the reviewer saw; an approval releases it at once (the
    release references that approval) and sends it to the applicant."""
    _same_agency(case, actor)
    notice = _notice(case, notice_id)
    if notice.released_on is not None:
        raise WorkflowError("already_released", N_("该告知文书已发出"))
    item = item_of(notice)
    if item is None:  # written before notices were reviewed: kept as history, nothing to decide
        raise WorkflowError("legacy_notice", N_("该告知文书为系统启用审查前的记录，不能再审查"))
    rev = review.record_decision(item, decision, reason, actor, version_id=version_id,
                                 sha256=sha256)
    audit.record(actor, "notice_review", case=case, on=today,
                 data={"notice": notice.id, "kind": notice.kind, **review.decision_data(item, rev)})
    if decision == "approved":
        releases = review.release_items([item], actor, today)
        notice.released_on = today
        # numbered in the year the letter is dated (its act's day), so 〔year〕 matches its date
        notice.doc_number = numbering.next_letter_no(case.agency, notice.kind,
                                                     notice.issued_on.year)
        audit.record(actor, "notice_released", case=case, on=today, data={
            "notice": notice.id, "kind": notice.kind, "doc_number": notice.doc_number,
            "released": review.release_data(releases)})
        if notice.kind in FOR_APPLICANT:  # issue 16: a short message pointing to the status page
            notify.applicant_event(case, notice.kind, letter=item.current.text)
        if notice.delivery_method in DELIVERED_ON_RELEASE:
            _delivered(case, notice, today, actor, today)
    return notice


@atomic
def revise(case: Case, notice_id, text: str, actor: Actor, today: date) -> Notice:
    """The handler corrects a notice the reviewer returned: a new version, reviewed again."""
    _same_agency(case, actor)
    if "handler" not in actor.roles and "office_head" not in actor.roles:
        raise WorkflowError("forbidden", N_("只有承办人或负责人可以修改告知文书"))
    notice = _notice(case, notice_id)
    if notice.released_on is not None:
        raise WorkflowError("already_released", N_("该告知文书已发出，不能再修改"))
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({f"notice-{notice.id}": N_("请填写告知文书全文")})
    if len(text) > TEXT_MAX:
        raise ValidationFailed({f"notice-{notice.id}": N_("告知文书过长")})
    item = item_of(notice)
    if item is None:
        raise WorkflowError("legacy_notice", N_("该告知文书为系统启用审查前的记录，不能再审查"))
    version = review.add_text_version(item, text, actor, meta=_meta(notice))
    if version is not None:
        notice.body = text
        audit.record(actor, "notice_revised", case=case, on=today, data={
            "notice": notice.id, "version": version.number, "sha256": version.sha256})
    return notice


@dataclass(frozen=True)
class SentNotice:
    """A notice as it left the office: the released text, never a later draft."""
    id: int
    kind: str
    title: str
    body: str
    issued_on: date
    released_on: date
    doc_number: str | None = None  # 文号 (None: sent before letters were numbered)


def for_case(case: Case, applicant_only: bool = False) -> list:
    """Staff: every notice (drafts included). Applicant (``applicant_only``): only the released
    notices addressed to them, with the text that was reviewed (R6.3)."""
    rows = db.session.execute(select(Notice).where(Notice.case_id == case.id)
                              .order_by(Notice.issued_on, Notice.id)).scalars().all()
    if not applicant_only:
        return list(rows)
    out = []
    released = review.released_versions([n.item_id for n in rows if n.item_id])
    for n in rows:
        if n.kind not in FOR_APPLICANT:
            continue
        if n.item_id is None:  # written before notices were gated (kept as history)
            out.append(SentNotice(n.id, n.kind, n.title, n.body, n.issued_on, n.issued_on))
        elif n.item_id in released and n.released_on is not None:
            out.append(SentNotice(n.id, n.kind, n.title, released[n.item_id][1].text, n.issued_on,
                                  n.released_on, n.doc_number))
    return out
