"""Security headers on every response, the session cookie, session renewal and logout, CSRF on
every form, and the sign-in rules (generic error, throttling with an audit event, password
strength) — issue 6, security."""
from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from disclosure.extensions import db
from disclosure.models import Event, User
from disclosure.services import case_actions, cases
from disclosure.services.actors import Actor
from disclosure.services.review import replies
from disclosure.services.uploads import Upload
from disclosure.services.users import create_agency, create_user, set_roles
from tests.conftest import PASSWORD, person_payload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALL_ROLES = ["admin", "registrar", "handler", "reviewer", "office_head"]
STRICT_REFERRER = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csp_directives(value: str) -> dict[str, list[str]]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def header_problems(resp, *, https: bool = False) -> list[str]:
    h = resp.headers
    problems = []
    csp = h.get("Content-Security-Policy")
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        d = csp_directives(csp)
        if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
            problems.append(f"CSP allows unsafe-inline/eval: {csp}")
        if "script-src" not in d and "default-src" not in d:
            problems.append("CSP restricts no scripts")
        if d.get("frame-ancestors") != ["'none'"]:
            problems.append(f"frame-ancestors is {d.get('frame-ancestors')}")
        if d.get("object-src", d.get("default-src")) not in (["'none'"], ["'self'"]):
            problems.append("CSP allows plugins from anywhere")
    if h.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if h.get("Referrer-Policy") not in STRICT_REFERRER:
        problems.append(f"Referrer-Policy is {h.get('Referrer-Policy')!r}")
    hsts = h.get("Strict-Transport-Security")
    if https:
        m = re.search(r"max-age=(\d+)", hsts or "")
        if not m or int(m.group(1)) < 180 * 86400:
            problems.append(f"HTTPS response without a long HSTS: {hsts!r}")
    elif hsts:
        problems.append("HSTS sent over plain HTTP")
    return problems


def inline_script_problems(html: str) -> list[str]:
    """The CSP has no 'unsafe-inline', so a page may not rely on inline script."""
    problems = []
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
        if "src=" not in tag:
            problems.append(f"inline <script>: {tag}")
    if m := re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, flags=re.I):
        problems.append(f"inline event handler: {m.group(0)[:80]}")
    if m := re.search(r"""(href|src|action)\s*=\s*["']\s*javascript:""", html, flags=re.I):
        problems.append(f"javascript: URL: {m.group(0)}")
    return problems


# -- a site with some of everything, used without a long-lived app context ------------------------

@pytest.fixture
def site(make_app):
    """Agency, one user per role plus an all-roles admin, a case with an attachment, a 补正
    notice and a drafted reply with a document. No app context is held open by the test, so
    every request loads the user from its cookie (no cached user in ``g``)."""
    app = make_app()
    with app.app_context():
        agency = create_agency("BCZ", "包场镇人民政府")
        users = {r: create_user(r, PASSWORD, "BCZ", [r], f"{r}-name") for r in ALL_ROLES}
        boss = create_user("boss", PASSWORD, "BCZ", ALL_ROLES, "全部角色")
        who = {r: Actor.of(u) for r, u in users.items()}
        today = date.today()
        case = cases.register_paper(agency, person_payload(), "in_person", today, who["registrar"],
                                    today, files=[("supporting", Upload("材料.pdf", PDF))]).case
        case_actions.request_supplement(case, "请写明道路名称", 15, who["handler"], today)
        other = cases.register_paper(agency, person_payload(), "in_person", today,
                                     who["registrar"], today).case
        replies.draft_reply(other, "art36_2", None, who["handler"], today)
        doc = replies.add_document(other, Upload("批复.pdf", PDF), False, who["handler"], today)
        ids = {"case_id": case.id, "att_id": case.attachments[0].id,
               "notice_id": _first_notice_id(case), "user_id": boss.id,
               "tracking_no": case.tracking_no, "year": today.year, "filename": "app.css",
               "code": "zh_CN", "item_id": doc.id, "version_id": doc.current.id}
        reply_case_id = other.id
    return SimpleNamespace(app=app, ids=ids, reply_case_id=reply_case_id)


def _first_notice_id(case) -> int:
    from disclosure.services.review import notices
    return notices.for_case(case)[0].id


def login(client, username: str, password: str = PASSWORD, token: str | None = None):
    data = {"username": username, "password": password}
    if token:
        data["csrf_token"] = token
    return client.post("/login", data=data)


def every_get_url(app, ids: dict) -> list[str]:
    """A URL for every GET route: real ids where we have them, 1 / "x" otherwise (a 404 must
    carry the headers too)."""
    adapter = app.url_map.bind("localhost")
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        conv = rule._converters
        values = {a: ids.get(a, 1 if isinstance(conv.get(a), IntegerConverter) else "x")
                  for a in rule.arguments}
        if rule.endpoint == "review.version_file":
            values["case_id"] = ids["reply_case_id"]
        out.append(adapter.build(rule.endpoint, values))
    return out


# -- headers --------------------------------------------------------------------------------------

def test_every_page_of_the_url_map_sends_the_security_headers(site):
    """Every GET route, anonymous and signed in (all roles), plus error responses."""
    ids = {**site.ids, "reply_case_id": site.reply_case_id}
    urls = every_get_url(site.app, ids)
    anonymous, signed_in = site.app.test_client(), site.app.test_client()
    assert login(signed_in, "boss").status_code == 302
    problems, seen = [], 0
    for client in (anonymous, signed_in):
        for url in urls + ["/no/such/page", "/api/v1/no-such", "/staff/cases/999999"]:
            resp = client.get(url)
            seen += 1
            problems += [f"GET {url} → {resp.status_code}: {p}" for p in header_problems(resp)]
            resp.close()
    # other methods and error paths
    api = "/api/v1/applications"
    for method, url, kw in [
            ("POST", api, {"data": "{", "content_type": "application/json"}),
            ("POST", api, {"data": "x", "content_type": "text/plain"}),
            ("GET", "/logout", {}), ("DELETE", "/staff/cases", {}),
            ("POST", "/login", {"data": {"username": "boss", "password": "wrong-pass-1"}})]:
        resp = anonymous.open(url, method=method, **kw)
        problems += [f"{method} {url} → {resp.status_code}: {p}" for p in header_problems(resp)]
    assert seen > 60
    assert problems == []


def test_downloads_and_redirects_send_the_headers_too(site):
    client = site.app.test_client()
    resp = client.get("/staff/")  # anonymous: a redirect to the login page
    assert resp.status_code == 302 and header_problems(resp) == []
    assert login(client, "registrar").status_code == 302
    resp = client.get(f"/staff/cases/{site.ids['case_id']}/attachments/{site.ids['att_id']}")
    assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith("attachment")
    assert header_problems(resp) == []
    resp.close()


def test_hsts_only_over_https(site):
    client = site.app.test_client()
    for url in ("/", "/apply", "/api/v1/openapi.json", "/no/such/page", "/staff/"):
        http = client.get(url)
        https = client.get(url, base_url="https://localhost")
        assert "Strict-Transport-Security" not in http.headers, url
        assert header_problems(https, https=True) == [], url


def test_error_500_page_sends_the_headers(make_app, monkeypatch):
    app = make_app(TESTING=False)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
    from disclosure.web import api

    def boom(*_a, **_k):
        raise RuntimeError("simulated failure")
    monkeypatch.setattr(api.cases, "submit_online", boom)
    resp = app.test_client().post("/api/v1/applications", json=person_payload())
    assert resp.status_code == 500 and resp.get_json()["status"] == 500
    assert header_problems(resp) == []


def test_no_page_relies_on_inline_script(site):
    """With script-src 'self' and no 'unsafe-inline', inline script would silently not run."""
    ids = {**site.ids, "reply_case_id": site.reply_case_id}
    client = site.app.test_client()
    assert login(client, "boss").status_code == 302
    problems, pages = [], 0
    for url in every_get_url(site.app, ids) + ["/login", "/apply", "/status"]:
        resp = client.get(url)
        if resp.mimetype == "text/html":
            pages += 1
            problems += [f"{url}: {p}" for p in inline_script_problems(resp.get_data(as_text=True))]
        resp.close()
    assert pages > 15
    assert problems == []


# -- session cookie, renewal, logout --------------------------------------------------------------

def session_cookie(resp) -> str:
    return next(v for v in resp.headers.getlist("Set-Cookie") if v.startswith("session="))


def test_session_cookie_is_httponly_and_samesite(site):
    cookie = session_cookie(login(site.app.test_client(), "registrar"))
    assert "HttpOnly" in cookie
    assert re.search(r"SameSite=(Lax|Strict)", cookie)
    assert "Secure" not in cookie  # plain HTTP in tests; see the next test for HTTPS


def test_session_cookie_is_secure_when_configured(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        create_user("registrar", PASSWORD, "BCZ", ["registrar"])
    resp = login(app.test_client(), "registrar")
    assert "Secure" in session_cookie(resp) and "HttpOnly" in session_cookie(resp)


def test_session_is_renewed_at_login(site):
    """A session planted before sign-in (fixation) carries nothing over: the cookie changes and
    what was in it is gone."""
    client = site.app.test_client()
    with client.session_transaction() as sess:
        sess["planted_by_attacker"] = "x"
    before = client.get_cookie("session").value
    assert login(client, "registrar").status_code == 302
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as sess:
        assert "planted_by_attacker" not in sess
        assert "_user_id" in sess
    # the pre-login cookie is still anonymous
    attacker = site.app.test_client()
    attacker.set_cookie("session", before)
    assert attacker.get("/staff/").status_code == 302


def test_old_session_cookie_is_useless_after_logout(site):
    client = site.app.test_client()
    assert login(client, "handler").status_code == 302
    stolen = client.get_cookie("session").value
    assert client.get("/staff/").status_code == 200
    assert client.post("/logout").status_code == 302
    thief = site.app.test_client()
    thief.set_cookie("session", stolen)
    resp = thief.get("/staff/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


# -- CSRF on every form ---------------------------------------------------------------------------

def test_csrf_is_enforced_on_every_non_api_post(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        create_user("boss", PASSWORD, "BCZ", ALL_ROLES, "全部角色")
        case = cases.submit_online(person_payload(), today=date.today()).case
        case_id = case.id
    client = app.test_client()
    token = CSRF_TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    assert login(client, "boss").status_code == 400  # no token: even sign-in is refused
    assert login(client, "boss", token=token).status_code == 302
    with app.app_context():
        events_before = db.session.execute(select(func.count()).select_from(Event)).scalar_one()
    adapter = app.url_map.bind("localhost")
    checked, problems = [], []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.startswith("api."):
            continue
        conv = rule._converters
        values = {a: (case_id if a == "case_id" else 1 if isinstance(conv.get(a), IntegerConverter)
                      else "confirm_receipt" if a == "action" else "x") for a in rule.arguments}
        url = adapter.build(rule.endpoint, values)
        for bad in ({}, {"csrf_token": "forged"}):
            resp = client.post(url, data={"received_on": "2024-01-02", "active": "0",
                                          "roles": ["registrar"], **bad})
            text = resp.get_data(as_text=True)
            if resp.status_code != 400 or "CSRF" not in text:
                problems.append(f"POST {url} {bad} → {resp.status_code}")
        checked.append(rule.endpoint)
    assert len(checked) >= 30, checked
    assert problems == []
    with app.app_context():
        events_after = db.session.execute(select(func.count()).select_from(Event)).scalar_one()
        assert events_after == events_before
        assert db.session.get(type(case), case_id).status == "submitted"
    # control: the same kind of request with the page's token goes through
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    token = CSRF_TOKEN.search(page).group(1)
    resp = client.post(f"/staff/cases/{case_id}/confirm",
                       data={"csrf_token": token, "received_on": date.today().isoformat()})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(type(case), case_id).status == "registered"


# -- sign-in rules --------------------------------------------------------------------------------

def _events(action: str) -> list[Event]:
    return list(db.session.execute(select(Event).where(Event.action == action)
                                   .order_by(Event.id)).scalars())


def test_throttling_writes_login_failed_events_and_one_alert(site):
    """Issue 12 (was: lock-out with ``locked: true``): failures are counted in the events,
    crossing the threshold writes one ``login_throttled`` event; the right password from the
    throttled client is refused (429) without a lock on the account."""
    from disclosure.services.users import DEFAULTS
    client = site.app.test_client()
    limit = DEFAULTS["LOGIN_THROTTLE_AFTER"]
    for _ in range(limit):
        assert login(client, "handler", "wrong-password-1").status_code == 401
    assert login(client, "handler").status_code == 429  # the right password, but must wait
    assert client.get("/staff/").status_code == 302
    with site.app.app_context():
        failed = _events("login_failed")
        assert [e.data["failures"] for e in failed] == list(range(1, limit + 1))
        user = db.session.execute(select(User).where(User.username == "handler")).scalar_one()
        assert {e.actor_id for e in failed} == {user.id}
        [alert] = _events("login_throttled")
        assert alert.data["username"] == "handler" and alert.agency_id == user.agency_id
        assert len(_events("login_refused")) == 1 and _events("login") == []


def test_login_error_is_the_same_for_unknown_user_wrong_password_and_throttled(site, monkeypatch):
    from datetime import datetime, timezone

    from disclosure import timeutil
    from disclosure.services.users import DEFAULTS
    fixed = datetime(2026, 3, 2, 1, 2, 3, tzinfo=timezone.utc)
    monkeypatch.setattr(timeutil, "now", lambda: fixed)  # the retry time on both pages
    client = site.app.test_client()
    limit = DEFAULTS["LOGIN_THROTTLE_AFTER"]

    def page(username, password):
        resp = login(client, username, password)
        return resp.status_code, resp.get_data(as_text=True).replace(username, "<USER>")

    unknown = page("no-such-user", "wrong-password-1")
    wrong = page("registrar", "wrong-password-1")
    assert unknown == wrong
    assert unknown[0] == 401 and "用户名或密码错误" in unknown[1]
    for _ in range(limit - 1):  # (one failure each above)
        page("no-such-user", "wrong-password-1")
        page("registrar", "wrong-password-1")
    throttled_unknown = page("no-such-user", "wrong-password-1")
    throttled_known = page("registrar", PASSWORD)
    assert throttled_unknown == throttled_known
    assert throttled_known[0] == 429


def test_weak_passwords_are_refused(site):
    from disclosure.domain.errors import ValidationFailed
    with site.app.app_context():
        for password in ["short-1", "abcdefghijkl", "123456789012", "          ", ""]:
            with pytest.raises(ValidationFailed) as exc:
                create_user("weak", password, "BCZ", ["handler"])
            assert "password" in exc.value.errors, password


def test_role_removal_takes_effect_on_the_next_request(site):
    """Roles are read from the database on every request (a removed role stops working at once)."""
    client = site.app.test_client()
    assert login(client, "boss").status_code == 302
    assert client.get("/admin/users").status_code == 200
    with site.app.app_context():
        boss = db.session.get(User, site.ids["user_id"])
        set_roles(boss, ["handler"], Actor.of(db.session.execute(
            select(User).where(User.username == "admin")).scalar_one()))
    assert client.get("/admin/users").status_code == 403
