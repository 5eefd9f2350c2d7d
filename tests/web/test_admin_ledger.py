"""Admin ledger pages: upload (all-or-nothing, errors in Chinese) and export download."""
from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import Case, Event
from tests.domain.test_ledger_parse import EXAMPLE, MINIMAL

URL = "/admin/ledger/"


def jsonl(*objs) -> bytes:
    return "\n".join(json.dumps(o, ensure_ascii=False) for o in objs).encode("utf-8")


def upload(client, data: bytes, **fields):
    form = {"file": (io.BytesIO(data), "台账.jsonl"), **fields}
    return client.post(URL, data=form, content_type="multipart/form-data")


def cases() -> int:
    return db.session.execute(select(func.count()).select_from(Case)).scalar_one()


def test_page_needs_an_admin(client, login_as):
    assert client.get(URL).status_code == 302  # anonymous → login
    assert client.get("/admin/ledger/export.jsonl").status_code == 302
    login_as("handler")
    assert client.get(URL).status_code == 403
    assert client.get("/admin/ledger/export.jsonl").status_code == 403
    assert upload(client, jsonl(MINIMAL)).status_code == 403
    assert cases() == 0


def test_upload_page_shows_the_form(login_as):
    page = login_as("admin").get(URL).get_data(as_text=True)
    assert 'type="file"' in page and "只校验，不导入" in page and "下载 .jsonl" in page


def test_upload_imports_the_file(login_as):
    client = login_as("admin")
    resp = upload(client, b"\xef\xbb\xbf" + jsonl(EXAMPLE, MINIMAL))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(URL)
    assert "导入完成：新增 2 件，已存在且相同 0 件" in client.get(URL).get_data(as_text=True)
    assert cases() == 2
    event = db.session.execute(select(Event).where(Event.action == "import")).scalars().first()
    assert event.actor_label == "admin-name"  # the signed-in admin is the actor
    resp = upload(client, jsonl(EXAMPLE, MINIMAL))
    assert resp.status_code == 302 and cases() == 2
    assert "新增 0 件，已存在且相同 2 件" in client.get(URL).get_data(as_text=True)


def test_upload_with_errors_lists_them_and_imports_nothing(login_as):
    client = login_as("admin")
    bad = {**MINIMAL, "received_on": "2024-02-30",
           "applicant": {"type": "natural_person", "name": "王五", "id_type": "resident_id",
                         "id_number": "110105194912310021"}}
    resp = upload(client, jsonl(EXAMPLE, bad, {**MINIMAL, "channel": "<b>x</b>"}))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "发现 3 处错误，未导入任何案件" in page
    assert "第 2 行" in page and "收到申请之日无效：2024-02-30 不是真实存在的日期" in page
    assert "身份证号码最后一位不对，请核对" in page and "bad_check_digit" in page
    assert "第 3 行" in page and "&lt;b&gt;" in page and "<b>x</b>" not in page
    assert cases() == 0


def test_dry_run_checks_only(login_as):
    client = login_as("admin")
    resp = upload(client, jsonl(EXAMPLE, MINIMAL), dry_run="y")
    assert resp.status_code == 200
    assert "校验通过（试运行，未写入）：可新增 2 件" in resp.get_data(as_text=True)
    assert cases() == 0


def test_agency_choice_applies_to_lines_without_agency(login_as):
    client = login_as("admin")
    line = {k: v for k, v in MINIMAL.items() if k != "agency"}
    assert upload(client, jsonl(line)).status_code == 400
    assert upload(client, jsonl(line), agency="BCZ").status_code == 302
    assert db.session.execute(select(Case.tracking_no)).scalar_one() == "BCZ-2024-000001"


def test_missing_or_undecodable_file(login_as):
    client = login_as("admin")
    resp = client.post(URL, data={}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "请选择要导入的台账文件" in resp.get_data(as_text=True)
    resp = upload(client, "张三".encode("gbk"))
    assert resp.status_code == 400 and "不是 UTF-8 编码" in resp.get_data(as_text=True)
    assert cases() == 0


def test_export_download(login_as):
    client = login_as("admin")
    upload(client, jsonl(EXAMPLE, {**MINIMAL, "received_on": "2023-05-05"}))
    resp = client.get("/admin/ledger/export.jsonl", query_string={"as_of": "2024-06-03"})
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == (
        'attachment; filename="ledger-BCZ-2024-06-03.jsonl"')
    assert resp.mimetype == "application/x-ndjson"
    body = resp.get_data(as_text=True)
    assert "张三" in body
    lines = [json.loads(x) for x in body.splitlines()]
    assert [x["tracking_no"] for x in lines] == ["BCZ-2024-000017", "BCZ-2023-000001"]
    assert lines[1]["overdue"] is True and lines[0]["overdue"] is False
    resp = client.get("/admin/ledger/export.jsonl", query_string={"year": "2023", "agency": "BCZ"})
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="ledger-BCZ-2023-')
    assert [json.loads(x)["tracking_no"] for x in resp.get_data(as_text=True).splitlines()] == [
        "BCZ-2023-000001"]
    assert client.get("/admin/ledger/export.jsonl?agency=NOPE").status_code == 404


# -- issue 13: late acts (rules.md R8.1) are imported as history and listed ------------------------
LATE = [
    {**MINIMAL, "tracking_no": "LATE-S", "received_on": "2025-03-03", "events": [
        {"type": "supplement_requested", "on": "2025-04-14"},
        {"type": "supplement_received", "on": "2025-04-20"}]},
    {**MINIMAL, "received_on": "2024-09-27", "events": [
        {"type": "fee_notified", "on": "2024-10-31", "method": "per_case",
         "amount_yuan": "100.00"}]},
]


def test_dry_run_and_import_list_the_late_acts(login_as):
    client = login_as("admin")
    resp = upload(client, jsonl(*LATE, MINIMAL), dry_run="y")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and cases() == 0
    assert "其中 2 件记录了超过法定期限才作出的行为，将作为历史记录导入并标记" in page
    assert "补正告知超过 7 个工作日发出" in page and "收费通知在答复期限届满后发出" in page
    assert "<code>supplement_notice_late</code>" in page and "LATE-S" in page
    assert "（编号待分配）" in page  # line 2 gets its number on import
    resp = upload(client, jsonl(*LATE, MINIMAL))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and cases() == 3  # shown once, here, not after a redirect
    assert "导入完成：新增 3 件，已存在且相同 0 件" in page
    assert "已作为历史记录导入并标记，不影响答复期限" in page
    assert "BCZ-2024-000001" in page and "<code>fee_notice_late</code>" in page
    assert "超过法定期限" not in client.get(URL).get_data(as_text=True)


def test_late_acts_in_english(login_as):
    client = login_as("admin")
    client.get("/lang/en")
    page = upload(client, jsonl(*LATE), dry_run="y").get_data(as_text=True)
    assert "supplement_notice_late" in page
    from i18n_tools import CJK
    section = page[page.index('class="late-acts"'):page.index("</section>")]
    assert not CJK.search(section), section
