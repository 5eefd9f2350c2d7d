"""What the applicant may see of a case — the same for the status page and the API.

Only public history (domain.workflow.PUBLIC_EVENTS) and only released content; never staff
notes, reviewer identities or internal opinions. A concluded case's dates are final: nothing
about it is "provisional" (暂定) any more.

The status page (issue 16) adds the step tracker (``tracker``), what happens now and by when
(``next_step``), the remedies with their last days once the reply is released
(domain.remedies), and the office's contact details (services.agency_profile).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..domain import deadlines
from ..domain.codes import CONCLUDED_STATUSES, OUTCOME_LABELS, STATUS_LABELS, Status
from ..domain.remedies import remedies_after
from ..domain.workflow import PUBLIC_EVENTS, PUBLIC_NOTICE_EVENTS
from ..extensions import db
from ..models import Case, Event, Notice
from ..timeutil import as_local
from .agency_profile import header_identity
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
    concluded = status in CONCLUDED_STATUSES
    periods = _applicant_periods(case)
    if concluded:
        periods["period_provisional"] = False
    return {
        "tracking_no": case.tracking_no,
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "submitted_at": submitted.isoformat() if submitted else None,
        "received_on": case.received_on.isoformat() if case.received_on else None,
        "due_on": dl.due_on.isoformat() if dl.due_on else None,
        "due_provisional": dl.provisional and not concluded,
        "paused": dl.paused and not concluded,
        "due_explanation": [s.text for s in dl.steps],
        **periods,
        "history": public_history(case),
        "reply": public_reply(case),
    }


def status_page(case: Case, today: date) -> dict:
    """The status page: the API's body, the notices sent to the applicant and, once the 补正
    notice reached them (issue 16), the items asked for (the page then offers the form); the
    step tracker, the next step in plain words, the remedies and the office's contact."""
    view = applicant_view(case, today)
    view["notices"] = for_case(case, applicant_only=True)
    view["supplement_open"] = supplement_open(case)
    view["supplement_items"] = case.supplement_items if view["supplement_open"] else None
    view["concluded"] = view["status"] in CONCLUDED_STATUSES
    view["concluded_on"] = case.concluded_on.isoformat() \
        if view["concluded"] and case.concluded_on else None
    view["steps"] = tracker(view["status"], [h["event"] for h in view["history"]],
                            accepted=case.received_on is not None)
    view["next_step"] = next_step(view, today)
    reply = view["reply"]
    view["remedies"] = remedies_after(date.fromisoformat(reply["replied_on"])) if reply else None
    view["office"] = header_identity(case.agency_id)
    return view


# -- the step tracker: 收到 → 受理 → 补正（如有）→ 办理 → 答复 ------------------------------------

STEPS = ("received", "accepted", "supplement", "handling", "reply")
# The applicant's status → the step the case is at.
CURRENT_STEP = {
    Status.SUBMITTED: "received",
    Status.REGISTERED: "accepted",
    Status.AWAITING_SUPPLEMENT: "supplement",
    Status.IN_PROGRESS: "handling",
    Status.PAUSED: "handling",
    Status.IN_REVIEW: "handling",
    Status.REPLIED: "reply",
    Status.WITHDRAWN: "reply",
    Status.ABANDONED: "reply",
}
# Public events that show the case was being handled (for a case that ended without a reply).
HANDLING_EVENTS = frozenset({
    "supplement_received", "consultation_started", "extension_approved", "fee_notified",
    "deferred_deadline_set", "clarification_requested"})


def tracker(status: str, events: list[str], accepted: bool) -> list[dict]:
    """The steps of the case as the applicant sees them: ``key`` (one of STEPS), ``state``
    ("done", "current", "upcoming" or "skipped": a 补正 not asked for, or a step a withdrawn or
    terminated case never reached), ``current`` (the step the case is at — the last one, once
    it is concluded) and ``asked`` (for the 补正 step: whether a 补正 was asked for)."""
    at = STEPS.index(CURRENT_STEP.get(status, "handling"))
    asked = "supplement_requested" in events
    ended_early = status in (Status.WITHDRAWN, Status.ABANDONED)
    reached = {"received": True, "accepted": accepted, "supplement": asked,
               "handling": bool(HANDLING_EVENTS & set(events))}
    out = []
    for i, key in enumerate(STEPS):
        if i == at:
            state = "current"
        elif i > at:
            state = "upcoming"
        elif key == "supplement" and not asked:
            state = "skipped"
        elif ended_early and not reached[key]:
            state = "skipped"
        else:
            state = "done"
        out.append({"key": key, "state": state, "current": i == at, "asked": asked})
    return out


def next_step(view: dict, today: date) -> dict:
    """What happens now, and by when, in the applicant's terms: ``kind`` and the ISO ``date``
    the template puts in a sentence ("我们将在 … 前答复您", "请在 … 前补正", "已于 … 答复")."""
    status, due = view["status"], view["due_on"]
    if status == Status.REPLIED and view["reply"]:
        return {"kind": "replied", "date": view["reply"]["replied_on"]}
    if status in (Status.WITHDRAWN, Status.ABANDONED, Status.REPLIED):
        last = view["history"][-1] if view["history"] else None
        return {"kind": status, "date": view["concluded_on"],
                "reason": last["label"] if last and status == Status.ABANDONED else None}
    if status == Status.SUBMITTED:
        return {"kind": "confirming", "date": None}
    if status == Status.AWAITING_SUPPLEMENT:
        return {"kind": "supplement", "date": view["supplement_due_on"]}
    if view["fee_due_on"]:
        return {"kind": "fee", "date": view["fee_due_on"]}
    if due and date.fromisoformat(due) < today:
        return {"kind": "overdue", "date": due}
    return {"kind": "reply_due", "date": due}


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
