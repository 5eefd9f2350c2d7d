"""Which official letter to print, and with what text: staff (any notice of a case, the latest
version of the reply letter, the 回执) and the applicant (the notices addressed to them and the
released reply). services.pdf lays the letter out.

文号 (issue 15): notices and the reply carry the number given at their release. The 回执 gets
its number the first time it is printed for a registered case (``ensure_receipt_number``) and
keeps it: registration itself (services.cases) does not number it, so a receipt nobody printed
takes no number.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Case, ReleaseItem
from . import access, cases, numbering, pdf, review
from .actors import Actor
from .review import notices, replies
from .unit_of_work import atomic


def notice_letter(actor: Actor, case: Case, notice_id) -> pdf.Letter | None:
    """A notice of ``case`` (drafts included, marked as such), if ``actor`` may see it."""
    notice = access.load_notice(actor, notice_id, case_id=case.id)
    return pdf.from_notice(case, notice) if notice is not None else None


def reply_letter(case: Case, today: date) -> pdf.Letter | None:
    """The latest version of the reply letter; marked as a draft unless it is the one sent."""
    reply = replies.reply_of(case)
    letter = db.session.get(ReleaseItem, reply.letter_item_id) \
        if reply and reply.letter_item_id else None
    if letter is None or letter.current is None:
        return None
    released = review.released_versions([letter.id]).get(letter.id)
    sent = bool(released and released[1].id == letter.current.id and reply.released_on)
    return pdf.from_reply(case, letter.current.text or "", reply.reply_type,
                          reply.released_on if sent else today, draft=not sent,
                          number=reply.doc_number if sent else None)


@atomic
def ensure_receipt_number(case: Case) -> str | None:
    """The 回执's 文号: given once, the first time the receipt of a registered case is produced
    (the year of 收到申请之日), then always the same. None while the receipt date is not known
    (an online application awaiting confirmation)."""
    if db.session.get_bind().dialect.name == "postgresql":  # two first prints at once
        db.session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    db.session.refresh(case)
    if case.receipt_doc_number is None and case.received_on is not None:
        case.receipt_doc_number = numbering.next_letter_no(case.agency, "receipt",
                                                           case.received_on.year)
    return case.receipt_doc_number


def receipt_letter(case: Case, today: date) -> pdf.Letter:
    if case.received_on is not None and case.receipt_doc_number is None:
        ensure_receipt_number(case)
    dl = cases.deadline_of(case, today)
    return pdf.receipt(case, dl.due_on, dl.provisional)


def applicant_letter(case: Case, which: str) -> pdf.Letter | None:
    """The applicant's copy: ``which`` is "reply" (the released reply) or the id of a released
    notice addressed to them; None for anything else."""
    if which == "reply":
        r = replies.released_reply(case)
        if r is None or not r["letter"]:
            return None
        reply = replies.reply_of(case)
        return pdf.from_reply(case, r["letter"], reply.reply_type, r["replied_on"],
                              number=reply.doc_number)
    notice = next((n for n in notices.for_case(case, applicant_only=True) if str(n.id) == which),
                  None)
    return pdf.from_notice(case, notice) if notice else None
