"""信息处理费 amounts (spec R5.1–R5.3; 条例第四十二条, 国办函〔2020〕109号 第三条至第五条).

Pure: amounts are ``decimal.Decimal`` 元, computed 超额累进 (progressively, band by band).
"""
from __future__ import annotations

from decimal import Decimal

from disclosure.domain.codes import FeeMethod
from disclosure.domain.text import N_, Msg

FREE_CASES_PER_MONTH = 10
# (last page of the band, 元 per page); the last band is open-ended.
PAGE_BANDS: tuple[tuple[int | None, int], ...] = ((30, 0), (100, 10), (200, 20), (None, 40))


def _positive(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(Msg("{what}须为正整数，收到：{value}", what=what, value=repr(value)))
    return value


def per_case_fee(nth_in_month: int) -> Decimal:
    """R5.2, 条例第四十二条、国办函〔2020〕109号第四条 (按件计收): the fee for the applicant's
    n-th application in one calendar month — 1–10 free, 11–30 100 元, then +100 元 for each
    further band of ten (31–40 200 元, 41–50 300 元, …)."""
    n = _positive(nth_in_month, N_("当月申请序号"))
    if n <= FREE_CASES_PER_MONTH:
        return Decimal(0)
    if n <= 30:
        return Decimal(100)
    return Decimal(200 + 100 * ((n - 31) // 10))


def per_case_total(count: int) -> Decimal:
    """R5.2, 国办函〔2020〕109号第四条: cumulative fee for applications 1..count of one applicant
    in one month (30 → 2000 元, 40 → 4000 元, 50 → 7000 元)."""
    n = _positive(count, N_("当月申请件数"))
    total = Decimal(100) * max(0, min(n, 30) - FREE_CASES_PER_MONTH)
    band_start = 31
    while band_start <= n:  # one iteration per band of ten, not per application
        in_band = min(n, band_start + 9) - band_start + 1
        total += per_case_fee(band_start) * in_band
        band_start += 10
    return total


def per_page_fee(pages: int) -> Decimal:
    """R5.3, 国办函〔2020〕109号第五条 (按量计收), progressive: ≤ 30 pages free, pages 31–100 at
    10 元, 101–200 at 20 元, 201+ at 40 元 (100 pages → 700 元, 201 pages → 2740 元)."""
    n = _positive(pages, N_("页数"))
    total, floor = Decimal(0), 0
    for last, rate in PAGE_BANDS:
        top = n if last is None else min(n, last)
        if top > floor:
            total += Decimal(rate) * (top - floor)
        if last is None or n <= last:
            break
        floor = last
    return total


def fee_amount(method: str, *, nth_in_month: int | None = None,
               pages: int | None = None) -> Decimal:
    """R5.1–R5.3, 条例第四十二条、国办函〔2020〕109号第三条: the fee by the one chosen method —
    ``per_case`` needs ``nth_in_month``, ``per_page`` needs ``pages``; never both."""
    if nth_in_month is not None and pages is not None:
        raise ValueError(N_("同一申请不得同时按件和按量计收信息处理费"))
    if method == FeeMethod.PER_CASE:
        if nth_in_month is None:
            raise ValueError(N_("按件计收须提供当月申请序号"))
        return per_case_fee(nth_in_month)
    if method == FeeMethod.PER_PAGE:
        if pages is None:
            raise ValueError(N_("按量计收须提供页数"))
        return per_page_fee(pages)
    raise ValueError(Msg("未知的计收方式：{method}（应为 per_case 或 per_page）",
                         method=repr(method)))
