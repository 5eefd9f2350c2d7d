"""The scheduler's job table, the sweep command, and the outbox (SMTP with retries)."""
import socket

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Outbox
from disclosure.services import outbox


def test_jobs_are_declared_with_stable_ids_and_safe_defaults(app):
    from disclosure.scheduler import build
    sched = build(app)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"deadline_sweep", "outbox_send"}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time >= 3600
    assert str(sched.timezone) == "Asia/Shanghai"


def test_sweep_command_runs_for_a_given_day_and_rejects_bad_dates(app, agency):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["sweep", "run", "--today", "2024-11-05"])
    assert ok.exit_code == 0 and "overdue: 0" in ok.output
    bad = runner.invoke(args=["sweep", "run", "--today", "2024-02-30"])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_outbox_without_smtp_keeps_everything(ctx):
    outbox.enqueue("a@example.cn", "主题", "正文")
    db.session.commit()
    assert outbox.send_pending()["sent"] == 0
    assert db.session.scalar(select(Outbox)).sent_at is None


def test_failed_send_is_retried_and_never_lost(make_app):
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    port = _free_port()
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        outbox.enqueue("a@example.cn", "补正申请告知书", "请补正……")
        db.session.commit()
        first = outbox.send_pending()  # nothing listens yet
        row = db.session.scalar(select(Outbox))
        assert first == {"sent": 0, "failed": 1} and row.attempts == 1 and row.last_error

        received = []

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                received.append(envelope)
                return "250 OK"

        ctl = aiosmtpd.Controller(Handler(), hostname="127.0.0.1", port=port)
        ctl.start()
        try:
            second = outbox.send_pending()
        finally:
            ctl.stop()
        db.session.refresh(row)
        assert second == {"sent": 1, "failed": 0} and row.sent_at is not None and row.attempts == 2
        assert received and received[0].rcpt_tos == ["a@example.cn"]
        assert outbox.send_pending()["sent"] == 0  # sent once only


def test_only_one_scheduler_holds_the_lock(app):
    from disclosure.scheduler.lock import SchedulerLock
    with app.app_context():
        first = SchedulerLock(db.engine, app.instance_path)
        second = SchedulerLock(db.engine, app.instance_path)
        assert first.acquire() is True
        try:
            assert second.acquire() is False  # a second scheduler idles
        finally:
            first.release()
        assert second.acquire() is True  # …and takes over once the first stops
        second.release()
