"""Real-browser fixtures: the app served on 127.0.0.1:<free port> (werkzeug, in a thread) from a
temporary SQLite database built by the real CLI (`init-db`, `demo`), CSRF on, "today" pinned;
Debian's Chromium driven by Playwright. Screenshots go to tests/e2e/screenshots/ (git-ignored).

Prerequisites: `bash scripts/e2e-setup.sh`. Without them every test here is skipped, with the
reason. Run: `.venv/bin/python -m pytest -m e2e tests/e2e`.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SHOTS = HERE / "screenshots"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
# A Monday in December: new cases fall due in January of a year whose holidays are not yet
# published (journey 4), and last year's report has a full year of demo cases (journey 5).
TODAY = "2026-12-14"
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 10_000



def _missing_prerequisite() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed: run `bash scripts/e2e-setup.sh`"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found: run `bash scripts/e2e-setup.sh` (apt chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing_prerequisite()
    if reason:
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if HERE in Path(str(item.fspath)).resolve().parents:
                item.add_marker(skip)


# -- the live server --------------------------------------------------------------------------

class _ServerErrors:
    """WSGI wrapper that remembers every 5xx answer, so a test fails on a server error even
    when the browser shows a friendly error page."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.seen: list[str] = []

    def __call__(self, environ, start_response):
        def recording_start(status, headers, exc_info=None):
            if status.startswith("5"):
                self.seen.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} → {status}")
            return start_response(status, headers, exc_info)
        return self.wsgi_app(environ, recording_start)


@dataclass
class Live:
    app: object
    url: str
    errors: _ServerErrors
    logged: list[str] = field(default_factory=list)

    def api_apply(self, name: str = "张三", subject: str = "2025年镇区河道整治工程招标文件",
                  **extra) -> tuple[str, str]:
        """Submit an online application through the JSON API → (tracking no, query code)."""
        body = {"agency": "BCZ", "subject": subject, "description": "",
                "applicant": {"type": "natural_person", "name": name, "id_type": "resident_id",
                              "id_number": "11010519491231002X", "phone": "13800000000",
                              "email": "applicant@example.cn", "address": "包场镇1号"},
                "delivery": {"form": "electronic", "method": "online"}, **extra}
        req = urllib.request.Request(f"{self.url}/api/v1/applications",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            data = json.loads(resp.read())
        return data["tracking_no"], data["query_code"]

    def case_id(self, tracking_no: str) -> int:
        from disclosure.extensions import db
        from disclosure.models import Case
        with self.app.app_context():
            return db.session.execute(db.select(Case.id).where(
                Case.tracking_no == tracking_no)).scalar_one()


class _LogList(logging.Handler):
    def __init__(self, sink: list[str]):
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record):
        self.sink.append(self.format(record))


def register_letters(app) -> None:
    """Until disclosure/web/__init__.py registers them, add the letter blueprints here (before
    the first request)."""
    from disclosure.web import letters
    for bp in (letters.bp, letters.public_bp):
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    from werkzeug.serving import make_server

    from disclosure import create_app

    tmp = tmp_path_factory.mktemp("e2e")
    SHOTS.mkdir(exist_ok=True)
    for old in SHOTS.iterdir():  # the folder shows what the latest run saw
        if old.suffix in (".png", ".pdf", ".json"):
            old.unlink()
    app = create_app({
        "SECRET_KEY": "e2e-secret-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'e2e.sqlite'}",
        "INSTANCE_PATH": str(tmp / "instance"),
        "FIXED_TODAY": TODAY,
        "WTF_CSRF_ENABLED": True,  # the real forms carry their tokens
        # Every journey signs in several people within the same minute; cheap hashes for the
        # demo users keep each sign-in fast (production uses scrypt).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "LOGIN_RATE_LIMIT": "1000/minute", "SUBMIT_RATE_LIMIT": "1000/minute",
        "LOOKUP_RATE_LIMIT": "1000/minute",
    })
    register_letters(app)
    runner = app.test_cli_runner()
    for command in (["init-db"], ["demo"]):  # as `flask --app disclosure init-db`, `… demo`
        with app.app_context():
            result = runner.invoke(args=command)
        assert result.exit_code == 0, (command, result.output, result.exception)
    errors = _ServerErrors(app.wsgi_app)
    app.wsgi_app = errors
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = Live(app, f"http://127.0.0.1:{server.server_port}", errors)
    handler = _LogList(live.logged)
    app.logger.addHandler(handler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(10)
    app.logger.removeHandler(handler)


@pytest.fixture(autouse=True)
def _no_server_errors(live):
    live.errors.seen.clear()
    live.logged.clear()
    yield
    assert not live.errors.seen, f"server errors: {live.errors.seen}\n{live.logged}"


# -- the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _context(browser, live, **options):
    options.setdefault("viewport", {"width": 1280, "height": 900})
    ctx = browser.new_context(base_url=live.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                              accept_downloads=True, **options)
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


@pytest.fixture
def new_page(browser, live):
    """new_page(viewport=PHONE, bypass_csp=True) → a page in a fresh context (its own cookies:
    one person), closed after the test."""
    contexts = []

    def make(**options):
        ctx = _context(browser, live, **options)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def _signed_in(browser, live):
    """One desktop context per demo user, signed in once for the whole session."""
    contexts: dict[tuple[str, bool], object] = {}
    yield contexts
    for ctx in contexts.values():
        ctx.close()


@pytest.fixture
def staff_page(browser, live, _signed_in):
    """staff_page("handler") → a new desktop page of that demo user (signed in through the
    login form the first time), closed after the test. ``bypass_csp=True`` gives a separate
    signed-in context where axe-core can be injected despite the app's CSP."""
    pages = []

    def make(username: str, bypass_csp: bool = False):
        ctx = _signed_in.get((username, bypass_csp))
        if ctx is None:
            ctx = _context(browser, live, bypass_csp=bypass_csp)
            _signed_in[(username, bypass_csp)] = ctx
            first = ctx.new_page()
            login(first, username)
            first.close()
        page = ctx.new_page()
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()


def password_of(username: str) -> str:
    """The demo password of ``username`` — the county's accounts (issue 17) included: the
    supervisor's own, and a staffed agency's ``cl-registrar`` that of ``registrar``."""
    from disclosure.demo import DEMO_USERS, STAFFED, SUPERVISOR
    if username == SUPERVISOR[0]:
        return SUPERVISOR[3]
    prefix, _, base = username.partition("-")
    if base and prefix in STAFFED.values():
        username = base
    return next(pw for name, _display, _roles, pw in DEMO_USERS if name == username)


def login(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password_of(username))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(staff|supervision)/$"))  # a supervisor lands on the table


def _shot(page, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def shot():
    """shot(page, "j1-02-receipt") → full-page screenshot tests/e2e/screenshots/<name>.png."""
    return _shot
