"""The benchmark suite of issue 7: one run, every figure, on SQLite or PostgreSQL.

    python bench/run.py [--cases N] [--db sqlite|postgresql] [--json] [--skip SECTION ...]
                        [--open-share F] [--explain FILE]

Seeds N cases (default 100 000) by bulk insert with realistic distributions — five agencies of
different sizes, applicant types, channels, outcomes, 补正, consultations, extensions, fees,
appeals, 5 % open (running, paused, awaiting 补正, unconfirmed online submissions), received
over three years (2022-01-01 … 2024-12-13; "today" is 2024-12-16) — then measures and prints
one figure per line:

    seed_s            seeding (bulk insert, derived deadline fields from domain.deadlines)
    report_s          the annual report 2024, every agency (services.report.build), best of 3
    report_bare_sql_s the minimal GROUP BY giving the same table 三 counts (on SQLite the fastest
                      of the planner's plan, a table scan and the report's covering index),
                      best of 3
    report_ratio      report_s / report_bare_sql_s
    list_p50_ms       the staff case list through the Flask test client (CASES_PER_PAGE=50):
    list_p95_ms       the worst p50 / p95 over LIST_CASES — filter × sort combinations (platform
                      admin without a status filter, with one, a handler of BCZ) each read as
                      its first page, page 500 by OFFSET (a jump) and page 501 by the keyset
                      next link of page 500; one ``# list …`` line per combination and page
    list_agency_p50_ms  the same worst figures over the combinations of the handler of BCZ
    list_agency_p95_ms  (the largest agency, 35 % of the cases; scoped to ``agency_id = ?``)
    sweep_s           services.sweep.run over the open cases (first run of the day)
    import_100k_s     services.ledger.import_ledger of 100 000 JSONL lines (fresh agency IMP)
    submit_rps        POST /api/v1/applications under gunicorn -w 2, driven by wrk on loopback
                      (apt-get install -y wrk; without it a Python http.client thread pool)
    submit_p99_ms     (201 responses per second; 99th percentile latency)
    hello_rps         GET /api/v1/openapi.json on the same gunicorn: the ceiling
    submit_ratio      submit_rps / hello_rps
    write_rps         POST /bench/write on the same gunicorn (bench/write_app.py: the app plus one
                      route inserting one row through the ORM and committing): a bare write
    submit_vs_write   submit_rps / write_rps
    peak_rss_mb       the largest resident set of this process and of its children

Each figure line ends with ``# load …``: the 1-minute load average when it was measured (the
machines are shared; figures under load are noisy). Lines starting with ``#`` are context, not
figures. With ``--json`` stdout holds exactly one JSON object with the keys above (skipped
sections are null) and the text goes to stderr.

Sections can be skipped: ``--skip report list sweep import submit`` (any of them).
``--explain FILE`` writes the plans (SQLite EXPLAIN QUERY PLAN, PostgreSQL EXPLAIN ANALYZE) of
every SELECT the report, the list page and the sweep issued, as Markdown.

PostgreSQL: the run works in its own schema ``bench_<pid>`` of BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test) and drops it at the end. SQLite: a temporary folder,
removed at the end. This is a benchmark that prints figures, never a timed test.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import event, func, insert, select, text  # noqa: E402

from disclosure import create_app  # noqa: E402
from disclosure.domain import report as rules  # noqa: E402
from disclosure.extensions import db  # noqa: E402
from disclosure.models import Agency, Appeal, Case, CasePause, ExtensionRequest, TrackingCounter  # noqa: E402
from disclosure.services import ledger as ledger_svc  # noqa: E402
from disclosure.services import report as report_svc  # noqa: E402
from disclosure.services import sweep as sweep_svc  # noqa: E402
from disclosure.services.cases import refresh_derived  # noqa: E402
from disclosure.services.users import create_user  # noqa: E402

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
TODAY = date(2024, 12, 16)          # a Monday; the report year (2024) is almost complete
PREVIOUS_WORKDAY = date(2024, 12, 13)  # a Friday: the last sweep before today's
FIRST = date(2022, 1, 1)            # three years of history
SECTIONS = ("report", "list", "sweep", "import", "submit")
KEYS = ("seed_s", "report_s", "report_bare_sql_s", "report_ratio", "list_p50_ms", "list_p95_ms",
        "list_agency_p50_ms", "list_agency_p95_ms", "sweep_s", "import_100k_s", "submit_rps",
        "submit_p99_ms", "hello_rps", "submit_ratio", "write_rps", "submit_vs_write",
        "peak_rss_mb")
PASSWORD = "Bench-password-2026"
LIST_QUERY = ("/staff/cases?status=replied&from=2023-01-01&to=2024-12-31"
              "&sort=due_on&dir=asc&page=500")
LIST_REQUESTS, LIST_MAX_S = 25, 60
LIST_CASES = (  # (who: admin / agency, the list's arguments)
    ("admin", "status=replied&from=2023-01-01&to=2024-12-31&sort=due_on&dir=asc"),
    ("admin", "sort=received_on&dir=desc"),
    ("admin", "sort=due_on&dir=desc"),
    ("admin", "sort=due_on&dir=asc"),
    ("admin", "sort=submitted_at&dir=desc"),
    ("admin", "status=in_progress&status=replied&sort=received_on&dir=desc"),
    ("agency", "status=replied&from=2023-01-01&to=2024-12-31&sort=due_on&dir=asc"),
    ("agency", "sort=received_on&dir=desc"),
    ("agency", "sort=due_on&dir=asc"),
    ("agency", "sort=submitted_at&dir=desc"),
)
LIST_DEEP = 500  # the OFFSET page; the keyset page is the next one
IMPORT_LINES = 100_000
WRK_WARMUP_S, WRK_RUN_S, WRK_CONNECTIONS = 2, 10, 4

AGENCIES = (("BCZ", "包场镇人民政府", 35), ("HMQ", "海门区人民政府办公室", 25),
            ("NTS", "南通市自然资源和规划局", 20), ("RGS", "如皋市住房和城乡建设局", 12),
            ("QDX", "启东市人民政府", 8))
TYPES = (("natural_person", 80), ("commercial_enterprise", 9), ("legal_service_org", 4),
         ("research_institution", 2), ("social_welfare_org", 2), ("other_org", 3))
CHANNELS = (("online", 50), ("in_person", 18), ("mail_signed", 14), ("mail_ordinary", 6),
            ("email", 8), ("fax", 4))
OUTCOMES = (("disclosed", 40), ("partially_disclosed", 14),
            ("withheld.state_secret", 1), ("withheld.prohibited_by_law", 1),
            ("withheld.security_stability", 1), ("withheld.third_party_rights", 2),
            ("withheld.internal_affairs", 1), ("withheld.process_information", 2),
            ("withheld.enforcement_file", 1), ("withheld.administrative_query", 1),
            ("unavailable.not_held", 16), ("unavailable.needs_creation", 4),
            ("unavailable.unclear_after_supplement", 1),
            ("not_processed.petition", 4), ("not_processed.repeat", 3),
            ("not_processed.publication", 1), ("not_processed.excessive", 1),
            ("not_processed.confirm_or_reissue", 1))
# open cases: (status, share); paused splits into consultation and fee below
OPEN_STATUSES = (("in_progress", 65), ("registered", 5), ("in_review", 5),
                 ("awaiting_supplement", 8), ("paused_consultation", 10), ("paused_fee", 4),
                 ("submitted", 3))
APPEAL_KINDS = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
APPEAL_RESULTS = ("upheld", "corrected", "other")
UTC = timezone.utc
SHANGHAI = timezone(timedelta(hours=8))
SAMPLE_ID = "11010519491231002X"  # a valid 居民身份证 number (check digit X)


# -- output ------------------------------------------------------------------------------------
class Out:
    """Figures (with the load average when measured) and context lines."""

    def __init__(self, as_json: bool):
        self.as_json = as_json
        self.figures: dict[str, float | None] = dict.fromkeys(KEYS)
        self.stream = sys.stderr if as_json else sys.stdout

    def figure(self, key: str, value: float, digits: int = 3) -> None:
        value = round(value, digits)
        self.figures[key] = value
        print(f"{key}: {value}  # load {os.getloadavg()[0]:.2f}", file=self.stream, flush=True)

    def note(self, line: str) -> None:
        print(f"# {line}", file=self.stream, flush=True)

    def final(self) -> None:
        if self.as_json:
            print(json.dumps(self.figures, ensure_ascii=False))


# -- the report's table 三 by hand ---------------------------------------------------------------
YEAR = 2024
BARE_SQL = """
SELECT applicant_type, outcome,
       COUNT(CASE WHEN received_on >= :start THEN 1 END),
       COUNT(CASE WHEN received_on < :start AND (concluded_on IS NULL OR concluded_on >= :start)
                  THEN 1 END),
       COUNT(CASE WHEN concluded_on BETWEEN :start AND :end THEN 1 END),
       COUNT(CASE WHEN concluded_on IS NULL OR concluded_on > :end THEN 1 END)
FROM case_file {hint}
WHERE (concluded_on IS NULL OR concluded_on >= :start) AND received_on <= :end
GROUP BY applicant_type, outcome
"""


def bare(hint: str = "") -> dict:
    """The minimal SQL giving the counts of table 三 (new, carried over, concluded, carried
    forward per applicant type), folded like the report folds them."""
    rows = db.session.execute(text(BARE_SQL.format(hint=hint)),
                              {"start": date(YEAR, 1, 1), "end": date(YEAR, 12, 31)}).all()
    out = {k: dict.fromkeys(rules.COLUMNS, 0)
           for k in ("new", "carried_over", "total", "carried_forward")}
    for kind, _outcome, new, over, concluded, forward in rows:
        for key, n in (("new", new), ("carried_over", over), ("total", concluded),
                       ("carried_forward", forward)):
            out[key][kind] += n
            out[key]["total"] += n
    return out


# -- memory: this process's high-water mark per section, and the children ----------------------
class Memory:
    def __init__(self):
        self.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.sections: dict[str, float] = {}

    @staticmethod
    def _hwm_kb() -> int:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    @contextmanager
    def section(self, name: str):
        try:  # reset the high-water mark to the current RSS (Linux clear_refs)
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        except OSError:
            pass
        try:
            yield
        finally:
            hwm = self._hwm_kb()
            self.peak_kb = max(self.peak_kb, hwm)
            self.sections[name] = hwm / 1024

    def peak_mb(self) -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return max(self.peak_kb, self._hwm_kb(), children) / 1024


# -- the database --------------------------------------------------------------------------------
class Target:
    """A scratch database: a SQLite file in a temporary folder, or a PostgreSQL schema."""

    def __init__(self, kind: str):
        self.kind = kind
        self.tmp = tempfile.mkdtemp(prefix="disclosure-bench-")
        self.schema = None
        if kind == "sqlite":
            self.url = f"sqlite:///{self.tmp}/bench.sqlite"
        else:
            import psycopg
            base = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
            self.base = base.replace("postgresql+psycopg://", "postgresql://")
            self.schema = f"bench_{os.getpid()}"
            with psycopg.connect(self.base, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
                conn.execute(f"CREATE SCHEMA {self.schema}")
            sep = "&" if "?" in self.base else "?"
            self.url = f"{self.base}{sep}options=-csearch_path%3D{self.schema}"

    def app(self):
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": self.url,
                          "INSTANCE_PATH": self.tmp, "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "CASES_PER_PAGE": 50,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context():
            db.create_all()
        return app

    def drop(self) -> None:
        if self.schema:
            import psycopg
            try:
                with psycopg.connect(self.base, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            except Exception as exc:  # noqa: BLE001 — report, never hide
                print(f"# could not drop schema {self.schema}: {exc}", file=sys.stderr)
            self.schema = None
        shutil.rmtree(self.tmp, ignore_errors=True)


# -- realistic cases -------------------------------------------------------------------------------
class Weighted:
    """Fast weighted choice (bisect over cumulative weights)."""

    def __init__(self, pairs):
        self.values = [v for v, _ in pairs]
        self.cum = list(itertools.accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


PICK_AGENCY = Weighted([(i, w) for i, (_c, _n, w) in enumerate(AGENCIES)])
PICK_TYPE, PICK_CHANNEL = Weighted(TYPES), Weighted(CHANNELS)
PICK_OUTCOME, PICK_OPEN = Weighted(OUTCOMES), Weighted(OPEN_STATUSES)
CASE_COLUMNS = tuple(c.key for c in Case.__table__.columns)
# The facts the statutory clock reads (services.cases.facts_of): every one the case row has,
# whatever the seeder sets (unset ones stay None, as for a case without that act).
FACT_COLUMNS = tuple(k for k in (
    "received_on", "supplement_requested_on", "supplement_period_workdays",
    "supplement_received_on", "extension_workdays", "deferred_due_on", "fee_notified_on",
    "fee_paid_on", "concluded_on", "concluded_by_sweep", "supplement_delivered_on",
    "supplement_undelivered", "supplement_new_period_on", "supplement_new_period_workdays",
    "fee_delivered_on", "fee_undelivered", "extension_on", "deferred_on") if k in CASE_COLUMNS)
SPAN = (TODAY - timedelta(days=3) - FIRST).days


class Seeder:
    """Builds case rows with their facts; the derived fields come from the same domain function
    as every service (cases.refresh_derived), memoised on the facts (many closed cases share
    them)."""

    def __init__(self, agency_ids: list[int], seed: int = 7):
        self.rng = random.Random(seed)
        self.agency_ids = agency_ids
        self.counters: Counter = Counter()
        self.memo: dict = {}
        self.stamp = datetime.now(UTC)
        self.template = dict.fromkeys(CASE_COLUMNS)
        # NOT NULL columns with a scalar default (the ORM fills them; a bulk insert must too)
        self.template.update({c.key: c.default.arg for c in Case.__table__.columns
                              if not c.nullable and c.default is not None
                              and not callable(c.default.arg)})
        self.template.update(extension_workdays=0, due_provisional=False,
                             concluded_by_sweep=False, created_at=self.stamp)

    def _derive(self, row: dict, pauses: list, as_of: date = TODAY) -> None:
        # A case concluded by staff whose every pause and period has ended has a due date that
        # does not depend on its conclusion day; only ``timely`` does (concluded_on <= due_on,
        # R3.6) — so such cases share one computation per set of clock facts.
        settled = (row["concluded_on"] is not None and not row["concluded_by_sweep"]
                   and all(p["end_on"] for p in pauses)
                   and (row["fee_notified_on"] is None) == (row["fee_paid_on"] is None)
                   and (row["supplement_requested_on"] is None)
                   == (row["supplement_received_on"] is None))
        facts = {k: row.get(k) for k in FACT_COLUMNS}
        key = (tuple(None if settled and k == "concluded_on" else v for k, v in facts.items()),
               tuple((p["kind"], p["start_on"], p["end_on"]) for p in pauses), as_of)
        got = self.memo.get(key)
        if got is not None and settled:
            got = (*got[:3], row["concluded_on"] <= got[1], got[4])
        if got is None:
            ns = SimpleNamespace(**facts)
            ns.pauses = [SimpleNamespace(kind=p["kind"], start_on=p["start_on"],
                                         end_on=p["end_on"]) for p in pauses]
            refresh_derived(ns, as_of)
            got = (ns.clock_started_on, ns.due_on, ns.due_provisional, ns.timely,
                   getattr(ns, "late_acts", None))
            if len(self.memo) < 400_000:
                self.memo[key] = got
        (row["clock_started_on"], row["due_on"], row["due_provisional"], row["timely"]) = got[:4]
        if "late_acts" in row:
            row["late_acts"] = got[4] or ""

    def _number(self, agency: int, year: int) -> str:
        self.counters[(agency, year)] += 1
        return f"{AGENCIES[agency][0]}-{year}-{self.counters[(agency, year)]:06d}"

    def _base(self, i: int, received: date | None, submitted: date | None) -> dict:
        rng = self.rng
        agency = PICK_AGENCY(rng)
        kind = PICK_TYPE(rng)
        channel = "online" if received is None else PICK_CHANNEL(rng)
        row = dict(self.template)
        person = kind == "natural_person"
        row.update(
            id=i + 1, agency_id=self.agency_ids[agency],
            tracking_no=self._number(agency, (received or submitted).year), channel=channel,
            applicant_type=kind,
            applicant_name=f"申请人{i % 50000}" if person else f"某公司{i % 9000}",
            id_type="resident_id" if person else None, id_number=SAMPLE_ID if person else None,
            credit_code=None if person else "91110000600037341L",
            contact_name=None if person else "联系人", phone="13800000000",
            subject=f"关于第{i}号地块征收补偿方案的批复文件", delivery_form="electronic",
            delivery_method="online", received_on=received)
        if channel == "online":
            day = submitted or received - timedelta(days=rng.randrange(0, 3))
            row["submitted_at"] = datetime(day.year, day.month, day.day, 10, rng.randrange(60),
                                           tzinfo=SHANGHAI).astimezone(UTC)
        return row

    # closed cases: 95 %
    def closed(self, i: int) -> tuple[dict, list, list, list]:
        rng = self.rng
        received = FIRST + timedelta(days=rng.randrange(SPAN))
        row = self._base(i, received, None)
        pauses, extensions, appeals = [], [], []
        cursor = received
        end_by = TODAY - timedelta(days=1)
        lapsed = None
        if rng.random() < 0.06:  # 补正
            asked = received + timedelta(days=rng.randrange(1, 6))
            row.update(supplement_requested_on=asked, supplement_period_workdays=15)
            if rng.random() < 0.25:
                lapsed = ("other.no_supplement", asked + timedelta(days=24))
            else:
                cursor = asked + timedelta(days=rng.randrange(1, 12))
                row["supplement_received_on"] = cursor
        if lapsed is None and rng.random() < 0.04:  # consultation of a third party / agency
            start = cursor + timedelta(days=rng.randrange(2, 10))
            end = start + timedelta(days=rng.randrange(3, 20))
            pauses.append(dict(kind=rng.choice(("third_party", "agency")), party="第三方单位",
                               start_on=start, end_on=end))
            cursor = end
        if lapsed is None and rng.random() < 0.06:  # extension of 20 working days
            on = cursor + timedelta(days=rng.randrange(14, 24))
            row["extension_workdays"] = 20
            extensions.append(dict(workdays=20, reason="需要较长时间检索", requested_on=on,
                                   decision="approved", decided_on=on))
            cursor = on
        if lapsed is None and rng.random() < 0.01:  # fee (按量)
            notified = cursor + timedelta(days=rng.randrange(2, 8))
            row.update(fee_method="per_page", fee_amount=Decimal(rng.choice((100, 200, 500))),
                       fee_notified_on=notified)
            if rng.random() < 0.15:
                lapsed = ("other.fee_unpaid", notified + timedelta(days=30))
            else:
                cursor = notified + timedelta(days=rng.randrange(1, 10))
                row["fee_paid_on"] = cursor
        if lapsed:
            row.update(status="abandoned", outcome=lapsed[0], concluded_by_sweep=True,
                       concluded_on=min(lapsed[1], end_by))
        else:
            late = rng.random() < 0.06
            span = rng.randrange(1, 27) if not late else rng.randrange(30, 45)
            span += 28 if row["extension_workdays"] else 0
            concluded = min(cursor + timedelta(days=span), end_by)
            concluded = max(concluded, cursor)
            withdrawn = rng.random() < 0.04
            row.update(status="withdrawn" if withdrawn else "replied",
                       outcome="other.other" if withdrawn else PICK_OUTCOME(rng),
                       concluded_on=concluded)
            if not withdrawn and row["outcome"] != "disclosed" and rng.random() < 0.06:
                filed = concluded + timedelta(days=rng.randrange(5, 60))
                if filed <= TODAY:
                    decided = filed + timedelta(days=rng.randrange(30, 90))
                    done = decided <= TODAY
                    appeals.append(dict(kind=rng.choice(APPEAL_KINDS), filed_on=filed,
                                        result=rng.choice(APPEAL_RESULTS) if done else "pending",
                                        decided_on=decided if done else None))
        self._derive(row, pauses)
        return row, pauses, extensions, appeals

    # open cases: 5 % (received in the last weeks; a few past their deadline or period)
    def open(self, i: int) -> tuple[dict, list, list, list]:
        rng = self.rng
        kind = PICK_OPEN(rng)
        ago = lambda lo, hi: TODAY - timedelta(days=rng.randrange(lo, hi))  # noqa: E731
        pauses = []
        if kind == "submitted":
            row = self._base(i, None, ago(0, 6))
            row["status"] = "submitted"
        elif kind == "awaiting_supplement":
            asked = ago(0, 23)
            row = self._base(i, asked - timedelta(days=rng.randrange(0, 4)), None)
            row.update(status="awaiting_supplement", supplement_requested_on=asked,
                       supplement_period_workdays=15)
        elif kind == "paused_consultation":
            start = ago(0, 23)
            row = self._base(i, start - timedelta(days=rng.randrange(1, 8)), None)
            row["status"] = "paused"
            pauses.append(dict(kind=rng.choice(("third_party", "agency")), party="第三方单位",
                               start_on=start, end_on=None))
        elif kind == "paused_fee":
            notified = ago(0, 30)
            row = self._base(i, notified - timedelta(days=rng.randrange(1, 8)), None)
            row.update(status="paused", fee_method="per_page", fee_amount=Decimal(200),
                       fee_notified_on=notified)
        else:
            lo, hi = {"registered": (0, 3), "in_review": (10, 30)}.get(kind, (0, 31))
            row = self._base(i, ago(lo, hi), None)
            row["status"] = kind
        # stored as the services left them on the previous working day: today's sweep moves
        # the due dates of paused cases, as it does every day
        facts = [row[k] for k in ("received_on", "supplement_requested_on", "fee_notified_on")]
        latest = max([d for d in facts if d] + [p["start_on"] for p in pauses], default=TODAY)
        self._derive(row, pauses, PREVIOUS_WORKDAY if latest <= PREVIOUS_WORKDAY else TODAY)
        return row, pauses, [], []


def ensure_agencies() -> list[int]:
    ids = []
    for code, name, _w in AGENCIES:
        a = Agency(code=code, name=name, created_at=datetime.now(UTC))
        db.session.add(a)
        db.session.flush()
        ids.append(a.id)
    db.session.commit()
    return ids


def seed(n: int, open_share: float, chunk: int = 10_000) -> dict:
    """Bulk insert: cases with explicit ids, then their pauses, extensions and appeals."""
    agency_ids = ensure_agencies()
    seeder = Seeder(agency_ids)
    n_open = int(round(n * open_share))
    open_ids = set(random.Random(11).sample(range(n), n_open))
    conn = db.session.connection()
    # bulk load: the secondary indexes are built once at the end, as for any large import
    indexes = [ix for ix in Case.__table__.indexes if not ix.unique]
    for ix in indexes:
        ix.drop(conn)
    for start in range(0, n, chunk):
        rows, pauses, extensions, appeals = [], [], [], []
        for i in range(start, min(n, start + chunk)):
            row, p, e, a = (seeder.open if i in open_ids else seeder.closed)(i)
            rows.append(row)
            for items, out in ((p, pauses), (e, extensions), (a, appeals)):
                out.extend(dict(x, case_id=row["id"]) for x in items)
        conn.execute(insert(Case), rows)
        for model, items in ((CasePause, pauses), (ExtensionRequest, extensions),
                             (Appeal, appeals)):
            if items:
                conn.execute(insert(model), items)
    for ix in indexes:
        ix.create(conn)
    conn.execute(insert(TrackingCounter), [
        dict(agency_id=agency_ids[a], year=y, last=k) for (a, y), k in seeder.counters.items()])
    if db.engine.dialect.name == "postgresql":
        conn.execute(text("SELECT setval(pg_get_serial_sequence('case_file', 'id'), :n)"),
                     {"n": max(n, 1)})
    db.session.commit()
    # the list's "admin" reads every agency: a platform administrator
    create_user("bench-admin", PASSWORD, AGENCIES[0][0], ["admin", "platform_admin"])
    handlers = [create_user(f"handler-{code.lower()}", PASSWORD, code, ["handler", "office_head"])
                for code, _name, _w in AGENCIES]  # the sweep's digests go to these
    for user in handlers:  # (each service call starts afresh: set e-mails after the last one)
        user.email = f"{user.username}@example.cn"
    db.session.commit()
    analyze()
    return {"open": n_open, "memo": len(seeder.memo)}


def analyze() -> None:
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
        else:  # as autovacuum would have: statistics and the visibility map — of this
            # schema's tables only (a bare VACUUM would visit every schema of the database)
            names = ", ".join(t.name for t in db.metadata.sorted_tables)
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                f"VACUUM ANALYZE {names}")
        conn.commit()


# -- capturing the SQL the services issue, for EXPLAIN ------------------------------------------
class Capture:
    def __init__(self):
        self.statements: dict[str, tuple[str, object]] = {}
        self.label = ""

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith("SELECT"):
            self.statements.setdefault(statement, (self.label, parameters))

    @contextmanager
    def on(self, label: str):
        self.label = label
        event.listen(db.engine, "before_cursor_execute", self)
        try:
            yield
        finally:
            event.remove(db.engine, "before_cursor_execute", self)


def _short(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[:limit] + " …"


def _short_sql(sql: str) -> str:
    """The statement with a long column list and long IN (…) lists elided."""
    sql = sql.strip()
    head, sep, rest = sql.partition("\nFROM ")
    if sep and len(head) > 300 and "count(" not in head:
        head = head[:60] + " …"
    sql = head + sep + rest
    return re.sub(r"IN \((?:(?:\?|%\([a-z_0-9]+\)s), ){8,}(?:\?|%\([a-z_0-9]+\)s)\)",
                  "IN (…)", sql)


def explain_all(cap: Capture, path: str, kind: str) -> None:
    out = [f"# Query plans ({kind}, {db.engine.dialect.name})\n"]
    db.session.rollback()
    with db.engine.connect() as conn:
        seen = set()
        for sql, (label, params) in cap.statements.items():
            if "case_file" not in sql and "job_claim" not in sql and "case_pause" not in sql:
                continue
            if _short_sql(sql) in seen:
                continue
            seen.add(_short_sql(sql))
            try:
                if conn.dialect.name == "sqlite":
                    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
                    depth = {0: -1}
                    lines = []
                    for node, parent, _nu, detail in rows:
                        depth[node] = depth.get(parent, -1) + 1
                        lines.append("  " * depth[node] + detail)
                else:
                    rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).all()
                    lines = [r[0] for r in rows]
            except Exception as exc:  # noqa: BLE001 — a plan we cannot get is reported
                lines = [f"(no plan: {exc.__class__.__name__}: {str(exc)[:200]})"]
                conn.rollback()
            out.append(f"## {label}\n\n```sql\n{_short_sql(sql)}\n```\n"
                       f"parameters: `{_short(repr(params), 300)}`\n\n"
                       "```\n" + "\n".join(lines) + "\n```\n")
        conn.rollback()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out))


# -- sections -------------------------------------------------------------------------------------
def best_of(repeat: int, fn):
    times, result = [], None
    for _ in range(repeat):
        db.session.expire_all()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def run_report(out: Out, cap: Capture) -> None:
    bare()  # warm the page cache for both contenders
    report_s, report = best_of(3, lambda: report_svc.build(report_svc.scope(YEAR)))
    bare_s, counts = best_of(3, bare)
    if db.engine.dialect.name == "sqlite":  # the best hand-written plan: the planner's, a scan
        scan_s, _ = best_of(3, lambda: bare("NOT INDEXED"))  # or the report's covering index
        cover_s, _ = best_of(3, lambda: bare("INDEXED BY ix_case_concluded_scan"))
        out.note(f"bare SQL on SQLite: planner's plan {bare_s:.3f} s, table scan {scan_s:.3f} s, "
                 f"covering index {cover_s:.3f} s")
        bare_s = min(bare_s, scan_s, cover_s)
    wrong = [key for key, row in counts.items() if report.rows.get(key) != row]
    if wrong:  # the report and the hand-written SQL must agree
        out.note(f"MISMATCH between the report and the bare SQL in rows: {', '.join(wrong)}")
    out.figure("report_s", report_s)
    out.figure("report_bare_sql_s", bare_s)
    out.figure("report_ratio", report_s / bare_s, 2)
    out.note(f"report {YEAR}: new={report.rows['new']['total']} "
             f"concluded={report.rows['total']['total']} "
             f"carried_forward={report.rows['carried_forward']['total']} "
             f"checks failing={len(report.failing)}")
    # issue 18: the scan reads the cases of the year and the open ones, not all history
    from disclosure.services.report.counting import restricted
    every = report_svc.scope(YEAR)
    read = db.session.execute(select(func.count()).select_from(Case)
                              .where(restricted(every))).scalar_one()
    total = db.session.execute(select(func.count()).select_from(Case)).scalar_one()
    out.note(f"report_rows_scanned: {read} of {total} cases (concluded on or after "
             f"{every.start} or open, received by {every.end}; ix_case_concluded_scan)")
    t = time.perf_counter()
    report_svc.build(report_svc.scope(YEAR, [AGENCIES[0][0]]))
    out.note(f"report_one_agency_s: {time.perf_counter() - t:.3f}")
    with cap.on("report (services.report.build, every agency)"):
        report_svc.build(report_svc.scope(YEAR))
    db.session.rollback()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _time_list(client, label: str, url: str = LIST_QUERY) -> list[float]:
    for _ in range(3):  # warm-up
        assert client.get(url).status_code == 200, label
    times, began = [], time.perf_counter()
    while len(times) < LIST_REQUESTS and time.perf_counter() - began < LIST_MAX_S:
        t = time.perf_counter()
        resp = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200, label
    return times


def _next_link(html: str) -> str | None:
    import html as markup
    found = re.search(r'<a href="([^"]*after=[^"]*)">', html)
    return markup.unescape(found.group(1)) if found else None


def run_list(app, out: Out, cap: Capture) -> None:
    clients = {}
    for who, user in (("admin", "bench-admin"), ("agency", f"handler-{AGENCIES[0][0].lower()}")):
        clients[who] = app.test_client()
        resp = clients[who].post("/login", data={"username": user, "password": PASSWORD})
        assert resp.status_code == 302, resp.status_code
    worst = {"admin": [0.0, 0.0], "agency": [0.0, 0.0]}
    for who, args in LIST_CASES:
        client = clients[who]
        deep = f"/staff/cases?{args}&page={LIST_DEEP}"
        resp = client.get(deep)
        assert resp.status_code == 200, deep
        keyset = _next_link(resp.get_data(as_text=True))
        pages = {"first": f"/staff/cases?{args}", f"offset {LIST_DEEP}": deep}
        if keyset:
            pages[f"keyset {LIST_DEEP + 1}"] = keyset
        for kind, url in pages.items():
            times = _time_list(client, f"{who} {args} {kind}", url)
            p50, p95 = percentile(times, 0.50), percentile(times, 0.95)
            worst[who] = [max(worst[who][0], p50), max(worst[who][1], p95)]
            out.note(f"list {who:6} {args} [{kind}]: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
                     f"({len(times)} requests)")
            with cap.on(f"case list as {who}: {args} [{kind}] (services.case_queries)"):
                client.get(url)
            db.session.rollback()
        if not keyset:
            out.note(f"list {who:6} {args}: fewer than {LIST_DEEP + 1} pages, no keyset page")
    out.figure("list_p50_ms", max(worst["admin"][0], worst["agency"][0]), 1)
    out.figure("list_p95_ms", max(worst["admin"][1], worst["agency"][1]), 1)
    out.figure("list_agency_p50_ms", worst["agency"][0], 1)
    out.figure("list_agency_p95_ms", worst["agency"][1], 1)


def run_sweep(out: Out, cap: Capture) -> None:
    open_cases = sweep_svc.open_count()
    db.session.rollback()
    prof = None
    if os.environ.get("BENCH_PROFILE_SWEEP"):  # a path: cProfile of the first sweep goes there
        import cProfile
        prof = cProfile.Profile()
        prof.enable()
    t = time.perf_counter()
    first = sweep_svc.run(TODAY)
    out.figure("sweep_s", time.perf_counter() - t, 2)
    if prof is not None:
        prof.disable()
        prof.dump_stats(os.environ["BENCH_PROFILE_SWEEP"])
    out.note(f"sweep over {open_cases} open cases: " + ", ".join(first.lines()[1:]))
    db.session.rollback()
    with cap.on("sweep (services.sweep.run)"):
        t = time.perf_counter()
        again = sweep_svc.run(TODAY)
    out.note(f"sweep_again_s: {time.perf_counter() - t:.2f} (same day: claims only, "
             f"overdue={again.overdue} due_soon={again.due_soon} lapsed={again.lapsed_supplement})")
    db.session.rollback()


def ledger_lines(n: int, code: str = "IMP", seed: int = 5):
    """n closed cases as ledger JSONL (docs/ledger.md), numbered IMP-YEAR-NNNNNN."""
    rng = random.Random(seed)
    counters: Counter = Counter()
    first, span = date(2023, 1, 1), (date(2024, 9, 30) - date(2023, 1, 1)).days
    for i in range(n):
        received = first + timedelta(days=rng.randrange(span))
        counters[received.year] += 1
        kind = PICK_TYPE(rng)
        applicant = {"type": kind, "name": f"申请人{i % 40000}"} if kind == "natural_person" \
            else {"type": kind, "name": f"某单位{i % 5000}", "contact_name": "联系人"}
        line = {"tracking_no": f"{code}-{received.year}-{counters[received.year]:06d}",
                "agency": code, "applicant": applicant, "channel": PICK_CHANNEL(rng),
                "received_on": received.isoformat(), "subject": f"关于第{i}号地块规划许可的信息"}
        events, cursor = [], received
        if rng.random() < 0.05:
            asked = cursor + timedelta(days=rng.randrange(1, 6))
            cursor = asked + timedelta(days=rng.randrange(1, 10))
            events += [{"type": "supplement_requested", "on": asked.isoformat(),
                        "period_workdays": 15},
                       {"type": "supplement_received", "on": cursor.isoformat()}]
        if rng.random() < 0.04:
            start = cursor + timedelta(days=rng.randrange(2, 8))
            cursor = start + timedelta(days=rng.randrange(3, 15))
            events += [{"type": "consultation_started", "on": start.isoformat(),
                        "party": "third_party"},
                       {"type": "consultation_ended", "on": cursor.isoformat()}]
        if rng.random() < 0.05:
            cursor += timedelta(days=rng.randrange(14, 20))
            events.append({"type": "extension_approved", "on": cursor.isoformat(),
                           "workdays": 20})
        concluded = min(cursor + timedelta(days=rng.randrange(1, 30)), TODAY - timedelta(days=1))
        if rng.random() < 0.04:
            events.append({"type": "withdrawn", "on": concluded.isoformat()})
            outcome = "other.other"
        else:
            outcome = PICK_OUTCOME(rng)
        if events:
            line["events"] = events
        line.update(outcome=outcome, concluded_on=concluded.isoformat())
        if rng.random() < 0.01:
            line["appeals"] = [{"kind": "reconsideration",
                                "filed_on": (concluded + timedelta(days=20)).isoformat(),
                                "result": "pending"}]
        yield json.dumps(line, ensure_ascii=False)


def run_import(out: Out) -> None:
    from disclosure.services.users import create_agency
    create_agency("IMP", "如东县人民政府（台账导入）")
    t = time.perf_counter()
    lines = list(ledger_lines(IMPORT_LINES))
    out.note(f"import: {len(lines)} lines generated in {time.perf_counter() - t:.1f} s "
             f"({sum(map(len, lines)) / 1e6:.1f} MB)")
    t = time.perf_counter()
    result = ledger_svc.import_ledger(lines, today=TODAY)
    elapsed = time.perf_counter() - t
    if not result.ok:
        out.note("import FAILED: " + "; ".join(str(e) for e in result.errors[:5]))
        return
    out.figure("import_100k_s", elapsed, 1)
    out.note(f"import: created={result.created} unchanged={result.unchanged}")
    del lines
    db.session.rollback()


# -- submissions under gunicorn ------------------------------------------------------------------
WRK_LUA = r"""
wrk.method = "%(method)s"
wrk.body = %(body)s
wrk.headers["Content-Type"] = "application/json"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0; last = 0 end
function response(status, headers, body)
  if status == %(expect)d then ok = ok + 1 else bad = bad + 1; last = status end
end
function done(summary, latency, requests)
  local o, b, l = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); b = b + t:get("bad")
    if t:get("last") ~= 0 then l = t:get("last") end
  end
  io.write(string.format(
    'WRKJSON {"ok": %%d, "bad": %%d, "last_bad_status": %%d, "requests": %%d, ' ..
    '"duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "socket_errors": %%d}\n',
    o, b, l, summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
"""

SUBMIT_BODY = {
    "agency": AGENCIES[0][0],
    "applicant": {"type": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": SAMPLE_ID, "phone": "13800000000", "email": "a@example.cn",
                  "address": "包场镇1号"},
    "subject": "2023年某村道路拓宽工程的立项批复", "description": "",
    "delivery": {"form": "electronic", "method": "online"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk(url: str, seconds: int, script: str) -> dict:
    proc = subprocess.run(["wrk", "-t2", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s",
                           "-s", script, url], capture_output=True, text=True,
                          timeout=seconds + 30)
    for line in proc.stdout.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[len("WRKJSON "):])
    raise RuntimeError(f"wrk gave no figures: {proc.stdout[-500:]} {proc.stderr[-500:]}")


def pyload(url: str, seconds: int, method: str, body: bytes | None, expect: int) -> dict:
    """The fallback load generator when wrk is missing: WRK_CONNECTIONS threads, each sending
    one request after the other (http.client, one connection per request as gunicorn's sync
    workers close them) for ``seconds``; the same figures as the wrk script."""
    import http.client
    import threading
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    headers = {"Content-Type": "application/json"} if body else {}
    lock, latencies, counts = threading.Lock(), [], Counter()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        while time.perf_counter() < stop_at:
            t = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
                conn.request(method, parts.path, body=body, headers=headers)
                status = conn.getresponse().status
                conn.close()
            except OSError:
                status = -1
            with lock:
                latencies.append(time.perf_counter() - t)
                counts["ok" if status == expect else "socket_errors" if status < 0 else "bad"] += 1
                if status not in (expect, -1):
                    counts["last_bad_status"] = status

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(WRK_CONNECTIONS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(seconds + 10)
    duration = time.perf_counter() - began
    return {"ok": counts["ok"], "bad": counts["bad"], "last_bad_status": counts["last_bad_status"],
            "requests": len(latencies), "duration_us": duration * 1e6,
            "p50_us": percentile(latencies, 0.5) * 1e6 if latencies else 0,
            "p99_us": percentile(latencies, 0.99) * 1e6 if latencies else 0,
            "socket_errors": counts["socket_errors"]}


def start_gunicorn(url: str, port: int, workers: int = 2) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench",
           "DISCLOSURE_RATELIMIT_ENABLED": "false"}
    proc = subprocess.Popen(
        # gunicorn of this interpreter (whatever venv runs the benchmark), not a checkout path
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
         # the app plus POST /bench/write (bench/write_app.py), never in production
         f"127.0.0.1:{port}", "--log-level", "warning", "bench.write_app:app"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited: " + proc.stderr.read().decode()[-1000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json",
                                        timeout=2) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    stop_gunicorn(proc)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session this run started, nothing else
            proc.wait(5)


def run_submit(target: Target, out: Out) -> None:
    db.session.rollback()
    db.session.remove()
    db.engine.dispose()
    before = db.session.execute(select(func.count()).select_from(Case).where(
        Case.channel == "online", Case.submitted_at > datetime.now(UTC) - timedelta(days=1),
        Case.received_on.is_(None))).scalar_one()
    db.session.rollback()
    port = _free_port()
    tmp = tempfile.mkdtemp(prefix="bench-wrk-", dir=target.tmp)
    scripts = {}
    from bench.write_app import create_table
    create_table(db.engine)
    for name, method, body, expect in (("hello", "GET", "nil", 200),
                                       ("write", "POST", _lua_string("{}"), 201),
                                       ("submit", "POST", _lua_string(json.dumps(
                                           SUBMIT_BODY, ensure_ascii=False)), 201)):
        scripts[name] = os.path.join(tmp, f"{name}.lua")
        with open(scripts[name], "w", encoding="utf-8") as fh:
            fh.write(WRK_LUA % {"method": method, "body": body, "expect": expect})
    base = f"http://127.0.0.1:{port}"
    body = json.dumps(SUBMIT_BODY, ensure_ascii=False).encode()
    if shutil.which("wrk"):
        driver = f"wrk -t2 -c{WRK_CONNECTIONS}"
        hello_load = lambda s: wrk(base + "/api/v1/openapi.json", s, scripts["hello"])  # noqa: E731
        submit_load = lambda s: wrk(base + "/api/v1/applications", s, scripts["submit"])  # noqa: E731
        write_load = lambda s: wrk(base + "/bench/write", s, scripts["write"])  # noqa: E731
    else:
        driver = f"wrk not found: Python http.client, {WRK_CONNECTIONS} threads"
        hello_load = lambda s: pyload(base + "/api/v1/openapi.json", s, "GET", None, 200)  # noqa: E731
        submit_load = lambda s: pyload(base + "/api/v1/applications", s, "POST", body, 201)  # noqa: E731
        write_load = lambda s: pyload(base + "/bench/write", s, "POST", b"{}", 201)  # noqa: E731
    proc = start_gunicorn(target.url, port)
    try:
        hello_load(WRK_WARMUP_S)
        hello = hello_load(WRK_RUN_S)
        write_load(WRK_WARMUP_S)
        write = write_load(WRK_RUN_S)
        warm = submit_load(WRK_WARMUP_S)
        sub = submit_load(WRK_RUN_S)
    finally:
        stop_gunicorn(proc)
    hello_rps = hello["ok"] / (hello["duration_us"] / 1e6)
    submit_rps = sub["ok"] / (sub["duration_us"] / 1e6)
    out.figure("submit_rps", submit_rps, 1)
    out.figure("submit_p99_ms", sub["p99_us"] / 1000, 1)
    out.figure("hello_rps", hello_rps, 1)
    out.figure("submit_ratio", submit_rps / hello_rps if hello_rps else 0.0, 3)
    write_rps = write["ok"] / (write["duration_us"] / 1e6)
    out.figure("write_rps", write_rps, 1)
    out.figure("submit_vs_write", submit_rps / write_rps if write_rps else 0.0, 3)
    out.note(f"write = POST /bench/write (one ORM insert + commit, same app and gunicorn): "
             f"p99 {write['p99_us'] / 1000:.1f} ms, {write['bad']} non-201")
    out.note(f"hello = GET /api/v1/openapi.json (same app, no database); {driver}, "
             f"{WRK_RUN_S} s after a {WRK_WARMUP_S} s warm-up; gunicorn -w 2 (sync)")
    out.note(f"submit: {sub['ok']} × 201, {sub['bad']} other (last {sub['last_bad_status']}), "
             f"{sub['socket_errors']} socket errors, p50 {sub['p50_us'] / 1000:.1f} ms; "
             f"hello p99 {hello['p99_us'] / 1000:.1f} ms, {hello['bad']} non-200")
    after = db.session.execute(select(func.count(func.distinct(Case.tracking_no))).where(
        Case.channel == "online", Case.submitted_at > datetime.now(UTC) - timedelta(days=1),
        Case.received_on.is_(None))).scalar_one()
    db.session.rollback()
    out.note(f"submit: {after - before} new cases with distinct tracking numbers for "
             f"{warm['ok'] + sub['ok']} responses 201 (warm-up + measured run)")


# -- main -----------------------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    ap.add_argument("--skip", nargs="*", default=[], metavar="SECTION",
                    help="sections to skip: " + ", ".join(SECTIONS))
    ap.add_argument("--open-share", type=float, default=0.05,
                    help="share of open cases (default 0.05)")
    ap.add_argument("--explain", metavar="FILE", help="write the query plans as Markdown")
    args = ap.parse_args(argv)
    skip = {s for item in args.skip for s in item.split(",") if s}
    if skip - set(SECTIONS):
        ap.error(f"unknown section(s): {', '.join(sorted(skip - set(SECTIONS)))}")
    out, mem, cap = Out(args.json), Memory(), Capture()
    began = time.perf_counter()
    # a kill (timeout, Ctrl-C) still runs the clean-up below: schema dropped, gunicorn stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    target = Target(args.db)
    try:
        app = target.app()
        with app.app_context():
            out.note(f"database: {db.engine.dialect.name} "
                     f"({db.engine.dialect.server_version_info}); cases: {args.cases}; "
                     f"today: {TODAY}; cpus: {os.cpu_count()}")
            with mem.section("seed"):
                t = time.perf_counter()
                info = seed(args.cases, args.open_share)
                out.figure("seed_s", time.perf_counter() - t, 1)
            out.note(f"seed: {info['open']} open cases; {info['memo']} distinct deadline facts")
            for name, fn in (("report", lambda: run_report(out, cap)),
                             ("list", lambda: run_list(app, out, cap)),
                             ("sweep", lambda: run_sweep(out, cap)),
                             ("import", lambda: run_import(out)),
                             ("submit", lambda: run_submit(target, out))):
                if name in skip:
                    out.note(f"{name}: skipped")
                    continue
                with mem.section(name):
                    fn()
            if args.explain:
                explain_all(cap, args.explain, f"{args.cases} cases")
                out.note(f"plans written to {args.explain}")
            db.session.remove()
            db.engine.dispose()
        out.note("section peaks (this process, MB): " + ", ".join(
            f"{k} {v:.0f}" for k, v in mem.sections.items()))
        out.figure("peak_rss_mb", mem.peak_mb(), 0)
        out.note(f"total {time.perf_counter() - began:.0f} s")
    finally:
        target.drop()
    out.final()
    return 0


if __name__ == "__main__":
    sys.exit(main())
