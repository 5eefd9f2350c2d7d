"""Administration pages: agencies, users, roles — and never locking out the last admin."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import Agency, Event, User
from disclosure.services.users import create_user
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "Fresh-password-99"


def user_named(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def events(action: str) -> list[Event]:
    return list(db.session.execute(
        select(Event).where(Event.action == action).order_by(Event.id)).scalars())


def new_user_form(**over) -> dict:
    return {"username": "newbie", "display_name": "新同事", "password": NEW_PASSWORD,
            "agency": "BCZ", "roles": ["handler", "reviewer"], **over}


# -- agencies -------------------------------------------------------------------------------------


def platform(staff):
    """Creating agencies is the platform administrator's (issue 12); the agency admin gets it."""
    from disclosure.services.actors import SYSTEM_ACTOR
    from disclosure.services.users import set_roles
    set_roles(staff["admin"], ["admin", "platform_admin"], SYSTEM_ACTOR)

def test_admin_lists_and_creates_agencies(login_as, staff):
    platform(staff)
    client = login_as("admin")
    assert "包场镇人民政府" in client.get("/admin/agencies").get_data(as_text=True)
    resp = client.post("/admin/agencies", data={"code": "oth", "name": "另一镇人民政府"})
    assert resp.status_code == 302
    agency = db.session.execute(select(Agency).where(Agency.code == "OTH")).scalar_one()
    assert agency.name == "另一镇人民政府"
    [ev] = [e for e in events("agency_created") if e.data["code"] == "OTH"]
    assert ev.actor_id == staff["admin"].id and ev.agency_id == agency.id
    html = client.get("/admin/agencies").get_data(as_text=True)
    assert "已创建机关 OTH" in html and "另一镇人民政府" in html


def test_duplicate_agency_code_is_refused_and_input_kept(login_as, staff):
    platform(staff)
    client = login_as("admin")
    resp = client.post("/admin/agencies", data={"code": "bcz", "name": "重复的机关名称"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "该机关代码已存在" in html
    assert 'value="重复的机关名称"' in html and 'value="bcz"' in html
    assert db.session.execute(select(func.count()).select_from(Agency)).scalar_one() == 1


@pytest.mark.parametrize("code, name, message", [
    ("B C", "某机关", "机关代码须为"), ("", "某机关", "机关代码须为"),
    ("OK", "", "请填写机关名称"), ("<b>", "<script>alert(1)</script>", "机关代码须为"),
])
def test_invalid_agency_is_refused_with_a_field_error(login_as, staff, code, name, message):
    platform(staff)
    resp = login_as("admin").post("/admin/agencies", data={"code": code, "name": name})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html
    assert "<script>alert(1)</script>" not in html
    assert db.session.execute(select(func.count()).select_from(Agency)).scalar_one() == 1


# -- users ----------------------------------------------------------------------------------------

def test_admin_creates_a_user_who_can_then_sign_in(app, login_as, staff):
    client = login_as("admin")
    resp = client.post("/admin/users", data=new_user_form())
    assert resp.status_code == 302
    user = user_named("newbie")
    assert user.roles == {"handler", "reviewer"} and user.display_name == "新同事"
    assert user.agency.code == "BCZ" and user.active
    assert NEW_PASSWORD not in user.password_hash
    [ev] = [e for e in events("user_created") if e.data["username"] == "newbie"]
    assert ev.actor_id == staff["admin"].id
    assert ev.data["roles"] == ["handler", "reviewer"]
    other = app.test_client()
    assert login(other, "newbie", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("password, message", [
    ("short1!", "密码至少 12 位"), ("Abcdef12!-x", "密码至少 12 位"), ("", "密码至少 12 位"),
    ("password1234", "常见密码"), ("abcdefghijklm", "容易被猜中"),
])
def test_weak_password_is_refused_and_input_kept(login_as, staff, password, message):
    resp = login_as("admin").post("/admin/users", data=new_user_form(password=password))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html
    assert 'value="newbie"' in html and 'value="新同事"' in html
    assert user_named("newbie") is None


def test_duplicate_username_is_refused(login_as, staff):
    resp = login_as("admin").post("/admin/users", data=new_user_form(username="handler"))
    assert resp.status_code == 400
    assert "该用户名已存在" in resp.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 5


def test_user_needs_a_role_and_a_known_agency(login_as, staff):
    client = login_as("admin")
    resp = client.post("/admin/users", data=new_user_form(roles=[]))
    assert resp.status_code == 400 and "角色" in resp.get_data(as_text=True)
    resp = client.post("/admin/users", data=new_user_form(agency="NOPE"))
    assert resp.status_code == 400
    resp = client.post("/admin/users", data=new_user_form(roles=["superuser"]))
    assert resp.status_code == 400
    assert user_named("newbie") is None


def test_user_list_escapes_names(login_as, staff):
    create_user("xss", PASSWORD, "BCZ", ["handler"], "<img src=x onerror=alert(1)>")
    html = login_as("admin").get("/admin/users").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_unknown_user_is_404(login_as, staff):
    client = login_as("admin")
    assert client.get("/admin/users/98765").status_code == 404
    assert client.post("/admin/users/98765/active", data={"active": "0"}).status_code == 404


# -- roles ----------------------------------------------------------------------------------------

def test_admin_changes_roles(login_as, staff):
    client = login_as("admin")
    target = staff["handler"]
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    option = re.search(r'<option[^>]*value="handler"[^>]*>', page).group(0)
    assert "selected" in option
    resp = client.post(f"/admin/users/{target.id}", data={"roles": ["reviewer", "office_head"]})
    assert resp.status_code == 302
    db.session.expire_all()
    assert target.roles == {"reviewer", "office_head"}
    [ev] = events("roles_changed")
    assert ev.data["before"] == ["handler"] and ev.data["after"] == ["office_head", "reviewer"]


def test_roles_cannot_be_emptied(login_as, staff):
    resp = login_as("admin").post(f"/admin/users/{staff['handler'].id}", data={})
    assert resp.status_code == 400
    assert "请至少选择一个有效角色" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert staff["handler"].roles == {"handler"}


def test_last_admin_keeps_the_admin_role(login_as, staff):
    client = login_as("admin")
    admin = staff["admin"]
    resp = client.post(f"/admin/users/{admin.id}", data={"roles": ["handler"]})
    assert resp.status_code == 400
    assert "不能移除最后一位管理员的管理员角色" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert "admin" in admin.roles
    assert client.get("/admin/users").status_code == 200
    assert events("roles_changed") == []


def test_last_admin_cannot_be_deactivated(login_as, staff):
    client = login_as("admin")
    admin = staff["admin"]
    resp = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"},
                       follow_redirects=True)
    assert resp.status_code == 200
    assert "不能停用最后一位管理员" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert admin.active is True
    assert client.get("/admin/users").status_code == 200
    assert events("user_deactivated") == []


def test_admin_role_can_move_to_another_admin(login_as, staff):
    second = create_user("admin2", PASSWORD, "BCZ", ["admin"], "第二管理员")
    client = login_as("admin")
    resp = client.post(f"/admin/users/{second.id}", data={"roles": ["handler"]})
    assert resp.status_code == 302
    db.session.expire_all()
    assert second.roles == {"handler"}
    # now the signed-in admin is the last one again
    resp = client.post(f"/admin/users/{staff['admin'].id}", data={"roles": ["handler"]})
    assert resp.status_code == 400


def test_deactivate_and_reactivate_a_user(app, login_as, staff):
    client = login_as("admin")
    target = staff["handler"]
    resp = client.post(f"/admin/users/{target.id}/active", data={"active": "0"},
                       follow_redirects=True)
    assert "账户状态已更新" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert target.active is False
    assert "已停用" in client.get("/admin/users").get_data(as_text=True)
    assert login(app.test_client(), "handler").status_code == 401
    client.post(f"/admin/users/{target.id}/active", data={"active": "1"})
    db.session.expire_all()
    assert target.active is True
    assert login(app.test_client(), "handler").status_code == 302
    assert [e.action for e in events("user_deactivated") + events("user_activated")] == [
        "user_deactivated", "user_activated"]



def test_names_with_html_are_escaped_in_flash_messages_and_pages(app, login_as, staff):
    platform(staff)
    client = login_as("admin")
    resp = client.post("/admin/users", data=new_user_form(username="<b>x</b>"),
                       follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "已创建用户 &lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    client.post("/admin/agencies", data={"code": "OTH", "name": "<i>另一镇</i>"})
    home = app.test_client().get("/").get_data(as_text=True)
    assert "&lt;i&gt;另一镇&lt;/i&gt;" in home and "<i>另一镇</i>" not in home


def test_an_agency_admin_cannot_create_agencies_or_platform_admins(login_as, staff):
    client = login_as("admin")
    resp = client.post("/admin/agencies", data={"code": "OTH", "name": "另一镇"})
    assert resp.status_code == 400 and "只有平台管理员可以新建机关" in resp.get_data(as_text=True)
    resp = client.post(f"/admin/users/{staff['handler'].id}", data={"roles": ["platform_admin"]})
    assert resp.status_code == 400 and "只有平台管理员" in resp.get_data(as_text=True)


def test_platform_admin_and_reviewer_cannot_be_combined(login_as, staff):
    platform(staff)
    client = login_as("admin")
    resp = client.post(f"/admin/users/{staff['handler'].id}",
                       data={"roles": ["platform_admin", "reviewer"]})
    assert resp.status_code == 400 and "不能同时担任保密审查员" in resp.get_data(as_text=True)


def test_an_agency_admin_manages_only_its_own_users(login_as, staff):
    from disclosure.services.users import create_agency, create_user
    create_agency("OTH", "另一镇人民政府")
    other = create_user("oth-user", "Other-handler-2026", "OTH", ["handler"], "外机关承办人")
    client = login_as("admin")
    assert "oth-user" not in client.get("/admin/users").get_data(as_text=True)
    assert client.get(f"/admin/users/{other.id}").status_code == 404
    assert client.post(f"/admin/users/{other.id}/active", data={"active": "0"}).status_code == 404
