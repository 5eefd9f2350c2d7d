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
- ``exporter``: ``export_ledger``.
"""
from __future__ import annotations

from ...domain.ledger import LineError
from .exporter import export_ledger
from .importer import LATE_FLAGS, ImportResult, LateActs, import_ledger
from .records import record_of

__all__ = ["LATE_FLAGS", "ImportResult", "LateActs", "LineError", "export_ledger",
           "import_ledger", "record_of"]
