"""Job claims: a scheduler job claims a unique (job, day, key) row before acting, so a second
scheduler (or a re-run) finds it taken and does nothing twice — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import String, cast, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import Case, JobClaim
from ..timeutil import now

# Jobs whose claim is keyed by the day they ran (a digest per agency, the calendar alert): that
# day never comes back. Every other job keys its claim by a case id.
DAY_JOBS = ("digest", "calendar_alert")
KEEP_DAYS = 7  # kept a week after they can matter, for a look at what ran


def claim(job: str, day: date, key: str = "") -> bool:
    """Insert the claim in the current transaction; False if someone already holds it."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(JobClaim).values(job=job, day=day, key=key, claimed_at=now()) \
        .on_conflict_do_nothing(index_elements=["job", "day", "key"]).returning(JobClaim.id)
    return db.session.execute(stmt).scalar_one_or_none() is not None


def claim_many(job: str, items: list[tuple[date, str]]) -> set[tuple[date, str]]:
    """Claim many (day, key) pairs in one statement; returns the pairs this call won."""
    if not items:
        return set()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stamp = now()
    stmt = insert(JobClaim).on_conflict_do_nothing(index_elements=["job", "day", "key"]) \
        .returning(JobClaim.day, JobClaim.key)
    # executemany + RETURNING: SQLAlchemy batches it ("insertmanyvalues") on both databases
    rows = db.session.execute(stmt, [{"job": job, "day": d, "key": k, "claimed_at": stamp}
                                     for d, k in items]).all()
    return {(d, k) for d, k in rows}


def prune(today: date) -> int:
    """Delete the claims that can no longer stop anything (issue 18: job_claim must not grow
    without bound — ~14 000 rows a day at 100 000 open cases): a day job's claims a week after
    their day, and a case's claims a week after the case was concluded (the sweep looks at open
    cases only, so nothing of a concluded case is claimed again). A claim of an open case is
    kept however old: its overdue notice must stay "already sent". Returns the rows deleted."""
    horizon = today - timedelta(days=KEEP_DAYS)
    # …and never a claim made within the week: a second sweep racing this one may still be
    # about to claim the same (job, day, key) and must find it taken
    made_before = datetime.combine(horizon, time.min, tzinfo=UTC)
    old = JobClaim.claimed_at < made_before
    gone = db.session.execute(delete(JobClaim).where(
        JobClaim.job.in_(DAY_JOBS), JobClaim.day < horizon, old)).rowcount or 0
    concluded = select(cast(Case.id, String)).where(
        Case.concluded_on.is_not(None), Case.concluded_on < horizon)
    gone += db.session.execute(delete(JobClaim).where(
        JobClaim.job.not_in(DAY_JOBS), JobClaim.key.in_(concluded), old),
        execution_options={"synchronize_session": False}).rowcount or 0
    return gone
