"""The scheduler process: `flask --app disclosure scheduler run` (docs/deployment.md).

Jobs are one declarative table with stable ids. The process is never started inside web workers
or by the reloader. Jobs are idempotent (they claim business keys), so a scheduler started twice
by mistake does no double work, and the sweep runs once at start-up to catch up after downtime.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger("disclosure.scheduler")


def deadline_sweep(app) -> None:
    from ..services import sweep
    from ..timeutil import today
    with app.app_context():
        report = sweep.run(today())
        log.info("sweep %s", report.lines())


def send_outbox(app) -> None:
    from ..services import outbox
    with app.app_context():
        log.info("outbox %s", outbox.send_pending())


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable
    trigger: Callable[[str], object]  # timezone → trigger
    run_at_start: bool = False


JOBS = (
    Job("deadline_sweep", deadline_sweep, lambda tz: CronTrigger(hour=0, minute=30, timezone=tz),
        run_at_start=True),
    Job("outbox_send", send_outbox, lambda tz: IntervalTrigger(minutes=5, timezone=tz)),
)


def build(app) -> BlockingScheduler:
    tz = app.config["TIMEZONE"]
    sched = BlockingScheduler(timezone=tz)
    for job in JOBS:
        kwargs = {}
        if job.run_at_start:
            from datetime import datetime
            from zoneinfo import ZoneInfo
            kwargs["next_run_time"] = datetime.now(ZoneInfo(tz))
        # coalesce: after downtime run once, not once per missed time; one instance at a time
        sched.add_job(job.func, job.trigger(tz), args=[app], id=job.id, name=job.id,
                      replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=6 * 3600, **kwargs)
    return sched
