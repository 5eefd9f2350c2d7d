"""What the applicant may see of a case — the same for the status page and the API.

Only public history (domain.workflow.PUBLIC_EVENTS) and only released content; never staff
notes, reviewer identities or internal opinions.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..domain import deadlines
from ..domain.codes import OUTCOME_LABELS, STATUS_LABELS
from ..domain.workflow import PUBLIC_EVENTS, PUBLIC_NOTICE_EVENTS
from ..extensions import db
from ..models import Case, Event, Notice
from ..timeutil import as_local
from .calendar import get_calendar
from .case_actions import supplement_open
from .cases import deadline_of, facts_of
from .review.notices import for_case
from .review.replies import released_reply


def public_history(case: Case) -> list[dict]:
    events = db.session.execute(
        select(Event).where(Event.case_id == case.id).order_by(Event.id)).scalars()
    out = []
    for ev in events:
        if ev.action in PUBLIC_EVENTS:
            code, label = PUBLIC_EVENTS[ev.action]
        elif ev.action == "notice_released" and (ev.data or {}).get("kind") in PUBLIC_NOTICE_EVENTS:
            code, label = PUBLIC_NOTICE_EVENTS[ev.data["kind"]]
        else:
            continue
        on = ev.on_date or as_local(ev.occurred_at).date()
        out.append({"on": on.isoformat(), "event": code, "label": label})
    return out


def public_status(case: Case) -> str:
    """The status the applicant sees: a 补正 or fee notice still in review has not reached
    them, so the case is simply being handled (R6.3)."""
    unsent = {n.kind for n in db.session.execute(select(Notice).where(
        Notice.case_id == case.id, Notice.released_on.is_(None),
        Notice.item_id.is_not(None))).scalars()}
    if case.status == "awaiting_supplement" and "supplement" in unsent:
        return "in_progress"
    consulting = any(p.end_on is None and p.kind != "fee" for p in case.pauses)
    if case.status == "paused" and "fee" in unsent and not consulting:
        return "in_progress"
    return case.status


def applicant_view(case: Case, today: date) -> dict:
    """The API's follow-an-application body (docs/api.md, "Follow an application")."""
    dl = deadline_of(case, today)
    submitted = as_local(case.submitted_at)
    status = public_status(case)
    return {
        "tracking_no": case.tracking_no,
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "submitted_at": submitted.isoformat() if submitted else None,
        "received_on": case.received_on.isoformat() if case.received_on else None,
        "due_on": dl.due_on.isoformat() if dl.due_on else None,
        "due_provisional": dl.provisional,
        "paused": dl.paused,
        "due_explanation": [s.text for s in dl.steps],
        **_applicant_periods(case),
        "history": public_history(case),
        "reply": public_reply(case),
    }


def status_page(case: Case, today: date) -> dict:
    """The status page: the API's body, the notices sent to the applicant and, once the 补正
    notice reached them (issue 16), the items asked for (the page then offers the form)."""
    view = applicant_view(case, today)
    view["notices"] = for_case(case, applicant_only=True)
    view["supplement_open"] = supplement_open(case)
    view["supplement_items"] = case.supplement_items if view["supplement_open"] else None
    return view


def public_reply(case: Case) -> dict | None:
    """docs/api.md `reply`: only content whose review approved exactly that content."""
    r = released_reply(case)
    if r is None:
        return None
    return {
        "outcome": r["outcome"], "outcome_label": OUTCOME_LABELS.get(r["outcome"], r["outcome"]),
        "replied_on": r["replied_on"].isoformat(), "letter": r["letter"],
        "documents": [{"name": d["name"], "url": f"/api/v1/applications/{case.tracking_no}"
                       f"/documents/{d['release_id']}"} for d in r["documents"]],
    }


def released_document(case: Case, release_id: int) -> dict | None:
    r = released_reply(case)
    if r is None:
        return None
    return next((d for d in r["documents"] if d["release_id"] == release_id), None)


def _applicant_periods(case: Case) -> dict:
    """R8.2: the end of the applicant's own periods (补正, payment), once the notice reached
    them — a posted notice's period is not shown before its signed-for date is known."""
    facts, cal = facts_of(case), get_calendar()
    out = {"supplement_due_on": None, "fee_due_on": None, "period_provisional": False}
    if case.status == "awaiting_supplement":
        end = deadlines.supplement_period_end(facts, cal)
        out["supplement_due_on"] = end.isoformat() if end else None
        out["period_provisional"] |= bool(end) and cal.is_provisional(
            case.supplement_requested_on, end)
    if case.fee_notified_on and not case.fee_paid_on and case.concluded_on is None:
        end = deadlines.fee_payment_end(facts, cal)
        out["fee_due_on"] = end.isoformat() if end else None
        out["period_provisional"] |= bool(end) and cal.is_provisional(case.fee_notified_on, end)
    return out
