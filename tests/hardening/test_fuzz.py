"""Bad input, systematically (issue 6): hypothesis properties on the pure validators and parsers,
schemathesis against /api/v1/openapi.json, and hand-made hostile requests (malformed JSON, wrong
content types, huge bodies, deep nesting, invalid UTF-8, impossible dates, absurd numbers).
Every one must end in a clear 4xx — never a 500 (with TESTING on, an unhandled exception is
raised into the test instead of being turned into a 500 page).

Hypothesis runs derandomized and without an example database, so every run is the same.
"""
from __future__ import annotations

import io
import json
import re
from datetime import date, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis import checks as sc
from sqlalchemy import func, select

from disclosure.domain import ledger
from disclosure.domain.application import validate_application
from disclosure.domain.calendar_notice import parse_notice
from disclosure.extensions import db
from disclosure.models import Case, ExtensionRequest
from disclosure.services import cases
from disclosure.services.actors import Actor
from disclosure.services.users import create_agency
from disclosure.web.openapi import document as openapi_document
from tests.conftest import person_payload

FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
CJK = re.compile(r"[\u4e00-\u9fff]")
API = "/api/v1/applications"
TODAY = date(2025, 1, 1)

# -- strategies -----------------------------------------------------------------------------------

# Text with the characters that break things: NUL and other controls, lone surrogates (legal in
# JSON "\ud800", not encodable in UTF-8), bidi overrides, CJK, full-width digits.
nasty_char = st.one_of(
    st.characters(),
    st.sampled_from(["\x00", "\x1f", "\x7f", "\x85", "\u2028", "\u202e", "\ufeff", "\ud800",
                     "\udfff", "\r", "\n", "\t", "张", "０", "Ⅻ", "\U0001f600"]))
nasty_text = st.text(nasty_char, max_size=60) | st.sampled_from(
    ["", " ", "null", "0", "-1", "1e999", "NaN", "2024-02-30", "9999-12-31", "0001-01-01",
     "11010519491231002X", "91110000600037341L", "<script>alert(1)</script>", "x" * 600])
json_scalar = st.none() | st.booleans() | st.integers() | st.floats() | nasty_text
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner, max_size=4),
    max_leaves=12)

APPLICATION_PATHS = [
    ("agency",), ("subject",), ("description",), ("idempotency_key",), ("applicant",),
    ("applicant", "type"), ("applicant", "name"), ("applicant", "id_type"),
    ("applicant", "id_number"), ("applicant", "phone"), ("applicant", "email"),
    ("applicant", "address"), ("applicant", "credit_code"), ("applicant", "contact_name"),
    ("delivery",), ("delivery", "form"), ("delivery", "method")]


def _set(obj: dict, path: tuple, value) -> dict:
    obj = json.loads(json.dumps(obj))
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


@st.composite
def mutated_application(draw) -> dict:
    """A valid application with one to three fields replaced by anything JSON can carry."""
    payload = person_payload()
    for path in draw(st.lists(st.sampled_from(APPLICATION_PATHS), min_size=1, max_size=3,
                              unique=True)):
        try:
            payload = _set(payload, path, draw(json_value))
        except (KeyError, TypeError):  # the parent was replaced by a non-object already
            pass
    return payload


def assert_chinese_errors(errors: dict) -> None:
    assert isinstance(errors, dict) and errors
    for key, message in errors.items():
        assert isinstance(key, str) and isinstance(message, str)
        assert CJK.search(message), f"{key}: error not in Chinese: {message!r}"


# -- validate_application -------------------------------------------------------------------------

@FAST
@given(payload=json_value | mutated_application())
@example(payload=person_payload(subject="\ud800"))
@example(payload=person_payload(subject="a\x00b"))
@example(payload=person_payload(applicant={"type": "natural_person"}))
@example(payload={"applicant": [], "delivery": "email"})
def test_validate_application_never_raises_and_speaks_chinese(payload):
    app, errors = validate_application(payload, require_agency=True)
    if app is None:
        assert_chinese_errors(errors)
        return
    assert errors == {}
    # what it accepts can be stored as it is: UTF-8 text without NUL or control characters
    a = app.applicant
    for value in (app.subject, app.description, app.idempotency_key, app.agency, a.name, a.phone,
                  a.email, a.address, a.id_number, a.credit_code, a.contact_name):
        if value is not None:
            assert isinstance(value, str) and value == value.strip()
            value.encode("utf-8")
            assert "\x00" not in value


@FAST
@given(payload=mutated_application())
def test_validate_application_is_deterministic_and_keys_errors_by_json_path(payload):
    first = validate_application(payload, require_agency=True)
    assert validate_application(payload, require_agency=True) == first
    known = {".".join(p) for p in APPLICATION_PATHS} | {""}
    assert set(first[1]) <= known, set(first[1]) - known


# -- parse_notice (admin's holiday notice) ---------------------------------------------------------

day_text = st.builds(lambda y, m, d: f"{y:04d}-{m}-{d}", st.integers(0, 9999),
                     st.integers(0, 13), st.integers(0, 32))
notice_line = st.one_of(
    day_text,
    st.builds(lambda a, sep, b: f"{a}{sep}{b}", day_text,
              st.sampled_from([" 至 ", "到", "~", "～", "—", "-", "--", " - "]), day_text),
    nasty_text)
notice_text = st.lists(notice_line, max_size=6).map("\n".join) | nasty_text


@FAST
@given(year=st.integers(-10, 10**6) | st.sampled_from([2024, 2025, 9999]),
       off=notice_text, work=notice_text)
@example(year=2024, off="2024-02-30", work="")
@example(year=2024, off="2024-12-31 至 2025-01-02", work="")
def test_parse_notice_never_raises(year, off, work):
    days, errors = parse_notice(year, off, work)
    for message in errors:
        assert isinstance(message, str) and CJK.search(message), message
    if not errors:
        assert days and all(d.year in (year, year + 1) for d in days)
        assert all(isinstance(v, bool) for v in days.values())


def test_parse_notice_last_representable_day_is_an_error_or_a_day_not_a_crash():
    days, errors = parse_notice(9999, "9999-12-31", "")
    assert errors or days == {date(9999, 12, 31): False}


# -- the ledger parser ----------------------------------------------------------------------------

LEDGER_MINIMAL = {"agency": "BCZ", "applicant": {"type": "natural_person", "name": "李四"},
                  "channel": "in_person", "received_on": "2024-03-01", "subject": "某文件"}
LEDGER_KEYS = ["tracking_no", "agency", "channel", "submitted_at", "received_on", "subject",
               "description", "outcome", "concluded_on", "events", "appeals", "applicant",
               "delivery", "status", "due_on"]
ledger_event = st.fixed_dictionaries(
    {"type": st.sampled_from(ledger.EVENT_TYPES) | nasty_text},
    optional={"on": day_text | json_value, "period_workdays": json_value,
              "workdays": json_value, "party": json_value, "method": json_value,
              "amount_yuan": json_value, "due_on": day_text | json_value})


@st.composite
def ledger_object(draw) -> dict:
    obj = json.loads(json.dumps(LEDGER_MINIMAL))
    for key in draw(st.lists(st.sampled_from(LEDGER_KEYS), max_size=4, unique=True)):
        obj[key] = draw(st.one_of(json_value, day_text, st.lists(ledger_event, max_size=3)))
    return obj


@FAST
@given(line=nasty_text | ledger_object().map(lambda o: json.dumps(o, ensure_ascii=False)))
@example(line="[" * 100_000)
@example(line='{"a": NaN}')
@example(line='{"received_on": "2024-02-30"}')
def test_ledger_parse_line_never_raises(line):
    record, errors = ledger.parse_line(line, 7, today=TODAY, agency="BCZ")
    if record is None:
        assert errors
        for err in errors:
            assert err.line == 7 and isinstance(err.field, str) and err.code
            assert CJK.search(err.message), err
    else:
        assert errors == []


@FAST
@given(text=st.lists(nasty_text, max_size=5).map("\n".join))
def test_ledger_parse_ledger_never_raises(text):
    records, errors = ledger.parse_ledger(text, today=TODAY)
    assert all(CJK.search(e.message) for e in errors)
    assert len(records) <= text.count("\n") + 1


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_ledger_extreme_submission_time_is_a_line_error(stamp):
    obj = {**LEDGER_MINIMAL, "channel": "online", "submitted_at": stamp}
    obj.pop("received_on")
    record, errors = ledger.parse_line(json.dumps(obj), 1, today=TODAY)
    assert record is None and errors


def test_ledger_accepted_submission_time_can_be_stored_in_utc():
    obj = {**LEDGER_MINIMAL, "channel": "online", "submitted_at": "0001-01-01T00:00:00"}
    obj.pop("received_on")
    record, errors = ledger.parse_line(json.dumps(obj), 1, today=TODAY)
    if record is not None:
        record.submitted_at.astimezone(timezone.utc)


# -- schemathesis against the OpenAPI document ----------------------------------------------------

CHECKS = [sc.not_a_server_error, sc.status_code_conformance, sc.content_type_conformance,
          sc.response_schema_conformance, sc.response_headers_conformance]
SCHEMA_RUN = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))


@pytest.fixture
def api_app(make_app):
    app = make_app(FIXED_TODAY="2024-09-27")
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
    return app


@pytest.fixture
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


def _finite(payload) -> bool:
    """JSON as an HTTP client sends it (no NaN / Infinity; those are tested by hand below)."""
    try:
        json.dumps(payload, allow_nan=False)
    except ValueError:
        return False
    return True


def _operation(schema, label: str):
    return next(r.ok() for r in schema.get_all_operations() if r.ok().label == label)


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_schemathesis_finds_no_500_and_no_undocumented_response(api_schema, mode):
    """Schema-valid (positive) and schema-breaking (negative) requests to every operation:
    no 5xx, only documented status codes and content types, bodies that match the schema, and
    (negative) invalid requests are rejected. positive_data_acceptance is left out on purpose:
    the schema cannot express check digits, so a schema-valid body may rightly get a 400."""
    operations = [r.ok() for r in api_schema.get_all_operations()]
    assert {op.label for op in operations} >= {"POST /api/v1/applications",
                                               "GET /api/v1/applications/{tracking_no}"}
    checks = CHECKS + ([sc.negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])
    for op in operations:
        @SCHEMA_RUN
        @given(case=op.as_strategy(generation_mode=mode))
        def run(case):
            case.call_and_validate(checks=checks)
        run()


def test_schemathesis_near_valid_submissions_and_real_lookups(api_app, api_schema):
    """Bodies one mutation away from valid (so many get a 201), and lookups of a real case with
    its real code (so the 200 body is validated against the schema), plus wrong codes."""
    post = _operation(api_schema, "POST /api/v1/applications")
    get = _operation(api_schema, "GET /api/v1/applications/{tracking_no}")
    statuses: list[int] = []

    @SCHEMA_RUN
    @given(payload=(mutated_application() | st.just(person_payload())).filter(_finite))
    def submit(payload):
        case = post.Case(body=payload, media_type="application/json")
        resp = case.call_and_validate(checks=CHECKS)
        statuses.append(resp.status_code)
    submit()
    assert 201 in statuses and 400 in statuses

    with api_app.app_context():
        sub = cases.submit_online(person_payload(), today=date(2024, 9, 27))
        tracking_no, code = sub.case.tracking_no, sub.query_code

    @SCHEMA_RUN
    @given(number=st.just(tracking_no) | nasty_text.filter(lambda s: "\x00" not in s),
           header=st.just(code) | st.just(code.lower()) | st.text(
               st.characters(min_codepoint=32, max_codepoint=126), max_size=80))
    def follow(number, header):
        case = get.Case(path_parameters={"tracking_no": number}, headers={"X-Query-Code": header})
        case.call_and_validate(checks=CHECKS)
    follow()


# -- hand-made hostile requests to the API ---------------------------------------------------------

def documented(method: str, path: str) -> set[int]:
    return {int(s) for s in openapi_document()["paths"][path][method]["responses"]}


def assert_api_error(resp, status: int, method: str = "post",
                     path: str = "/api/v1/applications"):
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/json"
    assert status in documented(method, path), f"{status} is not in openapi.json"
    body = resp.get_json()
    text = json.dumps(body, ensure_ascii=False)
    assert CJK.search(text), f"error not in Chinese: {text}"
    return body


@pytest.fixture
def api_client(api_app):
    return api_app.test_client()


def failures_of(requests: list, check) -> list[str]:
    """Run ``check(item)`` for each item; collect assertion failures instead of stopping at the
    first, so one run reports every bad input."""
    failed = []
    for item in requests:
        try:
            check(item)
        except AssertionError as exc:
            failed.append(f"{item!r:.80}: {exc}")
    return failed


MALFORMED = [
    b"{", b"", b"   ", b"[1, 2,", b"{'agency': 'BCZ'}", b'{"agency": "BCZ",}', b"\xef\xbb\xbf{}",
    b'{"subject": NaN}', b'{"subject": Infinity}', b"{\"a\": 1" + b"0" * 5000 + b"}",
    b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 30_000 + b"1" + b"}" * 30_000,
    b'{"subject": "\xff\xfe"}', b"\xc3\x28", b"\xed\xa0\x80", b'"\\ud800"',
    b'{"subject": "\\ud800"}', b"null", b"[]", b'"text"', b"42", b"true"]


def test_malformed_json_deep_nesting_and_invalid_utf8_are_400(api_client):
    def check(raw):
        assert_api_error(api_client.post(API, data=raw, content_type="application/json"), 400)
    assert failures_of(MALFORMED, check) == []


WRONG_TYPES = [None, "text/plain", "application/x-www-form-urlencoded",
               "multipart/form-data; boundary=x", "application/xml", "text/json",
               "application/json-patch+json", "application/jsonx", "application/octet-stream",
               "*/*"]


def test_wrong_content_types_are_415_and_store_nothing(api_client):
    body = json.dumps(person_payload())

    def check(content_type):
        headers = {"Content-Type": content_type} if content_type else {}
        assert_api_error(api_client.post(API, data=body, headers=headers), 415)
    assert failures_of(WRONG_TYPES, check) == []
    with api_client.application.app_context():
        assert db.session.execute(select(func.count()).select_from(Case)).scalar_one() == 0


def test_huge_json_body_is_a_413_with_or_without_a_content_length(api_client, api_app):
    limit = api_app.config["API_MAX_JSON_BYTES"]
    huge = json.dumps(person_payload(description="长" * limit)).encode()
    assert_api_error(api_client.post(API, data=huge, content_type="application/json"), 413)
    # chunked (no Content-Length): the body is read only up to the limit
    resp = api_client.post(API, input_stream=io.BytesIO(huge), content_type="application/json",
                           environ_overrides={"wsgi.input_terminated": True})
    assert_api_error(resp, 413)
    # over the whole-request limit as well
    over = b"{" + b" " * (api_app.config["MAX_CONTENT_LENGTH"] + 1) + b"}"
    resp = api_client.post(API, data=over, content_type="application/json")
    assert resp.status_code == 413 and resp.mimetype == "application/json"


def test_deeply_nested_values_inside_a_valid_object_are_field_errors(api_client):
    deep = json.loads("[" * 500 + "]" * 500)
    body = assert_api_error(api_client.post(API, data=json.dumps(
        person_payload(subject=deep, applicant={"type": "natural_person", "name": deep})),
        content_type="application/json"), 400)
    assert {"subject", "applicant.name"} <= set(body["errors"])


NATURAL_PERSON_PATHS = [  # the fields a natural person's application is read from
    ("subject",), ("description",), ("idempotency_key",), ("applicant",), ("applicant", "type"),
    ("applicant", "name"), ("applicant", "id_type"), ("applicant", "id_number"),
    ("applicant", "phone"), ("applicant", "email"), ("applicant", "address"), ("delivery",),
    ("delivery", "form"), ("delivery", "method")]
OPTIONAL = {("description",), ("idempotency_key",), ("applicant", "email"),
            ("applicant", "address")}
ABSURD_JSON = [-5, 10**30, 1e308, True, None, [], {}, "x" * 60_000, "\x00"]


def test_absurd_values_in_every_field_are_400(api_client):
    items = [(path, value) for value in ABSURD_JSON for path in NATURAL_PERSON_PATHS
             if not (value is None and path in OPTIONAL)]  # null optional = "not given"

    def check(item):
        path, value = item
        body = assert_api_error(api_client.post(
            API, data=json.dumps(_set(person_payload(), path, value)),
            content_type="application/json"), 400)
        assert body["errors"]
    assert failures_of(items, check) == []


def test_unknown_or_absurd_agency_is_400(api_client):
    def check(agency):
        body = assert_api_error(api_client.post(
            API, data=json.dumps(person_payload(agency=agency)),
            content_type="application/json"), 400)
        assert "agency" in body["errors"]
    assert failures_of(["NOPE", "", "bcz ", "B" * 10_000, "<b>BCZ</b>"], check) == []


def test_agency_of_the_wrong_type_is_a_400(api_client):
    """Found by this suite: submit_online looked the agency up with the raw JSON value after
    validation had failed, so a list/object (SQLite) or a number, boolean or NUL string
    (PostgreSQL) reached the SQL query → 500."""
    def check(agency):
        body = assert_api_error(api_client.post(
            API, data=json.dumps(person_payload(agency=agency)),
            content_type="application/json"), 400)
        assert "agency" in body["errors"]
    assert failures_of([7, 1.5, True, [None], {"code": "BCZ"}, "\x00"], check) == []


FOLLOW = "/api/v1/applications/{tracking_no}"


HOSTILE_LOOKUPS = [
    ("BCZ-2024-000001", None), ("BCZ-2024-000001", ""), ("BCZ-2024-000001", "A" * 10_000),
    ("x" * 5000, "ABC"), ("%ff%fe", "ABC"), ("BCZ-2024-000001' OR '1'='1", "x' OR '1'='1"),
    ("张三", "张三"), ("..%2F..%2Fetc%2Fpasswd", "ABC")]


def test_follow_with_hostile_numbers_and_codes_is_a_404(api_client):
    def check(item):
        number, code = item
        headers = {"X-Query-Code": code} if code is not None else {}
        resp = api_client.get(f"/api/v1/applications/{number}", headers=headers)
        body = assert_api_error(resp, 404, "get", FOLLOW)
        if "%2F" not in number:  # (a "/" in it matches no route at all: a plain 404)
            assert body == {"error": "未找到该申请", "status": 404}  # the same as a wrong code
    assert failures_of(HOSTILE_LOOKUPS, check) == []


def test_follow_with_a_nul_byte_gets_a_documented_status(api_client):
    resp = api_client.get("/api/v1/applications/BCZ%00", headers={"X-Query-Code": "ABC"})
    assert resp.status_code in documented("get", FOLLOW)


# -- forms: impossible dates and absurd numbers ---------------------------------------------------

REGISTER_FORM = {
    "applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
    "id_number": "11010519491231002X", "phone": "13800000000",
    "subject": "某村道路拓宽工程的立项批复",
    "delivery_form": "paper", "delivery_method": "pickup", "channel": "in_person"}


IMPOSSIBLE_DATES = ["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "99999-01-01",
                    "abc", "2024/01/02", "-1", "1" * 5000, "２０２４-０１-０２"]


def test_register_with_an_impossible_receipt_date_is_a_400(login_as):
    client = login_as("registrar")

    def check(received_on):
        resp = client.post("/staff/register", data={**REGISTER_FORM, "received_on": received_on})
        assert resp.status_code == 400
        assert "日期无效" in resp.get_data(as_text=True)
    assert failures_of(IMPOSSIBLE_DATES, check) == []
    assert db.session.execute(select(func.count()).select_from(Case)).scalar_one() == 0


def test_register_control_with_a_real_date_is_accepted(login_as):
    client = login_as("registrar")
    resp = client.post("/staff/register", data={**REGISTER_FORM,
                                                "received_on": date.today().isoformat()})
    assert resp.status_code == 302


@pytest.fixture
def open_case(staff):
    today = date.today()
    return cases.register_paper(staff["registrar"].agency, person_payload(), "in_person", today,
                                Actor.of(staff["registrar"]), today).case


ABSURD_WORKDAYS = ["-5", "0", "21", str(10**30), "1" * 5000, "abc", "", "5.0", "1e3", "NaN",
                   " ", "\u202e5"]


def test_request_extension_with_absurd_workdays_is_a_400(login_as, open_case):
    client = login_as("handler")

    def check(workdays):
        resp = client.post(f"/staff/cases/{open_case.id}/act/request_extension",
                           data={"workdays": workdays, "reason": "需要调取档案"})
        assert resp.status_code == 400
        assert "延长的工作日数" in resp.get_data(as_text=True)
    assert failures_of(ABSURD_WORKDAYS, check) == []
    assert db.session.execute(select(func.count()).select_from(ExtensionRequest)).scalar_one() == 0


def test_request_extension_control_with_five_workdays_is_accepted(login_as, open_case):
    client = login_as("handler")
    resp = client.post(f"/staff/cases/{open_case.id}/act/request_extension",
                       data={"workdays": "5", "reason": "需要调取档案"})
    assert resp.status_code == 302
    assert db.session.execute(select(func.count()).select_from(ExtensionRequest)).scalar_one() == 1


ABSURD_ACTIONS = [
    ("request_supplement", "handler", {"items": "事项", "period_workdays": "-1"}),
    ("request_supplement", "handler", {"items": "事项", "period_workdays": str(10**30)}),
    ("request_supplement", "handler", {"items": "事项", "period_workdays": "abc"}),
    ("request_supplement", "handler", {"items": "事项", "on": "2024-02-30"}),
    ("notify_fee", "handler", {"method": "per_page", "pages": "-3"}),
    ("notify_fee", "handler", {"method": "per_page", "pages": str(10**30)}),
    ("notify_fee", "handler", {"method": "per_page", "pages": "abc"}),
    ("notify_fee", "handler", {"method": "both"}),
    ("start_consultation", "handler",
     {"kind": "third_party", "party": "某公司", "on": "2024-02-30"}),
    ("start_consultation", "handler", {"kind": "martians", "party": "某公司"}),
    ("set_deferred_deadline", "office_head", {"due_on": "2024-02-30", "reason": "理由"}),
    ("set_deferred_deadline", "office_head", {"due_on": "99999-12-31", "reason": "理由"}),
    ("set_deferred_deadline", "office_head", {"due_on": "", "reason": "理由"}),
    ("withdraw", "handler", {"on": "2024-02-30"}),
    ("withdraw", "handler", {"on": "9999-12-31"}),
]


def test_case_action_forms_refuse_absurd_values_with_a_400(login_as, open_case):
    def check(item):
        action, role, form = item
        resp = login_as(role).post(f"/staff/cases/{open_case.id}/act/{action}", data=form)
        assert resp.status_code == 400, resp.status_code
        db.session.expire_all()
        assert open_case.status == "registered"
    assert failures_of(ABSURD_ACTIONS, check) == []


def test_unknown_case_action_is_a_4xx(login_as, open_case):
    client = login_as("handler")
    for action in ("no_such_action", "__class__", "request_extension/../withdraw"):
        resp = client.post(f"/staff/cases/{open_case.id}/act/{action}", data={})
        assert 400 <= resp.status_code < 500, action


def test_huge_form_body_is_a_413_not_a_500(login_as, app):
    client = login_as("registrar")
    too_big = app.config["MAX_FORM_MEMORY_SIZE"] + 1
    resp = client.post("/staff/register", data={**REGISTER_FORM, "subject": "长" * too_big})
    assert resp.status_code == 413
    assert "提交的内容过大" in resp.get_data(as_text=True)


def test_invalid_utf8_in_a_form_is_not_a_500(login_as):
    client = login_as("registrar")
    body = b"name=%FF%FE&subject=%C3%28&channel=in_person&received_on=2024-02-30"
    resp = client.post("/staff/register", data=body,
                       content_type="application/x-www-form-urlencoded")
    assert 400 <= resp.status_code < 500


ABSURD_QUERIES = [
    {"page": "-1", "year": str(10**30), "from": "2024-02-30", "to": "abc", "sort": "__class__",
     "dir": "sideways", "status": "nope", "flag": "overdue", "q": "%_\\", "row": "x", "col": "y",
     "agency": "ZZZ", "category": "zzz", "format": "json"},
    {"page": str(10**30), "year": "0", "from": "99999-01-01", "to": "9999-12-31",
     "per_page": "100000000", "q": "长" * 10_000, "status": "registered"},
]


def test_every_staff_and_admin_page_survives_absurd_query_strings(login_as, app, open_case):
    """Walk every GET page under /staff and /admin (with real ids) as an admin who also holds
    every other role; any status but a 5xx (an unhandled exception) is fine."""
    from disclosure.models import User
    from disclosure.services.users import set_roles
    client = login_as("admin")
    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    set_roles(admin, ["admin", "registrar", "handler", "reviewer", "office_head"], Actor.of(admin))
    ids = {"case_id": open_case.id}
    adapter = app.url_map.bind("localhost")
    failures, pages = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith(("/staff", "/admin")):
            continue
        values = {arg: ids.get(arg, 2024 if arg == "year" else 1) for arg in rule.arguments}
        url = adapter.build(rule.endpoint, values)
        for query in ABSURD_QUERIES:
            params = dict(query)
            if rule.endpoint == "admin.calendar_page":
                params.pop("year", None)  # see test_admin_calendar_with_an_absurd_year…
            pages += 1
            try:
                resp = client.get(url, query_string=params)
            except Exception as exc:  # noqa: BLE001 — TESTING re-raises what would be a 500
                failures.append(f"{url} {params}: {type(exc).__name__}: {exc}")
                continue
            if resp.status_code >= 500:
                failures.append(f"{url}: {resp.status_code}")
            resp.close()
    assert pages > 40
    assert failures == []


def test_admin_calendar_with_an_absurd_year_is_not_a_500(login_as):
    client = login_as("admin")
    for year in ("0", "-5", str(10**30)):
        assert client.get("/admin/calendar", query_string={"year": year}).status_code < 500


def test_admin_calendar_notice_ending_on_the_last_date_is_not_a_500(login_as):
    resp = login_as("admin").post("/admin/calendar", query_string={"year": "9999"},
                                  data={"off_days": "9999-12-31", "work_days": "",
                                        "note": "某通知"})
    assert 400 <= resp.status_code < 500


def test_due_soon_filter_linked_from_the_dashboard_is_not_a_500(login_as):
    client = login_as("handler")
    assert "flag=due_soon" in client.get("/staff/").get_data(as_text=True)
    resp = client.get("/staff/cases", query_string={"flag": "due_soon", "sort": "due_on",
                                                    "dir": "asc"})
    assert resp.status_code == 200
