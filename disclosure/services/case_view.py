"""Read side of the staff case page: what it shows of one case, gathered in one call."""
from __future__ import annotations

from datetime import date

from ..models import Case
from . import access, case_actions, case_queries, cases, code_recovery, query_codes, review
from .actors import Actor
from .review import notices, replies

# who sees the applicant's full identity number on the case page (others see it masked)
FULL_ID_ROLES = frozenset({"registrar", "handler", "office_head"})


def staff_receipt(kept, case: Case) -> dict | None:
    """The 回执 of a case just registered on paper: its query code, shown once to the registrar
    (``kept`` is what the session held, services.query_codes.keep_for_receipt); the code is
    forgotten as it is read."""
    if not isinstance(kept, dict) or kept.get("tracking_no") != case.tracking_no:
        return None
    code = query_codes.code_for_receipt(kept, case)
    query_codes.discard_receipt(kept)
    return {"tracking_no": case.tracking_no, "query_code": code} if code else None


def staff_case_page(actor: Actor, case: Case, today: date) -> dict:
    """The template values of the staff case page (templates/staff/case.html)."""
    return {
        "dl": cases.deadline_of(case, today),
        "events": case_queries.history(case),
        "notices": notices.for_case(case),
        "pending_extension": case_actions.pending_extension(case),
        "reply": replies.reply_of(case),
        "reply_items": reply_items(case),
        "signed_off": replies.sign_off_of(case) is not None,
        "notice_rows": notice_rows(case),
        "show_full_id": bool(actor.roles & FULL_ID_ROLES),
        "may_reissue_code": bool(actor.roles & code_recovery.REISSUE_ROLES)
        and actor.id is not None and access.may_act_on(actor, case.agency_id),
    }


def notice_rows(case: Case) -> list[dict]:
    rows = []
    for n in notices.for_case(case):
        item = notices.item_of(n)
        rows.append({"notice": n, "status": notices.status_of(n), "released_on": n.released_on,
                     "current": item.current if item is not None else None})
    return rows


def reply_items(case: Case) -> list[dict]:
    items = replies.items_of(case)
    decided = review.decisions_for([v.id for i in items for v in i.versions])
    return [{"item": i, "status": review.status_of(i), "current": i.current,
             "history": [(v, decided.get(v.id, [])) for v in i.versions]} for i in items]
