"""Case ledger (台账) import and export — docs/ledger.md.

Import is all-or-nothing: every line is checked (``domain.ledger``) and then against the
database (agency exists, tracking number not taken unless the stored case is identical); only
when no line is wrong is anything written, in one unit of work. Each case gets its derived
deadline fields from ``cases.refresh_derived`` — the same domain function as a case entered by
hand — and one ``import`` audit event. Export streams the cases back as ledger objects plus the
derived fields as of a given day.

- ``importer``: ``import_ledger`` and its result (dry run, late acts);
- ``checks``: the database side of validation;
- ``writer``: the inserts of an import;
- ``records``: a stored case ⇄ its ledger record;
- ``exporter``: ``export_ledger``;
- ``xlsx``, ``xlsx_read``, ``xlsx_write``: the Excel ledger — its layout, ``import_workbook``,
  ``workbook_template`` and ``export_workbook`` (docs/ledger.md "Excel 台账").
"""
from __future__ import annotations

from ...domain.ledger import LineError
from .exporter import export_ledger
from .importer import LATE_FLAGS, ImportResult, LateActs, import_ledger
from .records import record_of
from .xlsx import CellError, LedgerFileError, is_workbook
from .xlsx_read import import_workbook
from .xlsx_write import export_workbook, workbook_template

__all__ = ["LATE_FLAGS", "CellError", "ImportResult", "LateActs", "LedgerFileError", "LineError",
           "export_ledger", "export_workbook", "import_ledger", "import_workbook", "is_workbook",
           "record_of", "workbook_template"]
