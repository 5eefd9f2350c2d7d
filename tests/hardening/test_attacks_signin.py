"""Issue 12, sign-in and the applicant's secret, attacked through HTTP:

- the answer time must not tell which user names exist: every attempt (unknown, inactive,
  wrong, right, throttled) costs exactly one password-hash verification — counted, not timed;
- repeated failures slow the failing client down (2, 4, 8 … s, at most 15 min) and never lock
  the account: the real user at another address still gets in; the admins are alerted once;
- staff passwords: at least 12 characters, not a common password (zxcvbn's list);
- the query code never travels in the session cookie;
- an upload keeps the extension of its sniffed type, not the claimed one.

The clock is fixed (``disclosure.timeutil.now`` monkeypatched): no test sleeps.
"""
from __future__ import annotations

import base64
import re
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from disclosure import timeutil
from disclosure.extensions import db
from disclosure.models import Attachment, Event, LoginFailure, Outbox, ReceiptCode, User
from disclosure.services import users
from disclosure.services.actors import Actor
from disclosure.services.users import create_agency, create_user, set_active
from tests.conftest import PASSWORD

ADDR_A = "198.51.100.10"   # the attacker
ADDR_B = "203.0.113.20"    # the real user
AFTER = users.DEFAULTS["LOGIN_THROTTLE_AFTER"]
CAP = users.DEFAULTS["LOGIN_THROTTLE_MAX_SECONDS"]
T0 = datetime(2026, 3, 2, 1, 0, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, start: datetime):
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    c = Clock(T0)
    monkeypatch.setattr(timeutil, "now", c)
    return c


@pytest.fixture
def site(make_app):
    """An agency with a handler and an admin (with an e-mail address for the alert); no app
    context held open by the test."""
    app = make_app()
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        create_user("handler", PASSWORD, "BCZ", ["handler"], "承办人甲")
        admin = create_user("admin", PASSWORD, "BCZ", ["admin"], "管理员甲")
        quiet = create_user("quiet", PASSWORD, "BCZ", ["registrar"], "登记员乙")
        admin.email, quiet.email = "admin@bcz.example.cn", "r@bcz.example.cn"
        db.session.commit()
    return app


def client_at(app, addr: str):
    """A browser at ``addr`` (Flask-Login's strong session protection ties the session to it)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    return client


def attempt(client, username, password, addr=ADDR_A):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def count(app, model, *where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model).where(*where)
        return db.session.execute(query).scalar_one()


def events(app, action: str) -> list[Event]:
    with app.app_context():
        return list(db.session.execute(select(Event).where(Event.action == action)
                                       .order_by(Event.id)).scalars())


# -- equal work: no timing oracle ----------------------------------------------------------------

@pytest.fixture
def verifications(monkeypatch):
    calls: list[str] = []
    real = users.verify_password

    def counting(pwhash, password):
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(users, "verify_password", counting)
    return calls


def test_every_kind_of_attempt_costs_exactly_one_hash_verification(site, clock, verifications):
    client = site.test_client()
    with site.app_context():
        handler_hash = db.session.execute(
            select(User.password_hash).where(User.username == "handler")).scalar_one()
        create_user("gone", PASSWORD, "BCZ", ["handler"])
        set_active(db.session.execute(select(User).where(User.username == "gone")).scalar_one(),
                   False, Actor(None, "test"))
        dummy = users.dummy_hash()
    cases = {
        "unknown user": ("no-such-user", "wrong-password-1", 401),
        "unknown user, a name longer than the column": ("x" * 300, "wrong-password-1", 401),
        "known user, wrong password": ("handler", "wrong-password-1", 401),
        "inactive user, right password": ("gone", PASSWORD, 401),
        "known user, right password": ("handler", PASSWORD, 302),
    }
    for label, (name, password, status) in cases.items():
        verifications.clear()
        assert attempt(client, name, password, ADDR_B).status_code == status, label
        assert len(verifications) == 1, label
        expected = handler_hash if name == "handler" else dummy
        assert verifications == [expected], label
    # a throttled client: refused without checking the password, yet the same work
    for name in ("handler", "no-such-user"):
        for _ in range(AFTER):
            attempt(client, name, "wrong-password-1", "192.0.2.99")
        verifications.clear()
        assert attempt(client, name, PASSWORD, "192.0.2.99").status_code == 429
        assert verifications == [dummy], name


def test_the_dummy_hash_uses_the_configured_method(make_app):
    app = make_app(PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        assert users.dummy_hash().startswith("scrypt:")
        assert users.dummy_hash() == users.dummy_hash()  # made once, not per attempt


# -- throttling, not lock-out ---------------------------------------------------------------------

def test_twenty_wrong_passwords_from_a_do_not_stop_the_right_password_from_b(site, clock):
    attacker, user = client_at(site, ADDR_A), client_at(site, ADDR_B)
    statuses = []
    for _ in range(20):
        statuses.append(attempt(attacker, "handler", "wrong-password-1", ADDR_A).status_code)
        clock.advance(1)
    assert statuses[:AFTER] == [401] * AFTER and 429 in statuses
    resp = attempt(user, "handler", PASSWORD, ADDR_B)
    assert resp.status_code == 302
    assert user.get("/staff/").status_code == 200
    # admin too: hammering the admin account never locks the administrators out
    for _ in range(20):
        attempt(attacker, "admin", "wrong-password-1", ADDR_A)
    assert attempt(site.test_client(), "admin", PASSWORD, ADDR_B).status_code == 302


def test_delays_grow_are_enforced_and_expire_with_the_clock(site, clock):
    client = site.test_client()
    for _ in range(AFTER):
        assert attempt(client, "handler", "wrong-password-1").status_code == 401
    waits = []
    for k in range(1, 13):
        wait = min(CAP, 2 ** k)
        # inside the wait: refused — even the right password — and told when to come back
        clock.advance(wait - 1)
        for _ in range(3):  # hammering inside the wait does not extend it
            resp = attempt(client, "handler", PASSWORD)
            assert resp.status_code == 429
            assert 1 <= int(resp.headers["Retry-After"]) <= wait
            html = resp.get_data(as_text=True)
            expected = timeutil.as_local(clock.t + timedelta(seconds=1)).strftime("%H:%M:%S")
            assert "登录失败次数过多" in html and expected in html
        clock.advance(1)
        resp = attempt(client, "handler", "wrong-password-1")  # accepted again, and wrong
        assert resp.status_code == 401
        waits.append(int(resp.headers["Retry-After"]))
    assert waits == [min(CAP, 2 ** (k + 1)) for k in range(1, 13)]
    assert max(waits) == CAP == 15 * 60
    # after the last wait the right password gets in, and the count starts again
    clock.advance(CAP)
    assert attempt(client, "handler", PASSWORD).status_code == 302
    assert count(site, LoginFailure) == 0
    # refused attempts were not counted as failures
    assert len(events(site, "login_failed")) == AFTER + 12


def test_failures_expire_after_the_window(site, clock):
    client = site.test_client()
    for _ in range(AFTER):
        attempt(client, "handler", "wrong-password-1")
    clock.advance(users.DEFAULTS["LOGIN_THROTTLE_WINDOW_HOURS"] * 3600 + 1)
    resp = attempt(client, "handler", "wrong-password-1")
    assert resp.status_code == 401 and "Retry-After" not in resp.headers
    assert count(site, LoginFailure) == 1  # the expired ones are gone


def test_one_address_spraying_many_user_names_is_slowed_down(site, clock):
    """The per-address limit: guessing across user names does not escape the delays."""
    client = site.test_client()
    limit = users.DEFAULTS["LOGIN_THROTTLE_ADDRESS_AFTER"]
    for i in range(limit):
        assert attempt(client, f"user{i}", "Summer-2026!").status_code == 401
    assert attempt(client, "handler", PASSWORD).status_code == 429
    assert attempt(site.test_client(), "handler", PASSWORD, ADDR_B).status_code == 302
    [ev] = events(site, "login_throttled")
    assert ev.data == {"address": ADDR_A, "failures": limit} and ev.agency_id is None


def test_an_ipv6_client_is_counted_by_its_64_network():
    assert users.client_key("2001:db8:1:2::1") == users.client_key("2001:db8:1:2:ffff::9") \
        == "2001:db8:1:2::/64"
    assert users.client_key("2001:db8:1:3::1") != users.client_key("2001:db8:1:2::1")
    assert users.client_key("::ffff:198.51.100.10") == ADDR_A
    assert users.client_key(ADDR_A) == ADDR_A
    assert users.client_key(None) == "-"


def test_crossing_the_threshold_alerts_the_agencys_admins_once(site, clock):
    client = site.test_client()
    for _ in range(AFTER + 3):
        attempt(client, "handler", "wrong-password-1")
        clock.advance(CAP)
    [alert] = events(site, "login_throttled")
    assert alert.data == {"username": "handler", "address": ADDR_A, "failures": AFTER}
    with site.app_context():
        handler = db.session.execute(select(User).where(User.username == "handler")).scalar_one()
        assert alert.agency_id == handler.agency_id
        [mail] = db.session.execute(select(Outbox)).scalars().all()
    assert mail.recipient == "admin@bcz.example.cn"  # the admins, not every colleague
    assert "handler" in mail.subject and ADDR_A in mail.body and "未被锁定" in mail.body
    # a second address crossing the same day: an event, but no second message
    for _ in range(AFTER):
        attempt(client, "handler", "wrong-password-1", ADDR_B)
    assert len(events(site, "login_throttled")) == 2
    assert count(site, Outbox) == 1


def test_unknown_user_names_leave_no_account_events_and_no_alert(site, clock):
    client = site.test_client()
    for _ in range(AFTER + 1):
        attempt(client, "no-such-user", "wrong-password-1")
    assert events(site, "login_failed") == [] and events(site, "login_throttled") == []
    assert count(site, Outbox) == 0
    with site.app_context():  # the typed name is not stored (a password typed there would be)
        keys = db.session.execute(select(LoginFailure.account_key)).scalars().all()
    assert keys and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)


# -- staff passwords --------------------------------------------------------------------------

WEAK = {
    "password123": "常见密码",
    "Password1234": "常见密码",
    "Abcdef12!-x": "密码至少 12 位",   # 11 characters
    "qwertyuiop12": "常见密码",
}


@pytest.mark.parametrize("password, message", WEAK.items())
def test_weak_staff_passwords_are_refused_in_the_admin_ui(site, password, message):
    client = client_at(site, ADDR_B)
    assert attempt(client, "admin", PASSWORD, ADDR_B).status_code == 302
    resp = client.post("/admin/users", data={
        "username": "newbie", "display_name": "新同事", "password": password, "agency": "BCZ",
        "roles": ["handler"]})
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert count(site, User, User.username == "newbie") == 0


@pytest.mark.parametrize("password, message", WEAK.items())
def test_weak_staff_passwords_are_refused_by_the_cli(site, password, message):
    runner = site.test_cli_runner()
    result = runner.invoke(args=["users", "create", "newbie", "--agency", "BCZ", "--role",
                                 "handler", "--password-stdin"], input=password + "\n")
    assert result.exit_code == 1 and message in result.output
    result = runner.invoke(args=["users", "set-password", "handler", "--password-stdin"],
                           input=password + "\n")
    assert result.exit_code == 1 and message in result.output
    assert count(site, User, User.username == "newbie") == 0


def test_strong_passwords_pass_the_cli_and_the_demo_passwords_pass_the_policy(site):
    for password in ("Demo-registrar-2026", "Demo-handler-2026", "Demo-reviewer-2026",
                     "Demo-head-2026", "Demo-admin-2026", PASSWORD):
        with site.app_context():
            assert users.password_problem(password) is None, password
    runner = site.test_cli_runner()
    result = runner.invoke(args=["users", "set-password", "handler", "--password-stdin"],
                           input="Zebra-Tulip-8-Anvil\n")
    assert result.exit_code == 0, result.output
    assert attempt(site.test_client(), "handler", "Zebra-Tulip-8-Anvil").status_code == 302
    assert len(events(site, "password_changed")) == 1


def test_weak_password_message_is_english_on_english_pages(site):
    client = client_at(site, ADDR_B)
    assert attempt(client, "admin", PASSWORD, ADDR_B).status_code == 302
    client.get("/lang/en")
    resp = client.post("/admin/users", data={
        "username": "newbie", "display_name": "x", "password": "password123", "agency": "BCZ",
        "roles": ["handler"]})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "常见密码" not in html and "common" in html.lower()


# -- the query code stays out of the session cookie ----------------------------------------------

FORM = {
    "agency": "BCZ", "applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
    "id_number": "11010519491231002X", "phone": "13800000000", "address": "包场镇1号",
    "subject": "某村道路拓宽工程的立项批复", "delivery_form": "electronic",
    "delivery_method": "online", "step": "confirm"}  # the review page's 确认提交 (issue 16)


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def decoded_session(app, value: str) -> str:
    """Everything a reader of the cookie can get out of it, as text."""
    data = app.session_interface.get_signing_serializer(app).loads(value)
    payload = value.split(".")[1] if value.startswith(".") else value.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if value.startswith("."):
        raw = zlib.decompress(raw)
    return repr(data) + raw.decode("utf-8", "replace")


def query_code_of(html: str) -> str:
    return re.search(r'id="query-code">([^<]+)<', html).group(1).strip()


def test_the_session_cookie_never_contains_the_query_code(site, clock):
    client = site.test_client()
    resp = client.post("/apply", data=FORM)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    receipt_url = resp.headers["Location"]
    cookie = session_cookie(client)
    page = client.get(receipt_url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    code = query_code_of(page.get_data(as_text=True))
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    for value in (cookie, session_cookie(client)):
        text = decoded_session(site, value)
        assert code not in text and code.lower() not in text
        assert "query_code" not in text
    # the database alone does not hold it either (one-time padded)
    with site.app_context():
        [row] = db.session.execute(select(ReceiptCode)).scalars().all()
        assert code not in row.masked_code
    # the code still works for the status page
    assert client.post("/status", data={"tracking_no": receipt_url.rsplit("/", 1)[1],
                                         "query_code": code}).status_code == 200
    # reloading the receipt shows it again, in that session only
    assert query_code_of(client.get(receipt_url).get_data(as_text=True)) == code
    assert site.test_client().get(receipt_url).status_code == 404


def test_the_kept_code_expires_and_is_forgotten_when_done(site, clock):
    client = site.test_client()
    url = client.post("/apply", data=FORM).headers["Location"]
    clock.advance(31 * 60)
    assert client.get(url).status_code == 404
    url = client.post("/apply", data=FORM).headers["Location"]  # expired rows are purged
    assert count(site, ReceiptCode) == 1
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/done").status_code == 302
    assert client.get(url).status_code == 404
    assert count(site, ReceiptCode) == 0


def test_a_forged_receipt_session_shows_nothing(site, clock):
    client = site.test_client()
    url = client.post("/apply", data=FORM).headers["Location"]
    tracking_no = url.rsplit("/", 1)[1]
    with client.session_transaction() as sess:
        sess["receipt"] = {"tracking_no": tracking_no, "token": "guess", "pad": "AAAAAAAAAA"}
    assert client.get(url).status_code == 404
    with client.session_transaction() as sess:
        sess["receipt"] = {"tracking_no": tracking_no, "query_code": "ABCDEFGHJK"}  # old form
    assert client.get(url).status_code == 404


# -- uploads: the sniffed type decides the extension ----------------------------------------------

PDF = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"


def test_a_pdf_named_html_is_stored_and_served_as_pdf(site, tmp_path):
    import io
    client = site.test_client()
    data = {**FORM, "supporting": [(io.BytesIO(PDF), "x.html", "text/html")]}
    resp = client.post("/apply", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    with site.app_context():
        att = db.session.execute(select(Attachment)).scalar_one()
        case_id, att_id = att.case_id, att.id
        assert re.fullmatch(r"[0-9a-f]{32}\.pdf", att.stored_name)
        assert att.filename == "x.pdf" and att.content_type == "application/pdf"
    staff = client_at(site, ADDR_B)
    assert attempt(staff, "handler", PASSWORD, ADDR_B).status_code == 302
    resp = staff.get(f"/staff/cases/{case_id}/attachments/{att_id}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "x.pdf" in disposition
    assert ".html" not in disposition
    assert resp.data == PDF
    resp.close()


def test_the_registrars_receipt_keeps_the_query_code_out_of_the_cookie(app, client, staff):
    """A paper registration shows the code once to the registrar; the session cookie holds a
    token and a pad only (issue 12), and a second view shows it no more."""
    import base64
    import zlib

    from tests.conftest import login
    assert login(client, "registrar").status_code == 302
    resp = client.post("/staff/register", data={
        "channel": "in_person", "received_on": timeutil.today().isoformat(),
        "applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
        "id_number": "11010519491231002X", "phone": "13800000000", "subject": "某文件",
        "delivery_form": "paper", "delivery_method": "pickup"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    cookie = client.get_cookie("session").value
    raw = cookie.split(".")[1 if cookie.startswith(".") else 0]
    data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    text = (zlib.decompress(data) if cookie.startswith(".") else data).decode("utf-8", "replace")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    code = re.search(r'id="query-code">([^<]+)<', page)[1]
    assert code not in text and code not in cookie
    assert code not in client.get(resp.headers["Location"]).get_data(as_text=True)
