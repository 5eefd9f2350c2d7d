"""The grids of tables 二, 三 and 四: one layout for the page, the print view and the xlsx."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
    ORG_GROUP_LABEL,
    RESULT_GROUPS,
    RESULTS_LABEL,
    ROW_LABELS,
    TABLE2_BLOCKS,
    TABLE2_CONTENT_HEADER,
    TYPE_COLUMNS,
)


@dataclass(frozen=True)
class Cell:
    value: object = None
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    link: tuple[str, str] | None = None  # (row, col) of the drill-down


def table2_grid(t2: dict) -> list[list[Cell]]:
    grid = []
    for article, cols, rows in TABLE2_BLOCKS:
        grid.append([Cell(article, colspan=4, header=True)])
        grid.append([Cell(TABLE2_CONTENT_HEADER, header=True)]
                    + [Cell(label, header=True, colspan=3 if len(cols) == 1 else 1)
                       for label in cols.values()])
        for key, label in rows:
            cells = [Cell(label, header=True)]
            for col in cols:
                value = t2[key][col]
                link = (f"table2.{key}", col) if cols is CATALOGUE_COLUMNS else None
                if col == "amount_10k_yuan":
                    value = Decimal(value)
                cells.append(Cell(value, colspan=3 if len(cols) == 1 else 1, link=link))
            grid.append(cells)
    return grid


def table3_grid(rows: dict[str, dict[str, int]]) -> list[list[Cell]]:
    def numbers(key):
        return [Cell(rows[key][c], link=(key, c)) for c in COLUMNS]

    grid = [
        [Cell(BALANCE_NOTE, rowspan=3, colspan=3, header=True),
         Cell(APPLICANT_HEADER, colspan=7, header=True)],
        [Cell(COLUMN_LABELS["natural_person"], rowspan=2, header=True),
         Cell(ORG_GROUP_LABEL, colspan=5, header=True),
         Cell(COLUMN_LABELS["total"], rowspan=2, header=True)],
        [Cell(COLUMN_LABELS[c], header=True) for c in TYPE_COLUMNS[1:]],
        [Cell(ROW_LABELS["new"], colspan=3, header=True), *numbers("new")],
        [Cell(ROW_LABELS["carried_over"], colspan=3, header=True), *numbers("carried_over")],
    ]
    span = sum(len(r) for _g, r in RESULT_GROUPS)
    first = True
    for group, members in RESULT_GROUPS:
        for i, (key, leaf) in enumerate(members):
            cells = [Cell(RESULTS_LABEL, rowspan=span, header=True)] if first else []
            first = False
            if leaf is None:
                cells.append(Cell(group, colspan=2, header=True))
            else:
                if i == 0:
                    cells.append(Cell(group, rowspan=len(members), header=True))
                cells.append(Cell(leaf, header=True))
            grid.append(cells + numbers(key))
    grid.append([Cell(ROW_LABELS["carried_forward"], colspan=3, header=True),
                 *numbers("carried_forward")])
    return grid


def table4_grid(t4: dict) -> list[list[Cell]]:
    labels = [Cell(APPEAL_RESULT_LABELS[r], header=True) for r in APPEAL_RESULTS]
    return [
        [Cell(APPEAL_KIND_LABELS["reconsideration"], rowspan=2, colspan=5, header=True),
         Cell(LITIGATION_LABEL, colspan=10, header=True)],
        [Cell(APPEAL_KIND_LABELS["litigation_direct"], colspan=5, header=True),
         Cell(APPEAL_KIND_LABELS["litigation_after_reconsideration"], colspan=5, header=True)],
        labels * 3,
        [Cell(t4[k][r], link=(f"table4.{k}", r)) for k in APPEAL_KINDS for r in APPEAL_RESULTS],
    ]


def grid_width(grid: list[list[Cell]]) -> int:
    return sum(c.colspan for c in grid[0])
