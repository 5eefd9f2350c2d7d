"""Letters the office sends (补正告知书, 征求第三方意见书, 延期答复告知书, 收费通知书…), rendered
from templates/notices/<kind>.txt when the action happens and stored with the case, so the
letter stays exactly what was sent even if a template changes later."""
from __future__ import annotations

from datetime import date

from ..domain.text import N_
from ..extensions import db
from ..i18n import render_official
from ..models import Case, Notice
from ..timeutil import now

# The letters themselves are Chinese by law; a title marked N_ may also label the letter in the
# staff UI (translated there), and is stored and sent verbatim.
TITLES = {
    "supplement": N_("补正申请告知书"),
    "consultation": N_("征求第三方意见书"),
    "extension": N_("延期答复告知书"),
    "fee": N_("收费通知书"),
    "deferred": N_("延后答复告知书"),
}
# Letters addressed to the applicant (shown on the status page); the consultation letter goes
# to the third party.
FOR_APPLICANT = frozenset({"supplement", "extension", "fee", "deferred"})


def issue(case: Case, kind: str, on: date, **values) -> Notice:
    body = render_official(f"notices/{kind}.txt", case=case, on=on, **values)
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
