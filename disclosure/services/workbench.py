"""Each role's queue on sign-in (issue 15): what this person has to do today, nearest deadline
first — the registrar's receipts to confirm and posted notices without a delivery date, the
handler's own cases by days left with the next step named, the reviewer's items, the head's
approvals with the resulting due date, the administrator's calendar, outbox and accounts.

Read-only; every list is scoped to the actor's agency (services.access)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import settings
from ..domain import deadlines
from ..domain.codes import Role, Status
from ..extensions import db
from ..models import Case, ExtensionRequest, Outbox, User
from . import access, case_view, cases, dashboard
from .actors import Actor
from .calendar import get_calendar
from .review import queue as review_queue
from .review import replies

OPEN_WORK = (Status.REGISTERED, Status.IN_PROGRESS, Status.PAUSED, Status.IN_REVIEW,
             Status.AWAITING_SUPPLEMENT)
SHOWN = 50


@dataclass
class CaseRow:
    case: Case
    days_left: int | None       # working days; negative = overdue by that many
    overdue: bool
    due_soon: bool
    next_step: str | None       # N_ label: the first step, or what the case waits for


@dataclass
class Approval:
    case: Case
    request: ExtensionRequest
    due_now: date | None
    due_after: date | None      # the due date if approved


@dataclass
class Workbench:
    roles: frozenset
    to_confirm: list = field(default_factory=list)    # (case, working days since submitted)
    undelivered: list = field(default_factory=list)   # (notice, case, days waited)
    mine: list[CaseRow] = field(default_factory=list)
    unassigned: list[CaseRow] = field(default_factory=list)
    overdue: list[CaseRow] = field(default_factory=list)
    to_review: list = field(default_factory=list)     # review.queue rows
    notices_to_review: list = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    to_sign: list[CaseRow] = field(default_factory=list)
    missing_years: list[int] = field(default_factory=list)
    outbox_failed: int = 0
    outbox_waiting: int = 0
    users: int = 0


def _days_left(case: Case, today: date, cal, soon: int) -> tuple[int | None, bool, bool]:
    if case.due_on is None or case.status == Status.AWAITING_SUPPLEMENT:
        return None, False, False
    if today > case.due_on:
        return -cal.workdays_between(case.due_on, today), True, False
    left = cal.workdays_between(today, case.due_on)
    return left, False, left <= soon


def _rows(actor: Actor, stmt, today: date, *, name_step: bool) -> list[CaseRow]:
    """Rows nearest deadline first, overdue before everything; the next step is named for
    the actor's own cases (it reads the case's reply and requests: kept to SHOWN rows)."""
    cal = get_calendar()
    soon = settings.current()["DUE_SOON_WORKDAYS"]
    found = db.session.execute(access.scoped(
        stmt.options(selectinload(Case.handler), selectinload(Case.pauses))
        .order_by(Case.due_on.is_(None), Case.due_on, Case.id).limit(SHOWN),
        actor, Case.agency_id)).scalars().all()
    rows = []
    for c in found:
        left, overdue, due_soon = _days_left(c, today, cal, soon)
        step = case_view.steps_for(actor, c).first_label() if name_step else None
        rows.append(CaseRow(c, left, overdue, due_soon, step))
    return rows


def _to_confirm(actor: Actor, today: date) -> list:
    cal = get_calendar()
    found = db.session.execute(access.scoped(
        select(Case).where(Case.status == Status.SUBMITTED)
        .order_by(Case.submitted_at, Case.id).limit(SHOWN), actor, Case.agency_id)).scalars()
    out = []
    for c in found:
        since = cases.unconfirmed_since(c)
        waited = cal.workdays_between(since, today) if since and since <= today else 0
        late = since is not None and deadlines.confirmation_overdue(since, today, cal)
        out.append((c, waited, late))
    return out


def _approvals(actor: Actor, today: date) -> list[Approval]:
    found = db.session.execute(access.scoped(
        select(ExtensionRequest, Case).join(Case, Case.id == ExtensionRequest.case_id)
        .where(ExtensionRequest.decision.is_(None), Case.concluded_on.is_(None))
        .order_by(Case.due_on, Case.id).limit(SHOWN), actor, Case.agency_id)).all()
    return [Approval(c, r, c.due_on, case_view.extension_preview(c, r, today))
            for r, c in found]


def _to_sign(actor: Actor, today: date) -> list[CaseRow]:
    if not settings.current().get("REQUIRE_SIGN_OFF"):
        return []
    rows = _rows(actor, select(Case).where(Case.status == Status.IN_REVIEW), today,
                 name_step=False)
    return [r for r in rows
            if case_view.steps_for(actor, r.case).has("sign_off")
            and replies.sign_off_of(r.case) is None]


def build(actor: Actor, today: date) -> Workbench:
    """The queues of every role the actor holds (a person may hold several)."""
    roles = frozenset(actor.roles)
    wb = Workbench(roles=roles)
    acting = actor.agency_id is not None
    if Role.REGISTRAR in roles and acting:
        wb.to_confirm = _to_confirm(actor, today)
        wb.undelivered = dashboard.undelivered_notices(actor, today)
    if Role.HANDLER in roles and acting:
        wb.mine = _rows(actor, select(Case).where(
            Case.status.in_(OPEN_WORK), Case.handler_id == actor.id), today, name_step=True)
    if roles & {Role.OFFICE_HEAD, Role.REGISTRAR, Role.HANDLER} and acting:
        wb.unassigned = _rows(actor, select(Case).where(
            Case.status.in_(OPEN_WORK), Case.handler_id.is_(None)), today, name_step=False)
    if roles & {Role.OFFICE_HEAD, Role.ADMIN, Role.PLATFORM_ADMIN}:
        wb.overdue = _rows(actor, select(Case).where(
            Case.status.in_(dashboard.CLOCK_RUNNING), Case.due_on < today), today,
            name_step=False)
    if Role.REVIEWER in roles and acting:
        wb.to_review = review_queue.queue(actor, today)
        wb.notices_to_review = review_queue.notice_queue(actor, today)
    if Role.OFFICE_HEAD in roles and acting:
        wb.approvals = _approvals(actor, today)
        wb.to_sign = _to_sign(actor, today)
    if roles & {Role.ADMIN, Role.PLATFORM_ADMIN}:
        wb.missing_years = dashboard.calendar_alert_years(today)
        failed = select(func.count()).select_from(Outbox).where(
            Outbox.sent_at.is_(None), Outbox.last_error.is_not(None))
        waiting = select(func.count()).select_from(Outbox).where(Outbox.sent_at.is_(None))
        if not access.sees_all(actor):
            mine = select(Case.id).where(Case.agency_id == actor.agency_id)
            failed = failed.where(Outbox.case_id.in_(mine))
            waiting = waiting.where(Outbox.case_id.in_(mine))
        wb.outbox_failed = db.session.execute(failed).scalar_one()
        wb.outbox_waiting = db.session.execute(waiting).scalar_one()
        wb.users = db.session.execute(access.scoped(
            select(func.count()).select_from(User).where(User.active.is_(True)), actor,
            User.agency_id)).scalar_one()
    return wb
