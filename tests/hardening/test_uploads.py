"""Uploads (issue 6, security): the type is decided by the content, never the name; a size
limit; files stored under the instance folder with random names and no path from the user;
downloads always as attachments with nosniff — on every upload and download route."""
from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from disclosure.extensions import db
from disclosure.models import Attachment, Case, ItemVersion
from disclosure.services import applicant_view, cases, uploads
from disclosure.services.actors import Actor
from disclosure.services.review import replies
from disclosure.services.review import seen as review_seen
from disclosure.services.users import create_agency
from tests.conftest import login, person_payload


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name, "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
    return buf.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
OFD = _zip(["OFD.xml", "Doc_0/Document.xml"])
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
PLAIN_ZIP = _zip(["readme.txt"])
POLYGLOT = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"

REFUSED = {  # (content, a name that lies about it)
    "exe renamed .pdf": (EXE, "申请材料.pdf"),
    "html named .png": (HTML, "photo.png"),
    "svg with script named .png": (SVG, "logo.png"),
    "elf named .jpg": (ELF, "scan.jpg"),
    "zip without OFD.xml named .ofd": (PLAIN_ZIP, "文件.ofd"),
    "truncated png signature": (PNG[:6], "x.png"),
    "empty file": (b"", "empty.pdf"),
}
ACCEPTED = {  # content → the type (and the name) stored, whatever the name and declared type say
    "png": (PNG, "photo.png", "image/png", "photo.png"),
    "png named .pdf": (PNG, "扫描件.pdf", "image/png", "扫描件.png"),
    "jpeg": (JPG, "id.jpg", "image/jpeg", "id.jpg"),
    "jpeg named .jpeg": (JPG, "id2.JPEG", "image/jpeg", "id2.JPEG"),
    "pdf": (PDF, "材料.pdf", "application/pdf", "材料.pdf"),
    "ofd": (OFD, "批复.ofd", "application/ofd", "批复.ofd"),
    "pdf/html polyglot": (POLYGLOT, "a.html", "application/pdf", "a.pdf"),
    "pdf without extension": (PDF, "scan", "application/pdf", "scan.pdf"),
}
FORM = {
    "agency": "BCZ", "applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
    "id_number": "11010519491231002X", "phone": "13800000000", "address": "包场镇1号",
    "subject": "某村道路拓宽工程的立项批复", "delivery_form": "electronic",
    "delivery_method": "online", "step": "confirm"}  # the review page's 确认提交 (issue 16)


def multipart(fields: dict) -> dict:
    """A multipart body built in memory, each file declared as text/html (the declared type
    must not matter)."""
    values = MultiDict()
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, tuple):
                data, name = item
                item = FileStorage(stream=io.BytesIO(data), filename=name, content_type="text/html")
            values.add(key, item)
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def stored_files(app) -> list[str]:
    folder = os.path.join(app.instance_path, "uploads")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def all_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY="2024-09-27")


def apply_with(client, **files):
    return client.post("/apply", **multipart({**FORM, **files}))


# -- type by content ------------------------------------------------------------------------------

def test_files_whose_content_is_not_an_allowed_type_are_refused_whatever_their_name(
        app, client, agency):
    problems = []
    for label, (data, name) in REFUSED.items():
        resp = apply_with(client, supporting=[(data, name)])
        html = resp.get_data(as_text=True)
        if resp.status_code != 400 or not ("文件类型不支持" in html or "文件为空" in html):
            problems.append(f"{label}: {resp.status_code}")
    assert problems == []
    assert count(Case) == 0 and count(Attachment) == 0
    assert stored_files(app) == []


def test_allowed_types_are_recognised_by_their_content(app, client, agency):
    for label, (data, name, _mime, _kept) in ACCEPTED.items():
        resp = apply_with(client, id_scan=(data, name))
        assert resp.status_code == 302, (label, resp.get_data(as_text=True)[:500])
    atts = list(db.session.execute(select(Attachment)).scalars())
    stored = {a.filename: a.content_type for a in atts}
    assert stored == {kept: mime for _d, _n, mime, kept in ACCEPTED.values()}
    assert "text/html" not in stored.values()
    # issue 12: the name (shown and used for downloads) and the stored file end in the
    # extension of the sniffed type, never the claimed one
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg",
           "application/ofd": "ofd"}
    assert all(a.stored_name.endswith("." + ext[a.content_type]) for a in atts)


def test_one_refused_file_stores_nothing_at_all(app, client, agency):
    resp = apply_with(client, id_scan=(PNG, "id.png"),
                      supporting=[(PDF, "ok.pdf"), (HTML, "x.pdf")])
    assert resp.status_code == 400
    assert count(Case) == 0 and stored_files(app) == []


def test_every_upload_route_sniffs_the_content(login_as, staff, app):
    """Staff routes too: paper registration, reply documents, catalogue attachments."""
    client = login_as("handler")
    day = date(2024, 9, 27)
    case = cases.register_paper(staff["registrar"].agency, person_payload(), "in_person", day,
                                Actor.of(staff["registrar"]), day).case
    replies.draft_reply(case, "art36_2", None, Actor.of(staff["handler"]), date(2024, 10, 8))
    resp = client.post(f"/staff/cases/{case.id}/reply/documents",
                       **multipart({"document": (HTML, "批复.pdf")}))
    assert resp.status_code == 400 and "文件类型不支持" in resp.get_data(as_text=True)
    resp = client.post("/staff/catalogue/new", data={
        "title": "某规范性文件", "category": "normative_document", "issued_on": "2024-09-01",
        "body": "正文"})
    entry_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    resp = client.post(f"/staff/catalogue/{entry_id}/attachments",
                       **multipart({"attachment": (EXE, "附件.pdf")}))
    assert resp.status_code == 400 and "文件类型不支持" in resp.get_data(as_text=True)
    client = login_as("registrar")
    resp = client.post("/staff/register", **multipart({
        **{k: v for k, v in FORM.items() if k != "agency"}, "channel": "in_person",
        "received_on": "2024-09-27", "supporting": [(SVG, "scan.png")]}))
    assert resp.status_code == 400
    assert count(ItemVersion) == 2  # the reply letter and the catalogue entry's text, no file
    assert count(Attachment) == 0 and stored_files(app) == []


# -- size -----------------------------------------------------------------------------------------

def test_file_over_the_size_limit_is_refused(make_app):
    app = make_app(FIXED_TODAY="2024-09-27", UPLOAD_MAX_BYTES=64 * 1024)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        client = app.test_client()
        resp = apply_with(client, supporting=[(PDF + b"0" * (64 * 1024), "big.pdf")])
        assert resp.status_code == 400
        assert "文件过大" in resp.get_data(as_text=True)
        exactly = PDF + b"0" * (64 * 1024 - len(PDF))
        assert apply_with(client, supporting=[(exactly, "limit.pdf")]).status_code == 302
        assert count(Attachment) == 1


def test_request_over_the_whole_request_limit_is_a_413(make_app):
    app = make_app(FIXED_TODAY="2024-09-27", MAX_CONTENT_LENGTH=256 * 1024)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        resp = apply_with(app.test_client(), supporting=[(PDF + b"0" * (300 * 1024), "huge.pdf")])
        assert resp.status_code == 413
        assert "提交的内容过大" in resp.get_data(as_text=True)
        assert count(Case) == 0 and stored_files(app) == []


# -- storage --------------------------------------------------------------------------------------

HOSTILE_NAMES = ["../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf", "/etc/cron.d/evil.pdf",
                 "C:\\evil.pdf", "a\x00b.pdf", "../../instance/config.py", "....//....//x.pdf"]


def test_stored_under_the_instance_folder_with_a_random_name_only(app, client, agency, tmp_path):
    uploads_dir = Path(app.instance_path, "uploads").relative_to(tmp_path)
    for name in HOSTILE_NAMES:
        before = all_files(tmp_path)
        resp = apply_with(client, supporting=[(PDF, name)])
        assert resp.status_code in (302, 400), name  # a NUL in the name may be refused outright
        written = {f for f in all_files(tmp_path) - before if not f.startswith("test.sqlite")}
        assert all(Path(f).parent == uploads_dir for f in written), (name, written)
        assert all(re.fullmatch(r"[0-9a-f]{32}\.pdf", Path(f).name) for f in written), \
            (name, written)
        if resp.status_code == 302:
            att = db.session.execute(
                select(Attachment).order_by(Attachment.id.desc())).scalars().first()
            assert "/" not in att.filename and "\\" not in att.filename, name  # a label, no path
            assert re.fullmatch(r"[0-9a-f]{32}\.pdf", att.stored_name)
            assert Path(app.instance_path, "uploads", att.stored_name).read_bytes() == PDF
    assert count(Attachment) >= len(HOSTILE_NAMES) - 1
    assert not (tmp_path / "etc").exists() and not Path("/etc/passwd.pdf").exists()


def test_two_uploads_of_the_same_file_get_different_random_names(app, client, agency):
    apply_with(client, supporting=[(PDF, "same.pdf")])
    apply_with(client, supporting=[(PDF, "same.pdf")])
    names = [a.stored_name for a in db.session.execute(select(Attachment)).scalars()]
    assert len(names) == 2 and len(set(names)) == 2


def test_a_stored_name_that_is_not_random_hex_is_never_opened(ctx):
    for stored_name in ["../config.py", "..", "/etc/passwd", "ABC", "a/b", "0a/../../x",
                        "0" * 32 + ".html", "0" * 32 + ".pdf/../x", "0" * 32 + ".pdf\x00"]:
        with pytest.raises(ValueError):
            uploads.path_of(stored_name)


# -- downloads ------------------------------------------------------------------------------------

def assert_download(resp, mime: str, data: bytes) -> None:
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.mimetype == mime
    assert resp.data == data
    resp.close()


def test_staff_attachment_download_is_an_attachment_with_nosniff(app, client, staff):
    assert apply_with(client, supporting=[(POLYGLOT, "看我.html")]).status_code == 302
    att = db.session.execute(select(Attachment)).scalar_one()
    assert login(client, "registrar").status_code == 302
    resp = client.get(f"/staff/cases/{att.case_id}/attachments/{att.id}")
    assert_download(resp, "application/pdf", POLYGLOT)  # never text/html, never inline


def test_header_injection_through_the_file_name_is_impossible(app, client, staff):
    name = 'a"; filename=evil.html\r\nX-Evil: 1\r\n.pdf'
    assert apply_with(client, supporting=[(PDF, name)]).status_code == 302
    att = db.session.execute(select(Attachment)).scalar_one()
    assert "\r" not in att.filename and "\n" not in att.filename
    assert login(client, "registrar").status_code == 302
    resp = client.get(f"/staff/cases/{att.case_id}/attachments/{att.id}")
    assert "X-Evil" not in resp.headers
    disposition = resp.headers["Content-Disposition"]
    assert "\n" not in disposition and disposition.startswith("attachment")
    resp.close()


@pytest.fixture
def released(staff):
    """A paper case with a released reply carrying a PNG document (through the review gate)."""
    who = {k: Actor.of(u) for k, u in staff.items()}
    sub = cases.register_paper(staff["registrar"].agency, person_payload(), "in_person",
                               date(2024, 9, 27), who["registrar"], date(2024, 9, 27))
    case = sub.case
    replies.draft_reply(case, "art36_2", None, who["handler"], date(2024, 10, 8))
    replies.add_document(case, uploads.Upload("附图.png", PNG), False, who["handler"],
                         date(2024, 10, 8))
    replies.submit_for_review(case, who["handler"], date(2024, 10, 9))
    for item in replies.items_of(case):
        replies.decide(case, item.id, "approved", None, who["reviewer"], date(2024, 10, 10),
                       **review_seen(item))
    replies.release_reply(case, who["handler"], date(2024, 10, 11))
    return case, sub.query_code


def test_every_download_route_sends_attachment_and_nosniff(app, client, released):
    case, code = released
    [doc] = applicant_view.public_reply(case)["documents"]
    # the applicant, through the API
    assert_download(client.get(doc["url"], headers={"X-Query-Code": code}), "image/png", PNG)
    # the applicant, through the status page (the code is posted, not put in the URL)
    release_id = int(doc["url"].rsplit("/", 1)[1])
    resp = client.post("/status/document", data={"tracking_no": case.tracking_no,
                                                 "query_code": code, "release_id": release_id})
    assert_download(resp, "image/png", PNG)
    # staff, the exact version the reviewer saw
    item = next(i for i in replies.items_of(case) if i.kind == "document")
    assert login(client, "reviewer").status_code == 302
    resp = client.get(f"/staff/cases/{case.id}/items/{item.id}/versions/{item.current.id}")
    assert_download(resp, "image/png", PNG)


def test_a_version_url_with_swapped_ids_is_refused(app, client, released, staff):
    """services.access.load_version: the case, the item and the version must belong together —
    a reviewer cannot reach a version through another item's or another case's URL."""
    case, _code = released
    items = replies.items_of(case)
    doc = next(i for i in items if i.kind == "document")
    letter = next(i for i in items if i.kind != "document")
    other = cases.register_paper(staff["registrar"].agency, person_payload(), "in_person",
                                 date(2024, 9, 27), Actor.of(staff["registrar"]),
                                 date(2024, 9, 27)).case
    doc_id, doc_version, letter_id, case_id, other_id = (
        doc.id, doc.current.id, letter.id, case.id, other.id)
    assert login(client, "reviewer").status_code == 302
    base = f"/staff/cases/{case_id}/items/{doc_id}/versions/{doc_version}"
    assert_download(client.get(base), "image/png", PNG)
    for url in (f"/staff/cases/{case_id}/items/{letter_id}/versions/{doc_version}",
                f"/staff/cases/{other_id}/items/{doc_id}/versions/{doc_version}",
                f"/staff/cases/{case_id}/items/{doc_id}/versions/999999"):
        assert client.get(url).status_code == 404, url
