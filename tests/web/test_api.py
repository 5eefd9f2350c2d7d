"""The public JSON API v1, exactly as spec/api.md describes it."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import Case
from disclosure.services import cases
from disclosure.services.actors import Actor
from disclosure.services.users import create_agency
from tests.conftest import person_payload

TODAY = "2024-09-27"
URL = "/api/v1/applications"
CREATED_KEYS = {"tracking_no", "query_code", "status", "submitted_at"}
FOLLOW_KEYS = {"tracking_no", "status", "submitted_at", "received_on", "due_on",
               "due_provisional", "history", "reply"}


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY)


def post_json(client, body, **kw):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **kw)


def case_count() -> int:
    return db.session.execute(select(func.count()).select_from(Case)).scalar_one()


def org_payload(**over) -> dict:
    return person_payload(applicant={
        "type": "commercial_enterprise", "name": "某某有限公司",
        "credit_code": "91110000600037341L",
        "contact_name": "王五", "phone": "010-12345678"}, **over)


def assert_json_error(resp, status: int):
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "application/json"
    return resp.get_json()


# -- submit ---------------------------------------------------------------------------------------

def test_submit_returns_201_with_exactly_the_documented_keys(client, agency):
    resp = post_json(client, person_payload())
    assert resp.status_code == 201
    body = resp.get_json()
    assert set(body) == CREATED_KEYS
    assert body["status"] == "submitted"
    assert body["tracking_no"] == "BCZ-2024-000001"
    assert body["submitted_at"].startswith("2024-09-27T")
    assert body["submitted_at"].endswith("+08:00")  # the office's time zone
    case = db.session.execute(select(Case)).scalar_one()
    assert case.channel == "online" and case.status == "submitted"
    assert body["query_code"] not in (case.query_code_hash or "")


def test_submit_organisation(client, agency):
    resp = post_json(client, org_payload())
    assert resp.status_code == 201
    case = db.session.execute(select(Case)).scalar_one()
    assert case.applicant_type == "commercial_enterprise"
    assert case.credit_code == "91110000600037341L"


def test_submit_accepts_a_charset_parameter(client, agency):
    resp = client.post(URL, data=json.dumps(person_payload()).encode(),
                       content_type="application/json; charset=utf-8")
    assert resp.status_code == 201


def test_submit_keeps_html_verbatim(client, agency):
    resp = post_json(client, person_payload(subject="<script>alert(1)</script>"))
    assert resp.status_code == 201
    assert db.session.execute(select(Case.subject)).scalar_one() == "<script>alert(1)</script>"


def test_api_needs_no_csrf_token(make_app):
    app = make_app(FIXED_TODAY=TODAY, WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        assert post_json(app.test_client(), person_payload()).status_code == 201


# -- 400: every field error at once ---------------------------------------------------------------

def test_400_returns_all_field_errors_keyed_by_json_path(client, agency):
    body = person_payload(subject="")
    body["applicant"]["id_number"] = "110105194912310021"
    body["delivery"] = {"form": "scroll", "method": "online"}
    resp = post_json(client, body)
    data = assert_json_error(resp, 400)
    assert set(data) == {"errors"}
    assert set(data["errors"]) == {"applicant.id_number", "subject", "delivery.form"}
    assert data["errors"]["applicant.id_number"] == "身份证号码最后一位不对，请核对"
    assert "请填写" in data["errors"]["subject"]
    assert case_count() == 0


def test_400_invalid_credit_code(client, agency):
    body = org_payload()
    body["applicant"]["credit_code"] = "91110000600037341A"
    data = assert_json_error(post_json(client, body), 400)
    assert data["errors"] == {"applicant.credit_code": "统一社会信用代码最后一位不对，请核对"}


def test_400_unknown_agency(client, agency):
    data = assert_json_error(post_json(client, person_payload(agency="NOPE")), 400)
    assert data["errors"] == {"agency": "受理机关不存在"}
    assert case_count() == 0


def test_400_missing_agency(client, agency):
    body = person_payload()
    del body["agency"]
    data = assert_json_error(post_json(client, body), 400)
    assert set(data["errors"]) == {"agency"}


def test_400_numbers_where_strings_are_expected(client, agency):
    body = person_payload(subject=12345, agency="BCZ")
    body["applicant"]["name"] = 42
    body["applicant"]["phone"] = 13800000000
    body["delivery"]["form"] = True
    data = assert_json_error(post_json(client, body), 400)
    assert set(data["errors"]) == {"subject", "applicant.name", "applicant.phone", "delivery.form"}
    assert all("应为文本" in m for m in data["errors"].values())
    assert case_count() == 0


def test_400_control_characters(client, agency):
    data = assert_json_error(post_json(client, person_payload(subject="文件\u0000名称")), 400)
    assert "控制字符" in data["errors"]["subject"]
    assert case_count() == 0


def test_400_one_megabyte_subject(make_app):
    app = make_app(FIXED_TODAY=TODAY, API_MAX_JSON_BYTES=2 * 1024 * 1024)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        resp = post_json(app.test_client(), person_payload(subject="x" * (1024 * 1024)))
        data = assert_json_error(resp, 400)
        assert "500" in data["errors"]["subject"]
        assert case_count() == 0


@pytest.mark.parametrize("raw", [
    b"{", b"{'agency': 'BCZ'}", b"", b"   ", b"[1, 2,", b"nul", b"{\"a\": NaN",
    b"\xff\xfe\x00{", b"{\"subject\": \"\xe4\xb8\"}", b"\xc3\x28",
    b"[" * 100000, b"{\"a\":" * 50000,
])
def test_malformed_bodies_are_400_json_never_500(client, agency, raw):
    resp = client.post(URL, data=raw, content_type="application/json")
    data = assert_json_error(resp, 400)
    assert set(data) == {"errors"} and data["errors"]
    assert case_count() == 0


@pytest.mark.parametrize("doc", ["[]", "[{\"agency\": \"BCZ\"}]", "null", "\"text\"", "42", "true"])
def test_json_that_is_not_an_object_is_400(client, agency, doc):
    data = assert_json_error(client.post(URL, data=doc, content_type="application/json"), 400)
    assert data["errors"] == {"": "请求内容应为 JSON 对象"}


def test_nested_values_of_the_wrong_shape_are_400(client, agency):
    for body in (person_payload(applicant=["张三"]), person_payload(delivery="online"),
                 person_payload(applicant={"type": {"nested": [1, 2, {"deep": None}]}})):
        resp = post_json(client, body)
        assert resp.status_code == 400 and resp.get_json()["errors"]
    assert case_count() == 0


def test_lone_surrogate_escape_is_400_not_500(client, agency):
    # (was a UnicodeEncodeError at the INSERT → 500 on both databases)
    raw = json.dumps(person_payload(subject="SUBJ")).replace("SUBJ", "\\ud800")
    resp = client.post(URL, data=raw, content_type="application/json")
    data = assert_json_error(resp, 400)
    assert "无效字符" in data["errors"]["subject"]
    assert case_count() == 0


def test_lone_surrogate_in_a_nested_field_is_400(client, agency):
    body = person_payload()
    body["applicant"]["name"] = "NAME"
    raw = json.dumps(body).replace("NAME", "\\udfff")
    data = assert_json_error(client.post(URL, data=raw, content_type="application/json"), 400)
    assert set(data["errors"]) == {"applicant.name"}




@pytest.mark.parametrize("value", [123, True, 1.5, "B\u0000Z", ["BCZ"], {"code": "BCZ"}])
def test_agency_of_the_wrong_type_is_400_not_500(client, agency, value):
    resp = post_json(client, person_payload(agency=value))
    data = assert_json_error(resp, 400)
    assert "agency" in data["errors"]
    assert case_count() == 0


# -- idempotency ----------------------------------------------------------------------------------

def test_repeated_idempotency_key_returns_the_original_201_body(client, agency):
    body = person_payload(idempotency_key="client-req-0001")
    first = post_json(client, body)
    second = post_json(client, body)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert case_count() == 1
    # the replayed query code really opens the case
    b = second.get_json()
    follow = client.get(f"{URL}/{b['tracking_no']}", headers={"X-Query-Code": b["query_code"]})
    assert follow.status_code == 200


def test_repeated_key_with_changed_content_is_409_and_reveals_nothing(client, agency):
    # issue 12: the key is bound to the first submission; another body never gets its answer
    first = post_json(client, person_payload(idempotency_key="k1")).get_json()
    again = post_json(client, person_payload(idempotency_key="k1", subject="另一份文件"))
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    assert first["tracking_no"] not in text and first["query_code"] not in text
    assert db.session.execute(select(Case.subject)).scalar_one() == person_payload()["subject"]


def test_different_keys_make_different_cases(client, agency):
    a = post_json(client, person_payload(idempotency_key="k1")).get_json()
    b = post_json(client, person_payload(idempotency_key="k2")).get_json()
    c = post_json(client, person_payload()).get_json()
    assert len({a["tracking_no"], b["tracking_no"], c["tracking_no"]}) == 3
    assert case_count() == 3


def test_same_key_at_another_agency_makes_another_case(client, agency):
    create_agency("OTH", "另一镇人民政府")
    a = post_json(client, person_payload(idempotency_key="shared-key"))
    b = post_json(client, person_payload(agency="OTH", idempotency_key="shared-key"))
    assert a.status_code == b.status_code == 201
    assert a.get_json()["tracking_no"].startswith("BCZ-")
    assert b.get_json()["tracking_no"].startswith("OTH-")
    assert case_count() == 2


def test_invalid_request_with_a_key_does_not_reserve_the_key(client, agency):
    bad = post_json(client, person_payload(idempotency_key="k1", subject=""))
    assert bad.status_code == 400
    good = post_json(client, person_payload(idempotency_key="k1"))
    assert good.status_code == 201
    assert case_count() == 1


# -- 413 / 415 / 429 ------------------------------------------------------------------------------

def test_413_for_a_body_over_the_limit(make_app):
    app = make_app(FIXED_TODAY=TODAY, API_MAX_JSON_BYTES=1000)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        client = app.test_client()
        big = person_payload(description="说" * 1000)
        assert len(json.dumps(big)) > 1000
        data = assert_json_error(post_json(client, big), 413)
        assert data["status"] == 413 and data["error"]
        assert case_count() == 0
        assert post_json(client, person_payload()).status_code == 201  # small bodies still work


@pytest.mark.parametrize("content_type, data", [
    ("text/plain", json.dumps(person_payload())),
    ("application/x-www-form-urlencoded", "agency=BCZ&subject=x"),
    ("multipart/form-data; boundary=xyz", "--xyz--\r\n"),
    ("application/xml", "<application/>"),
    (None, json.dumps(person_payload())),
])
def test_415_for_non_json_bodies(client, agency, content_type, data):
    kw = {"content_type": content_type} if content_type else {}
    resp = client.post(URL, data=data, **kw)
    body = assert_json_error(resp, 415)
    assert body["status"] == 415 and body["error"]
    assert case_count() == 0


def test_415_for_form_data(client, agency):
    resp = client.post(URL, data={"agency": "BCZ", "subject": "x"})
    assert assert_json_error(resp, 415)["status"] == 415


def test_429_when_the_rate_limit_is_hit(make_app):
    app = make_app(FIXED_TODAY=TODAY, RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="2/minute")
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        client = app.test_client()
        statuses = [post_json(client, person_payload()).status_code for _ in range(3)]
        assert statuses == [201, 201, 429]
        resp = post_json(client, person_payload())
        body = assert_json_error(resp, 429)
        assert body["status"] == 429 and body["error"]
        assert case_count() == 2


def test_wrong_method_and_unknown_api_path_answer_json(client, agency):
    assert assert_json_error(client.get(URL), 405)["status"] == 405
    assert assert_json_error(client.get("/api/v1/nothing-here"), 404)["status"] == 404


# -- follow ---------------------------------------------------------------------------------------

def test_follow_with_the_right_code(client, agency):
    created = post_json(client, person_payload()).get_json()
    resp = client.get(f"{URL}/{created['tracking_no']}",
                      headers={"X-Query-Code": created["query_code"]})
    assert resp.status_code == 200
    body = resp.get_json()
    assert FOLLOW_KEYS <= set(body)
    assert body["tracking_no"] == created["tracking_no"]
    assert body["status"] == "submitted"
    assert body["submitted_at"] == created["submitted_at"]
    assert body["received_on"] is None and body["due_on"] is None
    assert body["reply"] is None
    assert body["history"] == [{"on": TODAY, "event": "submitted", "label": "已在线提交申请"}]
    assert resp.headers["Cache-Control"] == "no-store"


def test_follow_accepts_the_code_in_lower_case(client, agency):
    created = post_json(client, person_payload()).get_json()
    resp = client.get(f"{URL}/{created['tracking_no']}",
                      headers={"X-Query-Code": created["query_code"].lower()})
    assert resp.status_code == 200


def test_wrong_missing_and_unknown_give_identical_404s(client, agency):
    created = post_json(client, person_payload()).get_json()
    no, code = created["tracking_no"], created["query_code"]
    wrong = "A" * 10 if code != "A" * 10 else "B" * 10
    responses = [
        client.get(f"{URL}/{no}", headers={"X-Query-Code": wrong}),
        client.get(f"{URL}/{no}"),
        client.get(f"{URL}/{no}", headers={"X-Query-Code": ""}),
        client.get(f"{URL}/BCZ-2024-999999", headers={"X-Query-Code": code}),
        client.get(f"{URL}/{'x' * 300}", headers={"X-Query-Code": code}),
        client.get(f"{URL}/{no}", headers={"X-Query-Code": code * 20}),
    ]
    bodies = {r.get_data() for r in responses}
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert len(bodies) == 1
    assert responses[0].get_json() == {"error": "未找到该申请", "status": 404}


def test_follow_with_a_nul_byte_is_a_json_error_not_a_500(client, agency):
    # (a 500 on PostgreSQL before the NUL guard in security.py; 400 reveals nothing either)
    resp = client.get(f"{URL}/BCZ%00", headers={"X-Query-Code": "ABCDEFGHJK"})
    assert resp.status_code in (400, 404)
    assert resp.mimetype == "application/json" and resp.get_json()["status"] == resp.status_code


def test_follow_after_confirmation_has_the_statutory_due_date(client, staff):
    sub = cases.submit_online(person_payload(), today=date(2024, 9, 27))
    cases.confirm_receipt(sub.case, None, Actor.of(staff["registrar"]), date(2024, 9, 27))
    resp = client.get(f"{URL}/{sub.case.tracking_no}", headers={"X-Query-Code": sub.query_code})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "registered"
    assert body["received_on"] == "2024-09-27"
    assert body["due_on"] == "2024-10-30"  # R1.3 worked example
    assert body["due_provisional"] is False
    assert [h["event"] for h in body["history"]] == ["submitted", "registered"]
    assert {"on": "2024-09-27", "event": "registered",
            "label": "已确认收到申请，登记受理"} in body["history"]
    assert body["reply"] is None


def test_follow_never_shows_staff_identities(client, staff):
    sub = cases.submit_online(person_payload(), today=date(2024, 9, 27))
    cases.confirm_receipt(sub.case, None, Actor.of(staff["registrar"]), date(2024, 9, 27))
    text = client.get(f"{URL}/{sub.case.tracking_no}",
                      headers={"X-Query-Code": sub.query_code}).get_data(as_text=True)
    assert "registrar" not in text
    for h in json.loads(text)["history"]:
        assert set(h) == {"on", "event", "label"}


def test_paper_registration_is_followable_with_its_code(client, staff):
    sub = cases.register_paper(staff["registrar"].agency, person_payload(), "mail_signed",
                               date(2024, 9, 27), Actor.of(staff["registrar"]), date(2024, 9, 27))
    body = client.get(f"{URL}/{sub.case.tracking_no}",
                      headers={"X-Query-Code": sub.query_code}).get_json()
    assert body["status"] == "registered" and body["due_on"] == "2024-10-30"
    assert body["submitted_at"] is None
    assert body["history"] == [{"on": "2024-09-27", "event": "registered", "label": "已登记受理"}]


# -- OpenAPI --------------------------------------------------------------------------------------

def test_openapi_document(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.")
    assert "post" in doc["paths"]["/api/v1/applications"]
    assert "get" in doc["paths"]["/api/v1/applications/{tracking_no}"]
    post = doc["paths"]["/api/v1/applications"]["post"]
    assert {"201", "400", "413", "415", "429"} <= set(post["responses"])
    created = post["responses"]["201"]["content"]["application/json"]["schema"]
    assert set(created["required"]) == CREATED_KEYS
    follow = doc["paths"]["/api/v1/applications/{tracking_no}"]["get"]
    assert any(p["name"] == "X-Query-Code" and p["in"] == "header" for p in follow["parameters"])
    schema = follow["responses"]["200"]["content"]["application/json"]["schema"]
    assert FOLLOW_KEYS <= set(schema["properties"])


def test_openapi_lists_every_route_of_the_api(app, client):
    """Issue 16: the document lists every endpoint, the documents download included."""
    doc = client.get("/api/v1/openapi.json").get_json()
    listed = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routes = {(re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes and routes == listed
