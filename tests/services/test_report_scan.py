"""Issue 18: the report's scan reads only the cases that can count in the year (concluded on or
after its start, or open) — cases concluded in earlier years are left out without changing any
figure; a data error (concluded before received) is still counted and caught by the checks."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, insert, select, text

from disclosure.domain import report as R
from disclosure.extensions import db
from disclosure.models import Agency, Case
from disclosure.services import due_changes
from disclosure.services import report as svc
from disclosure.services.dashboard import calendar_alert_years
from disclosure.services.report import counting
from disclosure.services.report.counting import unconfirmed_count
from disclosure.services.unit_of_work import unit_of_work
from disclosure.timeutil import now

D = date


def _row(agency, i, received, concluded, kind="natural_person", outcome="disclosed"):
    return dict(agency_id=agency.id, tracking_no=f"S-{i}", channel="in_person",
                status="replied" if concluded else "in_progress", applicant_type=kind,
                applicant_name="x", subject="y", received_on=received, concluded_on=concluded,
                outcome=outcome if concluded else None, due_on=received + timedelta(days=28),
                timely=None if not concluded else True, extension_workdays=0,
                due_provisional=False, concluded_by_sweep=False, created_at=now())


def _records():
    return [R.CaseRecord(*r) for r in db.session.execute(select(
        Case.applicant_type, Case.received_on, Case.concluded_on, Case.outcome, Case.due_on,
        Case.timely))]


def _restricted_count(s) -> int:
    return db.session.execute(select(db.func.count()).select_from(Case)
                              .where(counting.restricted(s))).scalar_one()


def test_history_is_left_out_of_the_scan_without_changing_a_figure(agency):
    rows, i = [], 0
    for year in range(2015, 2024):  # nine years of history, all concluded before 2024
        for k in range(12):
            received = D(year, 1 + k, 3)
            rows.append(_row(agency, i, received, received + timedelta(days=20),
                             kind=R.TYPE_COLUMNS[k % len(R.TYPE_COLUMNS)],
                             outcome=R.RESULT_ROWS[k % len(R.RESULT_ROWS)]))
            i += 1
    history = len(rows)
    current = [(D(2023, 12, 20), D(2024, 1, 10)), (D(2023, 11, 1), None),
               (D(2024, 3, 1), D(2024, 3, 20)), (D(2024, 12, 1), D(2025, 1, 5)),
               (D(2024, 6, 1), None), (D(2025, 2, 1), None), (D(2023, 12, 31), D(2024, 1, 1))]
    for received, concluded in current:
        rows.append(_row(agency, i, received, concluded))
        i += 1
    with unit_of_work():
        db.session.execute(insert(Case), rows)
    recs = _records()
    s = svc.scope(2024, ["BCZ"])
    # the scan reads the cases of the year and the open ones only (the 2025 case: received
    # after the year, read by neither the old nor the new condition)
    assert _restricted_count(s) == len(current) - 1
    assert _restricted_count(svc.scope(2024)) == len(current) - 1
    everything = db.session.execute(select(db.func.count()).select_from(Case)).scalar_one()
    assert everything == history + len(current)
    for year in range(2015, 2026):
        for sc in (svc.scope(year, ["BCZ"]), svc.scope(year)):
            key = lambda g: (g.applicant_type, g.outcome or "")  # noqa: E731
            assert sorted(svc.table3_groups(sc), key=key) == \
                sorted(R.group_counts(recs, year), key=key), year
            # the restricted scan gives the figures of the unrestricted condition
            p = counting.predicates(sc)
            full = db.session.execute(select(*[counting.count_if(x) for x in p.values()])
                                      .where(counting.in_scope(sc))).one()
            sums = [sum(getattr(g, n) for g in svc.table3_groups(sc)) for n in p]
            assert list(full) == sums, year
        rep = svc.annual(year, ["BCZ"])
        assert rep.rows == R.table3(R.group_counts(recs, year))
        assert rep.failing == []


def test_a_case_concluded_before_it_was_received_is_still_counted(agency):
    # a data error outside the restricted range: found through ix_case_concluded_early
    with unit_of_work():
        db.session.execute(insert(Case), [_row(agency, 1, D(2024, 5, 1), D(2023, 10, 1)),
                                          _row(agency, 2, D(2024, 5, 2), D(2024, 5, 9))])
    s = svc.scope(2024, ["BCZ"])
    assert _restricted_count(s) == 1
    groups = svc.table3_groups(s)
    assert sum(g.new for g in groups) == 2
    assert sorted(groups, key=lambda g: g.outcome) == sorted(
        R.group_counts(_records(), 2024), key=lambda g: g.outcome)
    assert {c.name for c in svc.annual(2024, ["BCZ"]).failing}  # the checks show it


# -- the plans: each query reads its index (issue 18, migration 0013) -----------------------------
# SQLite uses a partial index only when the query repeats its condition, and follows an agency or
# date index to most rows of the table unless ``database.seq`` hides it: these tests read the
# plan of each statement as the service issued it. On PostgreSQL (sequential scans switched off,
# the tables being tiny) they check that each partial index's condition is implied by the query.

def _statements(fn) -> list[tuple[str, object]]:
    seen = []

    def hook(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))
    event.listen(db.engine, "before_cursor_execute", hook)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", hook)
    return [(sql, p) for sql, p in seen if "case_file" in sql or "FROM event" in sql]


def _plan(sql: str, params) -> str:
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        return " | ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return " | ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params))


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


@pytest.fixture
def spread(agency):
    """Three agencies, four years of cases, a few flagged, unconfirmed and provisional; the
    planner's statistics gathered (ANALYZE), as on a database in use."""
    others = [Agency(code=f"A{i}", name=f"机关{i}", created_at=now()) for i in range(2)]
    db.session.add_all(others)
    db.session.commit()
    rows, i = [], 0
    for who in (agency, *others):
        for year in (2021, 2022, 2023, 2024):
            for k in range(40):
                received = D(year, 1 + k % 12, 1 + k % 27)
                concluded = received + timedelta(days=15) if k % 5 else None
                row = _row(who, i, received, concluded)
                row["late_acts"] = "fee_notice_late" if k == 7 else ""
                row["due_provisional"] = k == 3 and concluded is None
                rows.append(row)
                i += 1
    for k in range(5):
        rows.append({**_row(agency, i, D(2024, 3, 1), None), "received_on": None,
                     "due_on": None, "channel": "online",
                     "submitted_at": datetime(2024, 3, 1 + k, 2, tzinfo=timezone.utc)})
        i += 1
    with unit_of_work():
        db.session.execute(insert(Case), rows)
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return agency


@pytest.mark.parametrize("codes", [["BCZ"], None])
def test_the_report_scan_reads_its_covering_index(spread, codes):
    if not _sqlite():
        pytest.skip("PostgreSQL chooses between the index and a parallel scan by cost")
    s = svc.scope(2024, codes)
    plans = [_plan(sql, p) for sql, p in _statements(lambda: counting.table3_groups(s))]
    assert len(plans) == 2, plans
    restricted, early = plans
    # the OR of two ranges (open; concluded since 1 January), both from the index alone
    assert restricted.count("COVERING INDEX ix_case_concluded_scan") == 2, restricted
    assert "ix_case_agency" not in restricted and "SCAN case_file" not in restricted
    assert "COVERING INDEX ix_case_concluded_early" in early, early
    for sql, p in _statements(lambda: svc.stats(s)):
        if "GROUP BY" in sql and "anon_1" in sql:
            plan = _plan(sql, p)
            assert "ix_case_concluded_scan" in plan or "ix_case_concluded_early" in plan, plan


def test_the_small_parts_read_their_partial_indexes(spread):
    s = svc.scope(2024, ["BCZ"])
    checks = [(lambda: unconfirmed_count(svc.scope(2024)), "ix_case_unconfirmed"),
              (lambda: calendar_alert_years(D(2024, 12, 16)), "ix_case_provisional"),
              (lambda: due_changes.counts(2024), "ix_case_late_acts")]
    if _sqlite():  # one agency: PostgreSQL may pick an agency index by cost
        checks += [(lambda: unconfirmed_count(s), "ix_case_unconfirmed"),
                   (lambda: due_changes.counts(2024, [spread.id]), "ix_case_late_acts")]
    for fn, index in checks:
        plans = [_plan(sql, p) for sql, p in _statements(fn)]
        assert any(index in plan for plan in plans), (index, plans)
        if _sqlite():
            assert not any("SCAN case_file" in plan and index not in plan for plan in plans), plans
    db.session.rollback()


def test_late_acts_count_in_the_years_the_case_was_handled(spread):
    # per agency, flagged: one case a year (k == 7), received in month 8, concluded 15 days later
    flagged = lambda year, ids=None: {r["flag"]: r["cases"] for r in  # noqa: E731
                                      due_changes.counts(year, ids)["late_acts"]}
    assert flagged(2024, [spread.id])["fee_notice_late"] == 1
    assert flagged(2024)["fee_notice_late"] == 3
    assert flagged(2020)["fee_notice_late"] == 0
    assert flagged(2025)["fee_notice_late"] == 0
    # an open flagged case counts in every year from its receipt on
    case = db.session.execute(select(Case).where(Case.agency_id == spread.id,
                                                 Case.late_acts != "",
                                                 Case.received_on < D(2022, 1, 1))).scalar_one()
    case.concluded_on, case.outcome, case.status = None, None, "in_progress"
    db.session.commit()
    assert flagged(2025, [spread.id])["fee_notice_late"] == 1
    assert flagged(2024, [spread.id])["fee_notice_late"] == 2
    assert flagged(2020, [spread.id])["fee_notice_late"] == 0
