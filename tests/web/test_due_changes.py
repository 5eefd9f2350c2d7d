"""R8.3 on the staff pages: 期限变动 (/staff/due-changes) and the counts in the annual report's
notes."""

import pytest
from flask import g

from tests.conftest import login
from tests.services.test_due_changes import world  # noqa: F401  (fixture)
from tests.web.test_english_admin import chinese_outside_official


@pytest.fixture
def handler(client, world):  # noqa: F811
    g.pop("_flask_babel", None)
    assert login(client, "handler").status_code == 302
    return client


def test_the_page_lists_the_moves_with_links(handler, world):  # noqa: F811
    resp = handler.get("/staff/due-changes?year=2024")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "<title>期限变动" in html or "期限变动" in html.split("</title>")[0]
    for key in ("extended", "deferred", "flagged"):
        case = world[key]
        assert case.tracking_no in html and f'href="/staff/cases/{case.id}"' in html
    assert world["untouched"].tracking_no not in html
    assert world["foreign"].tracking_no not in html  # another agency
    assert "批准延期答复" in html and "节假日调整后重新计算答复期限" in html
    assert "确定延后答复期限" in html and "收费通知在答复期限届满后发出" in html
    assert 'datetime="2024-11-13"' in html and 'datetime="2024-12-31"' in html
    assert 'class="table-scroll"' in html  # scrolls inside its wrapper on a phone
    assert '<option value="2024" selected>' in html


def test_another_year_and_a_bad_year(handler, world):  # noqa: F811
    html = handler.get("/staff/due-changes?year=2023").get_data(as_text=True)
    assert "本年没有答复期限变动的案件" in html
    assert handler.get("/staff/due-changes?year=abc").status_code == 200
    assert handler.get("/staff/due-changes?year=99999999999999999999").status_code == 200


def test_the_navigation_links_the_page(handler):
    html = handler.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/due-changes"' in html


def test_the_page_needs_a_sign_in(client):
    assert client.get("/staff/due-changes").status_code in (302, 401)


def test_the_annual_report_notes_give_the_counts_apart_from_the_tables(handler, world):  # noqa: F811
    html = handler.get("/staff/reports/annual?year=2024&agency=BCZ").get_data(as_text=True)
    notes = html[html.index('id="due-change-counts"'):]
    assert "本机关自行统计" in notes and "不属于国务院规定的年度报告格式" in notes
    assert "本年内答复期限发生变动的案件：2 件" in notes
    assert '<tr data-cause="extension"><th scope="row">延期答复</th><td class="num">1</td>' in notes
    assert '<tr data-flag="fee_notice_late">' in notes
    assert html.index('id="s6"') < html.index('id="due-change-counts"')


def test_the_page_and_the_notes_in_english(handler, world):  # noqa: F811
    handler.set_cookie("lang", "en")
    g.pop("_flask_babel", None)
    html = handler.get("/staff/due-changes?year=2024").get_data(as_text=True)
    assert "Due date changes" in html
    assert not chinese_outside_official(html), chinese_outside_official(html)[:5]
    html = handler.get("/staff/reports/annual?year=2024&agency=BCZ").get_data(as_text=True)
    start = html.index('id="due-change-counts"')
    notes = html[start:html.index("</section>", start)]
    assert 'lang="en"' in notes.split(">")[0] and "Extension" in notes
    assert not chinese_outside_official(notes)

