"""The reviewer's queue: items of cases in review whose current version awaits a decision."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ...domain.codes import Status
from ...extensions import db
from ...models import Case, Notice, ReleaseItem
from .. import access, review
from ..actors import Actor
from ..calendar import get_calendar
from .replies import REPLY_KINDS


@dataclass
class QueueRow:
    case: Case
    item: ReleaseItem
    days_left: int | None


def queue(actor: Actor, today: date) -> list[QueueRow]:
    stmt = access.scoped(select(Case).where(Case.status == Status.IN_REVIEW)
                         .order_by(Case.due_on.nulls_last(), Case.id), actor, Case.agency_id)
    cal = get_calendar()
    rows = []
    for case in db.session.execute(stmt).scalars():
        items = db.session.execute(select(ReleaseItem).where(
            ReleaseItem.case_id == case.id, ReleaseItem.kind.in_(REPLY_KINDS),
            ReleaseItem.withdrawn.is_(False)
        ).order_by(ReleaseItem.kind != "letter", ReleaseItem.id)).scalars()
        left = cal.workdays_between(today, case.due_on) if case.due_on else None
        if case.due_on and today > case.due_on:
            left = -cal.workdays_between(case.due_on, today)
        # a referral answered (the case back in review) awaits its decision too (R6.4)
        rows += [QueueRow(case, i, left) for i in items
                 if review.status_of(i) in ("pending", "referred")]
    return rows


@dataclass
class NoticeRow:
    case: Case
    notice: Notice
    item: ReleaseItem
    limit: date | None  # the day the notice must go out by
    days_left: int | None


def notice_limit(case: Case, notice: Notice, cal) -> date | None:
    """The law's limit for sending this notice: a 补正 notice within 7 working days after the
    receipt date (条例第三十条, R4.1); any other notice within the current reply period."""
    if notice.kind == "supplement" and case.received_on:
        return cal.add_workdays(case.received_on, 7)
    return case.due_on


def notice_queue(actor: Actor, today: date) -> list[NoticeRow]:
    """Notices awaiting review, the nearest limit first (their own queue: a notice is short and
    its limit is days, not weeks)."""
    stmt = (select(Notice, Case).join(Case, Case.id == Notice.case_id)
            .where(Notice.released_on.is_(None), Notice.item_id.is_not(None),
                   access.visible(actor, Case.agency_id)))
    cal = get_calendar()
    rows = []
    for notice, case in db.session.execute(stmt).all():
        item = db.session.get(ReleaseItem, notice.item_id)
        if review.status_of(item) != "pending":
            continue
        limit = notice_limit(case, notice, cal)
        left = None
        if limit is not None:
            left = cal.workdays_between(today, limit) if today <= limit else \
                -cal.workdays_between(limit, today)
        rows.append(NoticeRow(case, notice, item, limit, left))
    rows.sort(key=lambda r: (r.limit or date.max, r.notice.id))
    return rows
