"""The explanation of a due date ("计算过程", spec R3.4): its steps, and the walk over the working
days that yields the due date together with the steps that explain it.

Pure, like ``deadlines`` which uses it: the texts are ``Msg`` / ``N_`` (Chinese as strings,
translatable by the web layer; dates as ISO strings, pause kinds as their ``N_`` labels).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from disclosure.domain.codes import PAUSE_KIND_LABELS, PauseKind
from disclosure.domain.text import N_, Msg, series
from disclosure.domain.workdays import WorkCalendar


@dataclass(frozen=True)
class Step:
    """One line of the due-date explanation."""
    kind: str
    start: date | None
    end: date | None
    workdays: int | None
    text: str  # a Msg (or N_ text): Chinese as a string, translatable by the web layer


@dataclass(frozen=True)
class Span:  # one (start, end] interval of removed days, with what it is made of
    start: date
    end: date
    kinds: frozenset[str]
    capped: frozenset[str] = frozenset()  # kinds whose cap (R3.3 / R5.4) cut the pause short
    open: bool = False


def iso(d: date | None) -> str:
    """A date as shown in messages (``date.isoformat()``, i.e. what ``f"{d}"`` gave)."""
    return str(d)


# -- the walk and its explanation ---------------------------------------------------------------
def counted_step(cal: WorkCalendar, cursor: date, n0: int, k: int) -> Step:
    first, last = cal.add_workdays(cursor, 1), cal.add_workdays(cursor, k)
    if k == 1:
        return Step("counted", first, last, 1,
                    Msg("第 {n} 个工作日：{day}", n=n0 + 1, day=iso(first)))
    return Step("counted", first, last, k,
                Msg("第 {first_n}–{last_n} 个工作日：{start} 至 {end}",
                    first_n=n0 + 1, last_n=n0 + k, start=iso(first), end=iso(last)))


# Overlapping pauses are named together ("征求第三方意见、缴纳信息处理费"): each further kind is
# appended by its own template, so the whole label stays translatable.
_AND_PAUSE_KIND = {
    PauseKind.THIRD_PARTY: N_("{kinds}、征求第三方意见"),
    PauseKind.AGENCY: N_("{kinds}、征求其他行政机关意见"),
    PauseKind.FEE: N_("{kinds}、缴纳信息处理费"),
}


def _pause_label(kinds: frozenset[str]) -> str:
    label = None
    for k in PauseKind:
        if k in kinds:
            label = PAUSE_KIND_LABELS[k] if label is None else Msg(_AND_PAUSE_KIND[k], kinds=label)
    return label or ""


def pause_step(sp: Span, cal: WorkCalendar) -> Step:
    removed = cal.workdays_between(sp.start, sp.end)
    notes = [(len(sp.kinds) > 1, N_("{text}（重叠期间只计一次）")),
             (bool(sp.capped - {PauseKind.FEE}),
              N_("{text}（征求意见满 15 个工作日即结束，此后照常计算）")),
             (PauseKind.FEE in sp.capped, N_("{text}（缴费期限 20 个工作日届满，此后照常计算）")),
             (sp.open, N_("{text}（尚未结束，暂按今日结束计算）"))]
    text = Msg("{kinds} {start} 至 {end}，不计入 {removed} 个工作日", kinds=_pause_label(sp.kinds),
               start=iso(sp.start), end=iso(sp.end), removed=removed)
    for cond, note in notes:
        if cond:
            text = Msg(note, text=text)
    return Step("pause", sp.start, sp.end, removed, text)


def walk(start: date, need: int, spans: list[Span],
         cal: WorkCalendar) -> tuple[date, list[Step]]:
    """R3.4: the day the counted working days after ``start`` reach ``need``, plus its steps."""
    steps, cursor, n = [], start, 0
    for sp in spans:
        avail = cal.workdays_between(cursor, sp.start)
        if avail >= need - n:
            break
        if avail:
            steps.append(counted_step(cal, cursor, n, avail))
        steps.append(pause_step(sp, cal))
        n, cursor = n + avail, sp.end
    steps.append(counted_step(cal, cursor, n, need - n))
    return cal.add_workdays(cursor, need - n), steps


def _ranges(days: list[date], cal: WorkCalendar) -> str:
    """Group dates with no working day between them into ranges: "a 至 b、c" (a ``Msg``, so
    the connectives follow the reader's language)."""
    groups: list[list[date]] = []
    for d in days:
        if groups and cal.workdays_between(groups[-1][-1], d - timedelta(days=1)) == 0:
            groups[-1].append(d)
        else:
            groups.append([d])
    parts = [iso(g[0]) if len(g) == 1
             else Msg("{first} 至 {last}", first=iso(g[0]), last=iso(g[-1]))
             for g in groups[:4]]
    listed = series(parts)
    return Msg("{dates}等", dates=listed) if len(groups) > 4 else listed


def calendar_steps(start: date, due: date, spans: list[Span], cal: WorkCalendar) -> list[Step]:
    steps = []
    off = cal.off_weekdays(start, due)
    if off:
        steps.append(Step("holidays", off[0], off[-1], len(off),
                          Msg("期间法定节假日（工作日）不计：{days}，共 {n} 天",
                              days=_ranges(off, cal), n=len(off))))
    paused = {d for sp in spans for d in cal.workdays_in(sp.start, sp.end)}
    used = [d for d in cal.make_up_days(start, due) if d not in paused]
    if used:
        steps.append(Step("make_up", used[0], used[-1], len(used),
                          Msg("期间调休上班日计入：{days}，共 {n} 天",
                              days=series([iso(d) for d in used]), n=len(used))))
    return steps
