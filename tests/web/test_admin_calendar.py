"""R1.2 through the admin page: a year's notice is entered whole, with its number and date."""
from datetime import date

import pytest

from disclosure.extensions import db
from disclosure.models import CalendarYear
from disclosure.services import calendar
from tests.conftest import login

TODAY = "2026-12-11"


@pytest.fixture
def admin_client(make_app, staff):
    app = make_app(FIXED_TODAY=TODAY)
    client = app.test_client()
    assert login(client, "admin").status_code == 302
    return client


def test_the_page_shows_2027_missing_and_the_notice_fields(admin_client):
    html = admin_client.get("/admin/calendar").get_data(as_text=True)
    assert "录入 2027 年国务院办公厅节假日安排" in html
    assert "通知日期" in html and "依据（通知文号）" in html
    assert "尚未录入（按周一至周五暂行）" in html


def test_errors_keep_the_input_and_speak_chinese(admin_client):
    resp = admin_client.post("/admin/calendar", data={
        "year": "2027", "off_days": "2027-01-01 至 2027-01-03\n2027-02-30",
        "work_days": "2027-02-14",
        "notice_number": "", "notice_date": ""})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "2027-01-01 至 2027-01-03" in html and "2027-02-14" in html  # the input stays
    assert "第 2 行：日期不存在" in html
    assert "请填写通知文号" in html and "请填写通知的发布日期" in html
    assert 'aria-invalid="true"' in html
    assert calendar.overrides(2027) == [] and db.session.get(CalendarYear, 2027) is None


def test_an_impossible_notice_date_is_refused_beside_its_field(admin_client):
    resp = admin_client.post("/admin/calendar", data={
        "year": "2027", "off_days": "2027-01-01", "work_days": "",
        "notice_number": "国办发明电〔2026〕7号", "notice_date": "2026-02-30"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "日期无效" in html and "国办发明电〔2026〕7号" in html
    assert db.session.get(CalendarYear, 2027) is None


def test_a_whole_notice_makes_the_year_known(admin_client):
    resp = admin_client.post("/admin/calendar", data={
        "year": "2027", "off_days": "2027-01-01 至 2027-01-03", "work_days": "",
        "notice_number": "国办发明电〔2026〕7号", "notice_date": "2026-11-12"})
    assert resp.status_code == 302
    row = db.session.get(CalendarYear, 2027)
    assert (row.notice_number, row.notice_date) == ("国办发明电〔2026〕7号", date(2026, 11, 12))
    html = admin_client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "已录入 2027 年节假日安排 3 天" in html
    assert "已录入国务院通知" in html and "国办发明电〔2026〕7号" in html


def test_the_form_in_english(admin_client):
    admin_client.set_cookie("lang", "en")
    resp = admin_client.post("/admin/calendar", data={
        "year": "2027", "off_days": "2027-01-01", "work_days": "", "notice_number": "",
        "notice_date": "2026-12-31"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "Notice date" in html and "cannot be later than today" in html
