"""Use cases that create a case or fix its receipt date (条例第二十九条、第三十一条).

Each public function loads, calls the domain, writes and commits once. Every status change goes
through ``apply`` → ``domain.workflow.transition`` and writes exactly one audit event.
"""
from __future__ import annotations

import dataclasses
import hmac
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from time import monotonic

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from .. import settings
from ..domain import bounds, deadlines
from ..domain.application import Application, validate_application
from ..domain.codes import Channel, Status
from ..domain.errors import ValidationFailed
from ..domain.text import N_, Msg, compose
from ..domain.workflow import NEW, WorkflowError, transition
from ..extensions import db
from ..models import Agency, Attachment, Case
from ..timeutil import local_date, now, tz
from . import audit, handlers, notify, numbering, query_codes, uploads
from .access import may_act_on
from .actors import APPLICANT_ACTOR, Actor
from .calendar import get_calendar, recheck_seconds
from .idempotency import digest_of_case, submission_digest, upload_hashes  # noqa: F401
from .unit_of_work import atomic


class IdempotencyConflict(Exception):
    """The idempotency key was already used at this agency for a *different* submission.
    Nothing of that earlier case may be returned (API: 409)."""

    message = N_("该幂等键已用于另一份内容不同的申请，不能重复使用；提交新的申请请使用新的幂等键")

    def __init__(self):
        super().__init__(self.message)


@dataclass
class Submission:
    case: Case
    query_code: str
    replayed: bool = False
    # plain copies taken before the commit, so an answer needs no reload of the expired case
    tracking_no: str | None = None
    submitted_at: datetime | None = None

    def __post_init__(self):
        if self.tracking_no is None:
            self.tracking_no = self.case.tracking_no
        if self.submitted_at is None:
            self.submitted_at = self.case.submitted_at


# -- derived deadline fields ------------------------------------------------------------------

def facts_of(case: Case) -> deadlines.ClockFacts:
    return deadlines.ClockFacts(
        received_on=case.received_on,
        supplement_requested_on=case.supplement_requested_on,
        supplement_period_workdays=case.supplement_period_workdays,
        supplement_received_on=case.supplement_received_on,
        pauses=tuple(deadlines.Pause(p.kind, p.start_on, p.end_on) for p in case.pauses),
        extension_workdays=case.extension_workdays or 0,
        deferred_due_on=case.deferred_due_on,
        fee_notified_on=case.fee_notified_on,
        fee_paid_on=case.fee_paid_on,
        concluded_on=case.concluded_on,
        concluded_by_sweep=bool(case.concluded_by_sweep),
        supplement_delivered_on=case.supplement_delivered_on,
        supplement_undelivered=bool(case.supplement_undelivered),
        supplement_new_period_on=case.supplement_new_period_on,
        supplement_new_period_workdays=case.supplement_new_period_workdays,
        fee_delivered_on=case.fee_delivered_on,
        fee_undelivered=bool(case.fee_undelivered),
        extension_on=case.extension_on,
        deferred_on=case.deferred_on,
    )


def deadline_of(case: Case, today: date, explain: bool = True) -> deadlines.Deadline:
    """R3: the case's due date, flags and explanation as of ``today``."""
    cfg = settings.current()
    return deadlines.compute_deadline(
        facts_of(case), get_calendar(), today, explain=explain,
        fee_pauses_clock=cfg["FEE_PAUSES_CLOCK"], due_soon_workdays=cfg["DUE_SOON_WORKDAYS"])


def preview(case: Case, today: date, **changes) -> deadlines.Deadline:
    """The clock as it would stand with ``changes`` to the facts — concluded on a day (R3.6:
    timely iff concluded on or before the due date), an extension approved — what a
    confirmation page or an approval queue says before the step; nothing is written."""
    cfg = settings.current()
    return deadlines.compute_deadline(
        dataclasses.replace(facts_of(case), **changes), get_calendar(), today,
        explain=False, fee_pauses_clock=cfg["FEE_PAUSES_CLOCK"],
        due_soon_workdays=cfg["DUE_SOON_WORKDAYS"])


def refresh_derived(case: Case, today: date) -> deadlines.Deadline:
    """Recompute the stored copies of the derived fields (kept for queries) from the facts."""
    dl = deadline_of(case, today, explain=False)
    case.clock_started_on = dl.clock_started_on
    case.due_on = dl.due_on
    case.due_provisional = dl.provisional
    case.timely = dl.timely
    case.late_acts = " ".join(dl.late_acts)
    return dl


def guard(case: Case, action: str, actor: Actor) -> None:
    """Refuse early (before any field is touched) when the action is not allowed now — for
    this user's roles, in this status, and only on a case of the user's own agency."""
    if case.agency_id is not None and not may_act_on(actor, case.agency_id):
        raise WorkflowError("forbidden", N_("只能办理本机关的案件"))
    transition(case.status or NEW, action, actor.roles)


def apply(case: Case, action: str, actor: Actor, today: date, *, on: date | None = None,
          data: dict | None = None) -> str:
    """The one workflow step: check the transition, set the status, re-derive, audit."""
    before = case.status or NEW
    after = transition(before, action, actor.roles)
    case.status = after
    due_before = case.due_on
    refresh_derived(case, today)
    if due_before != case.due_on and before != NEW:
        # R8.3: every move of the due date is recorded with the act that caused it
        data = {**(data or {}), "due_before": due_before.isoformat() if due_before else None,
                "due_after": case.due_on.isoformat() if case.due_on else None}
    audit.record(actor, action, case=case, before=before or None, after=after,
                 on=on or today, data=data)
    return after


# -- creating cases ---------------------------------------------------------------------------

# (database, code) -> (monotonic time read, the agency's column values): issue 18
_agency_cache: dict[tuple[str, str], tuple[float, dict]] = {}


def forget_agencies() -> None:
    """Drop the agencies this process remembered for submissions (after an edit, in tests)."""
    _agency_cache.clear()


def _agency(code, *, cached: bool = False) -> Agency | None:
    """The agency of this code. ``cached``: trust what this process read within the last
    ``calendar.recheck_seconds()`` (a submission: the agency row is reference data) and put it
    into the session without a statement."""
    if not isinstance(code, str) or not code or "\x00" in code or len(code) > 32:
        return None
    ttl = recheck_seconds() if cached else 0
    key = (str(db.engine.url), code)
    if ttl > 0 and (seen := _agency_cache.get(key)) and monotonic() - seen[0] < ttl:
        agency = Agency(**seen[1])
        make_transient_to_detached(agency)
        return db.session.merge(agency, load=False)
    agency = db.session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    if ttl > 0 and agency is not None:
        _agency_cache[key] = (monotonic(), {
            c.key: getattr(agency, c.key) for c in sa_inspect(Agency).column_attrs})
    return agency


def _check_uploads(files: list[tuple[str, uploads.Upload]]) -> dict[str, str]:
    limit = settings.current()["UPLOAD_MAX_BYTES"]
    errors = {}
    for i, (_kind, up) in enumerate(files):
        if msg := uploads.check(up, limit):
            errors[f"attachments.{i}"] = compose("{filename}：{problem}",
                                                  filename=uploads.safe_filename(up.filename),
                                                  problem=msg)
    return errors


def _new_case(agency: Agency, app: Application, channel: str, year: int) -> Case:
    a = app.applicant
    return Case(
        agency_id=agency.id, tracking_no=numbering.next_tracking_no(agency, year),
        channel=channel, status=NEW, applicant_type=a.type, applicant_name=a.name,
        id_type=a.id_type, id_number=a.id_number, credit_code=a.credit_code,
        legal_representative=a.legal_representative, contact_name=a.contact_name,
        phone=a.phone, email=a.email, address=a.address, assistance=a.assistance,
        subject=app.subject,
        description=app.description, delivery_form=app.delivery_form,
        delivery_method=app.delivery_method, idempotency_key=app.idempotency_key,
        extension_workdays=0, created_at=now())


def _attach(case: Case, files: list[tuple[str, uploads.Upload]]) -> None:
    for kind, up in files:
        stored = uploads.store(up)
        case.attachments.append(Attachment(
            kind=kind, filename=stored.filename, stored_name=stored.stored_name,
            content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
            uploaded_at=now()))


def _replay(agency: Agency, key: str, digest: str) -> Submission | None:
    """The earlier answer to this key — only for the very same submission. A key is chosen by
    the client and may be reused or guessed: answering a different body with the original one
    would hand out another applicant's tracking number and query code."""
    case = db.session.execute(select(Case).where(
        Case.agency_id == agency.id, Case.idempotency_key == key)).scalar_one_or_none()
    if case is None:
        return None
    stored = case.idempotency_body_sha256 or digest_of_case(agency, case)
    if not hmac.compare_digest(stored, digest):
        raise IdempotencyConflict()
    return Submission(case, query_codes.derived_code(agency.code, key, case.tracking_no), True)


def _submission_time(today: date, at: datetime | None) -> datetime:
    """The timestamp of a submission: ``at``, or now — unless the caller dated the action on
    another day (demo data, tests), in which case noon of that day in the office's zone."""
    stamp = at or now()
    if local_date(stamp) != today:
        stamp = datetime.combine(today, time(12), tzinfo=tz()).astimezone(timezone.utc)
    return stamp


@atomic
def submit_online(payload: dict, *, agency_code: str | None = None,
                  files: list[tuple[str, uploads.Upload]] = (), today: date,
                  at: datetime | None = None) -> Submission:
    """条例第二十九条: an online application; status `submitted` until staff confirm (R2.2).

    With an idempotency key: the same submission again returns the original one (replayed);
    another submission under the same key raises IdempotencyConflict."""
    if agency_code:
        payload = {**payload, "agency": agency_code}
    app, errors = validate_application(payload, require_agency=True)
    agency = _agency(app.agency, cached=True) if app else None
    if app and agency is None:
        errors = {**errors, "agency": N_("受理机关不存在")}
    errors.update(_check_uploads(list(files)))
    if errors:
        raise ValidationFailed(errors)
    digest = submission_digest(agency.code, app, upload_hashes(list(files))) \
        if app.idempotency_key else None
    if app.idempotency_key and (prior := _replay(agency, app.idempotency_key, digest)):
        return prior
    # The calendar first: its check reads the database, and an autoflush of the new case there
    # would insert it before its derived fields are set (an INSERT and then an UPDATE).
    get_calendar()
    # A savepoint only where a lost race can be answered (same idempotency key): without a key
    # an IntegrityError has no better answer than rolling the whole unit of work back.
    nested = db.session.begin_nested() if app.idempotency_key else nullcontext()
    try:
        with nested:  # a savepoint: a lost race leaves the transaction usable
            case = _new_case(agency, app, Channel.ONLINE, today.year)
            case.idempotency_body_sha256 = digest
            case.submitted_at = _submission_time(today, at)
            code = (query_codes.derived_code(agency.code, app.idempotency_key, case.tracking_no)
                    if app.idempotency_key else query_codes.new_code())
            case.query_code_hash = query_codes.hash_code(case.tracking_no, code)
            _attach(case, list(files))
            db.session.add(case)
            apply(case, "submit_online", APPLICANT_ACTOR, today,
                  data={"attachments": len(files)} if files else None)
    except IntegrityError:
        # A concurrent request with the same idempotency key won the race: answer as it did —
        # or with IdempotencyConflict if it carried a different submission.
        if app.idempotency_key and (prior := _replay(agency, app.idempotency_key, digest)):
            return prior
        raise
    notify.applicant_event(case, "receipt")  # issue 16: the receipt, with the status page link
    return Submission(case, code)


def check_receipt_date(received_on: date | None, today: date, earliest: date | None = None) -> dict:
    """R2.1/R2.2: a receipt date is required, not in the future, not before the submission."""
    if received_on is None:
        return {"received_on": N_("请填写收到申请之日")}
    if received_on > today:
        return {"received_on": N_("收到申请之日不能晚于今天")}
    if received_on < bounds.REGULATION_IN_FORCE:  # a typing error
        return {"received_on": N_("收到申请之日不能早于 2008-05-01"
                                  "（《政府信息公开条例》施行之日）")}
    if earliest and received_on < earliest:
        return {"received_on": Msg("收到申请之日不能早于提交之日（{earliest}）",
                                   earliest=earliest.isoformat())}
    return {}


@atomic
def register_paper(agency: Agency, payload: dict, channel: str, received_on: date | None,
                   actor: Actor, today: date, files=(), handler_id=None) -> Submission:
    """条例第三十一条: register an application that arrived in person, by mail, fax or e-mail,
    or was made orally and written up by staff (条例第二十九条), with the legal receipt date of
    its channel (R2.1, codes.CHANNEL_RECEIPT_RULES): ``received_on`` is the day the registrar
    enters — for an ordinary letter the day confirmed with the applicant, for fax and e-mail
    (an internet channel) the day both sides confirmed, for an oral application the day the
    applicant confirmed (signed) what staff wrote up; ``payload["applicant_confirmed"]`` must be
    true for that channel. Returns the case and a query code the registrar hands to the
    applicant."""
    app, errors = validate_application({**payload, "agency": agency.code})
    if channel not in {c.value for c in Channel} or channel == Channel.ONLINE:
        errors["channel"] = N_("请选择申请的提交方式（在线申请由申请人自行提交）")
    confirmed = payload.get("applicant_confirmed") in (True, "1", "y", "true", "on")
    if channel == Channel.ORAL and not confirmed:
        errors["applicant_confirmed"] = N_(
            "口头提出的申请由工作人员代为填写后，须经申请人确认（签字）才能登记；"
            "请在申请人确认后勾选此项，并以确认之日为收到申请之日")
    errors.update(check_receipt_date(received_on, today))
    errors.update(_check_uploads(list(files)))
    handler = _picked_handler(agency, handler_id, errors)
    if errors:
        raise ValidationFailed(errors)
    case = _new_case(agency, app, channel, received_on.year)
    case.received_on = received_on
    case.handler = handler
    code = query_codes.new_code()
    case.query_code_hash = query_codes.hash_code(case.tracking_no, code)
    _attach(case, list(files))
    db.session.add(case)
    data = {"channel": channel, **_handler_data(handler)}
    if channel == Channel.ORAL:
        data["applicant_confirmed_on"] = received_on.isoformat()  # 条例第二十九条 代为填写
    apply(case, "register", actor, today, on=received_on, data=data)
    notify.applicant_event(case, "receipt")  # issue 16: the receipt, with the status page link
    return Submission(case, code)


@atomic
def confirm_receipt(case: Case, received_on: date | None, actor: Actor, today: date,
                    handler_id=None) -> None:
    """R2.2: confirming an online submission fixes `received_on` and starts the clock; the
    case goes to the handler chosen (default: the agency's default handler, issue 15)."""
    guard(case, "confirm_receipt", actor)
    received_on = received_on or today
    errors = check_receipt_date(received_on, today, arrived_on(case))
    handler = _picked_handler(case.agency, handler_id, errors)
    if errors:
        raise ValidationFailed(errors)
    case.received_on = received_on
    if handler is not None:
        case.handler = handler
    apply(case, "confirm_receipt", actor, today, on=received_on, data=_handler_data(handler))


def _picked_handler(agency: Agency, handler_id, errors: dict):
    try:
        return handlers.pick(agency, handler_id)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        return None


def _handler_data(handler) -> dict:
    return {"handler_id": handler.id, "handler": handler.display_name} if handler else {}


def find_by_tracking(tracking_no: str) -> Case | None:
    """The case with this tracking number, typed in any case and with stray spaces
    (numbering.py issues them upper-case: ``bcz-2026-000017`` finds ``BCZ-2026-000017``)."""
    tracking_no = tracking_no.strip().upper() if isinstance(tracking_no, str) else ""
    if not tracking_no or len(tracking_no) > 64:
        return None
    return db.session.execute(
        select(Case).where(Case.tracking_no == tracking_no)).scalar_one_or_none()


def lookup_for_applicant(tracking_no: str, code: str | None) -> Case | None:
    """The applicant's view: the same None for an unknown number and a wrong code."""
    case = find_by_tracking(tracking_no or "")  # normalised there (case, spaces)
    if case is None or not query_codes.verify(case.tracking_no, case.query_code_hash, code):
        return None
    return case


def arrived_on(case: Case) -> date | None:
    """The first day this agency had the submission: the submission day, or the day another
    agency of the platform forwarded it here (issue 17) — its receipt cannot be earlier."""
    if case.forwarded_on is not None:
        return case.forwarded_on
    return local_date(case.submitted_at) if case.submitted_at else None


def unconfirmed_since(case: Case) -> date | None:
    return arrived_on(case) if case.status == Status.SUBMITTED else None

