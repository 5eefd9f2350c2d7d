"""Benchmark: the deadline sweep over N open cases (default 100 000).

    python bench/sweep.py [--cases N] [--db sqlite|postgresql]

Prints seeding time, the first sweep (which records every due-soon/overdue notice), a second
sweep the same day (idempotent: claims only), and peak memory.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import ensure_agencies, make_app, peak_rss_mb, seed_open_cases  # noqa: E402
from disclosure.services import cases as case_service  # noqa: E402
from disclosure.services import sweep  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--profile", action="store_true",
                    help="cProfile the first sweep and print its top 25 (cumulative)")
    args = ap.parse_args()
    app = make_app(args.db)
    today = date(2024, 11, 20)
    with app.app_context():
        t = time.perf_counter()
        seed_open_cases(args.cases, today, ensure_agencies())
        print(f"seed_s: {time.perf_counter() - t:.2f}")
        # derive stored due dates once, as the services would have when the facts were entered
        from sqlalchemy import select

        from disclosure.extensions import db
        from disclosure.models import Case
        t = time.perf_counter()
        ids = list(db.session.execute(select(Case.id)).scalars())
        for i in range(0, len(ids), 2000):
            for c in db.session.execute(select(Case).where(Case.id.in_(ids[i:i + 2000]))).scalars():
                case_service.refresh_derived(c, today)
            db.session.commit()
            db.session.expunge_all()
        print(f"derive_s: {time.perf_counter() - t:.2f}")
        prof = None
        if args.profile:
            import cProfile
            prof = cProfile.Profile()
            prof.enable()
        t = time.perf_counter()
        r1 = sweep.run(today)
        print(f"sweep_s: {time.perf_counter() - t:.2f}")
        if prof is not None:
            import pstats
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        print("first: " + ", ".join(r1.lines()))
        t = time.perf_counter()
        r2 = sweep.run(today)
        print(f"sweep_again_s: {time.perf_counter() - t:.2f}")
        print("again: overdue=%d due_soon=%d lapsed=%d"
              % (r2.overdue, r2.due_soon, r2.lapsed_supplement))
    print(f"peak_rss_mb: {peak_rss_mb():.0f}")


if __name__ == "__main__":
    main()
