"""Shared fixtures. The database is SQLite in a temporary folder, or the PostgreSQL server named
by TEST_DATABASE_URL (CI sets it), emptied before every test."""
from __future__ import annotations

import os
import re
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from disclosure import create_app
from disclosure.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "Test-password-2026"
# Each test process works in its own PostgreSQL schema, so parallel runs never collide.
PG_SCHEMA = f"test_{os.getpid()}"


def _config(tmp_path, **extra) -> dict:
    url = PG_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"
    engine = {"connect_args": {"options": f"-csearch_path={PG_SCHEMA}"}} if PG_URL else {}
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": engine,
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **extra,
    }


_pg_ready = False


def _empty_database() -> None:
    global _pg_ready
    if db.engine.dialect.name != "postgresql":
        db.create_all()  # a new SQLite file per test
        return
    with db.engine.begin() as conn:
        if not _pg_ready:
            conn.execute(text(
                f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE; CREATE SCHEMA {PG_SCHEMA}"))
        else:
            # TRUNCATE does not fire the row-level append-only triggers (they refuse DELETE).
            names = ", ".join(t.name for t in db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    if not _pg_ready:
        db.create_all()
        _pg_ready = True


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_schema():
    yield
    if PG_URL:
        import psycopg
        with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"),
                             autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")


@pytest.fixture
def make_app(tmp_path):
    """Build an app with extra settings: make_app(FIXED_TODAY="2024-03-01")."""
    apps = []

    def factory(**extra):
        app = create_app(_config(tmp_path, **extra))
        with app.app_context():
            if not apps:
                _empty_database()
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def agency(ctx):
    from disclosure.services.users import create_agency
    return create_agency("BCZ", "包场镇人民政府")


@pytest.fixture
def staff(agency):
    """One user per role in agency BCZ, keyed by role."""
    from disclosure.services.users import create_user
    users = {}
    for role in ("registrar", "handler", "reviewer", "office_head", "admin"):
        users[role] = create_user(role, PASSWORD, "BCZ", [role], f"{role}-name")
    return users


def login(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def login_as(client, staff):
    def do(role: str):
        resp = login(client, role)
        assert resp.status_code == 302, resp.data
        return client
    return do


def person_payload(**over) -> dict:
    body = {
        "agency": "BCZ",
        "applicant": {"type": "natural_person", "name": "张三", "id_type": "resident_id",
                      "id_number": "11010519491231002X", "phone": "13800000000",
                      "email": "a@example.cn", "address": "包场镇1号"},
        "subject": "2023年某村道路拓宽工程的立项批复",
        "description": "",
        "delivery": {"form": "electronic", "method": "online"},
    }
    body.update(over)
    return body


D = date


def send_notices(case, day):
    """A reviewer of the case's agency approves (and so releases) every notice of the case still
    awaiting review — what the office does before a notice can reach the applicant (R6.3)."""
    from sqlalchemy import select as _select

    from disclosure.models import Notice, User, UserRole
    from disclosure.services.actors import Actor
    from disclosure.services.review import notices as _notices
    from disclosure.services.review import seen

    reviewer = db.session.execute(_select(User).join(UserRole).where(
        User.agency_id == case.agency_id, UserRole.role == "reviewer")).scalars().first()
    pending = db.session.execute(_select(Notice).where(
        Notice.case_id == case.id, Notice.released_on.is_(None))).scalars().all()
    for n in pending:
        _notices.decide(case, n.id, "approved", None, Actor.of(reviewer), day,
                        **seen(_notices.item_of(n)))


TEST_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def draft_complete(case, reply_type, actor, day, with_document=None):
    """Draft the reply as a handler finishes it: the template's 〔请承办人…〕 placeholders filled
    in, and — for 予以公开 / 部分公开 — the document it provides (issue 13: an incomplete letter
    cannot reach review)."""
    from disclosure.domain.replies import PLACEHOLDER, REPLY_TYPES
    from disclosure.services.review import replies
    from disclosure.services.uploads import Upload

    text = PLACEHOLDER.sub("见本机关网站 https://www.example.gov.cn/xxgk 及所附文件",
                           replies.default_letter(case, reply_type))
    reply = replies.draft_reply(case, reply_type, text, actor, day)
    needs = REPLY_TYPES[reply_type].documents if with_document is None else with_document
    if needs:
        replies.add_document(
            case, Upload(f"{case.tracking_no}.pdf", TEST_PDF + case.tracking_no.encode()),
            False, actor, day)
    return reply


class OwnContextClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in a real server:
    with the test's context shared, ``g`` (and the user Flask-Login keeps there) would leak
    between the several people of one test. Read the database after requests with
    ``db.session.rollback()`` first (a new snapshot)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def empty_app(tmp_path):
    """A second app on its own, empty database (another SQLite file / PostgreSQL schema): where
    a ledger exported from the first is imported again."""
    cfg = _config(tmp_path / "second")
    schema = f"{PG_SCHEMA}_second"
    if PG_URL:
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
    else:
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'second.sqlite'}"
    app = create_app(cfg)
    with app.app_context():
        if PG_URL:
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; "
                                  f"CREATE SCHEMA {schema}"))
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if PG_URL:
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        db.engine.dispose()


def client_for(app, username: str):
    """A signed-in client of its own (see OwnContextClient)."""
    app.test_client_class = OwnContextClient
    c = app.test_client()
    assert login(c, username).status_code == 302
    return c


def client_anon(app):
    app.test_client_class = OwnContextClient
    return app.test_client()


def write_as_database_owner(sql_statements):
    """What an attacker with database access does: lift the foreign keys and triggers, rewrite."""
    bind = db.session.get_bind()
    db.session.rollback()
    raw = bind.raw_connection()
    try:
        cur = raw.cursor()
        if bind.dialect.name == "postgresql":
            cur.execute("SET session_replication_role = replica")
        else:
            cur.execute("PRAGMA foreign_keys=OFF")  # outside a transaction (autocommit)
            cur.execute("DROP TRIGGER IF EXISTS event_no_update")
        for sql, params in sql_statements:
            cur.execute(*driver_sql(bind.dialect.name, sql, params))
        if bind.dialect.name == "postgresql":
            cur.execute("SET session_replication_role = origin")
        else:
            cur.execute("PRAGMA foreign_keys=ON")
        raw.commit()
    finally:
        raw.close()


def driver_sql(dialect: str, sql: str, params: dict):
    """``:name`` parameters in the driver's own style (qmark for sqlite3, %s for psycopg)."""
    names = re.findall(r":(\w+)", sql)
    mark = "%s" if dialect == "postgresql" else "?"
    return re.sub(r":(\w+)", mark, sql), [params[n] for n in names]
