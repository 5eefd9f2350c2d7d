"""Case actions of the statutory clock (R3–R5): 补正, consultation, extension, fee, deferral,
withdrawal. Each: check the inputs, call the domain, go through ``cases.apply`` (one transition,
one audit event), produce the notice the law requires, commit once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from .. import settings
from ..domain import case_rules as rules
from ..domain import deadlines, fees
from ..domain.codes import FeeMethod, Outcome, PauseKind, Role, Status
from ..domain.errors import ValidationFailed
from ..domain.text import N_, compose
from ..domain.workflow import WorkflowError, require_different_person
from ..extensions import db
from ..models import Attachment, Case, CasePause, ExtensionRequest, Notice, User, UserRole
from ..timeutil import now
from . import outbox, uploads
from .actors import APPLICANT_ACTOR, Actor
from .calendar import get_calendar
from .cases import apply, deadline_of, facts_of, guard
from .review import notices
from .unit_of_work import atomic


@atomic
def request_supplement(case: Case, items: str, period_workdays, actor: Actor, today: date,
                       on: date | None = None) -> None:
    """R4.1, 条例第三十条: one 补正 notice (一次性告知) listing the items and a period."""
    guard(case, "request_supplement", actor)
    rules.check_supplement_once(case.supplement_requested_on)
    items = rules.required_text(items, "items", N_("需要补正的事项"))
    period = rules.positive_int(
        period_workdays or settings.current()["SUPPLEMENT_PERIOD_WORKDAYS"],
        "period_workdays", N_("补正期限（工作日）"), rules.SUPPLEMENT_PERIOD_MAX)
    on = rules.day_within(on, today, case.received_on)
    notice_due = deadlines.supplement_notice_due(case.received_on, get_calendar()) \
        if case.received_on is not None else None
    rules.check_supplement_in_time(on, notice_due)
    case.supplement_requested_on, case.supplement_items = on, items
    case.supplement_period_workdays = period
    apply(case, "request_supplement", actor, today, on=on, data={"period_workdays": period})
    notices.issue(case, "supplement", on, actor, items=items, period=period)


@atomic
def request_clarification(case: Case, items: str, confirmed, actor: Actor, today: date) -> None:
    """After the 7 days of 条例第三十条: a plain request to the applicant to clarify, which does
    not stop, restart or extend the reply deadline (R8.1). The handler confirms knowing that."""
    guard(case, "request_clarification", actor)
    items = rules.required_text(items, "items", N_("需要申请人说明的事项"))
    rules.check_clarification_confirmed(confirmed)
    apply(case, "request_clarification", actor, today, data={"items": items})
    notices.issue(case, "clarification", today, actor, items=items)


@atomic
def extend_supplement_period(case: Case, workdays, reason: str, actor: Actor, today: date) -> None:
    """R4.3, 条例第三十条: before the period lapses, the applicant shows a good reason (正当理由);
    a new period runs from today."""
    guard(case, "extend_supplement_period", actor)
    facts = facts_of(case)
    end = deadlines.supplement_period_end(facts, get_calendar())
    rules.check_new_supplement_period(end, today)
    workdays = rules.positive_int(workdays, "workdays", N_("新的补正期限（工作日）"),
                                  rules.SUPPLEMENT_PERIOD_MAX)
    reason = rules.required_text(reason, "reason", N_("正当理由"))
    case.supplement_new_period_on, case.supplement_new_period_workdays = today, workdays
    apply(case, "extend_supplement_period", actor, today,
          data={"workdays": workdays, "reason": reason,
                "old_end": end.isoformat() if end else None})
    notices.issue(case, "supplement_period", today, actor, requested=case.supplement_requested_on,
                  reason=reason, period=workdays,
                  due=deadlines.supplement_due(today, workdays, get_calendar()))


@atomic
def receive_supplement(case: Case, on: date | None, actor: Actor, today: date) -> None:
    """R4.2, 条例第三十条: the supplement arrived — the 20-day clock restarts from that day."""
    guard(case, "receive_supplement", actor)
    on = rules.day_within(on, today, case.supplement_requested_on)
    case.supplement_received_on = on
    apply(case, "receive_supplement", actor, today, on=on)


@atomic
def start_consultation(case: Case, kind: str, party: str, actor: Actor, today: date,
                       on: date | None = None) -> None:
    """R3.3, 条例第三十二条、第三十四条: written consultation of a third party or agency."""
    guard(case, "start_consultation", actor)
    if kind not in (PauseKind.THIRD_PARTY, PauseKind.AGENCY):
        raise ValidationFailed({"kind": N_("请选择征求意见的对象类型")})
    party = rules.required_text(party, "party", N_("被征求意见方名称"), 200)
    on = rules.day_within(on, today, case.clock_started_on or case.received_on)
    case.pauses.append(CasePause(kind=kind, party=party, start_on=on))
    apply(case, "start_consultation", actor, today, on=on, data={"kind": kind, "party": party})
    if kind == PauseKind.THIRD_PARTY:
        notices.issue(case, "consultation", on, actor, party=party,
                      reply_by=deadlines.consultation_auto_end(on, get_calendar()))


@atomic
def end_consultation(case: Case, actor: Actor, today: date, on: date | None = None,
                     auto: bool = False) -> None:
    """R3.3: the consultation answered (or, with ``auto``, ended by the 15-day rule)."""
    guard(case, "end_consultation", actor)
    pause = next((p for p in case.pauses if p.end_on is None and p.kind != PauseKind.FEE), None)
    if pause is None:
        raise WorkflowError("no_consultation", N_("没有正在进行的征求意见"))
    on = rules.day_within(on, today, pause.start_on)
    pause.end_on = on
    apply(case, "end_consultation", actor, today, on=on, data={"auto": auto} if auto else None)


def pending_extension(case: Case) -> ExtensionRequest | None:
    return db.session.execute(select(ExtensionRequest).where(
        ExtensionRequest.case_id == case.id, ExtensionRequest.decision.is_(None))).scalar()


@atomic
def request_extension(case: Case, workdays, reason: str, actor: Actor, today: date) -> None:
    """R3.2, 条例第三十三条: a handler asks the office head for one extension (≤ 20 days)."""
    guard(case, "request_extension", actor)
    rules.check_extension_request(case.extension_workdays, pending_extension(case) is not None)
    workdays = rules.positive_int(workdays, "workdays", N_("延长的工作日数"),
                             deadlines.MAX_EXTENSION_WORKDAYS)
    reason = rules.required_text(reason, "reason", N_("延期理由"))
    db.session.add(ExtensionRequest(case_id=case.id, workdays=workdays, reason=reason,
                                    requested_by_id=actor.id, requested_on=today))
    apply(case, "request_extension", actor, today, data={"workdays": workdays, "reason": reason})


@atomic
def decide_extension(case: Case, approve: bool, actor: Actor, today: date) -> None:
    """R3.2: the office head (not the requester) decides, before the current due date passes."""
    guard(case, "approve_extension" if approve else "refuse_extension", actor)
    req = pending_extension(case)
    rules.check_extension_pending(req is not None)
    require_different_person(req.requested_by_id, actor.id, N_("延期申请"))
    rules.check_extension_in_time(approve, deadline_of(case, today).due_on, today)
    req.decision = "approved" if approve else "refused"
    req.decided_by_id, req.decided_on = actor.id, today
    if approve:
        case.extension_workdays, case.extension_on = req.workdays, today
    apply(case, "approve_extension" if approve else "refuse_extension", actor, today,
          data={"workdays": req.workdays})
    if approve:
        notices.issue(case, "extension", today, actor, workdays=req.workdays, reason=req.reason,
                      due=case.due_on)


def nth_in_month(case: Case) -> int:
    """R5.2 按件计收: this application's place among the applicant's applications received
    in the same calendar month, by order of receipt."""
    if case.received_on is None:
        return 1
    first = case.received_on.replace(day=1)
    who = (Case.id_number == case.id_number) if case.id_number else \
        (Case.credit_code == case.credit_code) if case.credit_code else \
        (Case.applicant_name == case.applicant_name)
    earlier = db.session.execute(select(func.count()).select_from(Case).where(
        Case.agency_id == case.agency_id, who, Case.received_on >= first,
        or_(Case.received_on < case.received_on,
            (Case.received_on == case.received_on) & (Case.id < case.id)))).scalar_one()
    return earlier + 1


@atomic
def notify_fee(case: Case, method: str, pages, actor: Actor, today: date) -> None:
    """R5.1–R5.4, 条例第四十二条: one method, amount from the tiers; the clock pauses."""
    guard(case, "notify_fee", actor)
    rules.check_fee_notice(case.fee_notified_on, deadline_of(case, today).due_on, today)
    if method == FeeMethod.PER_CASE:
        amount = fees.fee_amount(method, nth_in_month=nth_in_month(case))
    elif method == FeeMethod.PER_PAGE:
        amount = fees.fee_amount(
            method, pages=rules.positive_int(pages, "pages", N_("页数"), 10**6))
    else:
        raise ValidationFailed({"method": N_("请选择按件计收或按量计收（二者不能同时适用）")})
    rules.check_fee_amount(amount)
    case.fee_method, case.fee_amount, case.fee_notified_on = method, amount, today
    apply(case, "notify_fee", actor, today, data={"method": method, "amount_yuan": str(amount)})
    notices.issue(case, "fee", today, actor, method=method, amount=amount)


@atomic
def record_fee_payment(case: Case, actor: Actor, today: date, on: date | None = None) -> None:
    """R5.4: payment received; the clock resumes."""
    guard(case, "record_fee_payment", actor)
    rules.check_fee_payment(case.fee_notified_on, case.fee_paid_on)
    case.fee_paid_on = rules.day_within(on, today, case.fee_notified_on)
    apply(case, "record_fee_payment", actor, today, on=case.fee_paid_on)


@atomic
def set_deferred_deadline(case: Case, due_on: date | None, reason: str, actor: Actor,
                          today: date) -> None:
    """R3.5, 条例第三十五条: the office head sets a reasonable later due date, with reasons."""
    guard(case, "set_deferred_deadline", actor)
    reason = rules.required_text(reason, "reason", N_("理由"))
    rules.check_deferral(deadline_of(case, today).due_on, due_on, today)
    case.deferred_due_on, case.deferred_on = due_on, today
    apply(case, "set_deferred_deadline", actor, today, data={"due_on": due_on.isoformat(),
                                                             "reason": reason})
    notices.issue(case, "deferred", today, actor, due=due_on, reason=reason)


@atomic
def withdraw(case: Case, actor: Actor, today: date, on: date | None = None, *,
             reason: str | None) -> None:
    """The applicant withdrew: concluded as other.other (report row （六）3). The record says
    how the applicant withdrew (a signed letter, a call noted by whom) — the case leaves the
    office's hands for good, so the file must show why (issue 15)."""
    guard(case, "withdraw", actor)
    reason = rules.required_text(reason, "reason", N_("撤回方式及说明"), 500)
    on = rules.day_within(on, today, case.received_on)
    case.outcome, case.concluded_on = Outcome.OTHER_OTHER, on
    apply(case, "withdraw", actor, today, on=on, data={"reason": reason})


@atomic
def notify_third_party_disclosure(case: Case, party: str, content: str, reasons: str,
                                  actor: Actor, today: date) -> None:
    """条例第三十二条: the office decided to disclose over a third party's objection — the content
    to be disclosed and the reasons are told to the third party in writing. The letter is a
    release item (reviewed before it leaves); it goes to the third party, not the applicant."""
    guard(case, "notify_third_party_disclosure", actor)
    consulted = [p for p in case.pauses if p.kind == PauseKind.THIRD_PARTY]
    rules.check_third_party_notice(bool(consulted))
    party = rules.required_text(party, "party", N_("第三方名称"), 200)
    content = rules.required_text(content, "content", N_("决定公开的内容"))
    reasons = rules.required_text(reasons, "reasons", N_("决定公开的理由"))
    consultation = max(consulted, key=lambda p: (p.start_on, p.id or 0))
    apply(case, "notify_third_party_disclosure", actor, today, data={"party": party})
    notices.issue(case, "third_party_disclosure", today, actor, party=party, content=content,
                  reasons=reasons, consulted_on=consultation.start_on)


@dataclass
class SupplementReceipt:
    """What the applicant's receipt shows: the day the supplement was recorded (the clock
    restarts from it, R4.2), the case's new status and the files kept."""
    tracking_no: str
    received_on: date
    status: str
    files: list[str]


def supplement_open(case: Case) -> bool:
    """A 补正 the applicant may answer online: the case waits for it and the notice was released
    to the applicant (R6.3: nothing reaches the applicant before its review)."""
    if case.status != Status.AWAITING_SUPPLEMENT:
        return False
    return db.session.execute(select(Notice.id).where(
        Notice.case_id == case.id, Notice.kind == "supplement",
        Notice.released_on.is_not(None)).limit(1)).first() is not None


@atomic
def submit_supplement(case: Case, text: str | None, files: list[uploads.Upload] | None,
                      today: date) -> SupplementReceipt:
    """条例第三十条, R4.2: the applicant answers the 补正 online (status page or API) — recorded
    as received today, so the 20-working-day clock restarts from today; the handlers of the
    case's agency are told by e-mail."""
    if not supplement_open(case):
        raise WorkflowError("no_supplement_open", N_("该申请目前没有待提交的补正"))
    text = (text or "").strip()
    files = [f for f in (files or []) if f is not None]
    errors = rules.check_supplement_answer(text, len(files))
    limit = settings.current()["UPLOAD_MAX_BYTES"]
    for i, up in enumerate(files[:rules.SUPPLEMENT_FILES_MAX]):
        if problem := uploads.check(up, limit):
            errors[f"files.{i}"] = compose("{filename}：{problem}",
                                           filename=uploads.safe_filename(up.filename),
                                           problem=problem)
    if errors:
        raise ValidationFailed(errors)
    kept = []
    for up in files:
        stored = uploads.store(up)
        case.attachments.append(Attachment(
            kind="supplement", filename=stored.filename, stored_name=stored.stored_name,
            content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
            uploaded_at=now()))
        kept.append(stored.filename)
    case.supplement_received_on = today
    case.supplement_text = text or None
    apply(case, "receive_supplement", APPLICANT_ACTOR, today, on=today,
          data={"online": True, "files": len(kept)})
    handlers = db.session.execute(select(User).join(UserRole).where(
        User.agency_id == case.agency_id, UserRole.role == Role.HANDLER)).scalars().unique().all()
    outbox.notify_staff(list(handlers), f"【{case.tracking_no}】申请人已在线提交补正材料", (
        f"申请 {case.tracking_no} 的申请人已于 {today.isoformat()} 在线提交补正材料"
        f"（文字 {len(text)} 字，附件 {len(kept)} 个），答复期限自该日起重新计算"
        f"（条例第三十条），新的答复期限为 {case.due_on.isoformat() if case.due_on else '—'}。"
        "请登录系统查看。"))
    return SupplementReceipt(case.tracking_no, today, case.status, kept)
