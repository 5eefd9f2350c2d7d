"""Issue 16: the admin outbox page says plainly when no SMS gateway is configured — SMS are then
not being sent — and marks each waiting SMS row so."""
from __future__ import annotations

from datetime import date

from disclosure.services import cases, outbox
from disclosure.services.actors import Actor
from tests.conftest import person_payload

NOT_CONFIGURED = "未配置短信网关（DISCLOSURE_SMS_URL）：短信不会发送。"


def _sms_waiting(staff):
    """A new query code for an applicant with only a phone: an SMS row (services.code_recovery
    queues it whether or not a gateway is configured)."""
    payload = person_payload(applicant={**person_payload()["applicant"], "email": ""})
    sub = cases.register_paper(staff["registrar"].agency, payload, "in_person", date(2024, 9, 27),
                               Actor.of(staff["registrar"]), date(2024, 9, 27))
    from disclosure.services import code_recovery
    assert code_recovery.recover(sub.case.tracking_no) == "sms"
    return sub.case.tracking_no


def test_the_page_says_no_sms_gateway_is_configured(login_as, staff):
    no = _sms_waiting(staff)
    outbox.send_pending()  # the scheduler's run: nothing sent, the row says why
    html = login_as("admin").get("/admin/outbox").get_data(as_text=True)
    assert NOT_CONFIGURED in html
    assert "sms:13800000000" in html and f"【{no}】新的查询码" in html
    assert "未发送：未配置短信网关" in html and "已发送" not in html


def test_with_a_gateway_the_warning_is_gone(app, login_as, staff):
    _sms_waiting(staff)
    app.config["SMS_URL"] = "http://127.0.0.1:9/sms"
    html = login_as("admin").get("/admin/outbox").get_data(as_text=True)
    assert NOT_CONFIGURED not in html and "未发送：未配置短信网关" not in html
    assert "短信通过短信网关发送" in html and "待发送" in html
