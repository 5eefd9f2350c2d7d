"""Issue 15: the review table — inline preview of each version, the comparison with the
version before it, and the preview route's access and headers."""
from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import timedelta

import pytest

from disclosure.extensions import db
from disclosure.models import ReleaseItem
from disclosure.services import case_actions, cases
from disclosure.services.actors import Actor
from disclosure.services.review import replies
from disclosure.services.review.diff import Segment, preview_kind, text_rows
from disclosure.services.users import create_agency, create_user
from disclosure.timeutil import today as real_today
from tests.conftest import PASSWORD, client_anon, client_for, person_payload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _ofd() -> bytes:
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("OFD.xml", "<ofd:OFD/>")
    return buf.getvalue()


@pytest.fixture
def clients(app, staff):
    return {role: client_for(app, role) for role in ("handler", "reviewer", "registrar")}


@pytest.fixture
def case(staff):
    day = real_today() - timedelta(days=3)
    return cases.register_paper(staff["registrar"].agency, person_payload(), "in_person", day,
                                Actor.of(staff["registrar"]), day).case


def _fresh():
    db.session.rollback()  # a new snapshot: see what the requests committed


def _items(case):
    _fresh()
    return replies.items_of(case)


def _upload(h, case, name, body):
    resp = h.post(f"/staff/cases/{case.id}/reply/documents",
                  data={"document": (io.BytesIO(body), name)}, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]


def _draft(h, case, letter=""):
    resp = h.post(f"/staff/cases/{case.id}/reply", data={"reply_type": "art36_2", "letter": letter})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]


def _submit(h, case):
    assert h.post(f"/staff/cases/{case.id}/reply/submit").status_code == 302


def _decide(r, case, item, decision="approved", reason=None):
    _fresh()
    v = db.session.get(ReleaseItem, item.id).current
    data = {"decision": decision, "version_id": str(v.id), "sha256": v.sha256}
    if reason:
        data["reason"] = reason
    return r.post(f"/staff/cases/{case.id}/reply/items/{item.id}/decide", data=data)


def _page(c, case) -> str:
    resp = c.get(f"/staff/cases/{case.id}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _preview_url(case, item, version=None):
    version = version or item.current
    return f"/staff/cases/{case.id}/items/{item.id}/versions/{version.id}/preview"


# -- the preview route ---------------------------------------------------------------------------

def test_a_pdf_is_previewed_inline_and_only_same_origin_may_frame_it(clients, case):
    h, r = clients["handler"], clients["reviewer"]
    _draft(h, case)
    _upload(h, case, "批复.pdf", PDF)
    _submit(h, case)
    letter, doc = _items(case)
    resp = r.get(_preview_url(case, doc))
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("inline")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "default-src 'none'" in csp
    assert "script-src" not in csp  # nothing may run (default-src 'none')
    assert resp.headers["Cache-Control"] == "no-store"
    resp.close()
    # the download and every page keep the app's headers
    dl = r.get(f"/staff/cases/{case.id}/items/{doc.id}/versions/{doc.current.id}")
    assert dl.headers["Content-Disposition"].startswith("attachment")
    dl.close()
    for other in (dl, r.get(f"/staff/cases/{case.id}")):
        assert other.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    # the page frames the preview (an <iframe>: the page's CSP forbids <object>)
    html = _page(r, case)
    assert f'<iframe src="{_preview_url(case, doc)}"' in html
    assert "<object" not in html


def test_an_image_is_an_img_and_ofd_and_text_are_not_previewed(clients, case):
    h, r = clients["handler"], clients["reviewer"]
    _draft(h, case)
    _upload(h, case, "附图.png", _png())
    _upload(h, case, "公文.ofd", _ofd())
    _submit(h, case)
    letter, png, ofd = _items(case)
    resp = r.get(_preview_url(case, png))
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert resp.headers["Content-Disposition"].startswith("inline")
    resp.close()
    html = _page(r, case)
    assert f'<img src="{_preview_url(case, png)}"' in html
    assert r.get(_preview_url(case, ofd)).status_code == 404  # only ever downloaded
    assert r.get(_preview_url(case, letter)).status_code == 404  # text: shown in the page
    assert "此类文件不能在页面中预览" in html


def test_the_preview_is_reached_exactly_as_the_download(app, clients, case, staff):
    h, r = clients["handler"], clients["reviewer"]
    _draft(h, case)
    _upload(h, case, "批复.pdf", PDF)
    _submit(h, case)
    letter, doc = _items(case)
    other = cases.register_paper(staff["registrar"].agency, person_payload(), "in_person",
                                 real_today(), Actor.of(staff["registrar"]), real_today()).case
    v = doc.current
    for url in (f"/staff/cases/{case.id}/items/{letter.id}/versions/{v.id}/preview",
                f"/staff/cases/{other.id}/items/{doc.id}/versions/{v.id}/preview",
                f"/staff/cases/{case.id}/items/{doc.id}/versions/999999/preview",
                f"/staff/cases/999999/items/{doc.id}/versions/{v.id}/preview"):
        assert r.get(url).status_code == 404, url
    create_agency("OTH", "另一镇人民政府")
    create_user("oth-reviewer", PASSWORD, "OTH", ["reviewer"], "外机关审查员")
    assert client_for(app, "oth-reviewer").get(_preview_url(case, doc)).status_code == 404
    anon = client_anon(app).get(_preview_url(case, doc))
    assert anon.status_code in (302, 401, 403) and anon.data != PDF
    anon.close()


# -- the comparison ----------------------------------------------------------------------------

def test_a_new_letter_version_is_compared_with_the_previous_one_escaped(clients, case):
    h, r = clients["handler"], clients["reviewer"]
    _draft(h, case)
    _upload(h, case, "批复.pdf", PDF)
    _submit(h, case)
    letter, doc = _items(case)
    old_text, n = letter.current.text, letter.current.number
    # (adding the document already made letter version 2: its package names the documents)
    html = _page(r, case)
    assert f"与第 {n - 1} 版对比" in html and html.count("版对比") == 1  # version 1 of the doc
    assert _decide(r, case, letter, "rejected", "须补充说明").status_code == 302
    assert _decide(r, case, doc).status_code == 302
    new_text = old_text + "\n补充说明：<script>alert(1)</script>"
    _draft(h, case, new_text)
    _submit(h, case)
    html = _page(r, case)
    assert f"与第 {n} 版对比" in html
    assert "<script>alert(1)</script>" not in html
    assert "<ins>补充说明：&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in html
    assert f"第 {n} 版（上一版）" in html and f"第 {n + 1} 版（当前）" in html
    # the document did not change: no comparison for it, and it needs no new decision
    assert html.count("版对比") == 1 and f"/reply/items/{doc.id}/decide" not in html


def test_a_replaced_document_shows_both_files_side_by_side(clients, case):
    h, r = clients["handler"], clients["reviewer"]
    _draft(h, case)
    _upload(h, case, "批复.pdf", PDF)
    _submit(h, case)
    letter, doc = _items(case)
    first = doc.current
    assert _decide(r, case, letter).status_code == 302
    assert _decide(r, case, doc, "rejected", "须删除处理").status_code == 302
    resp = h.post(f"/staff/cases/{case.id}/reply/documents/{doc.id}/replace",
                  data={"document": (io.BytesIO(PDF + b"redacted"), "批复（删除处理）.pdf")},
                  content_type="multipart/form-data")
    assert resp.status_code == 302
    _submit(h, case)
    doc = _items(case)[1]
    html = _page(r, case)
    assert "与第 1 版对比" in html  # the document
    assert html.count("版对比") == 2  # and the letter (its package names the document)
    assert first.content_sha256 in html and doc.current.content_sha256 in html
    assert "批复.pdf" in html and "批复（删除处理）.pdf" in html
    assert "文件已更换" in html
    assert _preview_url(case, doc, first) in html and _preview_url(case, doc) in html
    # the letter's new version: same text, another document list
    assert "正文未改动" in html and "随同发出的其他内容的变化" in html


# -- every pending item keeps its controls after a rejection ------------------------------------

def test_after_a_rejection_the_reviewer_still_decides_every_other_item(clients, case):
    h, r = clients["handler"], clients["reviewer"]
    _draft(h, case)
    _upload(h, case, "批复.pdf", PDF)
    _upload(h, case, "附图.png", _png())
    _submit(h, case)
    letter, doc, png = _items(case)
    assert _decide(r, case, letter, "rejected", "法律依据写错").status_code == 302
    html = _page(r, case)
    assert "其余内容审查完毕后，案件退回承办人修改" in html  # the flash says what happens next
    assert f"/reply/items/{letter.id}/decide" not in html
    for item in (doc, png):
        assert f"/reply/items/{item.id}/decide" in html
    assert re.search(r'class="badge nowrap danger">已退回<', html)
    assert html.count('class="badge nowrap warn">待审查<') == 2
    assert _decide(r, case, doc).status_code == 302
    _fresh()
    assert db.session.get(type(case), case.id).status == "in_review"
    assert _decide(r, case, png).status_code == 302
    _fresh()
    assert db.session.get(type(case), case.id).status == "in_progress"
    assert "案件已退回承办人修改" in _page(r, case)


def test_a_referred_item_gets_its_form_back_when_the_case_returns_to_review(clients, case,
                                                                            staff):
    h, r = clients["handler"], clients["reviewer"]
    _draft(h, case)
    _upload(h, case, "批复.pdf", PDF)
    _submit(h, case)
    letter, doc = _items(case)
    assert _decide(r, case, doc, "referred", "报保密行政管理部门确定").status_code == 302
    _fresh()
    case = db.session.get(type(case), case.id)
    case_actions.end_consultation(case, Actor.of(staff["handler"]), real_today())
    _submit(h, case)
    html = _page(r, case)
    assert "已报送确定" in html and f"/reply/items/{doc.id}/decide" in html
    assert _decide(r, case, doc).status_code == 302


# -- the diff data --------------------------------------------------------------------------------

def test_text_rows_mark_changed_characters_and_fold_unchanged_runs():
    old = "\n".join(f"第{i}条" for i in range(1, 21))
    new = old.replace("第5条", "第五条").replace("第15条\n", "") + "\n附则"
    rows = text_rows(old, new)
    kinds = [r.kind for r in rows]
    assert kinds.count("changed") == 1 and kinds.count("deleted") == 1
    assert kinds.count("inserted") == 1 and "folded" in kinds
    changed = next(r for r in rows if r.kind == "changed")
    assert (changed.old_no, changed.new_no) == (5, 5)
    assert changed.old == (Segment("第"), Segment("5", True), Segment("条"))
    assert changed.new == (Segment("第"), Segment("五", True), Segment("条"))
    deleted = next(r for r in rows if r.kind == "deleted")
    assert deleted.old_no == 15 and deleted.new_no is None
    assert sum(r.folded for r in rows) + sum(r.kind == "equal" for r in rows) == 18
    assert text_rows("同样", "同样") == []


def test_only_pdf_png_jpeg_are_previewable():
    assert preview_kind("application/pdf", "a" * 32 + ".pdf") == "pdf"
    assert preview_kind("image/png", "a" * 32 + ".png") == "image"
    assert preview_kind("image/jpeg", "a" * 32 + ".jpg") == "image"
    for ctype, name in (("application/ofd", "x.ofd"), ("text/html", "x.html"),
                        ("image/svg+xml", "x.svg"), ("application/pdf", "x.html"),
                        ("image/png", None), (None, "x.pdf")):
        assert preview_kind(ctype, name) is None
