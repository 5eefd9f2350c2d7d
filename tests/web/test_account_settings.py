"""Issue 17: /account/ — a staff member sets their own mobile (for the digest SMS) and opts out
of the daily digest; a wrong number is refused in Chinese beside the field, what was typed
kept."""
from __future__ import annotations

from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Event, User


def _user(staff, role: str) -> User:
    db.session.rollback()
    return db.session.get(User, staff[role].id)


def test_the_page_needs_a_signed_in_staff_member(client, staff):
    resp = client.get("/account/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_the_page_shows_the_settings(login_as, staff):
    html = login_as("handler").get("/account/").get_data(as_text=True)
    assert "个人设置" in html and "每日工作提醒" in html and 'name="mobile"' in html
    assert "本系统尚未配置短信网关" in html and "22:00–07:30" in html


def test_setting_a_mobile_and_opting_out(login_as, staff):
    c = login_as("handler")
    resp = c.post("/account/", data={"mobile": "+86 138-0000-0001", "digest_opt_out": "y"})
    assert resp.status_code == 302
    user = _user(staff, "handler")
    assert user.mobile == "13800000001" and user.digest_opt_out is True
    html = c.get("/account/").get_data(as_text=True)
    assert "设置已保存" in html and 'value="13800000001"' in html
    [ev] = db.session.execute(select(Event).where(Event.action == "reminder_settings")).scalars()
    assert ev.data == {"mobile": "set", "digest_opt_out": True}
    assert "13800000001" not in str(ev.data)  # the audit trail never holds the number
    # clearing both
    assert c.post("/account/", data={"mobile": ""}).status_code == 302
    user = _user(staff, "handler")
    assert user.mobile is None and user.digest_opt_out is False


def test_nothing_changed_says_so(login_as, staff):
    c = login_as("reviewer")
    c.post("/account/", data={"mobile": ""})
    assert "没有改动" in c.get("/account/").get_data(as_text=True)


def _refused(c, mobile: str) -> str:
    resp = c.post("/account/", data={"mobile": mobile, "digest_opt_out": "y"})
    assert resp.status_code == 400
    return resp.get_data(as_text=True)


def test_a_wrong_number_is_refused_beside_the_field_with_the_input_kept(login_as, staff):
    c = login_as("office_head")
    html = _refused(c, "1380000000")
    assert "手机号码应为11位数字（现为 10 位），请核对" in html and 'value="1380000000"' in html
    assert 'aria-invalid="true"' in html and "checked" in html  # the box stays ticked
    assert "半角数字" in _refused(c, "１３８００００００００")
    assert "短信提醒只发往大陆手机号码" in _refused(c, "0513-82345678")  # a landline
    assert "短信提醒只发往大陆手机号码" in _refused(c, "+852 9123 4567")
    assert "手机号码应以13至19开头" in _refused(c, "12800000000")
    assert "短信提醒只发往大陆手机号码" in _refused(c, "x" * 5000)  # no 500 on any input
    user = _user(staff, "office_head")
    assert user.mobile is None and not user.digest_opt_out  # nothing saved


def test_the_english_page_refuses_alike(login_as, staff):
    c = login_as("handler")
    c.get("/lang/en")
    resp = c.post("/account/", data={"mobile": "0513-82345678"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and '<html lang="en"' in html
    assert 'value="0513-82345678"' in html


def test_each_sets_only_their_own(login_as, staff):
    c = login_as("registrar")
    c.post("/account/", data={"mobile": "13800000009", "user_id": str(staff["admin"].id)})
    assert _user(staff, "registrar").mobile == "13800000009"
    assert _user(staff, "admin").mobile is None
