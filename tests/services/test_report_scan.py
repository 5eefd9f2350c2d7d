"""Issue 18: the report's scan reads only the cases that can count in the year (concluded on or
after its start, or open) — cases concluded in earlier years are left out without changing any
figure; a data error (concluded before received) is still counted and caught by the checks."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select

from disclosure.domain import report as R
from disclosure.extensions import db
from disclosure.models import Case
from disclosure.services import report as svc
from disclosure.services.report import counting
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
