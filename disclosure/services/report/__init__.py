"""The annual report (政府信息公开工作年度报告) and the statistics dashboard, counted in SQL (one
conditional GROUP BY scan of the case table per report); rules, checks, rates and layout come
from ``domain.report``. Described in docs/report.md.

One scope (a year and one, several or all agencies) feeds every output: the page, the JSON
contract, CSV, xlsx, the drill-down lists and the dashboard. One module per concern:

- ``scoping``: the year and agencies of a report, and which a user may read;
- ``counting``: the counting rules as SQL (tables 二, 三, 四, fees, reviews, unconfirmed);
- ``assembly``: the ``AnnualReport`` of a scope (``build``, ``annual``);
- ``exports``: JSON, CSV and xlsx;
- ``figures``: who states the report, and the entry of its texts and non-case figures;
- ``drilldown``: the records behind any figure;
- ``statistics``: the dashboard.

Callers use the package: ``from disclosure.services import report``, then ``report.build(...)``.
"""
from __future__ import annotations

from .assembly import AnnualReport, annual, build
from .counting import (
    entered_years,
    fees_collected,
    reviews_performed,
    table2,
    table3_groups,
    table4,
    unconfirmed_count,
)
from .drilldown import RATE_PARTS, Drill, appeal_of, drill, drill_items
from .exports import FEE_LINE, csv_text, to_json, xlsx_bytes
from .figures import (
    FIGURE_FIELDS,
    FIGURE_LABELS,
    MAX_TEXT,
    REFUSAL,
    REPORT_OWNERS,
    TEXT_FIELDS,
    may_state,
    require_owner,
    save_year,
    validate_entry,
)
from .scoping import (
    NotYourAgency,
    Scope,
    UnknownAgency,
    agency_choices,
    readable_scope,
    scope,
)
from .statistics import processing_times, stats

__all__ = [
    # scope
    "NotYourAgency", "Scope", "UnknownAgency", "agency_choices", "readable_scope", "scope",
    # counting
    "entered_years", "fees_collected", "reviews_performed", "table2", "table3_groups", "table4",
    "unconfirmed_count",
    # assembly
    "AnnualReport", "annual", "build",
    # exports
    "FEE_LINE", "csv_text", "to_json", "xlsx_bytes",
    # figures
    "FIGURE_FIELDS", "FIGURE_LABELS", "MAX_TEXT", "REFUSAL", "REPORT_OWNERS", "TEXT_FIELDS",
    "may_state", "require_owner", "save_year", "validate_entry",
    # drill-down
    "RATE_PARTS", "Drill", "appeal_of", "drill", "drill_items",
    # statistics
    "processing_times", "stats",
]
