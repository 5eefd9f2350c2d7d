"""Shared benchmark helpers: an app on a scratch database and a bulk case seeder."""
from __future__ import annotations

import os
import random
import resource
import tempfile
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import bindparam, insert, text

from disclosure import create_app
from disclosure.extensions import db
from disclosure.models import Agency, Case, CasePause

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def make_app(kind: str):
    tmp = tempfile.mkdtemp(prefix="disclosure-bench-")
    url = (f"sqlite:///{tmp}/bench.sqlite" if kind == "sqlite"
           else os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT))
    schema = f"bench_{os.getpid()}"  # never touch schema public: tests may share the database
    engine = {"connect_args": {"options": f"-csearch_path={schema}"}} if kind != "sqlite" else {}
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": tmp,
                      "SQLALCHEMY_ENGINE_OPTIONS": engine,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; "
                                  f"CREATE SCHEMA {schema}"))
        db.create_all()
    return app


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_agencies(codes=("BCZ", "HMQ", "NTS")) -> list[int]:
    ids = []
    for code in codes:
        a = Agency(code=code, name=f"{code} 机关", created_at=datetime.now(timezone.utc))
        db.session.add(a)
        db.session.flush()
        ids.append(a.id)
    db.session.commit()
    return ids


TYPES = ["natural_person"] * 8 + ["commercial_enterprise", "legal_service_org",
                                   "research_institution", "social_welfare_org", "other_org"]
CHANNELS = ["online"] * 5 + ["in_person", "mail_signed", "mail_ordinary", "email", "fax"]


def seed_open_cases(n: int, today: date, agency_ids: list[int], seed: int = 1,
                    chunk: int = 10000) -> None:
    """Open cases received in the last 45 days: running, paused, awaiting supplement."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    made = 0
    while made < n:
        rows, pauses = [], []
        for i in range(made, min(n, made + chunk)):
            received = today - timedelta(days=rng.randrange(0, 45))
            r = rng.random()
            status = ("in_progress" if r < 0.8 else "paused" if r < 0.9
                      else "awaiting_supplement" if r < 0.95 else "registered")
            row = dict(agency_id=agency_ids[i % len(agency_ids)], tracking_no=f"B-{i:08d}",
                       channel=rng.choice(CHANNELS), status=status,
                       applicant_type=rng.choice(TYPES),
                       applicant_name=f"申请人{i}", subject=f"信息{i}", received_on=received,
                       extension_workdays=0, due_provisional=False, concluded_by_sweep=False,
                       created_at=now, clock_started_on=received)
            if status == "awaiting_supplement":
                row.update(supplement_requested_on=received + timedelta(days=2),
                           supplement_period_workdays=15)
            rows.append(row)
            if status == "paused":
                pauses.append((i, received + timedelta(days=1)))
        db.session.execute(insert(Case), rows)
        db.session.flush()
        if pauses:
            numbers = [f"B-{i:08d}" for i, _ in pauses]
            ids = dict(db.session.execute(text(
                "SELECT tracking_no, id FROM case_file WHERE tracking_no IN :t").bindparams(
                bindparam("t", expanding=True)), {"t": numbers}).all())
            db.session.execute(insert(CasePause), [
                dict(case_id=ids[f"B-{i:08d}"], kind="third_party", party="第三方", start_on=s)
                for i, s in pauses])
        db.session.commit()
        made += len(rows)
