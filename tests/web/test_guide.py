"""政府信息公开指南 (条例第二十二条, issue 17): /guide lists every agency with its address, phone
and office hours; /guide/<code> shows the agency's own guide text as written."""
import pytest

from disclosure.extensions import db
from disclosure.services.users import create_agency


@pytest.fixture
def agencies(agency):
    other = create_agency("HZ", "海门区人民政府")  # (a unit of work: first, it discards edits)
    agency.address, agency.phone, agency.office_hours = "包场镇人民路1号", "0513-82345678", \
        "工作日 8:30-17:00"
    agency.guide_text = ("一、主动公开\n本机关主动公开的政府信息见政府信息公开目录。\n"
                         "<b>不是标签</b>")
    db.session.commit()
    return agency, other


def test_the_list_of_guides(client, agencies):
    html = client.get("/guide").get_data(as_text=True)
    for text in ("政府信息公开指南", "包场镇人民政府", "包场镇人民路1号", "0513-82345678",
                 "工作日 8:30-17:00", "海门区人民政府", "尚未发布政府信息公开指南",
                 'href="/guide/BCZ"', 'href="/guide/HZ"'):
        assert text in html, text


def test_one_agencys_guide_is_shown_as_written(client, agencies):
    resp = client.get("/guide/BCZ")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "本机关主动公开的政府信息见政府信息公开目录。" in html and "包场镇人民路1号" in html
    assert "&lt;b&gt;不是标签&lt;/b&gt;" in html and "<b>不是标签</b>" not in html  # escaped
    assert 'href="/apply?agency=BCZ"' in html


def test_an_agency_without_a_guide(client, agencies):
    html = client.get("/guide/HZ").get_data(as_text=True)
    assert "该机关尚未发布政府信息公开指南" in html and "—" in html


@pytest.mark.parametrize("code", ["NOPE", "bcz", "%", "x" * 500, "..", "BCZ%20"])
def test_unknown_agency_is_404(client, agencies, code):
    assert client.get(f"/guide/{code}").status_code == 404


def test_home_links_to_the_guides(client, agencies):
    assert 'href="/guide"' in client.get("/").get_data(as_text=True)


def test_no_agency_yet(client, ctx):
    assert client.get("/guide").status_code == 200


def test_english_guide_marks_chinese_data(client, agencies):
    client.set_cookie("lang", "en")
    html = client.get("/guide/BCZ").get_data(as_text=True)
    assert 'lang="zh-CN"' in html
