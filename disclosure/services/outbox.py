"""Notifications: written to the outbox table in the same transaction as the action that
caused them, then sent — e-mail by SMTP when DISCLOSURE_MAIL_SERVER is set, rows addressed
"sms:<phone>" through the SMS gateway when DISCLOSURE_SMS_URL is set (services.sms). A failed
send stays in the outbox with its error and is retried on the next run; nothing is deleted.
Without a gateway SMS rows are never sent nor marked sent: they wait, marked 未配置短信网关."""
from __future__ import annotations

import smtplib
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage

from sqlalchemy import delete, func, select, update

from .. import settings
from ..extensions import db
from ..models import Case, Outbox, User
from ..timeutil import now
from . import sms
from .unit_of_work import unit_of_work

MAX_ATTEMPTS = 10
SMS_PREFIX = "sms:"  # as services.code_recovery: an outbox row for the SMS gateway


def prune(today) -> int:
    """Delete mails sent more than OUTBOX_KEEP_DAYS ago (issue 18: the outbox must not grow
    without bound). What happened stays in the case's audit events; an unsent row — waiting,
    failing or held for want of an SMS gateway — is never deleted."""
    keep = int(settings.current().get("OUTBOX_KEEP_DAYS") or 0)
    if keep <= 0:
        return 0
    cutoff = datetime.combine(today - timedelta(days=keep), time.min, tzinfo=UTC)
    return db.session.execute(delete(Outbox).where(
        Outbox.sent_at.is_not(None), Outbox.sent_at < cutoff)).rowcount or 0


def enqueue(recipient: str, subject: str, body: str, case: Case | None = None) -> Outbox:
    row = Outbox(case_id=case.id if case is not None else None, recipient=recipient,
                 subject=subject[:200], body=body, created_at=now(), attempts=0)
    db.session.add(row)
    return row


def notify_staff(users: list[User], subject: str, body: str) -> int:
    n = 0
    for user in users:
        if user.email and user.active:
            enqueue(user.email, subject, body)
            n += 1
    return n


def _send(recipient: str, subject: str, body: str) -> None:
    cfg = settings.current()
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_SENDER", "noreply@localhost")
    msg["To"] = recipient
    msg["Subject"] = subject
    msg.set_content(body)
    port = int(cfg.get("MAIL_PORT", 25))
    with smtplib.SMTP(cfg["MAIL_SERVER"], port, timeout=20) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD", ""))
        smtp.send_message(msg)


def _send_sms(recipient: str, subject: str, body: str) -> None:
    # notify and digest write outbox rows: imported when sending
    from . import digest, notify
    fields = digest.gateway_fields if digest.is_digest_sms(recipient, subject) \
        else notify.gateway_fields
    event, params = fields(subject, body)
    sms.send(recipient[len(SMS_PREFIX):], body, event=event, params=params)


def _mark_sms_waiting() -> int:
    """No SMS gateway: the SMS rows still waiting — never sent nor marked sent — say why (once
    each). Returns how many wait."""
    waiting = (Outbox.recipient.like(f"{SMS_PREFIX}%"), Outbox.sent_at.is_(None),
               Outbox.attempts < MAX_ATTEMPTS)
    n = db.session.execute(select(func.count(Outbox.id)).where(*waiting)).scalar_one()
    unmarked = db.session.execute(select(Outbox.id).where(
        *waiting, Outbox.last_error.is_(None)).limit(1)).first()
    if unmarked is not None:
        with unit_of_work():
            db.session.execute(update(Outbox).where(*waiting, Outbox.last_error.is_(None))
                               .values(last_error=sms.NOT_CONFIGURED))
    return n


def _held_in_quiet_hours(at: datetime | None) -> tuple[list, int]:
    """Issue 17: within STAFF_QUIET_HOURS the staff digest's SMS rows wait (the outbox has no
    not-before column: they are told apart by their subject, services.digest). Returns the
    WHERE clauses that leave them out, and how many wait so."""
    from . import digest  # digest writes outbox rows: imported when sending
    if not digest.held_now(at):
        return [], 0
    held = (digest.digest_sms_rows(), Outbox.sent_at.is_(None), Outbox.attempts < MAX_ATTEMPTS)
    n = db.session.execute(select(func.count(Outbox.id)).where(*held)).scalar_one()
    return ([~digest.digest_sms_rows()] if n else []), n


def send_pending(limit: int = 200, at: datetime | None = None) -> dict:
    """Send what is waiting (oldest first): e-mail with MAIL_SERVER, SMS with an SMS gateway —
    except the staff digest's SMS during quiet hours (as of ``at``, default now). Returns
    counts; what cannot be sent is left waiting ("skipped" says why)."""
    mail_on = bool(settings.current().get("MAIL_SERVER"))
    sms_on = sms.configured()
    skipped = [] if mail_on else ["no MAIL_SERVER"]
    if not sms_on and (n := _mark_sms_waiting()):
        skipped.append(f"no SMS gateway: {n} SMS waiting")
    quiet, held = _held_in_quiet_hours(at) if sms_on else ([], 0)
    if held:
        skipped.append(f"quiet hours: {held} staff SMS held")
    result = {"sent": 0, "failed": 0, **({"skipped": ", ".join(skipped)} if skipped else {})}
    if not (mail_on or sms_on):
        return result
    waiting = [Outbox.sent_at.is_(None), Outbox.attempts < MAX_ATTEMPTS, *quiet]
    if not (mail_on and sms_on):  # one channel only
        is_sms = Outbox.recipient.like(f"{SMS_PREFIX}%")
        waiting.append(is_sms if sms_on else ~is_sms)
    rows = db.session.execute(select(Outbox.id, Outbox.attempts).where(*waiting)
                              .order_by(Outbox.id).limit(limit)).all()
    sent = failed = 0
    for row_id, attempts in rows:
        # Claim the row before sending: a second sender (a second scheduler started by mistake)
        # finds the attempt counter moved and skips it, so nothing is sent twice.
        with unit_of_work():
            claimed = db.session.execute(
                update(Outbox).where(Outbox.id == row_id, Outbox.sent_at.is_(None),
                                     Outbox.attempts == (attempts or 0))
                .values(attempts=(attempts or 0) + 1)).rowcount
            row = db.session.get(Outbox, row_id) if claimed else None
            message = (row.recipient, row.subject, row.body) if row else None
        if message is None:
            continue
        send = _send_sms if message[0].startswith(SMS_PREFIX) else _send
        try:  # outside any transaction: a slow mail server or gateway holds no database lock
            send(*message)
            error = None
        except (OSError, smtplib.SMTPException, sms.SmsError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        with unit_of_work():  # each row's outcome is kept even if a later one crashes
            row = db.session.get(Outbox, row_id)
            if error:
                row.last_error = error
                failed += 1
            else:
                row.sent_at, row.last_error = now(), None
                sent += 1
    return {**result, "sent": sent, "failed": failed}
