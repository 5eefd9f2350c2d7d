"""The annual report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号) — PURE.

One place for: the row/column keys and verbatim labels of tables 二, 三, 四 (``tables``); the
counting rules of table 三 on plain case records (``counting``; the service runs the same rules
as SQL); the checks (``checks``); the rates (``rates``); the grids the page, the print view and
the xlsx are drawn from (``grids``); the narrative draft (``narrative``); the CSV long form
(``long_form``). Described in docs/report.md.

Callers use the package: ``from disclosure.domain import report as rules``, then
``rules.table3(...)``, ``rules.ROW_LABELS`` and so on.
"""
from __future__ import annotations

from ..codes import APPLICANT_TYPE_LABELS, AppealKind, AppealResult, ApplicantType, Outcome
from .checks import Check, run_checks
from .counting import (
    FLAGS,
    CaseRecord,
    GroupCount,
    column_sums,
    flags,
    group_counts,
    table3,
    table4,
)
from .grids import Cell, grid_width, table2_grid, table3_grid, table4_grid
from .long_form import CSV_HEADER, csv_rows
from .narrative import NarrativeFigures, draft_narrative
from .rates import RATE_FORMULAS, RATE_LABELS, Rate, money, rates, summary_stats
from .tables import (
    APPEAL_KIND_LABELS,
    APPEAL_KINDS,
    APPEAL_RESULT_LABELS,
    APPEAL_RESULTS,
    APPLICANT_HEADER,
    BALANCE_NOTE,
    CATALOGUE_COLUMNS,
    COLUMN_LABELS,
    COLUMNS,
    LITIGATION_LABEL,
    NARRATIVE_PARTS,
    ORG_GROUP_LABEL,
    OUTCOME_GROUPS,
    RESULT_GROUPS,
    RESULT_ROWS,
    RESULTS_LABEL,
    ROW_KEYS,
    ROW_LABELS,
    SECTIONS,
    TABLE2_BLOCKS,
    TABLE2_CONTENT_HEADER,
    TYPE_COLUMNS,
    outcome_group,
)

__all__ = [
    # codes the report is keyed by
    "APPLICANT_TYPE_LABELS", "AppealKind", "AppealResult", "ApplicantType", "Outcome",
    # tables
    "APPEAL_KIND_LABELS", "APPEAL_KINDS", "APPEAL_RESULT_LABELS", "APPEAL_RESULTS",
    "APPLICANT_HEADER", "BALANCE_NOTE", "CATALOGUE_COLUMNS", "COLUMN_LABELS", "COLUMNS",
    "LITIGATION_LABEL", "NARRATIVE_PARTS", "ORG_GROUP_LABEL", "OUTCOME_GROUPS", "RESULT_GROUPS",
    "RESULT_ROWS", "RESULTS_LABEL", "ROW_KEYS", "ROW_LABELS", "SECTIONS", "TABLE2_BLOCKS",
    "TABLE2_CONTENT_HEADER", "TYPE_COLUMNS", "outcome_group",
    # counting
    "FLAGS", "CaseRecord", "GroupCount", "column_sums", "flags", "group_counts", "table3",
    "table4",
    # checks
    "Check", "run_checks",
    # rates
    "RATE_FORMULAS", "RATE_LABELS", "Rate", "money", "rates", "summary_stats",
    # grids
    "Cell", "grid_width", "table2_grid", "table3_grid", "table4_grid",
    # narrative
    "NarrativeFigures", "draft_narrative",
    # CSV long form
    "CSV_HEADER", "csv_rows",
]
