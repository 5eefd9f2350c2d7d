"""Letters the office sends (补正告知书, 征求第三方意见书, 延期答复告知书, 收费通知书…), rendered
from templates/notices/<kind>.txt when the action happens and stored with the case, so the
letter stays exactly what was sent even if a template changes later."""
from __future__ import annotations

from datetime import date

from flask import render_template

from ..extensions import db
from ..models import Case, Notice
from ..timeutil import now

TITLES = {
    "supplement": "补正申请告知书",
    "consultation": "征求第三方意见书",
    "extension": "延期答复告知书",
    "fee": "收费通知书",
    "deferred": "延后答复告知书",
}
# Letters addressed to the applicant (shown on the status page); the consultation letter goes
# to the third party.
FOR_APPLICANT = frozenset({"supplement", "extension", "fee", "deferred"})


def issue(case: Case, kind: str, on: date, **values) -> Notice:
    body = render_template(f"notices/{kind}.txt", case=case, on=on, **values)
    notice = Notice(case_id=case.id, kind=kind, title=TITLES[kind], body=body.strip(),
                    issued_on=on, created_at=now())
    db.session.add(notice)
    from . import outbox
    if kind in FOR_APPLICANT:
        outbox.notify_applicant(case, TITLES[kind], notice.body)
    return notice


def for_case(case: Case, applicant_only: bool = False) -> list[Notice]:
    q = db.session.query(Notice).filter(Notice.case_id == case.id)
    if applicant_only:
        q = q.filter(Notice.kind.in_(FOR_APPLICANT))
    return q.order_by(Notice.issued_on, Notice.id).all()
