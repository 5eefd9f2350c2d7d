"""The reconciliation checks of table 三: shown on every output, a failing one never hidden."""
from __future__ import annotations

from dataclasses import dataclass

from .tables import COLUMN_LABELS, COLUMNS, RESULT_ROWS, ROW_KEYS, ROW_LABELS, TYPE_COLUMNS


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    label: str = ""


def _eq(ok: bool) -> str:
    return "=" if ok else "≠"


def run_checks(rows: dict[str, dict[str, int]], year: int,
               previous_forward: dict[str, int] | None = None) -> list[Check]:
    """The checks of docs/report.md: per column 一 + 二 = （七） + 四; per row the six type
    columns sum to 总计; （七） = sum of result rows; 二 of Y = 四 of Y−1 (when Y−1 comes from the
    system)."""
    out = []
    for col in COLUMNS:
        a, b = rows["new"][col], rows["carried_over"][col]
        c, d = rows["total"][col], rows["carried_forward"][col]
        ok = a + b == c + d
        out.append(Check(f"balance.{col}", ok, f"{a} + {b} {_eq(ok)} {c} + {d}",
                         f"{COLUMN_LABELS[col]}列：一 + 二 = （七）总计 + 四"))
    for key in ROW_KEYS:
        parts = [rows[key][c] for c in TYPE_COLUMNS]
        ok = sum(parts) == rows[key]["total"]
        out.append(Check(f"row_sum.{key}", ok, " + ".join(map(str, parts))
                         + f" {_eq(ok)} {rows[key]['total']}",
                         f"{ROW_LABELS[key]}：各类申请人之和 = 总计"))
    for col in COLUMNS:
        parts = [rows[k][col] for k in RESULT_ROWS]
        ok = sum(parts) == rows["total"][col]
        out.append(Check(f"results_total.{col}", ok, f"{sum(parts)} {_eq(ok)} {rows['total'][col]}",
                         f"{COLUMN_LABELS[col]}列：（一）至（六）各项之和 = （七）总计"))
    if previous_forward is not None:
        for col in COLUMNS:
            a, b = rows["carried_over"][col], previous_forward[col]
            ok = a == b
            out.append(Check(f"continuity.{col}", ok, f"{a} {_eq(ok)} {b}",
                             f"{COLUMN_LABELS[col]}列：{year}年“二、上年结转” = "
                             f"{year - 1}年“四、结转下年度”"))
    return out
