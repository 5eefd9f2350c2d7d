"""Notifications: written to the outbox table in the same transaction as the action that
caused them, then sent by SMTP when DISCLOSURE_MAIL_SERVER is set. A failed send stays in the
outbox with its error and is retried on the next run; nothing is deleted."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from sqlalchemy import select, update

from .. import settings
from ..extensions import db
from ..models import Case, Outbox, User
from ..timeutil import now
from .unit_of_work import unit_of_work

MAX_ATTEMPTS = 10


def enqueue(recipient: str, subject: str, body: str, case: Case | None = None) -> Outbox:
    row = Outbox(case_id=case.id if case is not None else None, recipient=recipient,
                 subject=subject[:200], body=body, created_at=now(), attempts=0)
    db.session.add(row)
    return row


def notify_applicant(case: Case, subject: str, body: str) -> Outbox | None:
    """Applicants who gave an e-mail address get a copy; everyone sees it on the status page."""
    if not case.email:
        return None
    return enqueue(case.email, f"【{case.tracking_no}】{subject}", body, case)


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


def send_pending(limit: int = 200) -> dict:
    """Send what is waiting (oldest first). Returns counts; does nothing without MAIL_SERVER."""
    if not settings.current().get("MAIL_SERVER"):
        return {"sent": 0, "failed": 0, "skipped": "no MAIL_SERVER"}
    # "sms:<phone>" rows (a recovered query code, services.query_codes) wait for an SMS
    # integration: there is no SMS gateway, and they are not e-mail addresses.
    rows = db.session.execute(select(Outbox.id, Outbox.attempts).where(
        Outbox.sent_at.is_(None), Outbox.attempts < MAX_ATTEMPTS,
        Outbox.recipient.notlike("sms:%")).order_by(Outbox.id).limit(limit)).all()
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
        try:  # outside any transaction: a slow mail server holds no database lock
            _send(*message)
            error = None
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        with unit_of_work():  # each row's outcome is kept even if a later one crashes
            row = db.session.get(Outbox, row_id)
            if error:
                row.last_error = error
                failed += 1
            else:
                row.sent_at, row.last_error = now(), None
                sent += 1
    return {"sent": sent, "failed": failed}
