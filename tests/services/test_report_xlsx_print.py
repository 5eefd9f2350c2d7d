"""Issue 15: the report workbook prints as it looks — A4 landscape, each section a print area one
page wide, the title repeated on every page, wrapped labels and texts in rows high enough for
their lines (docs/report.md, "Printing the xlsx")."""
from __future__ import annotations

import io
import math

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, range_boundaries

from disclosure.domain import report as R
from disclosure.services import report as svc
from disclosure.services.actors import Actor
from disclosure.services.report import xlsx_layout as layout
from tests.services.test_report import build_two_years

LINE_PT = 11 * 1.3  # the least height of one printed line of 11-point CJK text


@pytest.fixture
def book(agency, staff):
    build_two_years(agency, {k: Actor.of(u) for k, u in staff.items()})

    def make(**texts):
        if texts:
            svc.save_year(agency, 2024, texts, Actor.of(staff["office_head"]))
        return load_workbook(io.BytesIO(svc.xlsx_bytes(svc.annual(2024, ["BCZ"]))))
    return make


def _cells(ws) -> dict:
    return {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def _span(ws, cell) -> tuple[int, int, int, int]:
    """(first column, first row, last column, last row) of the merged range holding ``cell``."""
    for rng in ws.merged_cells.ranges:
        if cell.coordinate in rng:
            return range_boundaries(str(rng))
    return cell.column, cell.row, cell.column, cell.row


def _width(ws, first: int, last: int) -> float:
    letters = {column_index_from_string(k): d.width for k, d in ws.column_dimensions.items()}
    return sum(letters.get(c) or 8.43 for c in range(first, last + 1))


def _height(ws, first: int, last: int) -> float:
    return sum(ws.row_dimensions[r].height or 15 for r in range(first, last + 1))


def _lines_at_least(text: str, width: float) -> int:
    """A lower bound of the wrapped lines: two width units per CJK character, a line holds
    ``width`` units at most."""
    return max(1, math.ceil(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) / width))


def _fits(ws, cell) -> bool:
    c1, r1, c2, r2 = _span(ws, cell)
    lines = _lines_at_least(str(cell.value), _width(ws, c1, c2))
    return _height(ws, r1, r2) >= lines * LINE_PT


def test_the_report_sheet_is_a4_landscape_one_page_wide_with_a_print_area_per_section(book):
    wb = book()
    ws = wb["年度报告"]
    cell = _cells(ws)
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize) == ("landscape", 9)  # A4
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$1"  # the report's title on every page
    assert ws["A1"].value == "包场镇人民政府2024年政府信息公开工作年度报告"
    m = ws.page_margins
    assert 0.4 <= m.left == m.right <= 1 and 0.4 <= m.top <= 1 and 0.4 <= m.bottom <= 1
    assert "&P" in ws.oddFooter.center.text
    areas = [range_boundaries(a.split("!")[1].replace("$", "")) for a in
             ws.print_area.split(",")]
    # 一 (with the title), 二, 三, 四, 五 and 六 together: each from its heading to its end
    heads = [cell[s].row for s in R.SECTIONS]
    assert [a[1] for a in areas] == [1, *heads[1:5]]
    ends = [heads[1] - 2, cell["行政事业性收费"].row, cell[R.ROW_LABELS["carried_forward"]].row,
            heads[4] - 2, cell[svc.FEE_LINE].row + 1]  # 六's text (empty here) ends it
    assert [a[3] for a in areas] == ends
    assert [a[0] for a in areas] == [1] * 5
    assert [a[2] for a in areas] == [10, 10, 10, 15, 10]  # 三 is A–J, 四 is A–O
    assert [b.id for b in ws.row_breaks.brk] == ends[:-1]  # a new page for each section
    # table 三 lies inside its area, table 四's last figure too
    assert areas[2][1] < cell[R.BALANCE_NOTE].row and ws.cell(areas[3][3], 15).value == 0
    checks = wb["校验与比率"]
    assert checks.page_setup.orientation == "landscape" and checks.page_setup.fitToWidth == 1
    assert checks.sheet_properties.pageSetUpPr.fitToPage is True


def test_every_label_wraps_and_its_rows_are_high_enough(book):
    ws = book()["年度报告"]
    cell = _cells(ws)
    labels = [*R.ROW_LABELS.values(), R.BALANCE_NOTE, "社会公益组织", "法律服务机构",
              "行政规范性文件", "本年收费金额（单位：万元）", "未经复议直接起诉",
              "三、本年度办理结果"]
    for label in labels:
        target = cell[label]
        assert target.alignment.wrap_text, label
        assert _fits(ws, target), label
    # the long 其他处理 labels take several lines: their rows are more than one line high
    for key in ("other.no_supplement", "other.fee_unpaid"):
        label = cell[R.ROW_LABELS[key]]
        assert _span(ws, label)[0] == 3 and ws.row_dimensions[label.row].height >= 2 * LINE_PT
    # a one-line label keeps a one-line row
    assert ws.row_dimensions[cell[R.ROW_LABELS["new"]].row].height < 2 * LINE_PT


def test_texts_are_wrapped_rows_one_per_paragraph_across_the_table(book):
    long = "本机关坚持以公开为常态、不公开为例外，持续完善政府信息公开制度。" * 60
    narrative = "（一）主动公开\n本年度主动公开信息。\n\n=SUM(A1)\n" + long
    ws = book(narrative=narrative, problems="存在的问题。" * 40)["年度报告"]
    cell = _cells(ws)
    head = cell["（一）主动公开"]
    rows = [ws.cell(r, 1) for r in range(head.row, cell[R.SECTIONS[1]].row - 1)]
    values = [c.value for c in rows]
    assert values[:3] == ["（一）主动公开", "本年度主动公开信息。", "=SUM(A1)"]  # no empty row
    assert "".join(values[3:]) == long and len(values) > 4  # the long paragraph: several rows
    assert rows[2].data_type == "s" and rows[2].quotePrefix  # still text, never a formula
    for c in rows + [cell["存在的问题。" * 40]]:
        assert _span(ws, c)[:3] == (1, c.row, 10)  # merged across table 三's width, A–J
        assert c.alignment.wrap_text and c.alignment.vertical == "top"
        assert _fits(ws, c), c.value[:20]
        assert ws.row_dimensions[c.row].height <= layout.TEXT_ROW_PT  # never taller than a page


def test_line_count_and_text_rows():
    assert layout.line_count("一二三四", 10.5) == 1  # 1.5 units go to the cell's margins
    assert layout.line_count("一二三四五", 10.5) == 2
    assert layout.line_count("一二\n三", 40) == 2
    assert layout.line_count("words that wrap", 8) == 3  # a word moves whole to the next line
    assert layout.line_count("x" * 30, 11.5) == 3        # a word longer than the line is cut
    assert layout.text_rows("", 100) == [""] and layout.text_rows("a\n\n b", 100) == ["a", " b"]
    text = "句子很长很长很长。" * 400 + "没有标点" * 300
    rows = layout.text_rows(text, 100)
    assert "".join(rows) == text and len(rows) > 2
    assert all(layout.height_for(layout.line_count(r, 100)) <= layout.TEXT_ROW_PT for r in rows)
    assert rows[0].endswith("。")  # cut after a sentence where there is one


def test_a_box_over_several_rows_shares_what_it_lacks():
    boxes = [layout.TextBox(1, 1, "一"), layout.TextBox(1, 2, "二" * 30, rows=3),
             layout.TextBox(2, 1, "三" * 20)]
    heights = layout.row_heights(boxes, {1: 10, 2: 10})
    own = {1: layout.height_for(1), 2: layout.height_for(layout.line_count("三" * 20, 10)),
           3: layout.DEFAULT_ROW_PT}  # what each row needs for its own boxes
    extra = {r: heights[r] - own[r] for r in own}
    assert extra[1] == extra[2] == extra[3] > 0  # the three-row box adds the same to each
    assert sum(heights.values()) >= layout.height_for(layout.line_count("二" * 30, 10))
