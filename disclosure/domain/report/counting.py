"""The counting rules of table 三 (and the cells of table 四) on plain records.

The service runs the same rules as SQL (services.report.counting); tests compare the two.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .tables import APPEAL_KINDS, APPEAL_RESULTS, COLUMNS, RESULT_ROWS, ROW_KEYS


@dataclass(frozen=True)
class CaseRecord:
    applicant_type: str
    received_on: date | None
    concluded_on: date | None = None
    outcome: str | None = None
    due_on: date | None = None
    timely: bool | None = None


FLAGS = ("new", "carried_over", "concluded", "carried_forward", "timely", "open_due",
         "prev_forward")


def flags(rec: CaseRecord, year: int) -> dict[str, bool]:
    """Which counts of year ``year`` a case enters, rule by rule as docs/report.md states them.
    A case never received (an unconfirmed online submission) enters none."""
    start, end, prev_end = date(year, 1, 1), date(year, 12, 31), date(year - 1, 12, 31)
    r, c = rec.received_on, rec.concluded_on
    if r is None or r > end:
        return dict.fromkeys(FLAGS, False)
    concluded = c is not None and start <= c <= end
    forward = c is None or c > end
    return {"new": r >= start, "carried_over": r < start and (c is None or c >= start),
            "concluded": concluded, "carried_forward": forward,
            "timely": concluded and rec.timely is True,
            "open_due": forward and rec.due_on is not None and rec.due_on <= end,
            "prev_forward": r <= prev_end and (c is None or c > prev_end)}


@dataclass
class GroupCount:
    """The counts of one (applicant type, outcome) group — what the SQL GROUP BY returns."""
    applicant_type: str
    outcome: str | None
    new: int = 0
    carried_over: int = 0
    concluded: int = 0
    carried_forward: int = 0
    timely: int = 0
    open_due: int = 0
    prev_forward: int = 0


def group_counts(records: Iterable[CaseRecord], year: int) -> list[GroupCount]:
    groups: dict[tuple, GroupCount] = {}
    for rec in records:
        f = flags(rec, year)
        if not any(f.values()):
            continue
        g = groups.setdefault((rec.applicant_type, rec.outcome),
                              GroupCount(rec.applicant_type, rec.outcome))
        for name, on in f.items():
            setattr(g, name, getattr(g, name) + int(on))
    return list(groups.values())


def _zero_row() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def table3(groups: Iterable[GroupCount]) -> dict[str, dict[str, int]]:
    """Every row with all seven columns. 总计 and （七） count every case of the row, so a case
    with an unknown applicant type or outcome code makes the row or results check fail."""
    rows = {k: _zero_row() for k in ROW_KEYS}

    def add(row: str, col: str, n: int) -> None:
        if col in rows[row]:
            rows[row][col] += n
        rows[row]["total"] += n

    for g in groups:
        add("new", g.applicant_type, g.new)
        add("carried_over", g.applicant_type, g.carried_over)
        add("carried_forward", g.applicant_type, g.carried_forward)
        add("total", g.applicant_type, g.concluded)
        if g.outcome in RESULT_ROWS:
            add(g.outcome, g.applicant_type, g.concluded)
    return rows


def column_sums(groups: Iterable[GroupCount], name: str) -> dict[str, int]:
    out = _zero_row()
    for g in groups:
        n = getattr(g, name)
        if g.applicant_type in out:
            out[g.applicant_type] += n
        out["total"] += n
    return out


def table4(counts: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """(kind, result as known on 31 December, count) → the 15 cells of table 四."""
    out = {k: dict.fromkeys(APPEAL_RESULTS, 0) for k in APPEAL_KINDS}
    for kind, result, n in counts:
        if kind in out:
            out[kind][result if result in out[kind] else "other"] += n
            out[kind]["total"] += n
    return out
