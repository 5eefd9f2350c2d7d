"""Benchmark: the annual report over N cases (default 100 000) vs a bare SQL GROUP BY.

    python bench/report.py [--cases N] [--db sqlite|postgresql] [--repeat 3]

Seeds N cases spread over 2022–2025 (three agencies, every applicant type and outcome, some
open, some overdue, fees and appeals) with bulk inserts, then times, on the same data in the same
run, the whole annual report of 2024 for all agencies (every table, the checks, the rates, texts)
and the minimal hand-written SQL that yields the same table 三 counts, and checks they agree.
Prints report_s, report_bare_sql_s, report_ratio (best of --repeat runs each, default 5) and
peak_rss_mb.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, text  # noqa: E402

from bench.common import ensure_agencies, make_app, peak_rss_mb  # noqa: E402
from disclosure.domain import report as rules  # noqa: E402
from disclosure.extensions import db  # noqa: E402
from disclosure.models import Appeal, Case  # noqa: E402
from disclosure.services import report as svc  # noqa: E402

YEAR = 2024
FIRST = date(2022, 1, 1)
SPAN_DAYS = (date(2025, 12, 31) - FIRST).days
TYPES = ["natural_person"] * 8 + list(rules.TYPE_COLUMNS[1:])

BARE_SQL = """
SELECT applicant_type, outcome,
       COUNT(CASE WHEN received_on >= :start THEN 1 END),
       COUNT(CASE WHEN received_on < :start AND (concluded_on IS NULL OR concluded_on >= :start)
                  THEN 1 END),
       COUNT(CASE WHEN concluded_on BETWEEN :start AND :end THEN 1 END),
       COUNT(CASE WHEN concluded_on IS NULL OR concluded_on > :end THEN 1 END)
FROM case_file {hint}
WHERE received_on <= :end
  AND (concluded_on IS NULL OR concluded_on >= :start OR received_on >= :start)
GROUP BY applicant_type, outcome
"""


def _case_row(i: int, rng: random.Random, agency_ids: list[int], stamp: datetime) -> dict:
    received = FIRST + timedelta(days=rng.randrange(SPAN_DAYS))
    due = received + timedelta(days=28)
    row = dict(agency_id=agency_ids[i % len(agency_ids)], tracking_no=f"R-{i:09d}",
               channel="in_person", applicant_type=rng.choice(TYPES), applicant_name=f"申请人{i}",
               subject=f"信息{i}", received_on=received, clock_started_on=received, due_on=due,
               extension_workdays=0, due_provisional=False, concluded_by_sweep=False,
               created_at=stamp, status="in_progress")
    if rng.random() < 0.93:
        concluded = received + timedelta(days=rng.randrange(1, 45))
        row.update(status="replied", concluded_on=concluded, timely=concluded <= due,
                   outcome=rng.choice(rules.RESULT_ROWS[:3] * 6 + rules.RESULT_ROWS))
    if rng.random() < 0.02:
        row.update(fee_method="per_page", fee_amount=200, fee_notified_on=received,
                   fee_paid_on=received + timedelta(days=3))
    return row


def seed(n: int, chunk: int = 20000) -> None:
    agency_ids = ensure_agencies()
    rng = random.Random(2024)
    stamp = datetime.now(timezone.utc)
    made = 0
    while made < n:
        rows = [_case_row(i, rng, agency_ids, stamp) for i in range(made, min(n, made + chunk))]
        db.session.execute(insert(Case), rows)
        made += len(rows)
    db.session.commit()
    ids = db.session.execute(text("SELECT id, received_on FROM case_file WHERE id % 97 = 0")).all()
    appeals = []
    for case_id, received in ids:
        received = date.fromisoformat(str(received)[:10])
        filed = received + timedelta(days=60)
        result = rng.choice(["upheld", "corrected", "other", "pending"])
        appeals.append(dict(case_id=case_id, kind=rng.choice(rules.APPEAL_KINDS), filed_on=filed,
                            result=result,
                            decided_on=None if result == "pending" else filed + timedelta(days=90)))
    if appeals:
        db.session.execute(insert(Appeal), appeals)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def best_of(repeat: int, *fns) -> list[tuple[float, object]]:
    """Best time of each function over ``repeat`` rounds, the functions taking turns within a
    round (so a busy machine slows them alike)."""
    times, results = [[] for _ in fns], [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            db.session.expire_all()
            t = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - t)
    return [(min(ts), r) for ts, r in zip(times, results)]


def bare(naive: bool = False) -> dict:
    """The same counts by hand. On SQLite the table is read in order (NOT INDEXED), as the
    service does; ``naive`` leaves the plan to SQLite (which follows the date index)."""
    hint = "NOT INDEXED" if db.engine.dialect.name == "sqlite" and not naive else ""
    rows = db.session.execute(text(BARE_SQL.format(hint=hint)),
                              {"start": date(YEAR, 1, 1), "end": date(YEAR, 12, 31)}).all()
    out = {k: dict.fromkeys(rules.COLUMNS, 0)
           for k in ("new", "carried_over", "total", "carried_forward")}
    for kind, outcome, new, over, concluded, forward in rows:
        for key, n in (("new", new), ("carried_over", over), ("total", concluded),
                       ("carried_forward", forward)):
            out[key][kind] += n
            out[key]["total"] += n
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    app = make_app(args.db)
    with app.app_context():
        t = time.perf_counter()
        seed(args.cases)
        print(f"cases: {args.cases}")
        print(f"seed_s: {time.perf_counter() - t:.2f}")
        bare()  # warm the page cache for both contenders
        (report_s, report), (bare_s, counts), (naive_s, _), (one_s, _) = best_of(
            args.repeat, lambda: svc.build(svc.scope(YEAR)), bare, lambda: bare(naive=True),
            lambda: svc.build(svc.scope(YEAR, ["BCZ"])))
        for key, row in counts.items():
            assert report.rows[key] == row, (key, report.rows[key], row)
        assert not report.failing, report.failing
        print(f"report_s: {report_s:.3f}")
        print(f"report_bare_sql_s: {bare_s:.3f}")
        print(f"report_ratio: {report_s / bare_s:.2f}")
        print(f"report_bare_sql_planner_s: {naive_s:.3f}")
        print(f"report_one_agency_s: {one_s:.3f}")
        t = time.perf_counter()
        svc.stats(svc.scope(YEAR, ["BCZ"]))
        print(f"stats_one_agency_s: {time.perf_counter() - t:.3f}")
    print(f"peak_rss_mb: {peak_rss_mb():.0f}")


if __name__ == "__main__":
    main()
