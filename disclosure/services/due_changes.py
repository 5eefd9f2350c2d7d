"""R8.3: where the due date moved — the inspector's view of timeliness.

Every change of a case's due date is recorded in the event of the act that caused it, as
``data["due_before"]`` / ``data["due_after"]`` (services.cases.apply for workflow acts,
``calendar_rederived`` for calendar edits, ``notice_delivered`` for delivery). This module reads
those events back: per year, every case whose due date moved (when, by which act, old → new) with
its late-act flags (R8.1), and the counts the annual report's notes give.

"During the year" = the act's date (``Event.on_date``) lies in the calendar year. Setting the
first due date (confirming an online submission) is not a move.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select, text, true

from ..database import seq
from ..domain.late_acts import LATE_ACT_LABELS
from ..domain.text import N_
from ..domain.workflow import ACTION_LABELS
from ..extensions import db
from ..models import Case, Event
from ..models.cases import LATE_ACTS_SET
from .access import visible
from .actors import Actor

# The cause of a move, from the act that caused it (R8.3: restart, pause, extension, deferral,
# calendar edit, delivery).
CAUSE_OF_ACTION = {
    "request_supplement": "supplement", "receive_supplement": "supplement",
    "extend_supplement_period": "supplement", "lapse_supplement": "supplement",
    "approve_extension": "extension",
    "set_deferred_deadline": "deferral",
    "start_consultation": "pause", "end_consultation": "pause", "notify_fee": "pause",
    "record_fee_payment": "pause", "lapse_fee": "pause", "refer_review": "pause",
    "calendar_rederived": "calendar",
    "notice_delivered": "delivery",
}
CAUSES = ("supplement", "extension", "deferral", "pause", "calendar", "delivery", "other")
CAUSE_LABELS = {
    "supplement": N_("补正（重新计算或等待补正）"),
    "extension": N_("延期答复"),
    "deferral": N_("延后答复期限（条例第三十五条）"),
    "pause": N_("暂停计时（征求意见、收费等）"),
    "calendar": N_("节假日调整"),
    "delivery": N_("告知文书送达"),
    "other": N_("其他"),
}
# Acts that set the first due date: not a move.
_FIRST_DUE = frozenset({"submit_online", "register", "import", "confirm_receipt"})


@dataclass
class Move:
    on: date | None
    action: str
    cause: str
    due_before: date | None
    due_after: date | None
    event_id: int

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def cause_label(self) -> str:
        return CAUSE_LABELS[self.cause]

    @property
    def shift_days(self) -> int | None:
        """Calendar days the due date moved (positive: later)."""
        if self.due_before is None or self.due_after is None:
            return None
        return (self.due_after - self.due_before).days


@dataclass
class CaseMoves:
    case_id: int
    tracking_no: str
    status: str
    due_on: date | None
    late_acts: list[str]
    moves: list[Move] = field(default_factory=list)

    @property
    def late_labels(self) -> list[str]:
        return [LATE_ACT_LABELS.get(f, f) for f in self.late_acts]


def _day(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _move(ev) -> Move | None:
    """The move recorded by one event row (``id``, ``action``, ``on_date``, ``data``), if any."""
    data = ev.data or {}
    if "due_before" not in data and "due_after" not in data:
        return None
    before, after = _day(data.get("due_before")), _day(data.get("due_after"))
    if before == after or (before is None and ev.action in _FIRST_DUE):
        return None
    return Move(ev.on_date, ev.action, CAUSE_OF_ACTION.get(ev.action, "other"), before, after,
                ev.id)


def _flags(text: str | None) -> list[str]:
    return [f for f in (text or "").split() if f]


def _handled_in(year: int):
    """Cases handled during the year (received by 31 December and not concluded before
    1 January) — where a late act can matter. (``seq``: read through ix_case_late_acts, the
    few flagged cases, not through a date index.)"""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return and_(seq(Case.received_on) <= end,
                or_(seq(Case.concluded_on).is_(None), seq(Case.concluded_on) >= start))


# What _collect reads of a case: plain columns, not ORM objects (the report calls it for a year).
_CASE = (Case.id.label("case_id"), Case.tracking_no, Case.status, Case.due_on, Case.late_acts)
# The condition of the partial index ix_case_late_acts, so that SQLite can use it: the few cases
# with a flag, not every case handled in the year (the agency and dates through ``seq``).
_FLAGGED = text(LATE_ACTS_SET)


def _collect(year: int, where) -> list[CaseMoves]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    found: dict[int, CaseMoves] = {}

    def entry(row) -> CaseMoves:
        if row.case_id not in found:
            found[row.case_id] = CaseMoves(row.case_id, row.tracking_no, row.status, row.due_on,
                                           _flags(row.late_acts))
        return found[row.case_id]

    # the events of the year (ix_event_on_date), whichever act they record; sorted here, as
    # an ORDER BY would let SQLite walk a whole table in the order of its unique index
    rows = db.session.execute(
        select(Event.id, Event.seq, Event.action, Event.on_date, Event.data, *_CASE)
        .join(Case, Case.id == Event.case_id)
        .where(where, Event.on_date >= start, Event.on_date <= end)).all()
    for row in sorted(rows, key=lambda r: r.seq):
        move = _move(row)
        if move is not None:
            entry(row).moves.append(move)
    # Late acts (R8.1) have no effect on the clock: such a case may not have moved at all.
    for row in db.session.execute(select(*_CASE).where(where, _handled_in(year), _FLAGGED)):
        entry(row)
    return sorted(found.values(), key=lambda c: c.tracking_no)


def moved_cases(actor: Actor, year: int) -> list[CaseMoves]:
    """R8.3: the cases of the actor's agency (every agency for a platform admin) whose due
    date moved during ``year``, each with every move, plus the cases handled in the year that
    carry a late-act flag; by tracking number."""
    return _collect(year, visible(actor, seq(Case.agency_id)))


def counts(year: int, agency_ids: list[int] | None = None) -> dict:
    """The annual report's notes (R8.3), the office's own statistics: cases whose due date
    moved in the year, in all and per cause (a case counts once per cause, so the causes may
    add up to more than the total); cases handled in the year per late-act flag (R8.1).

    ``agency_ids`` None = every agency. Shape::

        {"moved": 3, "by_cause": [{"cause": "extension", "label": "延期答复", "cases": 1}, …],
         "late_acts": [{"flag": "fee_notice_late", "label": "…", "cases": 2}, …]}
    """
    where = true() if agency_ids is None else seq(Case.agency_id).in_(agency_ids)
    by_cause = {c: 0 for c in CAUSES}
    moved = 0
    late = {f: 0 for f in LATE_ACT_LABELS}
    for c in _collect(year, where):
        if c.moves:
            moved += 1
            for cause in {m.cause for m in c.moves}:
                by_cause[cause] += 1
        for flag in set(c.late_acts):
            late[flag] = late.get(flag, 0) + 1
    return {"moved": moved,
            "by_cause": [{"cause": k, "label": CAUSE_LABELS[k], "cases": n}
                         for k, n in by_cause.items()],
            "late_acts": [{"flag": f, "label": LATE_ACT_LABELS.get(f, f), "cases": n}
                          for f, n in late.items()]}
