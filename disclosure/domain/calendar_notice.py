"""Reading a State Council holiday notice as typed by an admin (R1.1 overrides).

One line per entry: a single date ("2027-10-08") or a range ("2027-10-01 至 2027-10-07",
"2027-10-01~2027-10-07", "2027-10-01 - 2027-10-07"). Every bad line is reported with its
number; nothing is applied unless the whole notice is valid.

R1.2: entering a year's notice is what makes the year *known*, so the notice is entered whole —
its holidays, its 调休上班 days, its number (国办发明电〔2026〕7号) and its date.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from .bounds import FIRST_CALENDAR_YEAR, LAST_YEAR, is_calendar_year
from .text import N_, Msg

_RANGE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})"
                    r"\s*(?:(?:至|到|~|～|—|-{1,2})\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*$")


def _day(text: str) -> date:
    y, m, d = (int(x) for x in text.split("-"))
    return date(y, m, d)


def parse_days(text: str, year: int, label: str) -> tuple[list[date], list[str]]:
    """All dates listed in ``text`` (ranges expanded), or errors "第 N 行：…" (``Msg``).

    ``label`` starts each error: pass a label marked with ``N_``.
    """
    days: list[date] = []
    errors: list[str] = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        m = _RANGE.match(line)
        if not m:
            errors.append(Msg("{label}第 {n} 行：无法识别“{line}”，"
                              "应为 YYYY-MM-DD 或 YYYY-MM-DD 至 YYYY-MM-DD",
                              label=label, n=n, line=line.strip()[:40]))
            continue
        try:
            start = _day(m.group(1))
            end = _day(m.group(2)) if m.group(2) else start
        except ValueError:
            errors.append(Msg("{label}第 {n} 行：日期不存在", label=label, n=n))
            continue
        if end < start or (end - start).days > 31:
            errors.append(Msg("{label}第 {n} 行：日期范围无效"
                              "（结束日须不早于开始日，且不超过 31 天）", label=label, n=n))
            continue
        spills = end.year == year + 1 and start.year == year  # a range into the next year
        if start.year != year or end.year != year and not spills:
            errors.append(Msg("{label}第 {n} 行：日期不在 {year} 年", label=label, n=n, year=year))
            continue
        days.extend(start + timedelta(days=i) for i in range((end - start).days + 1))
    return days, errors


def _year_out_of_range(year: int) -> str:
    return Msg("年度 {year} 超出可录入范围（{first}–{last}）", year=year,
               first=FIRST_CALENDAR_YEAR, last=LAST_YEAR)


def parse_notice(year: int, off_text: str, work_text: str) -> tuple[dict[date, bool], list[str]]:
    """Off-day ranges and 调休上班 days → {date: is_workday}; a date may not be both."""
    if not is_calendar_year(year):
        return {}, [_year_out_of_range(year)]
    off, errors = parse_days(off_text, year, N_("放假安排"))
    work, work_errors = parse_days(work_text, year, N_("调休上班"))
    errors += work_errors
    both = sorted(set(off) & set(work))
    if both:
        errors.append(Msg("以下日期同时出现在放假和上班中：{days}",
                           days="、".join(d.isoformat() for d in both[:5])))
    if not off and not work and not errors:
        errors.append(N_("请至少填写一个放假日期或调休上班日期"))
    result = {d: False for d in off} | {d: True for d in work}
    return result, errors


MAX_NOTICE_NUMBER = 100
_HAS_DIGIT = re.compile(r"\d")


def read_notice(year: int, off_text: str, work_text: str, number: str | None,
                notice_date: date | None,
                today: date) -> tuple[dict[date, bool], dict[str, list[str]]]:
    """A whole year's notice (R1.2) → ({date: is_workday}, errors by field).

    Fields: ``year``, ``off_days``, ``work_days``, ``notice_number``, ``notice_date``. The notice
    must list its holidays (every State Council notice does), carry its number and its date, and
    the date may not lie in the future nor after the year it arranges."""
    errors: dict[str, list[str]] = {}
    if not is_calendar_year(year):
        return {}, {"year": [_year_out_of_range(year)]}
    off, off_errors = parse_days(off_text, year, N_("放假安排"))
    work, work_errors = parse_days(work_text, year, N_("调休上班"))
    if not off and not off_errors:
        off_errors.append(N_("请填写通知中的放假日期"))
    both = sorted(set(off) & set(work))
    if both:
        work_errors.append(Msg("以下日期同时出现在放假和上班中：{days}",
                               days="、".join(d.isoformat() for d in both[:5])))
    number = (number or "").strip()
    if not number:
        errors["notice_number"] = [N_("请填写通知文号（如 国办发明电〔2026〕7号）")]
    elif len(number) > MAX_NOTICE_NUMBER or not _HAS_DIGIT.search(number):
        errors["notice_number"] = [N_("通知文号无效：应含年份和序号，如 国办发明电〔2026〕7号")]
    if notice_date is None:
        errors["notice_date"] = [N_("请填写通知的发布日期")]
    elif notice_date > today:
        errors["notice_date"] = [N_("通知日期不能晚于今天")]
    elif notice_date > date(year, 12, 31):
        errors["notice_date"] = [Msg("通知日期不能晚于 {year} 年", year=year)]
    if off_errors:
        errors["off_days"] = off_errors
    if work_errors:
        errors["work_days"] = work_errors
    return {d: False for d in off} | {d: True for d in work}, errors
