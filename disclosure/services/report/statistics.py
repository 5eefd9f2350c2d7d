"""The statistics dashboard of one scope: received and concluded per month, the timely rate per
month, the outcome mix, applicant types, processing times in working days — and, beside the
year's 答复率 and 答复及时率 (which count concluded cases), the open cases past their deadline,
so a 100 % rate is never read as "nothing is late" (issue 15)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, case, cast, func, or_, select

from ...database import seq
from ...domain import report as rules
from ...extensions import db
from ...models import Case
from ..calendar import get_calendar
from ..dashboard import CLOCK_RUNNING
from .counting import counts_by, early, restricted, unconfirmed_count
from .scoping import Scope

SHOWN_RATES = ("reply_rate", "timely_rate")


@dataclass(frozen=True)
class Overdue:
    """Open cases past their reply deadline, shown beside the rates.

    ``now``: open cases of the scope whose clock runs (the dashboard's rule,
    ``dashboard.CLOCK_RUNNING``) and whose due date is before ``today`` — the case list's
    ``flag=overdue``. ``at_end``: once the year is over, the cases open at 31 December whose due
    date was on or before it (the report's ``open_due``, in the 答复率's denominator); None while
    the year runs."""
    today: date
    now: int
    period_closed: bool
    at_end: int | None

    @property
    def any(self) -> bool:
        return bool(self.now or self.at_end)


def rate_tone(rate: rules.Rate, overdue: Overdue | None) -> str:
    """How a rate may be shown: "ok" (green) only for 100 % with no case past its deadline —
    neither open now nor open at the end of a closed year; "warn" whenever such cases exist;
    "none" without a denominator; otherwise (or with nothing known about overdue cases)
    "neutral"."""
    if rate.value is None:
        return "none"
    if overdue is None:
        return "neutral"
    if overdue.any:
        return "warn"
    return "ok" if rate.numerator == rate.denominator else "neutral"


def year_rates(s: Scope) -> tuple[dict[str, rules.Rate], int]:
    """The year's rates by the annual report's own counting rules (``counting.predicates``,
    ``domain.report.rates``), and the report's ``open_due``: cases open at 31 December whose due
    date was on or before it."""
    n = counts_by(s).get((), dict.fromkeys(("concluded", "timely", "open_due", "new",
                                            "carried_over"), 0))
    return rules.rates(n["concluded"], n["timely"], n["open_due"], n["new"],
                       n["carried_over"]), n["open_due"]


def overdue(s: Scope, today: date, open_due: int | None = None) -> Overdue:
    """The open cases of the scope past their deadline on ``today`` (and at the end of the
    year once it is over)."""
    now = db.session.execute(select(func.count()).select_from(Case).where(
        s.on(Case.agency_id), Case.status.in_(CLOCK_RUNNING), Case.due_on < today)).scalar_one()
    closed = s.end < today
    if closed and open_due is None:
        open_due = year_rates(s)[1]
    return Overdue(today=today, now=now, period_closed=closed,
                   at_end=open_due if closed else None)


def _month_in(column, s: Scope):
    return case((column.between(s.start, s.end), func.extract("month", column)))


def stats(s: Scope, today: date | None = None) -> dict:
    """Figures for the dashboard from one grouped scan: received and concluded per month, the
    timely rate per month, the outcome mix, applicant types; then the processing times, the
    year's 答复率 and 答复及时率, and (given ``today``) the open cases past their deadline with
    the tone each rate may be shown in (``rate_tone``)."""
    cols = ("kind", "outcome", "rm", "cm")
    received, concluded, timely = [0] * 13, [0] * 13, [0] * 13
    outcomes = dict.fromkeys(rules.RESULT_ROWS, 0)
    by_type = dict.fromkeys(rules.TYPE_COLUMNS, 0)
    # received or concluded in the year, read in the two indexed parts of the report's scan
    # (counting.restricted / counting.early): O(cases of the year + open cases)
    in_year = lambda c: seq(c).between(s.start, s.end)  # noqa: E731 — keep the scan's index
    for part in (restricted(s), early(s)):
        sub = (select(Case.applicant_type.label("kind"), Case.outcome.label("outcome"),
                      _month_in(Case.received_on, s).label("rm"),
                      _month_in(Case.concluded_on, s).label("cm"),
                      case((Case.timely.is_(True), 1), else_=0).label("timely"))
               .where(part, or_(in_year(Case.received_on), in_year(Case.concluded_on)))
               .subquery())
        group = [sub.c[c] for c in cols]
        for kind, outcome, rm, cm, n, t in db.session.execute(
                select(*group, func.count(), func.sum(sub.c.timely)).group_by(*group)):
            if rm is not None:
                received[int(rm)] += n
                by_type[kind] = by_type.get(kind, 0) + n
            if cm is not None:
                concluded[int(cm)] += n
                timely[int(cm)] += int(t or 0)
                outcomes[outcome] = outcomes.get(outcome, 0) + n
    months = [{"month": m, "received": received[m], "concluded": concluded[m],
               "timely": rules.Rate(timely[m], concluded[m])} for m in range(1, 13)]
    all_rates, open_due = year_rates(s)
    late = overdue(s, today, open_due) if today is not None else None
    return {"year": s.year, "months": months,
            "rates": {k: all_rates[k] for k in SHOWN_RATES},
            "tones": {k: rate_tone(all_rates[k], late) for k in SHOWN_RATES},
            "overdue": late,
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
