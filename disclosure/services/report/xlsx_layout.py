"""How the report workbook prints: row heights that fit wrapped text, long texts cut into rows,
and the page set-up (A4 landscape, one page wide, print areas, page breaks, title rows).

A spreadsheet does not grow a row to fit wrapped text in merged cells, and a printer cuts a
sheet at the paper's edge: so the heights are computed here from the text and the width of the
cells (a CJK character takes about two width units, a Latin character one), and every sheet is
scaled to one page wide. Pure layout arithmetic plus openpyxl settings; no Flask, no database.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

BASE_SIZE = 11          # the workbook's font size (points)
WIDE_UNITS = 2.1        # a CJK character at 11 pt is about 15 px wide, a width unit 7 px
DEFAULT_ROW_PT = 15.0   # a row's default height
LINE_FACTOR = 1.35      # line height ÷ font size (CJK fonts are taller than Calibri)
ROW_PADDING_PT = 2.0    # room above and below the text of a row
CELL_PADDING = 1.5      # width units a cell loses to its margins
MAX_ROW_PT = 409.0      # the highest row a spreadsheet allows
TEXT_ROW_PT = 300.0     # a long text is cut into rows of at most this height (fits a page)
PAGE_FOOTER = "第 &P 页，共 &N 页"

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_TOKEN = re.compile(r"[A-Za-z0-9_.,:/%'\"()\[\]+\-]+ ?|\s|.", re.S)


def char_units(ch: str) -> float:
    """Width of one character in column-width units: about 2 for CJK and full-width forms (a
    little more, to be safe), else 1."""
    return WIDE_UNITS if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_units(text: str) -> float:
    return sum(char_units(ch) for ch in text)


def line_count(text: str, width: float, size: int = BASE_SIZE) -> int:
    """Lines ``text`` takes in a wrapped cell ``width`` units wide, as a spreadsheet wraps it:
    each paragraph on new lines; a Latin word or number moves whole to the next line, CJK
    characters break anywhere."""
    usable = max(1.0, (width - CELL_PADDING) * BASE_SIZE / size)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        filled = 0.0
        for token in _TOKEN.findall(paragraph):
            units = text_units(token)
            if filled and filled + text_units(token.rstrip()) > usable:
                lines += 1
                filled = 0.0
            while units > usable:  # a word longer than the line is broken
                lines += 1
                units -= usable
            filled += units
    return lines


def height_for(lines: int, size: int = BASE_SIZE) -> float:
    """A row height (points) that shows ``lines`` lines of ``size``-point text."""
    return max(DEFAULT_ROW_PT, math.ceil(lines * size * LINE_FACTOR + ROW_PADDING_PT))


def text_rows(text: str, width: float, size: int = BASE_SIZE,
              limit: float = TEXT_ROW_PT) -> list[str]:
    """A long text as the rows it is written in: one row per paragraph (empty lines dropped),
    a paragraph taller than ``limit`` cut after a sentence (or, failing that, anywhere), so no
    row is taller than a page and a page break can fall between them. Never an empty list."""
    max_lines = max(1, int((limit - ROW_PADDING_PT) / (size * LINE_FACTOR)))
    rows: list[str] = []
    for paragraph in str(text or "").split("\n"):
        paragraph = paragraph.strip("\r")
        if not paragraph.strip():
            continue
        piece = ""
        for sentence in _pieces(paragraph, width, size, max_lines):
            if piece and line_count(piece + sentence, width, size) > max_lines:
                rows.append(piece)
                piece = ""
            piece += sentence
        rows.append(piece)
    return rows or [""]


def _pieces(paragraph: str, width: float, size: int, max_lines: int) -> list[str]:
    """The paragraph's sentences, each short enough for one row (an endless one is cut)."""
    out = []
    for sentence in filter(None, _SENTENCE_END.split(paragraph)):
        while line_count(sentence, width, size) > max_lines:
            fits, too_long = 1, len(sentence)  # the longest head that fits: by halving
            while too_long - fits > 1:
                mid = (fits + too_long) // 2
                if line_count(sentence[:mid], width, size) <= max_lines:
                    fits = mid
                else:
                    too_long = mid
            out.append(sentence[:fits])
            sentence = sentence[fits:]
        out.append(sentence)
    return out


@dataclass(frozen=True)
class TextBox:
    """A value written at ``row``, ``col`` over ``rows`` × ``cols`` cells."""
    row: int
    col: int
    text: str
    rows: int = 1
    cols: int = 1
    size: int = BASE_SIZE


def row_heights(boxes: list[TextBox], widths: dict[int, float]) -> dict[int, float]:
    """The height of every row holding a box, so that each box's wrapped text fits: boxes of
    one row first, then a box over several rows adds what it lacks evenly to its rows."""
    heights: dict[int, float] = {}
    for box in sorted(boxes, key=lambda b: b.rows):
        width = sum(widths.get(c, 8.43) for c in range(box.col, box.col + box.cols))
        need = height_for(line_count(box.text, width, box.size), box.size)
        rows = range(box.row, box.row + box.rows)
        have = sum(heights.get(r, DEFAULT_ROW_PT) for r in rows)
        for r in rows:
            heights[r] = heights.get(r, DEFAULT_ROW_PT) + max(0.0, need - have) / box.rows
    return {r: min(MAX_ROW_PT, math.ceil(h)) for r, h in heights.items()}


def apply_row_heights(ws, boxes: list[TextBox]) -> None:
    from openpyxl.utils import column_index_from_string
    widths = {column_index_from_string(k): d.width for k, d in ws.column_dimensions.items()
              if d.width}
    for row, height in row_heights(boxes, widths).items():
        ws.row_dimensions[row].height = height


def set_up_pages(ws, areas: list[str] | None = None, title_rows: str | None = None,
                 breaks: list[int] = ()) -> None:
    """A4 landscape, scaled to one page wide (as many pages tall as it takes), centred, margins
    of 1.27 cm at the sides and 1.5 cm at top and bottom, the page number in the footer,
    ``title_rows`` repeated on every page, one print area per entry of ``areas`` (each starts a
    page) and a page break after each row of ``breaks``."""
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.pagebreak import Break

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6,
                                  header=0.25, footer=0.25)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.size = 9
    if areas:
        ws.print_area = areas
    if title_rows:
        ws.print_title_rows = title_rows
    for row in breaks:
        ws.row_breaks.append(Break(id=row))
