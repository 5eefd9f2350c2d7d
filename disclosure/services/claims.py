"""Job claims: a scheduler job claims a unique (job, day, key) row before acting, so a second
scheduler (or a re-run) finds it taken and does nothing twice — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import JobClaim
from ..timeutil import now


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
