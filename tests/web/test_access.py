"""Access control: every staff/admin endpoint refuses anonymous and wrong-role users; agency
scope; safe `next`; sign-in throttling; logout kills the old session cookie."""
from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from disclosure.extensions import db
from disclosure.models import Event, User
from disclosure.services import cases, users
from disclosure.services.actors import Actor
from disclosure.services.uploads import Upload
from disclosure.services.users import create_agency, create_user, set_active, set_roles
from tests.conftest import PASSWORD, login, person_payload

GUARDED_PREFIXES = ("/staff", "/admin", "/supervision", "/account")
PUBLIC_BLUEPRINTS = {"public", "auth", "api", "public_letters"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def guarded_requests(app) -> list[tuple[str, str, str]]:
    """(method, url, endpoint) for every GET/POST of every /staff or /admin rule, with dummy
    values for the URL's variables (1 for int converters, "x" for strings)."""
    adapter = app.url_map.bind("localhost")
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(GUARDED_PREFIXES):
            continue
        converters = getattr(rule, "_converters", {})
        values = {arg: 1 if isinstance(converters.get(arg), IntegerConverter) else "x"
                  for arg in rule.arguments}
        url = adapter.build(rule.endpoint, values)
        for method in ("GET", "POST"):
            if method in rule.methods:
                out.append((method, url, rule.endpoint))
    return out


def _is_login_redirect(resp) -> bool:
    return resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"


def _user_without_roles():
    user = create_user("norole", PASSWORD, "BCZ", ["handler"], "无角色用户")
    user.role_rows = []
    db.session.commit()
    assert user.roles == set()
    return user


def _events(action: str) -> list[Event]:
    return list(db.session.execute(
        select(Event).where(Event.action == action).order_by(Event.id)).scalars())


# -- the url_map walk -----------------------------------------------------------------------------

def test_url_map_walk_finds_the_staff_and_admin_endpoints(app):
    endpoints = {e for _m, _u, e in guarded_requests(app)}
    assert {"staff.dashboard", "staff.case_list", "staff.case_view", "staff.confirm",
            "staff.register", "staff.attachment", "admin.agencies", "admin.user_list",
            "admin.user_edit", "admin.user_active"} <= endpoints


def test_every_endpoint_is_either_guarded_or_deliberately_public(app):
    unexpected = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(GUARDED_PREFIXES) or rule.endpoint == "static":
            continue
        if rule.endpoint.split(".")[0] not in PUBLIC_BLUEPRINTS:
            unexpected.append(f"{rule.rule} ({rule.endpoint})")
    assert unexpected == [], "endpoints outside /staff and /admin that are not public by design"


def test_anonymous_users_are_sent_to_login_everywhere(client, staff, app):
    failures = []
    reqs = guarded_requests(app)
    for method, url, endpoint in reqs:
        resp = client.open(url, method=method)
        if not _is_login_redirect(resp):
            failures.append(f"{method} {url} ({endpoint}) → {resp.status_code} "
                            f"{resp.headers.get('Location')}")
    assert failures == []
    assert len(reqs) >= 14


def test_login_redirect_remembers_where_the_user_was_going(client, staff):
    resp = client.get("/staff/cases?status=submitted")
    assert _is_login_redirect(resp)
    nxt = parse_qs(urlsplit(resp.headers["Location"]).query)["next"][0]
    assert nxt.startswith("/staff/cases")
    resp = client.post("/login", query_string={"next": nxt},
                       data={"username": "handler", "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == nxt
    assert client.get(nxt).status_code == 200


def test_signed_in_user_without_any_role_is_refused_everywhere(client, staff, app):
    _user_without_roles()
    assert login(client, "norole").status_code == 302
    failures = []
    for method, url, endpoint in guarded_requests(app):
        resp = client.open(url, method=method)
        if resp.status_code != 403:
            failures.append(f"{method} {url} ({endpoint}) → {resp.status_code}")
    assert failures == []


@pytest.mark.parametrize("role", ["registrar", "handler", "reviewer", "office_head"])
def test_non_admins_are_refused_on_every_admin_endpoint(login_as, app, role):
    client = login_as(role)
    failures = []
    for method, url, endpoint in guarded_requests(app):
        if not url.startswith("/admin"):
            continue
        resp = client.open(url, method=method)
        if resp.status_code != 403:
            failures.append(f"{method} {url} ({endpoint}) → {resp.status_code}")
    assert failures == []


@pytest.mark.parametrize("role", ["registrar", "handler", "reviewer", "office_head", "admin"])
def test_every_staff_role_can_open_the_staff_pages(login_as, role):
    client = login_as(role)
    for url in ("/staff/", "/staff/cases"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["handler", "reviewer", "office_head"])
def test_only_registrars_may_register_paper_applications(login_as, role):
    client = login_as(role)
    assert client.get("/staff/register").status_code == 403
    resp = client.post("/staff/register", data={"channel": "in_person"})
    assert resp.status_code == 403


def test_refused_admin_post_changes_nothing(login_as, staff):
    client = login_as("handler")
    target = staff["registrar"]
    resp = client.post(f"/admin/users/{target.id}", data={"roles": ["admin"]})
    assert resp.status_code == 403
    db.session.expire_all()
    assert target.roles == {"registrar"}
    assert _events("roles_changed") == []


# -- agency scope ---------------------------------------------------------------------------------

@pytest.fixture
def two_agencies(staff):
    other = create_agency("OTH", "另一镇人民政府")
    oth_user = create_user("oth-registrar", PASSWORD, "OTH", ["registrar", "handler"],
                           "外机关登记员")
    bcz_case = cases.register_paper(
        staff["registrar"].agency, person_payload(subject="包场镇的案件"), "in_person",
        date(2024, 9, 27), Actor.of(staff["registrar"]), date(2024, 9, 30),
        files=[("supporting", Upload("a.pdf", PDF))]).case
    oth_case = cases.register_paper(
        other, person_payload(subject="另一镇的案件"), "in_person", date(2024, 9, 27),
        Actor.of(oth_user), date(2024, 9, 30)).case
    online = cases.submit_online(person_payload(subject="包场镇在线申请"),
                                 today=date(2024, 9, 27)).case
    return {"bcz": bcz_case, "oth": oth_case, "bcz_online": online}


def test_staff_cannot_open_another_agencys_case(client, two_agencies):
    assert login(client, "oth-registrar").status_code == 302
    bcz = two_agencies["bcz"]
    assert client.get(f"/staff/cases/{bcz.id}").status_code == 404
    att = bcz.attachments[0]
    assert client.get(f"/staff/cases/{bcz.id}/attachments/{att.id}").status_code == 404
    assert client.get(f"/staff/cases/{two_agencies['oth'].id}").status_code == 200


def test_staff_cannot_confirm_another_agencys_submission(client, two_agencies):
    assert login(client, "oth-registrar").status_code == 302
    online = two_agencies["bcz_online"]
    resp = client.post(f"/staff/cases/{online.id}/confirm", data={"received_on": "2024-09-27"})
    assert resp.status_code == 404
    db.session.expire_all()
    assert online.status == "submitted" and online.received_on is None


def test_case_list_shows_only_the_users_agency(client, two_agencies):
    assert login(client, "oth-registrar").status_code == 302
    html = client.get("/staff/cases").get_data(as_text=True)
    assert two_agencies["oth"].tracking_no in html
    assert two_agencies["bcz"].tracking_no not in html
    assert "包场镇的案件" not in html
    html = client.get("/staff/cases", query_string={"q": "包场镇"}).get_data(as_text=True)
    assert "包场镇的案件" not in html and "没有符合条件的案件" in html


def test_agency_admin_sees_only_its_own_agency(client, two_agencies):
    """Issue 12: an administrator administers one agency; it is not a key to every agency."""
    assert login(client, "admin").status_code == 302
    assert client.get(f"/staff/cases/{two_agencies['oth'].id}").status_code == 404
    assert client.get(f"/staff/cases/{two_agencies['bcz'].id}").status_code == 200
    html = client.get("/staff/cases").get_data(as_text=True)
    assert two_agencies["oth"].tracking_no not in html and two_agencies["bcz"].tracking_no in html


def test_platform_admin_sees_every_agencys_cases(client, two_agencies):
    create_user("platform", PASSWORD, "OTH", ["platform_admin"], "平台管理员")
    assert login(client, "platform").status_code == 302
    assert client.get(f"/staff/cases/{two_agencies['oth'].id}").status_code == 200
    assert client.get(f"/staff/cases/{two_agencies['bcz'].id}").status_code == 200
    html = client.get("/staff/cases").get_data(as_text=True)
    assert two_agencies["oth"].tracking_no in html and two_agencies["bcz"].tracking_no in html


def test_unknown_case_is_404_not_500(login_as):
    client = login_as("registrar")
    assert client.get("/staff/cases/987654").status_code == 404
    assert client.get("/staff/cases/987654/attachments/1").status_code == 404


# -- safe next ------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example", "http://evil.example/staff/", "///evil.example",
    "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "javascript:alert(1)",
    "evil.example", "staff/cases", "", "HTTPS://evil.example/",
])
def test_login_refuses_off_site_next(client, staff, target):
    resp = client.post("/login", query_string={"next": target},
                       data={"username": "registrar", "password": PASSWORD})
    assert resp.status_code == 302
    loc = urlsplit(resp.headers["Location"])
    assert loc.netloc in ("", "localhost") and loc.path == "/staff/"


@pytest.mark.parametrize("target", ["/staff/cases", "/staff/cases?status=submitted&sort=due_on"])
def test_login_follows_same_site_next(client, staff, target):
    resp = client.post("/login", query_string={"next": target},
                       data={"username": "registrar", "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == target


@pytest.mark.parametrize("target", ["/staff/\r\nX-Evil: 1", "/staff/\nLocation: //evil.example",
                                    "/staff/\x7f"])
def test_login_with_control_characters_in_next_goes_to_the_dashboard(client, staff, target):
    resp = client.post("/login", query_string={"next": target},
                       data={"username": "registrar", "password": PASSWORD})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/staff/"
    assert "X-Evil" not in resp.headers


# -- sign-in, lock-out, logout --------------------------------------------------------------------

def test_wrong_password_is_401_with_a_chinese_message(client, staff):
    resp = login(client, "registrar", "not-the-password-1")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_nul_byte_in_the_username_is_refused_not_a_500(client, staff):
    # (a 500 on PostgreSQL before the NUL guard in security.py)
    assert login(client, "registrar\x00").status_code in (400, 401)
    assert login(client, "registrar", PASSWORD + "\x00").status_code in (400, 401)
    assert _is_login_redirect(client.get("/staff/"))


def test_session_cookie_is_httponly_and_samesite(client, staff):
    resp = login(client, "registrar")
    cookie = next(v for v in resp.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3/minute")
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        create_user("registrar", PASSWORD, "BCZ", ["registrar"])
    client = app.test_client()
    statuses = [login(client, "registrar", "not-the-password-1").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert "请求过于频繁" in login(client, "registrar").get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only POST is limited


def test_successful_login_is_audited(client, staff):
    assert login(client, "registrar").status_code == 302
    [ev] = _events("login")
    assert ev.actor_id == staff["registrar"].id


def test_repeated_failures_throttle_the_client_but_never_lock_the_account(client, staff, app):
    """Issue 12 (was: lock-out after LOGIN_MAX_FAILURES). The client that failed must wait;
    the account itself stays usable from another address."""
    limit = users.DEFAULTS["LOGIN_THROTTLE_AFTER"]
    for _ in range(limit):
        assert login(client, "registrar", "not-the-password-1").status_code == 401
    resp = login(client, "registrar")
    assert resp.status_code == 429 and "请于" in resp.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302  # not signed in
    assert len(_events("login_failed")) == limit
    assert len(_events("login_refused")) == 1
    assert _events("login") == []
    other = app.test_client()
    resp = other.post("/login", data={"username": "registrar", "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert resp.status_code == 302


def test_throttle_message_does_not_reveal_whether_the_account_exists(client, staff, app,
                                                                    monkeypatch):
    from datetime import datetime, timezone

    from disclosure import timeutil
    fixed = datetime(2026, 3, 2, 1, 2, 3, tzinfo=timezone.utc)
    monkeypatch.setattr(timeutil, "now", lambda: fixed)  # the retry time on both pages
    for name in ("registrar", "no-such-user"):
        for _ in range(users.DEFAULTS["LOGIN_THROTTLE_AFTER"]):
            login(client, name, "not-the-password-1")
    known = login(client, "registrar")
    unknown = login(client, "no-such-user")
    assert known.status_code == unknown.status_code == 429
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True).replace(
        "no-such-user", "registrar")
    assert "登录失败次数过多" in known.get_data(as_text=True)


@pytest.fixture
def fresh(make_app):
    """An app with no app context held open by the test: every request gets its own context, so
    Flask-Login loads the user from the session cookie each time (with the shared ``ctx``
    fixture, ``g`` — and the user cached in it — survives from one request to the next, which
    would make these tests pass for the wrong reason)."""
    app = make_app()
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        ids = {role: create_user(role, PASSWORD, "BCZ", [role], f"{role}-name").id
               for role in ("registrar", "handler", "admin")}
    return SimpleNamespace(app=app, client=app.test_client(), ids=ids)


def test_logout_invalidates_the_old_session_cookie(fresh):
    client = fresh.client
    assert login(client, "registrar").status_code == 302
    assert client.get("/staff/").status_code == 200
    old = client.get_cookie("session")
    assert old is not None
    # control: replaying the cookie works while the session is alive
    client.set_cookie("session", old.value)
    assert client.get("/staff/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert _is_login_redirect(client.get("/staff/"))
    # an attacker who copied the cookie before logout replays it
    client.set_cookie("session", old.value)
    assert _is_login_redirect(client.get("/staff/"))
    with fresh.app.app_context():
        assert len(_events("logout")) == 1


def test_logout_needs_post(fresh):
    client = fresh.client
    assert login(client, "registrar").status_code == 302
    assert client.get("/logout").status_code == 405
    assert client.get("/staff/").status_code == 200


def test_deactivated_user_is_signed_out_at_once(fresh):
    client = fresh.client
    assert login(client, "handler").status_code == 302
    assert client.get("/staff/").status_code == 200
    with fresh.app.app_context():
        set_active(db.session.get(User, fresh.ids["handler"]), False,
                   Actor.of(db.session.get(User, fresh.ids["admin"])))
    assert _is_login_redirect(client.get("/staff/"))
    assert login(client, "handler").status_code == 401


def test_role_change_takes_effect_on_the_next_request(fresh):
    client = fresh.client
    assert login(client, "handler").status_code == 302
    assert client.get("/admin/users").status_code == 403
    with fresh.app.app_context():
        set_roles(db.session.get(User, fresh.ids["handler"]), ["handler", "admin"],
                  Actor.of(db.session.get(User, fresh.ids["admin"])))
    assert client.get("/admin/users").status_code == 200
    with fresh.app.app_context():
        set_roles(db.session.get(User, fresh.ids["handler"]), ["handler"],
                  Actor.of(db.session.get(User, fresh.ids["admin"])))
    assert client.get("/admin/users").status_code == 403


# -- CSRF on every state-changing staff/admin endpoint --------------------------------------------

def _csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_every_staff_and_admin_post_needs_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        user = create_user("boss", PASSWORD, "BCZ", ["registrar", "handler", "admin"], "全能")
        online = cases.submit_online(person_payload(), today=date(2024, 9, 27)).case
        ids = {"user": user.id, "case": online.id}
    client = app.test_client()
    token = _csrf_token(client, "/login")
    resp = client.post("/login", data={"username": "boss", "password": PASSWORD,
                                       "csrf_token": token})
    assert resp.status_code == 302
    posts = [(u, e) for m, u, e in guarded_requests(app) if m == "POST"]
    assert len(posts) >= 6
    failures = []
    for url, endpoint in posts:
        url = url.replace("/1", f"/{ids['case']}") if endpoint.startswith("staff.") else \
            url.replace("/1", f"/{ids['user']}")
        resp = client.post(url, data={"active": "0", "roles": ["handler"], "code": "NEW",
                                      "name": "新机关", "received_on": "2024-09-27"})
        if resp.status_code != 400 or "CSRF" not in resp.get_data(as_text=True):
            failures.append(f"POST {url} ({endpoint}) without token → {resp.status_code}")
    assert failures == []
    assert client.post("/logout").status_code == 400  # logout too
    with app.app_context():
        user = db.session.get(User, ids["user"])
        assert user.active and user.roles == {"registrar", "handler", "admin"}
        assert db.session.get(type(online), ids["case"]).status == "submitted"
        assert db.session.execute(select(Event).where(Event.action.in_(
            ["agency_created", "roles_changed", "user_deactivated", "confirm_receipt"])
        ).where(Event.actor_id == ids["user"])).first() is None
