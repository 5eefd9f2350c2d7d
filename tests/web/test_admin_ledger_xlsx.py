"""Admin ledger page with Excel (docs/ledger.md "Excel 台账"): an .xlsx is uploaded like a
.jsonl (all-or-nothing, errors by sheet, row and column), the template and the export download."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import Case, Event
from tests.domain.test_ledger_parse import EXAMPLE
from tests.services.test_ledger_xlsx import PERSON, book, rows_of

URL = "/admin/ledger/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, data: bytes, name: str = "台账.xlsx", **fields):
    form = {"file": (io.BytesIO(data), name), **fields}
    return client.post(URL, data=form, content_type="multipart/form-data")


def cases() -> int:
    return db.session.execute(select(func.count()).select_from(Case)).scalar_one()


GOOD = book(cases=[{**PERSON, "序号": 1, "申请编号": "X-1", "收到申请日期": datetime(2024, 3, 1)},
                   {**PERSON, "序号": 2, "收到申请日期": "2024/3/4"}],
            events=[{"案件序号": 1, "事件类型": "supplement_requested", "日期": "2024年3月4日"}],
            appeals=[{"案件序号": 2, "类型": "reconsideration", "提起日期": "2024-04-01"}])
BAD = book(cases=[{**PERSON, "序号": 1, "收到申请日期": "2024-03-01"},
                  {**PERSON, "序号": 2, "收到申请日期": "2024-02-30", "提交方式": "<b>x</b>"}],
           events=[{"案件序号": 7, "事件类型": "withdrawn", "日期": "2024-03-04"}])


def test_only_an_admin_gets_the_template_and_the_excel_export(client, login_as):
    assert client.get("/admin/ledger/template.xlsx").status_code == 302
    assert client.get("/admin/ledger/export.xlsx").status_code == 302
    login_as("handler")
    assert client.get("/admin/ledger/template.xlsx").status_code == 403
    assert client.get("/admin/ledger/export.xlsx").status_code == 403
    assert upload(client, GOOD).status_code == 403 and cases() == 0


def test_page_offers_excel_beside_jsonl(login_as):
    page = login_as("admin").get(URL).get_data(as_text=True)
    assert 'href="/admin/ledger/template.xlsx"' in page and "下载 Excel 台账模板（.xlsx）" in page
    assert "下载 .jsonl" in page and "下载 .xlsx" in page
    assert 'formaction="/admin/ledger/export.xlsx"' in page


def test_upload_imports_a_workbook(login_as):
    client = login_as("admin")
    resp = upload(client, GOOD)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(URL)
    assert "导入完成：新增 2 件，已存在且相同 0 件" in client.get(URL).get_data(as_text=True)
    assert cases() == 2
    event = db.session.execute(select(Event).where(Event.action == "import")).scalars().first()
    assert event.actor_label == "admin-name"
    resp = upload(client, GOOD, name="another name.bin")  # by content, not by name
    assert resp.status_code == 302 and cases() == 2


def test_upload_with_errors_lists_sheet_row_and_column(login_as):
    client = login_as("admin")
    resp = upload(client, BAD, agency="BCZ", dry_run="y")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and cases() == 0
    assert "发现 3 处错误，未导入任何案件" in page
    assert "<th scope=\"col\">工作表</th>" in page and "<th scope=\"col\">列</th>" in page
    assert '<td lang="zh-CN">案件</td><td>第 3 行</td><td lang="zh-CN">提交方式</td>' in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert '<td lang="zh-CN">案件</td><td>第 3 行</td><td lang="zh-CN">收到申请日期</td>' in page
    assert "2024-02-30 不是真实存在的日期" in page
    assert '<td lang="zh-CN">事件</td><td>第 2 行</td><td lang="zh-CN">案件序号</td>' in page
    assert "“案件”工作表中没有序号为 7 的案件" in page and "unknown_case" in page
    # the form keeps what the administrator chose
    assert '<option selected value="BCZ">' in page
    assert '<input checked id="dry_run" name="dry_run" type="checkbox" value="y">' in page


def test_a_missing_sheet_is_shown_without_a_row(login_as):
    client = login_as("admin")
    page = upload(client, book(sheets=("案件", "事件"))).get_data(as_text=True)
    assert '<td lang="zh-CN">复议诉讼</td><td></td><td lang="zh-CN"></td><td>缺少此工作表' in page
    assert cases() == 0


def test_a_broken_or_old_excel_file_is_refused_not_a_500(login_as):
    client = login_as("admin")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "x")
    for data, name, words in (
            (b"not a workbook at all", "台账.xlsx", "不是有效的 Excel 工作簿"),
            (b"PK\x03\x04\x14\x00broken", "ledger.jsonl", "不是有效的 Excel 工作簿"),
            (zipped.getvalue(), "台账.xlsx", "不是有效的 Excel 工作簿"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "台账.xls", "另存为 .xlsx")):
        resp = upload(client, data, name=name, agency="BCZ")
        page = resp.get_data(as_text=True)
        assert resp.status_code == 400, name
        assert words in page and '<option selected value="BCZ">' in page
    assert cases() == 0


def test_jsonl_uploads_still_work(login_as):
    client = login_as("admin")
    resp = upload(client, json.dumps(EXAMPLE, ensure_ascii=False).encode(), name="台账.jsonl")
    assert resp.status_code == 302 and cases() == 1


def test_template_download(login_as):
    resp = login_as("admin").get("/admin/ledger/template.xlsx")
    assert resp.status_code == 200 and resp.mimetype == XLSX
    assert resp.headers["Content-Disposition"] == 'attachment; filename="ledger-template.xlsx"'
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames[:4] == ["案件", "事件", "复议诉讼", "说明"]
    notes = [r for r in wb["说明"].iter_rows(values_only=True)]
    assert ("BCZ", "包场镇人民政府") in {r[:2] for r in notes}  # the agencies one may import for


def test_excel_export_download(login_as):
    client = login_as("admin")
    assert upload(client, GOOD).status_code == 302
    resp = client.get("/admin/ledger/export.xlsx", query_string={"as_of": "2024-06-03"})
    assert resp.status_code == 200 and resp.mimetype == XLSX
    assert resp.headers["Content-Disposition"] == (
        'attachment; filename="ledger-BCZ-2024-06-03.xlsx"')
    rows = rows_of(resp.data, "案件")
    assert [r["申请编号"] for r in rows] == ["X-1", "BCZ-2024-000001"]
    assert rows[1]["是否逾期（系统计算）"] == "是"
    assert [r["事件类型"] for r in rows_of(resp.data, "事件")] == ["supplement_requested"]
    assert client.get("/admin/ledger/export.xlsx?agency=NOPE").status_code == 404
    # the export goes back in unchanged
    resp = upload(client, resp.data)
    assert resp.status_code == 302 and cases() == 2
    assert "新增 0 件，已存在且相同 2 件" in client.get(URL).get_data(as_text=True)
