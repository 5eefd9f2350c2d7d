"""条例第四十四条 (issue 17): several applicants asking for the same information — the office may
make it 主动公开. Two things for the staff case page:

- ``panel``: "相似申请" — released replies and published catalogue entries on the whole
  platform whose title is like this case's subject (services.search.similar), each shown as far
  as the viewer may see it: a reply of an agency the viewer may not read shows its agency, its
  (scrubbed) subject and date only — no tracking number, no link.
- ``propose``: "纳入主动公开" — a catalogue DRAFT made from a released reply. It publishes
  nothing: the draft goes through the catalogue's own review gate (services.review.catalogue)
  like any other entry, and its text is the released letter with the applicant's personal data
  taken out (search.scrub) for the reviewer to check.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain.codes import CatalogueCategory
from ..domain.errors import ValidationFailed
from ..domain.text import N_
from ..domain.workflow import WorkflowError
from ..extensions import db
from ..models import Agency, Case, CaseReply, CatalogueEntry, Event
from . import access, audit, search
from .actors import Actor
from .review import catalogue
from .unit_of_work import atomic

EVENT = "catalogue_from_case"
PROPOSE_ROLES = catalogue.EDIT_ROLES  # those who may draft a catalogue entry
SIMILAR_SHOWN = 5


@dataclass(frozen=True)
class SimilarRow:
    kind: str  # "reply" | "catalogue"
    title: str
    agency_name: str
    on: date | None
    tracking_no: str | None  # a reply the viewer may see
    case_id: int | None  # ditto: the case page is linked
    entry_id: int | None  # a published entry: the public page is linked


def _released_reply(case: Case) -> CaseReply | None:
    reply = db.session.execute(select(CaseReply).where(CaseReply.case_id == case.id)).scalar()
    return reply if reply is not None and reply.released_on is not None else None


def similar_rows(actor: Actor, case: Case, limit: int = SIMILAR_SHOWN) -> list[SimilarRow]:
    hits = search.similar(case.subject, exclude=[("reply", case.id)], limit=limit)
    agencies = {a.id: a.name for a in db.session.execute(select(Agency).where(
        Agency.id.in_({h.agency_id for h in hits}))).scalars()} if hits else {}
    case_ids = [h.ref_id for h in hits if h.kind == "reply"]
    cases = {c.id: c for c in db.session.execute(select(Case).where(
        Case.id.in_(case_ids))).scalars()} if case_ids else {}
    entry_ids = [h.ref_id for h in hits if h.kind == "catalogue"]
    published = {e.id for e in db.session.execute(select(CatalogueEntry).where(
        CatalogueEntry.id.in_(entry_ids), CatalogueEntry.published_on.is_not(None))).scalars()
    } if entry_ids else set()
    rows = []
    for h in hits:
        name = agencies.get(h.agency_id, "")
        if h.kind == "reply":
            other = cases.get(h.ref_id)
            mine = other is not None and access.can_see_agency(actor, other.agency_id)
            rows.append(SimilarRow("reply", h.title, name, h.published_on,
                                   other.tracking_no if mine else None,
                                   other.id if mine else None, None))
        elif h.ref_id in published:
            rows.append(SimilarRow("catalogue", h.title, name, h.published_on, None, None,
                                   h.ref_id))
    return rows


def similar_count(case: Case) -> int:
    """How many other applications on the platform asked for information like this case's and
    were answered — the reason 条例第四十四条 gives for making it 主动公开."""
    return search.similar_count(case.subject, kinds=("reply",), exclude=[("reply", case.id)])


def drafts_from(case: Case) -> list[CatalogueEntry]:
    """The catalogue entries made from this case (the events say which)."""
    ids = [data.get("entry") for data in db.session.execute(select(Event.data).where(
        Event.action == EVENT, Event.agency_id == case.agency_id)).scalars()
        if isinstance(data, dict) and data.get("case") == case.id]
    if not ids:
        return []
    return list(db.session.execute(select(CatalogueEntry).where(CatalogueEntry.id.in_(ids))
                                   .order_by(CatalogueEntry.id)).scalars())


def may_propose(actor: Actor, case: Case) -> bool:
    return (actor.id is not None and bool(actor.roles & PROPOSE_ROLES)
            and access.may_act_on(actor, case.agency_id) and _released_reply(case) is not None)


def panel(actor: Actor, case: Case) -> dict:
    """The template values of templates/staff/_similar.html."""
    allowed = may_propose(actor, case)
    return {"rows": similar_rows(actor, case), "count": similar_count(case),
            "may_propose": allowed, "drafts": drafts_from(case) if allowed else [],
            "categories": catalogue.CATEGORY_LABELS}


def draft_text(case: Case) -> tuple[str, str]:
    """The title and body of the draft: the subject and the released letter, scrubbed of the
    applicant's personal data (search.scrub: the salutation line "张三：", the tracking number,
    the applicant's name, contact, ID, credit code, phone, e-mail and address, and any ID
    number, mobile number or e-mail address)."""
    reply = _released_reply(case)
    letter = search.released_letter(reply) if reply is not None else ""
    title = search.scrub(case.subject, case).replace("\n", " ")[:300]
    return title, search.scrub(letter, case)


@atomic
def propose(case: Case, actor: Actor, today: date, category: str = "other") -> CatalogueEntry:
    """"纳入主动公开": a catalogue draft from the released reply of ``case``, recorded with the
    case it came from. Nothing is published: the draft needs the catalogue review and a
    publication like any entry (R6.3)."""
    if not (actor.id is not None and actor.roles & PROPOSE_ROLES
            and access.may_act_on(actor, case.agency_id)):
        raise WorkflowError("forbidden", N_("只有本机关的承办人或负责人可以将答复纳入主动公开"))
    case = db.session.get(Case, case.id)
    reply = _released_reply(case)
    if reply is None:
        raise WorkflowError("not_replied", N_("答复发出后才能纳入主动公开"))
    if category not in {c.value for c in CatalogueCategory}:
        raise ValidationFailed({"category": N_("请选择类别")})
    if drafts_from(case):
        raise WorkflowError("already_proposed", N_("该申请的答复已生成主动公开目录草稿"))
    title, body = draft_text(case)
    entry = catalogue.save_entry(None, case.agency_id, actor, title=title, doc_number=None,
                                 category=category, issued_on=reply.released_on,
                                 body=body or title)
    audit.record(actor, EVENT, agency_id=case.agency_id, on=today, data={
        "entry": entry.id, "case": case.id, "tracking_no": case.tracking_no,
        "similar": similar_count(case)})
    return entry
