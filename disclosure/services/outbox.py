"""Notifications: written to the outbox table in the same transaction as the action that
caused them, then sent by SMTP when DISCLOSURE_MAIL_SERVER is set. A failed send stays in the
outbox with its error and is retried on the next run; nothing is deleted."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select, update

from ..database import writing
from ..extensions import db
from ..models import Case, Outbox, User
from ..timeutil import now

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


def _send(row: Outbox) -> None:
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_SENDER", "noreply@localhost")
    msg["To"] = row.recipient
    msg["Subject"] = row.subject
    msg.set_content(row.body)
    port = int(cfg.get("MAIL_PORT", 25))
    with smtplib.SMTP(cfg["MAIL_SERVER"], port, timeout=20) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD", ""))
        smtp.send_message(msg)


def send_pending(limit: int = 200) -> dict:
    """Send what is waiting (oldest first). Returns counts; does nothing without MAIL_SERVER."""
    with writing():
        return _send_pending(limit)


def _send_pending(limit: int) -> dict:
    if not current_app.config.get("MAIL_SERVER"):
        return {"sent": 0, "failed": 0, "skipped": "no MAIL_SERVER"}
    # "sms:<phone>" rows (a recovered query code, services.query_codes) wait for an SMS
    # integration: there is no SMS gateway, and they are not e-mail addresses.
    rows = db.session.execute(select(Outbox).where(
        Outbox.sent_at.is_(None), Outbox.attempts < MAX_ATTEMPTS,
        Outbox.recipient.notlike("sms:%")).order_by(Outbox.id).limit(limit)).scalars().all()
    sent = failed = 0
    for row in rows:
        # Claim the row before sending: a second sender (a second scheduler started by mistake)
        # finds the attempt counter moved and skips it, so nothing is sent twice.
        claimed = db.session.execute(
            update(Outbox).where(Outbox.id == row.id, Outbox.sent_at.is_(None),
                                 Outbox.attempts == (row.attempts or 0))
            .values(attempts=(row.attempts or 0) + 1)).rowcount
        db.session.commit()
        if not claimed:
            continue
        db.session.refresh(row)
        try:
            _send(row)
        except (OSError, smtplib.SMTPException) as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            failed += 1
        else:
            row.sent_at, row.last_error = now(), None
            sent += 1
        db.session.commit()  # each row's outcome is kept even if a later one crashes
    return {"sent": sent, "failed": failed}
