"""The statistics dashboard of one scope: received and concluded per month, the timely rate per
month, the outcome mix, applicant types, processing times in working days."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import String, case, cast, func, or_, select

from ...domain import report as rules
from ...extensions import db
from ...models import Case
from ..calendar import get_calendar
from .counting import seq, unconfirmed_count
from .scoping import Scope


def _month_in(column, s: Scope):
    return case((column.between(s.start, s.end), func.extract("month", column)))


def stats(s: Scope) -> dict:
    """Figures for the dashboard from one grouped scan: received and concluded per month, the
    timely rate per month, the outcome mix, applicant types; then the processing times."""
    sub = (select(Case.applicant_type.label("kind"), Case.outcome.label("outcome"),
                  _month_in(Case.received_on, s).label("rm"),
                  _month_in(Case.concluded_on, s).label("cm"),
                  case((Case.timely.is_(True), 1), else_=0).label("timely"))
           .where(s.on(seq(Case.agency_id)), Case.received_on.is_not(None),
                  or_(seq(Case.received_on).between(s.start, s.end),
                      seq(Case.concluded_on).between(s.start, s.end))).subquery())
    cols = (sub.c.kind, sub.c.outcome, sub.c.rm, sub.c.cm)
    received, concluded, timely = [0] * 13, [0] * 13, [0] * 13
    outcomes = dict.fromkeys(rules.RESULT_ROWS, 0)
    by_type = dict.fromkeys(rules.TYPE_COLUMNS, 0)
    for kind, outcome, rm, cm, n, t in db.session.execute(
            select(*cols, func.count(), func.sum(sub.c.timely)).group_by(*cols)):
        if rm is not None:
            received[int(rm)] += n
            by_type[kind] = by_type.get(kind, 0) + n
        if cm is not None:
            concluded[int(cm)] += n
            timely[int(cm)] += int(t or 0)
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    months = [{"month": m, "received": received[m], "concluded": concluded[m],
               "timely": rules.Rate(timely[m], concluded[m])} for m in range(1, 13)]
    return {"year": s.year, "months": months,
            "outcomes": {k: outcomes[k] for k in rules.RESULT_ROWS},
            "outcome_groups": {g: sum(n for k, n in outcomes.items() if rules.outcome_group(k) == g)
                               for g in rules.OUTCOME_GROUPS},
            "by_type": {k: by_type[k] for k in rules.TYPE_COLUMNS},
            "processing": processing_times(s),
            "unconfirmed": unconfirmed_count(s)}


def processing_times(s: Scope) -> dict:
    """Working days from the clock start to the conclusion, per outcome group, over the cases
    concluded in the year. Dates come as ISO text (no per-row conversion) and each distinct date
    is looked up in the calendar once: working days in (a, b] = index(b) − index(a), both
    counted from a day before the earliest start."""
    cal = get_calendar()
    started, ended = cast(Case.clock_started_on, String), cast(Case.concluded_on, String)
    rows = db.session.execute(
        select(Case.outcome, started, ended, func.count())
        .where(seq(Case.concluded_on).between(s.start, s.end), s.on(seq(Case.agency_id)),
               Case.received_on.is_not(None), Case.clock_started_on.is_not(None))
        .group_by(Case.outcome, Case.clock_started_on, Case.concluded_on)).all()
    origin = min((date.fromisoformat(a[:10]) for _o, a, _b, _n in rows), default=s.start)
    origin -= timedelta(days=1)
    index: dict[str, int] = {}

    def position(text: str) -> int:
        if text not in index:
            index[text] = cal.workdays_between(origin, date.fromisoformat(text[:10]))
        return index[text]

    values: dict[str, list[int]] = {g: [] for g in rules.OUTCOME_GROUPS}
    for outcome, a, b, n in rows:
        values.setdefault(rules.outcome_group(outcome), []).extend(
            [max(0, position(b) - position(a))] * n)
    out = {g: rules.summary_stats(v) for g, v in values.items()}
    out["all"] = rules.summary_stats([x for v in values.values() for x in v])
    return out
