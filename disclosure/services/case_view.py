"""Read side of the staff case page: what it shows of one case, gathered in one call."""
from __future__ import annotations

from datetime import date

from .. import settings
from ..domain import case_rules as rules
from ..domain.codes import PauseKind, Status
from ..domain.next_steps import NextSteps, Situation, next_steps
from ..models import Case
from . import (
    access,
    case_actions,
    case_queries,
    cases,
    code_recovery,
    forwarding,
    handlers,
    query_codes,
    review,
)
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


def situation(case: Case, *, pending_extension, reply, items: list[dict],
              signed_off: bool) -> Situation:
    """The facts of ``case`` that decide its next steps (domain.next_steps)."""
    return Situation(
        status=case.status,
        supplement_requested=case.supplement_requested_on is not None,
        fee_notified=case.fee_notified_on is not None, fee_paid=case.fee_paid_on is not None,
        extension_pending=pending_extension is not None,
        extension_granted=bool(case.extension_workdays),
        consultation_open=any(p.end_on is None and p.kind != PauseKind.FEE for p in case.pauses),
        third_party_consulted=any(p.kind == PauseKind.THIRD_PARTY for p in case.pauses),
        reply_drafted=reply is not None and reply.letter_item_id is not None,
        # a referred item awaits the competent authority, then a reviewer: not decided yet
        items_pending=sum(1 for r in items if r["status"] in ("pending", "referred")),
        items_rejected=sum(1 for r in items if r["status"] == "rejected"),
        sign_off_required=bool(settings.current().get("REQUIRE_SIGN_OFF")),
        signed_off=signed_off, has_handler=case.handler_id is not None)


def steps_for(actor: Actor, case: Case) -> NextSteps:
    """What ``actor`` may do next on ``case`` (nothing on another agency's case)."""
    reply = replies.reply_of(case)
    sit = situation(case, pending_extension=case_actions.pending_extension(case), reply=reply,
                    items=reply_items(case) if case.status == Status.IN_REVIEW else [],
                    signed_off=replies.sign_off_of(case) is not None)
    roles = actor.roles if access.may_act_on(actor, case.agency_id) else frozenset()
    return next_steps(sit, roles)


def extension_preview(case: Case, pending, today: date) -> date | None:
    """The due date if the pending extension request is approved (R3.2) — the head sees it
    before deciding."""
    if pending is None:
        return None
    return cases.preview(case, today, extension_workdays=pending.workdays,
                         extension_on=today).due_on


def staff_case_page(actor: Actor, case: Case, today: date) -> dict:
    """The template values of the staff case page (templates/staff/case.html)."""
    pending = case_actions.pending_extension(case)
    reply = replies.reply_of(case)
    items = reply_items(case)
    signed_off = replies.sign_off_of(case) is not None
    sit = situation(case, pending_extension=pending, reply=reply, items=items,
                    signed_off=signed_off)
    may_act = access.may_act_on(actor, case.agency_id)
    roles = actor.roles if may_act else frozenset()
    return {
        "may_act": may_act,
        "dl": cases.deadline_of(case, today),
        "events": case_queries.history(case),
        "notices": notices.for_case(case),
        "pending_extension": pending,
        "reply": reply,
        "reply_items": items,
        "signed_off": signed_off,
        "steps": next_steps(sit, roles),
        "extension_preview": extension_preview(case, pending, today),
        "handlers": handlers.handlers_of(case.agency_id),
        "default_handler": handlers.default_handler(case.agency),
        # 第三十六条第五项: the agency that holds the information, picked from the platform
        "holder_agencies": forwarding.targets(case) if may_act else [],
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


def confirmation(case: Case, action: str, on: date | None, today: date) -> dict:
    """What a confirmation page says before an irreversible step (issue 15): the day the case
    will be concluded, its due date, and whether that is on time (R3.6) — plus, for a release,
    the items that will leave the office."""
    # the day a withdrawal is recorded for: the same bounds the step itself checks
    on = rules.day_within(on, today, case.received_on) if action == "withdraw" else today
    dl = cases.preview(case, today, concluded_on=on)
    out = {"action": action, "concluded_on": on, "due_on": dl.due_on, "timely": dl.timely,
           "provisional": dl.provisional}
    if action == "release_reply":
        out["items"] = reply_items(case)
    return out
