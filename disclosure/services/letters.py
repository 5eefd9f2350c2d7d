"""Which official letter to print, and with what text: staff (any notice of a case, the latest
version of the reply letter, the 回执) and the applicant (the notices addressed to them and the
released reply). services.pdf lays the letter out."""
from __future__ import annotations

from datetime import date

from ..extensions import db
from ..models import Case, ReleaseItem
from . import access, cases, pdf, review
from .actors import Actor
from .review import notices, replies


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
                          reply.released_on if sent else today, draft=not sent)


def receipt_letter(case: Case, today: date) -> pdf.Letter:
    dl = cases.deadline_of(case, today)
    return pdf.receipt(case, dl.due_on, dl.provisional)


def applicant_letter(case: Case, which: str) -> pdf.Letter | None:
    """The applicant's copy: ``which`` is "reply" (the released reply) or the id of a released
    notice addressed to them; None for anything else."""
    if which == "reply":
        r = replies.released_reply(case)
        if r is None or not r["letter"]:
            return None
        return pdf.from_reply(case, r["letter"], replies.reply_of(case).reply_type,
                              r["replied_on"])
    notice = next((n for n in notices.for_case(case, applicant_only=True) if str(n.id) == which),
                  None)
    return pdf.from_notice(case, notice) if notice else None
