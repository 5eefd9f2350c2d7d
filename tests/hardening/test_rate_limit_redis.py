"""Rate limits (issue 6, security): public submission and status lookups are limited per client
— a JSON 429 on the API, a Chinese 429 page on /apply and /status — with the limits as settings,
in memory by default and in Redis for several workers (a Redis server listens on
127.0.0.1:6379 on these machines; the Redis tests skip, saying so, when it does not answer).
Each test uses its own key prefix and deletes its keys afterwards.

The "3/minute" windows start at the first hit (fixed window with expiry), so four requests sent
one after the other always fall into one window.
"""
from __future__ import annotations

import json
import uuid

import pytest

from disclosure.extensions import limiter
from disclosure.services.users import create_agency
from tests.conftest import person_payload

REDIS_URI = "redis://127.0.0.1:6379"
LIMITED = dict(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="3/minute", LOOKUP_RATE_LIMIT="3/minute",
               FIXED_TODAY="2024-09-27")
FORM = {"applicant_type": "natural_person", "name": "张三", "id_type": "resident_id",
        "id_number": "11010519491231002X", "phone": "13800000000", "subject": "某文件",
        "delivery_form": "electronic", "delivery_method": "online", "agency": "BCZ",
        "step": "confirm"}  # the review page's 确认提交 (issue 16)


def _redis():
    try:
        import redis
    except ImportError:  # pragma: no cover — listed in the `test` extra
        pytest.skip("the redis client package is not installed (pip install -e '.[test]')")
    client = redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"no Redis server answers at {REDIS_URI} ({exc}); Redis storage not tested")
    return client


@pytest.fixture
def limiter_state():
    """Flask-Limiter keeps the first key prefix it was given on its (module-global) limiter;
    put it back so every test really uses its own prefix."""
    saved = limiter._key_prefix
    limiter._key_prefix = ""
    yield
    limiter._key_prefix = saved


@pytest.fixture(params=["memory", "redis"])
def storage(request, limiter_state):
    """Settings for one storage backend: memory (the default) or Redis with a fresh prefix."""
    if request.param == "memory":
        yield {"RATELIMIT_STORAGE_URI": "memory://"}
        return
    redis_client = _redis()
    prefix = f"disclosure-test-{uuid.uuid4().hex}"
    yield {"RATELIMIT_STORAGE_URI": REDIS_URI, "RATELIMIT_KEY_PREFIX": prefix,
           "_redis": redis_client, "_prefix": prefix}
    keys = list(redis_client.scan_iter(f"*{prefix}*"))
    if keys:
        redis_client.delete(*keys)
    redis_client.close()


def limited_app(make_app, storage: dict):
    app = make_app(**LIMITED, **{k: v for k, v in storage.items() if not k.startswith("_")})
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
    return app


def submit(client, **kw):
    return client.post("/api/v1/applications", data=json.dumps(person_payload()),
                       content_type="application/json", **kw)


def assert_json_429(resp):
    assert resp.status_code == 429
    assert resp.mimetype == "application/json"
    assert resp.get_json() == {"error": "请求过于频繁，请稍后再试", "status": 429}


def assert_chinese_429_page(resp):
    assert resp.status_code == 429
    assert resp.mimetype == "text/html"
    assert "请求过于频繁，请稍后再试" in resp.get_data(as_text=True)


def test_api_submissions_are_limited_with_a_json_429(make_app, storage):
    app = limited_app(make_app, storage)
    client = app.test_client()
    assert [submit(client).status_code for _ in range(3)] == [201, 201, 201]
    assert_json_429(submit(client))
    # per client: another address still gets through
    assert submit(client, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 201
    if "_redis" in storage:  # the counters really live in Redis, under this test's prefix
        assert list(storage["_redis"].scan_iter(f"*{storage['_prefix']}*"))


def test_api_lookups_are_limited_with_a_json_429(make_app, storage):
    app = limited_app(make_app, storage)
    client = app.test_client()
    statuses = [client.get("/api/v1/applications/BCZ-2024-000001",
                           headers={"X-Query-Code": f"GUESS{i:05d}"}).status_code for i in range(3)]
    assert statuses == [404, 404, 404]
    assert_json_429(client.get("/api/v1/applications/BCZ-2024-000001",
                               headers={"X-Query-Code": "GUESS99999"}))


def test_apply_form_is_limited_with_a_chinese_429_page(make_app, storage):
    app = limited_app(make_app, storage)
    client = app.test_client()
    assert [client.post("/apply", data=FORM).status_code for _ in range(3)] == [302, 302, 302]
    assert_chinese_429_page(client.post("/apply", data=FORM))
    assert client.get("/apply").status_code == 200  # reading the form is not limited


def test_status_lookups_are_limited_with_a_chinese_429_page(make_app, storage):
    app = limited_app(make_app, storage)
    client = app.test_client()
    guesses = [{"tracking_no": "BCZ-2024-000001", "query_code": f"GUESS{i:05d}"} for i in range(4)]
    assert [client.post("/status", data=g).status_code for g in guesses[:3]] == [404, 404, 404]
    assert_chinese_429_page(client.post("/status", data=guesses[3]))


def test_redis_limits_are_shared_by_several_workers(make_app, limiter_state):
    """Two app instances (two gunicorn workers, or a restart) count together in Redis; with
    per-process memory the second would start again from zero."""
    redis_client = _redis()
    prefix = f"disclosure-test-{uuid.uuid4().hex}"
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URI, "RATELIMIT_KEY_PREFIX": prefix}
    try:
        first = limited_app(make_app, settings)
        assert [submit(first.test_client()).status_code for _ in range(3)] == [201, 201, 201]
        second = make_app(**LIMITED, **settings)
        assert_json_429(submit(second.test_client()))
    finally:
        keys = list(redis_client.scan_iter(f"*{prefix}*"))
        if keys:
            redis_client.delete(*keys)
        redis_client.close()


def test_memory_limits_are_per_process(make_app, limiter_state):
    """The control for the test above: with memory storage a new instance starts from zero."""
    settings = {"RATELIMIT_STORAGE_URI": "memory://"}
    first = limited_app(make_app, settings)
    assert [submit(first.test_client()).status_code for _ in range(3)] == [201, 201, 201]
    assert_json_429(submit(first.test_client()))
    second = make_app(**LIMITED, **settings)
    assert submit(second.test_client()).status_code == 201
