"""The report as a long-form table (the CSV export): one line per figure."""
from __future__ import annotations

from .rates import RATE_LABELS
from .tables import (
    APPEAL_KIND_LABELS,
    APPEAL_KINDS,
    APPEAL_RESULT_LABELS,
    APPEAL_RESULTS,
    COLUMN_LABELS,
    COLUMNS,
    ROW_KEYS,
    ROW_LABELS,
    TABLE2_BLOCKS,
)

CSV_HEADER = ("table", "row", "column", "row_label", "column_label", "value")


def csv_rows(data: dict) -> list[tuple]:
    """The report JSON flattened: every figure on one line with its keys and verbatim labels."""
    out = [CSV_HEADER]
    t2_labels = {k: (label, cols) for _a, cols, rows in TABLE2_BLOCKS for k, label in rows}
    for key, (label, cols) in t2_labels.items():
        for col, col_label in cols.items():
            out.append(("table2", key, col, label, col_label, data["table2"][key][col]))
    for key in ROW_KEYS:
        for col in COLUMNS:
            out.append(("table3", key, col, ROW_LABELS[key], COLUMN_LABELS[col],
                        data["table3"]["rows"][key][col]))
    for kind in APPEAL_KINDS:
        for res in APPEAL_RESULTS:
            out.append(("table4", kind, res, APPEAL_KIND_LABELS[kind], APPEAL_RESULT_LABELS[res],
                        data["table4"][kind][res]))
    for key, rate in data["rates"].items():
        for part in ("numerator", "denominator", "value"):
            value = rate[part]
            out.append(("rates", key, part, RATE_LABELS[key], part, "" if value is None else value))
    out.append(("fees", "collected_yuan", "amount", "信息处理费", "元",
                data["fees"]["collected_yuan"]))
    for c in data["checks"]:
        out.append(("checks", c["name"], "ok", "", "", "true" if c["ok"] else "false"))
    return out
