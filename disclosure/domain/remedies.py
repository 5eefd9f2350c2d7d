"""The applicant's remedies after a reply (条例第五十一条), with the last day of each period.

- 行政复议 (administrative reconsideration): within 60 days of the day the applicant knew of the
  act (《中华人民共和国行政复议法》第二十条: 自知道或者应当知道该行政行为之日起六十日内).
- 行政诉讼 (administrative litigation): within 6 months of that day (《中华人民共和国行政诉讼法》
  第四十六条: 自知道或者应当知道作出行政行为之日起六个月内).
- 投诉、举报 to the higher-level agency or the department in charge of government information
  disclosure (条例第五十一条): no fixed limit.

**Our reading (date arithmetic):** the start day is not counted (民法典第二百零一条): 60 days
after ``known_on`` is ``known_on + 60 days``; 6 months after it is the same day of the month 6
calendar months later, or the last day of that month when it has no such day (民法典第二百零二条:
2026-08-31 → 2027-02-28). The page says the day is counted from the reply date (the day an
online reply reaches the applicant, R8.2) and that a later receipt, or a last day falling on a
holiday (民法典第二百零三条), only moves the limit later — so the date shown is never later than
the real one.

Pure Python: no Flask, no database (tests/domain/test_remedies.py).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from .text import N_

RECONSIDERATION_DAYS = 60
LITIGATION_MONTHS = 6

RECONSIDERATION = "reconsideration"
LITIGATION = "litigation"
COMPLAINT = "complaint"


@dataclass(frozen=True)
class Remedy:
    """One way to challenge the reply: what (``label``), to whom (``to``), under which article
    (``basis``), the limit in words (``limit``) and the last day to use it (``last_day``; None:
    no fixed limit)."""

    kind: str
    label: str
    to: str
    basis: str
    limit: str
    last_day: date | None

    @property
    def limited(self) -> bool:
        return self.last_day is not None


def add_days(start: date, days: int) -> date:
    """The last day of a period of ``days`` calendar days after ``start`` (start not counted)."""
    return start + timedelta(days=days)


def add_months(start: date, months: int) -> date:
    """The same day of the month ``months`` calendar months after ``start``; the month's last
    day when that month is shorter (1-31 + 1 month → 2-28, or 2-29 in a leap year)."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def reconsideration_last_day(known_on: date) -> date:
    return add_days(known_on, RECONSIDERATION_DAYS)


def litigation_last_day(known_on: date) -> date:
    return add_months(known_on, LITIGATION_MONTHS)


def remedies_after(known_on: date) -> tuple[Remedy, ...]:
    """The remedies open to an applicant who learned of the reply on ``known_on``, in the order
    the page lists them."""
    return (
        Remedy(RECONSIDERATION, N_("申请行政复议"), N_("向依法履行行政复议职责的行政机关申请"),
               N_("《中华人民共和国行政复议法》第二十条"), N_("自收到答复之日起 60 日内"),
               reconsideration_last_day(known_on)),
        Remedy(LITIGATION, N_("提起行政诉讼"), N_("向有管辖权的人民法院起诉"),
               N_("《中华人民共和国行政诉讼法》第四十六条"), N_("自收到答复之日起 6 个月内"),
               litigation_last_day(known_on)),
        Remedy(COMPLAINT, N_("投诉、举报"),
               N_("向上一级行政机关或者政府信息公开工作主管部门投诉、举报"),
               N_("《中华人民共和国政府信息公开条例》第五十一条"), N_("不受期限限制"), None),
    )
