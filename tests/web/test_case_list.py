"""Issue 15, the staff case list at /staff/cases and its export: the handler and working-days
columns, the flags, filters that survive the filter form, the pager and the export, the CSV and
xlsx files (formula injection neutralised), and the agency scope of all of it.

Today is pinned to Monday 1 April 2024: 清明 (4–6 April) is a holiday and Sunday 7 April a
make-up working day, so the working days to 8 April are 4 (weekdays alone would say 5).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from disclosure.extensions import db
from disclosure.models import Case
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, login

TODAY = date(2024, 4, 1)
FORMULA_SUBJECT = '=HYPERLINK("http://evil.example","点我")'
FORMULA_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"


def _case(agency_id: int, no: str, status: str, due: date | None, *, handler=None,
          received=date(2024, 3, 1), subject=None, name="张三", **extra) -> Case:
    case = Case(agency_id=agency_id, tracking_no=no, channel="in_person", status=status,
                applicant_type="natural_person", applicant_name=name,
                subject=subject or f"{no} 的信息", received_on=received, due_on=due,
                extension_workdays=0, due_provisional=False, concluded_by_sweep=False,
                late_acts="", handler_id=handler.id if handler else None,
                created_at=datetime(2024, 3, 1, tzinfo=timezone.utc))
    for key, value in extra.items():
        setattr(case, key, value)
    db.session.add(case)
    return case


class World:
    pass


@pytest.fixture
def make_world(make_app):
    def build(**config):
        app = make_app(FIXED_TODAY=TODAY.isoformat(), **config)
        w = World()
        w.app = app
        with app.app_context():
            bcz = create_agency("BCZ", "包场镇人民政府")
            oth = create_agency("OTH", "另一镇人民政府")
            han = create_user("handler", PASSWORD, "BCZ", ["handler"], "韩承办")
            he = create_user("handler2", PASSWORD, "BCZ", ["handler"], "何二")
            create_user("registrar", PASSWORD, "BCZ", ["registrar"], "登记员")
            outsider = create_user("oth", PASSWORD, "OTH", ["handler"], "外机关承办")
            create_user("platform", PASSWORD, "OTH", ["platform_admin"], "平台管理员")
            w.han, w.he, w.outsider = han.id, he.id, outsider.id
            _case(bcz.id, "BCZ-1-OVER", "in_progress", date(2024, 3, 25), handler=han,
                  received=date(2024, 2, 26))
            _case(bcz.id, "BCZ-2-SOON", "registered", date(2024, 4, 3), handler=he,
                  late_acts="extension_late", received=date(2024, 3, 5))
            _case(bcz.id, "BCZ-3-LATER", "in_progress", date(2024, 4, 8), due_provisional=True,
                  received=date(2024, 3, 11))
            _case(bcz.id, "BCZ-4-DONE", "replied", date(2024, 3, 22), handler=he,
                  concluded_on=date(2024, 3, 20), timely=True, outcome="disclosed",
                  received=date(2024, 2, 20))
            _case(bcz.id, "BCZ-5-LATE", "replied", date(2024, 3, 22), handler=han,
                  concluded_on=date(2024, 3, 28), timely=False, outcome="disclosed",
                  received=date(2024, 2, 21))
            _case(bcz.id, "BCZ-6-FORMULA", "paused", date(2024, 4, 8), received=date(2024, 3, 12),
                  subject=FORMULA_SUBJECT, name=FORMULA_NAME)
            _case(bcz.id, "BCZ-7-TODAY", "in_review", TODAY, handler=han,
                  received=date(2024, 3, 4))
            # another agency: its case is handled by its own handler
            _case(oth.id, "OTH-1-SECRET", "in_progress", date(2024, 3, 25), handler=outsider,
                  subject="外机关的秘密事项", name="外机关申请人")
            db.session.commit()
        return w
    return build


@pytest.fixture
def world(make_world):
    return make_world()


def signed_in(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def page(client, **params) -> str:
    resp = client.get("/staff/cases", query_string=params)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def rows(html: str) -> dict[str, str]:
    """tracking number → the HTML of its table row."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    out = {}
    for tr in re.findall(r"<tr[^>]*>.*?</tr>", body, re.S):
        m = re.search(r'href="/staff/cases/\d+">([^<]+)</a>', tr)
        if m:
            out[m.group(1)] = tr
    return out


def cell_text(tr: str, cls: str) -> str:
    m = re.search(rf'<td class="[^"]*\b{cls}\b[^"]*">(.*?)</td>', tr, re.S)
    assert m, f"no {cls} cell"
    text = re.sub(r"<time datetime=\"([0-9-]+)\">[^<]*</time>", r"\1", m.group(1))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


class FormReader(HTMLParser):
    """What a browser submits for each form: {form id: [(name, value), …]}."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict] = {}
        self.form = self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = {"action": a.get("action"), "fields": [], "options": {}}
            self.forms[a.get("id") or a.get("role") or str(len(self.forms))] = self.form
        elif self.form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select = a["name"]
            self.form["options"][self.select] = []
        elif tag == "option" and self.select:
            self.form["options"][self.select].append(a.get("value", ""))
            if "selected" in a:
                self.form["fields"].append((self.select, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def forms(html: str) -> dict[str, dict]:
    reader = FormReader()
    reader.feed(html)
    return reader.forms


def submitted(form: dict) -> dict[str, list[str]]:
    """The form's fields as a browser sends them (a select with nothing selected sends its
    first option), empty values dropped."""
    out: dict[str, list[str]] = {}
    names = {n for n, _v in form["fields"]}
    pairs = form["fields"] + [(n, opts[0]) for n, opts in form["options"].items()
                              if n not in names and opts]
    for name, value in pairs:
        if value:
            out.setdefault(name, []).append(value)
    return out


def link_query(html: str, text: str) -> dict[str, list[str]]:
    m = re.search(rf'<a href="([^"]+)">{text}</a>', html)
    assert m, f"no link {text}"
    return parse_qs(urlsplit(m.group(1).replace("&amp;", "&")).query)


# -- the columns --------------------------------------------------------------------------------

def test_handler_days_left_and_flags_columns(world):
    html = page(signed_in(world.app, "registrar"))
    r = rows(html)
    assert set(r) == {"BCZ-1-OVER", "BCZ-2-SOON", "BCZ-3-LATER", "BCZ-4-DONE", "BCZ-5-LATE",
                      "BCZ-6-FORMULA", "BCZ-7-TODAY"}
    assert cell_text(r["BCZ-1-OVER"], "handler") == "韩承办"
    assert cell_text(r["BCZ-2-SOON"], "handler") == "何二"
    assert cell_text(r["BCZ-3-LATER"], "handler") == "未指定"
    # working days on the 2024 calendar (清明 off, 7 April worked)
    assert cell_text(r["BCZ-1-OVER"], "days-left") == "超期 5 个工作日"
    assert '<strong class="error overdue">' in r["BCZ-1-OVER"]
    assert r["BCZ-1-OVER"].startswith('<tr class="danger">')
    assert cell_text(r["BCZ-2-SOON"], "days-left") == "剩余 2 个工作日"
    assert cell_text(r["BCZ-3-LATER"], "days-left") == "剩余 4 个工作日"
    assert cell_text(r["BCZ-6-FORMULA"], "days-left") == "剩余 4 个工作日"
    assert cell_text(r["BCZ-7-TODAY"], "days-left") == "今日到期"
    assert cell_text(r["BCZ-4-DONE"], "days-left") == "2024-03-20 按期办结"
    assert cell_text(r["BCZ-5-LATE"], "days-left") == "2024-03-28 超期办结"
    assert 'class="badge danger">超期办结' in r["BCZ-5-LATE"]

    def flags(no):
        return re.findall(r'data-flag="([a-z_]+)"', r[no])
    assert flags("BCZ-1-OVER") == ["overdue"]
    assert flags("BCZ-2-SOON") == ["due_soon", "late_acts"]
    assert flags("BCZ-3-LATER") == ["provisional"]
    assert flags("BCZ-7-TODAY") == ["due_soon"]
    assert flags("BCZ-4-DONE") == flags("BCZ-5-LATE") == []
    for label in ("超期", "即将到期", "超期行为", "暂定"):
        assert f">{label}</span>" in html


def test_dates_and_tracking_numbers_do_not_wrap(world):
    tr = rows(page(signed_in(world.app, "handler")))["BCZ-1-OVER"]
    assert re.search(r'<td class="nowrap"><a href="/staff/cases/\d+">BCZ-1-OVER</a>', tr)
    assert '<td class="nowrap"><time datetime="2024-02-26">' in tr  # received
    assert '<td class="nowrap"><time datetime="2024-03-25">' in tr  # due
    assert '<td class="nowrap days-left">' in tr


def test_the_list_is_read_without_a_query_per_row(world):
    """Handlers come with the page; working days from one calendar (no SQL per row)."""
    from sqlalchemy import event
    client = signed_in(world.app, "handler")
    page(client)  # warm up (the calendar cache, the session user)
    counts = []
    with world.app.app_context():
        engine = db.engine
    statements = []

    def count(*_args):
        statements.append(1)
    event.listen(engine, "before_cursor_execute", count)
    try:
        for params in ({"handler": "none"}, {}):  # 2 cases without handler, then 7 with 2
            statements.clear()
            n = len(rows(page(client, **params)))
            counts.append((n, len(statements)))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    (few, few_sql), (many, many_sql) = counts
    assert (few, many) == (2, 7)
    assert many_sql == few_sql


# -- the filters --------------------------------------------------------------------------------

def test_pressing_filter_keeps_every_filter(world):
    """Open the list with filters, then submit its filter form as a browser would: the same
    filters come back (flag, handler and statuses included) and so do the same cases."""
    client = signed_in(world.app, "registrar")
    params = {"status": ["registered", "in_progress", "paused"], "flag": "due_soon",
              "handler": str(world.he), "channel": "in_person",
              "applicant_type": "natural_person", "from": "2024-03-01", "to": "2024-03-31",
              "q": "SOON", "sort": "due_on", "dir": "asc"}
    html = page(client, **params)
    assert list(rows(html)) == ["BCZ-2-SOON"]
    form = forms(html)["search"]
    assert form["action"] == "/staff/cases"
    sent = submitted(form)
    assert sent == {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    again = client.get("/staff/cases", query_string=sent).get_data(as_text=True)
    assert list(rows(again)) == ["BCZ-2-SOON"]
    assert submitted(forms(again)["search"]) == sent


@pytest.mark.parametrize("flag, expected", [
    ("overdue", {"BCZ-1-OVER"}),
    ("due_soon", {"BCZ-2-SOON", "BCZ-7-TODAY"}),
    ("late_acts", {"BCZ-2-SOON"}),
    ("provisional", {"BCZ-3-LATER"}),
])
def test_flag_filter_is_a_select_that_stays_selected(world, flag, expected):
    html = page(signed_in(world.app, "handler"), flag=flag)
    assert set(rows(html)) == expected
    assert re.search(rf'<option value="{flag}" selected>', html)
    assert submitted(forms(html)["search"])["flag"] == [flag]


def test_status_filter_is_checkboxes(world):
    html = page(signed_in(world.app, "handler"), status=["replied", "paused"])
    assert set(rows(html)) == {"BCZ-4-DONE", "BCZ-5-LATE", "BCZ-6-FORMULA"}
    boxes = re.findall(r'<input type="checkbox" name="status" value="([a-z_]+)" ?(checked)?>',
                       html)
    assert len(boxes) == 9
    assert {v for v, checked in boxes if checked} == {"replied", "paused"}
    assert "multiple" not in html.split('role="search"')[1].split("</form>")[0]


def test_handler_filter(world):
    client = signed_in(world.app, "handler")
    assert set(rows(page(client, handler=str(world.he)))) == {"BCZ-2-SOON", "BCZ-4-DONE"}
    assert set(rows(page(client, handler="none"))) == {"BCZ-3-LATER", "BCZ-6-FORMULA"}
    mine = page(client, handler="mine")
    assert set(rows(mine)) == {"BCZ-1-OVER", "BCZ-5-LATE", "BCZ-7-TODAY"}
    assert '<option value="mine" selected>我的案件</option>' in mine
    # the select offers the agency's handlers, never another agency's
    options = forms(mine)["search"]["options"]["handler"]
    assert options == ["", "mine", "none", str(world.he), str(world.han)]  # by name: 何, 韩
    assert "外机关承办" not in mine


@pytest.mark.parametrize("value", ["outsider", "999999", "99999999999999999999999", "-1", "x"])
def test_handler_filter_with_another_agencys_user_shows_nothing_of_theirs(world, value):
    client = signed_in(world.app, "handler")
    value = str(world.outsider) if value == "outsider" else value
    html = page(client, handler=value)
    assert "OTH-1-SECRET" not in html and "外机关" not in html
    if value.isdigit() and len(value) <= 9:  # a well-formed id of nobody visible: nothing
        assert rows(html) == {}
        csv_text = client.get("/staff/cases/export.csv", query_string={"handler": value}) \
            .get_data(as_text=True)
        assert len(list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))) == 1  # header
    else:  # not an id at all: ignored
        assert len(rows(html)) == 7


def test_pager_and_export_form_carry_every_filter(make_world):
    w = make_world(CASES_PER_PAGE=1)
    client = signed_in(w.app, "registrar")
    params = {"status": ["in_progress", "paused", "in_review", "replied"],
              "handler": "none", "channel": "in_person", "applicant_type": "natural_person",
              "from": "2024-03-01", "to": "2024-03-31", "q": "BCZ", "flag": "provisional",
              "sort": "tracking_no", "dir": "asc"}
    want = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    html = page(client, **params)
    assert list(rows(html)) == ["BCZ-3-LATER"]  # one page only: no pager link
    params.pop("flag")
    want.pop("flag")
    first = page(client, **params)
    assert list(rows(first)) == ["BCZ-3-LATER"]
    # next / previous carry a cursor (the row the page starts after / ends before) and the page
    nxt = link_query(first, "下一页")
    assert nxt == {**want, "page": ["2"], "after": ["tracking_no.a.3.BCZ-3-LATER"]}
    second = page(client, **nxt)
    assert list(rows(second)) == ["BCZ-6-FORMULA"] == list(rows(page(client, **params, page=2)))
    assert "第 2 / 2 页" in second
    prev = link_query(second, "上一页")
    assert prev == {**want, "page": ["1"], "before": ["tracking_no.a.6.BCZ-6-FORMULA"]}
    assert list(rows(page(client, **prev))) == ["BCZ-3-LATER"]
    export = forms(second)["export"]
    assert export["action"] == "/staff/cases/export.csv"
    assert 'formaction="/staff/cases/export.xlsx"' in second
    assert submitted(export) == want  # the filters, not the page: the export is every page


@pytest.mark.parametrize("cursor", [
    "garbage", "received_on.d.", "received_on.d.x.2024-01-01", "due_on.d.1.2024-13-45",
    "received_on.a.1.2024-01-01", "tracking_no.d.1.X", "received_on.d.99999999999999999999.",
    "received_on.d.1.2024-01-01" + "x" * 300, "submitted_at.d.1.not-a-time"])
def test_a_bad_cursor_is_ignored_never_an_error(world, cursor):
    client = signed_in(world.app, "registrar")
    plain = list(rows(page(client, page=1)))
    for arg in ("after", "before"):
        resp = client.get("/staff/cases", query_string={arg: cursor, "page": 1})
        assert resp.status_code == 200
        assert list(rows(resp.get_data(as_text=True))) == plain


# -- the export ---------------------------------------------------------------------------------

def read_csv(resp) -> list[list[str]]:
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    raw = resp.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens the Chinese correctly
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export_has_every_page_the_columns_and_no_live_formula(make_world):
    w = make_world(CASES_PER_PAGE=2)
    client = signed_in(w.app, "handler")
    table = read_csv(client.get("/staff/cases/export.csv",
                                query_string={"sort": "tracking_no", "dir": "asc"}))
    assert table[0] == ["编号", "申请人", "所需信息", "收到日期", "状态", "承办人", "答复期限",
                        "剩余工作日", "办结日期", "是否按期", "标记"]
    by_no = {row[0]: row for row in table[1:]}
    assert list(by_no) == ["BCZ-1-OVER", "BCZ-2-SOON", "BCZ-3-LATER", "BCZ-4-DONE",
                           "BCZ-5-LATE", "BCZ-6-FORMULA", "BCZ-7-TODAY"]  # 4 pages, all here
    assert by_no["BCZ-1-OVER"] == ["BCZ-1-OVER", "张三", "BCZ-1-OVER 的信息", "2024-02-26",
                                   "办理中", "韩承办", "2024-03-25", "-5", "", "", "超期"]
    assert by_no["BCZ-2-SOON"][5:] == ["何二", "2024-04-03", "2", "", "", "即将到期 | 超期行为"]
    assert by_no["BCZ-3-LATER"][5:] == ["未指定", "2024-04-08", "4", "", "", "暂定"]
    assert by_no["BCZ-5-LATE"][4:] == ["已答复", "韩承办", "2024-03-22", "", "2024-03-28",
                                       "超期办结", ""]
    formula = by_no["BCZ-6-FORMULA"]
    assert formula[1] == "'" + FORMULA_NAME and formula[2] == "'" + FORMULA_SUBJECT
    assert not any(cell.startswith(("=", "+", "@")) for row in table for cell in row)


def test_csv_export_follows_the_filters(world):
    client = signed_in(world.app, "handler")
    table = read_csv(client.get("/staff/cases/export.csv",
                                query_string={"flag": "overdue", "page": 3}))
    assert [row[0] for row in table[1:]] == ["BCZ-1-OVER"]
    table = read_csv(client.get("/staff/cases/export.csv",
                                query_string={"status": ["replied"], "handler": "mine"}))
    assert [row[0] for row in table[1:]] == ["BCZ-5-LATE"]


def test_xlsx_export_same_columns_text_never_a_formula(world):
    client = signed_in(world.app, "handler")
    resp = client.get("/staff/cases/export.xlsx", query_string={"sort": "tracking_no",
                                                               "dir": "asc"})
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(resp.get_data())).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][:3] == ["编号", "申请人", "所需信息"] and len(values[0]) == 11
    assert [v[0] for v in values[1:]] == ["BCZ-1-OVER", "BCZ-2-SOON", "BCZ-3-LATER",
                                          "BCZ-4-DONE", "BCZ-5-LATE", "BCZ-6-FORMULA",
                                          "BCZ-7-TODAY"]
    over = values[1]
    assert over[3] == datetime(2024, 2, 26) and over[6] == datetime(2024, 3, 25)
    assert over[5] == "韩承办" and over[7] == -5 and over[10] == "超期"
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "BCZ-6-FORMULA")
    for cell, text in ((row[1], FORMULA_NAME), (row[2], FORMULA_SUBJECT)):
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix


def test_export_is_capped_and_says_so(make_world):
    w = make_world(CASE_EXPORT_MAX_ROWS=3)
    client = signed_in(w.app, "handler")
    resp = client.get("/staff/cases/export.csv", query_string={"sort": "tracking_no",
                                                              "dir": "asc"})
    table = read_csv(resp)
    assert resp.headers["X-Export-Truncated"] == "1"
    assert [row[0] for row in table[1:4]] == ["BCZ-1-OVER", "BCZ-2-SOON", "BCZ-3-LATER"]
    assert table[4] == [] and "仅导出了前 3 件" in table[5][0] and len(table) == 6
    ws = load_workbook(io.BytesIO(client.get("/staff/cases/export.xlsx").get_data())).active
    assert ws.max_row == 6 and "仅导出了前 3 件" in ws.cell(6, 1).value
    html = page(client)
    assert "（最多 3 件）" in html and "导出只包含前 3 件" in html
    small = client.get("/staff/cases/export.csv", query_string={"flag": "overdue"})
    assert small.headers["X-Export-Truncated"] == "0" and len(read_csv(small)) == 2


# -- the agency scope ---------------------------------------------------------------------------

@pytest.mark.parametrize("query", [{}, {"q": "外机关"}, {"q": "OTH"}, {"status": "in_progress"},
                                   {"flag": "overdue"}])
def test_exports_never_hold_another_agencys_cases(world, query):
    client = signed_in(world.app, "handler")
    for ext in ("csv", "xlsx"):
        body = client.get(f"/staff/cases/export.{ext}", query_string=query).get_data()
        if ext == "xlsx":
            ws = load_workbook(io.BytesIO(body)).active
            body = "\n".join(str(c.value) for row in ws.iter_rows() for c in row).encode()
        text = body.decode("utf-8-sig")
        assert "OTH-1-SECRET" not in text and "外机关" not in text, (ext, query)
    other = read_csv(signed_in(world.app, "oth").get("/staff/cases/export.csv"))
    assert [row[0] for row in other[1:]] == ["OTH-1-SECRET"]
    assert other[1][5] == "外机关承办"


def test_platform_admin_exports_every_agency(world):
    table = read_csv(signed_in(world.app, "platform").get("/staff/cases/export.csv"))
    assert len(table) == 9 and "OTH-1-SECRET" in {row[0] for row in table}


def test_export_needs_a_signed_in_staff_member(world):
    client = world.app.test_client()
    for ext in ("csv", "xlsx"):
        resp = client.get(f"/staff/cases/export.{ext}")
        assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"


def test_case_list_and_export_in_english(world):
    client = signed_in(world.app, "handler")
    client.set_cookie("lang", "en")
    html = page(client)
    assert "承办人</th>" not in html and "编号</th>" not in html
    table = read_csv(client.get("/staff/cases/export.csv"))
    assert table[0][0] == "Tracking number" and table[0][4] == "Status"
