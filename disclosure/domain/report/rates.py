"""The rates shown beside the report (答复率、答复及时率、办结率), money amounts, and the summary
statistics of the dashboard."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATE_LABELS = {"reply_rate": "答复率", "timely_rate": "答复及时率", "completion_rate": "办结率"}
RATE_FORMULAS = {
    "reply_rate": ("本年办结数", "本年办结数 + 年末未办结且答复期限不晚于12月31日的件数"),
    "timely_rate": ("本年在答复期限内办结数", "本年办结数"),
    "completion_rate": ("本年办结数", "本年新收数 + 上年结转数"),
}


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> str | None:
        """Four decimal places, or None for a zero denominator (never 0 % or 100 %)."""
        if not self.denominator:
            return None
        q = Decimal(self.numerator) / Decimal(self.denominator)
        return str(q.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))

    @property
    def percent(self) -> str:
        v = self.value
        return "—" if v is None else f"{(Decimal(v) * 100).quantize(Decimal('0.01'))}%"

    def as_json(self) -> dict:
        return {"numerator": self.numerator, "denominator": self.denominator, "value": self.value}


def rates(concluded: int, timely: int, open_due: int, new: int,
          carried_over: int) -> dict[str, Rate]:
    return {"reply_rate": Rate(concluded, concluded + open_due),
            "timely_rate": Rate(timely, concluded),
            "completion_rate": Rate(concluded, new + carried_over)}


def money(amount) -> str:
    return str(Decimal(amount or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def summary_stats(values: list[int]) -> dict:
    """n, median, mean (one decimal), 90th percentile (nearest rank) and max; None when empty."""
    if not values:
        return {"n": 0, "median": None, "mean": None, "p90": None, "max": None}
    v = sorted(values)
    n = len(v)
    mid = n // 2
    twice = 2 * v[mid] if n % 2 else v[mid - 1] + v[mid]
    median = twice // 2 if twice % 2 == 0 else Decimal(twice) / 2
    p90 = v[-(-9 * n // 10) - 1]  # nearest rank: the ceil(0.9 n)-th smallest
    mean = (Decimal(sum(v)) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {"n": n, "median": median, "mean": mean, "p90": p90, "max": v[-1]}
