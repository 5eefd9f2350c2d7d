"""Spreadsheet (CSV / xlsx) formula injection: text that a spreadsheet would run as a formula.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken as
a formula (or DDE command) by Excel, WPS and LibreOffice when the file is opened — so a report
narrative such as ``=HYPERLINK("http://x","y")`` would become a live link, or worse. Every export
writes its cells through this module (OWASP "CSV Injection"):

- CSV: such text gets a leading single quote ``'`` — shown, never evaluated;
- xlsx: such text is stored as a string cell with the "quote prefix" style, so openpyxl never
  writes it as a formula and the spreadsheet keeps it as text when it is edited.

Numbers (int, Decimal, float) stay numbers, and so does text that is just a number such as
"-3" or "12.50" (a figure from the report JSON): a plain number is not a formula.
"""
from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def is_risky(value) -> bool:
    """Text a spreadsheet would treat as a formula (numbers and plain numeric text are not)."""
    return (isinstance(value, str) and value.startswith(TRIGGERS)
            and not _PLAIN_NUMBER.fullmatch(value))


def csv_cell(value):
    """A value for csv.writer: risky text with a leading quote, anything else unchanged."""
    return "'" + value if is_risky(value) else value


def csv_rows(rows):
    """Every cell of ``rows`` through ``csv_cell``."""
    return [[csv_cell(v) for v in row] for row in rows]


def xlsx_set(cell, value):
    """Put ``value`` into an openpyxl cell; risky text stays a string (never a formula)."""
    if isinstance(value, str):
        cell.value = value  # openpyxl guesses: "=…" would become a formula here…
        if value.startswith("="):  # …so the guess is undone; "+", "-", "@" stay text anyway
            cell.data_type = "s"
        if is_risky(value):
            cell.quotePrefix = True  # and the spreadsheet keeps it as text when edited
    else:
        cell.value = value
    return cell


def xlsx_append(ws, values) -> None:
    """``ws.append(values)`` with every cell written through ``xlsx_set``."""
    from openpyxl.cell.cell import Cell
    ws.append([xlsx_set(Cell(ws), value) for value in values])
