"""The supervisor's comparison table (督办, issue 17): the figures of one agency row, the total
row, the working days from the clock start to the reply, and the checks of a 督办 notice as
typed. Pure: counts come from ``services.supervision``, which counts them by the annual report's
own SQL conditions (``services.report.counting.predicates``); the rates, the median and the
90th percentile are the report's and the statistics page's own functions, so a figure here can
never disagree with the same figure there. Described in docs/supervision.md."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from .report.rates import Rate, rates, summary_stats
from .text import N_, Msg
from .workdays import WorkCalendar

APPEAL_RESULTS = ("upheld", "corrected", "other", "pending")

# What a 督办 notice may hold (the columns of models.supervision).
TITLE_MAX = 200
BODY_MAX = 5000
REPLY_MAX = 5000
CASES_MAX = 200            # named cases per notice: one agency's overdue list, not a mailing
REPLY_BY_MAX_DAYS = 366    # a reply asked for more than a year ahead is a typing error


@dataclass
class Counts:
    """The counted figures of one agency (or of the total row) for a year.

    ``received``: received in the year (the report's ``new``); ``concluded``: concluded in the
    year; ``timely``: of those, in time (R3.6); ``open_due``: open at 31 December with its due
    date on or before it (the 答复率's denominator part); ``carried_over``: received before the
    year and open on 1 January; ``overdue``: open now (clock running) past the due date;
    ``late_acts``: cases handled in the year carrying an R8.1 flag; ``appeals``: appeals filed
    in the year per result as known on 31 December (table 四)."""
    received: int = 0
    concluded: int = 0
    timely: int = 0
    open_due: int = 0
    carried_over: int = 0
    overdue: int = 0
    late_acts: int = 0
    appeals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(APPEAL_RESULTS, 0))
    durations: list[int] = field(default_factory=list)  # working days, one per concluded case

    @property
    def appeals_total(self) -> int:
        return sum(self.appeals.values())

    @property
    def rates(self) -> dict[str, Rate]:
        """答复率, 答复及时率 (and 办结率) by ``domain.report.rates`` — the report's formula."""
        return rates(self.concluded, self.timely, self.open_due, self.received,
                     self.carried_over)

    @property
    def reply_rate(self) -> Rate:
        return self.rates["reply_rate"]

    @property
    def timely_rate(self) -> Rate:
        return self.rates["timely_rate"]

    @property
    def times(self) -> dict:
        """n, median, mean, p90, max of the working days (the statistics page's function)."""
        return summary_stats(self.durations)


def total(rows: list[Counts]) -> Counts:
    """The total row: every count summed, the durations pooled (a median of the pooled cases,
    never a median of medians), the rates recomputed from the sums (never averaged)."""
    out = Counts()
    for row in rows:
        for f in fields(Counts):
            if f.name == "appeals":
                for k, n in row.appeals.items():
                    out.appeals[k] = out.appeals.get(k, 0) + n
            elif f.name == "durations":
                out.durations.extend(row.durations)
            else:
                setattr(out, f.name, getattr(out, f.name) + getattr(row, f.name))
    return out


def span(cal: WorkCalendar, start: date, end: date) -> int:
    """Working days from the clock start to the reply: the working days d with
    start < d ≤ end (R1.4), as the statistics page counts them (never negative)."""
    return max(0, cal.workdays_between(start, end))


def spans(cal: WorkCalendar, rows) -> list[int]:
    """``rows``: (start, end, n) — n cases with the same two dates; one value per case."""
    out: list[int] = []
    for start, end, n in rows:
        out.extend([span(cal, start, end)] * int(n))
    return out


# -- a 督办 notice as typed ------------------------------------------------------------------------
def parse_ids(values) -> tuple[list[int], bool]:
    """The case ids of a form (strings), in order, without repeats; True when any was not a
    whole number (a stale or forged form), which the caller refuses as a whole."""
    out, bad = [], False
    for value in values or ():
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or len(text) > 18:
            bad = True
            continue
        n = int(text)
        if n not in out:
            out.append(n)
    return out, bad


def parse_day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def notice_problems(title: str, body: str, reply_by_text, today: date) -> dict[str, str]:
    """Field errors (Chinese) of a notice's texts and reply-by date; {} when they are fine."""
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = N_("请填写督办事项标题")
    elif len(title) > TITLE_MAX:
        errors["title"] = Msg("标题不能超过 {n} 个字", n=TITLE_MAX)
    if not body:
        errors["body"] = N_("请填写督办内容")
    elif len(body) > BODY_MAX:
        errors["body"] = Msg("督办内容不能超过 {n} 个字", n=BODY_MAX)
    reply_by = parse_day(reply_by_text)
    if not str(reply_by_text or "").strip():
        errors["reply_by"] = N_("请填写要求书面答复的日期")
    elif reply_by is None:
        errors["reply_by"] = N_("日期无效，请按 年-月-日 填写真实存在的日期")
    elif reply_by < today:
        errors["reply_by"] = N_("答复期限不能早于今天")
    elif reply_by > today + timedelta(days=REPLY_BY_MAX_DAYS):
        errors["reply_by"] = N_("答复期限不能晚于一年以后")
    return errors


def reply_problem(text: str) -> str | None:
    if not text:
        return N_("请填写书面答复")
    if len(text) > REPLY_MAX:
        return Msg("书面答复不能超过 {n} 个字", n=REPLY_MAX)
    return None


def clean_text(value, one_line: bool = False) -> str:
    """A typed text: line ends unified and outer blanks dropped (a title on one line)."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return " ".join(text.split()) if one_line else text
