"""Issue 16: the SMS gateway adapter against a real HTTP server on 127.0.0.1 that records what it
receives — the JSON body, the auth header — and answers as told: a refusal (500, or 200 with
{"ok": false}) leaves the row for the outbox's next run, a success marks it sent once."""
from __future__ import annotations

import base64
import json
import logging
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Outbox
from disclosure.services import cases, outbox, sms
from disclosure.services.actors import Actor
from tests.conftest import person_payload

D = date
BASE = "https://ysqgk.example.gov.cn"


class Gateway:
    """A tiny SMS gateway: records each request; answers with the queued (status, body)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict | None]] = []
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers),
                                         "json": json.loads(raw.decode("utf-8"))})
                time.sleep(gateway.delay)
                status, body = gateway.answers.pop(0) if gateway.answers else (200, {"ok": True})
                data = json.dumps(body).encode() if body is not None else b""
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    with Gateway() as gw:
        yield gw


def _app(make_app, gw: Gateway | None, **extra):
    settings = {"PUBLIC_BASE_URL": BASE, "SMS_SIGN": "包场镇政务公开",
                "SMS_TEMPLATES": {"receipt": "SMS_0001"}, **extra}
    if gw is not None:
        settings.update(SMS_URL=gw.url, SMS_USERNAME="disclosure", SMS_PASSWORD="s3cret-pw")
    return make_app(**settings)


def _registered(phone="13800000000", email=""):
    from disclosure.services.users import create_agency, create_user
    agency = create_agency("BCZ", "包场镇人民政府")
    registrar = create_user("registrar", "Test-password-2026", "BCZ", ["registrar"], "登记员")
    payload = person_payload(applicant={**person_payload()["applicant"], "phone": phone,
                                        "email": email})
    return cases.register_paper(agency, payload, "in_person", D(2024, 9, 27),
                                Actor.of(registrar), D(2024, 9, 27)).case


def _sms_row() -> Outbox:
    db.session.rollback()
    return db.session.execute(select(Outbox).where(Outbox.recipient.like("sms:%"))).scalar_one()


def test_a_refusal_is_retried_then_sent_once(make_app, gateway, caplog):
    app = _app(make_app, gateway)
    caplog.set_level(logging.INFO, logger="disclosure.sms")
    with app.app_context():
        no = _registered().tracking_no
        gateway.answers.append((500, {"ok": False, "error": "upstream down"}))
        first = outbox.send_pending()
        row = _sms_row()
        assert first["sent"] == 0 and first["failed"] == 1
        assert row.sent_at is None and row.attempts == 1 and "HTTP 500" in row.last_error

        second = outbox.send_pending()  # the next run: the gateway answers 200
        row = _sms_row()
        assert second["sent"] == 1 and second["failed"] == 0
        assert row.sent_at is not None and row.attempts == 2 and row.last_error is None
        assert outbox.send_pending()["sent"] == 0  # sent once only
    assert len(gateway.requests) == 2
    req = gateway.requests[-1]
    assert req["path"] == "/api/sms/send"
    assert req["headers"]["Content-Type"].startswith("application/json")
    expected = "Basic " + base64.b64encode(b"disclosure:s3cret-pw").decode()
    assert req["headers"]["Authorization"] == expected
    link = f"{BASE}/status?no={no}"
    assert req["json"] == {"phone": "13800000000", "sign": "包场镇政务公开",
                           "template": "SMS_0001", "params": {"no": no, "link": link},
                           "text": row.body}
    assert no in row.body and link in row.body
    # one log line per send, the number masked
    lines = [r.getMessage() for r in caplog.records if r.name == "disclosure.sms"]
    assert len(lines) == 2 and "refused" in lines[0] and "sent" in lines[1]
    assert all("138****0000" in line for line in lines)
    assert "13800000000" not in caplog.text


def test_ok_false_in_a_200_answer_is_a_failure(make_app, gateway):
    app = _app(make_app, gateway)
    with app.app_context():
        _registered()
        gateway.answers.append((200, {"ok": False, "message": "签名未报备"}))
        assert outbox.send_pending()["failed"] == 1
        row = _sms_row()
        assert row.sent_at is None and "签名未报备" in row.last_error
        gateway.answers.append((204, None))  # an empty 2xx answer is a success
        assert outbox.send_pending()["sent"] == 1


def test_bearer_key_and_a_free_text_event(make_app, gateway):
    app = make_app(SMS_URL=gateway.url, SMS_API_KEY="key-123", SMS_TEMPLATES="{not json")
    with app.app_context():
        _registered()
        assert outbox.send_pending()["sent"] == 1
    req = gateway.requests[0]
    assert req["headers"]["Authorization"] == "Bearer key-123"
    assert req["json"]["template"] is None and req["json"]["text"]  # no id: the text is sent


def test_a_gateway_that_does_not_answer_in_time(make_app, gateway):
    app = _app(make_app, gateway, SMS_TIMEOUT=0.3)
    gateway.delay = 1.5
    with app.app_context():
        _registered()
        assert outbox.send_pending()["failed"] == 1
        row = _sms_row()
        assert row.sent_at is None and row.attempts == 1 and row.last_error


def test_without_a_gateway_sms_rows_wait_and_are_never_marked_sent(make_app, gateway):
    """A row queued while a gateway was configured (or by the query-code recovery, which
    queues SMS rows regardless) waits when there is none, and is sent once there is one."""
    app = _app(make_app, gateway)
    with app.app_context():
        _registered()
        app.config["SMS_URL"] = None
        result = outbox.send_pending()
        row = _sms_row()
        assert result["sent"] == 0 and "no SMS gateway: 1 SMS waiting" in result["skipped"]
        assert row.sent_at is None and row.attempts == 0
        assert row.last_error == sms.NOT_CONFIGURED == "未配置短信网关"
        app.config["MAIL_SERVER"] = "127.0.0.1"  # mail on, SMS still off: the row is left
        app.config["MAIL_PORT"] = 9
        outbox.send_pending()
        assert _sms_row().sent_at is None and _sms_row().attempts == 0
        app.config["MAIL_SERVER"] = None
        app.config["SMS_URL"] = gateway.url
        assert outbox.send_pending()["sent"] == 1
        assert _sms_row().sent_at is not None and _sms_row().last_error is None
    assert len(gateway.requests) == 1


def test_query_code_sms_carries_the_code_as_a_template_parameter(make_app, gateway):
    app = _app(make_app, gateway, SMS_TEMPLATES={"query_code": "SMS_0009"})
    with app.app_context():
        case = _registered()
        no = case.tracking_no
        outbox.enqueue("sms:13800000000", f"【{no}】新的查询码",
                       f"申请{no}的新查询码：ABCDEFGH23，原查询码已失效。", case)
        db.session.commit()
        assert outbox.send_pending()["sent"] == 2  # the receipt and the new code
    sent = {r["json"]["template"]: r["json"]["params"] for r in gateway.requests}
    assert sent["SMS_0009"] == {"no": no, "code": "ABCDEFGH23"}
