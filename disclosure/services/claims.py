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
