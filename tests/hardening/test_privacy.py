"""Privacy and access (issue 6, security): an applicant sees only their own case and only
released content; staff see only their agency's cases; identity numbers are masked in lists;
the audit table is append-only in the database; no page erases history; no password, identity
number or query code reaches the logs."""
from __future__ import annotations

import logging
from datetime import date
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from werkzeug.routing import IntegerConverter

from disclosure.extensions import db
from disclosure.models import Event, User
from disclosure.services import applicant_view, case_actions, cases
from disclosure.services.actors import Actor
from disclosure.services.review import catalogue, replies
from disclosure.services.review import seen as review_seen
from disclosure.services.uploads import Upload
from disclosure.services.users import create_agency, create_user
from disclosure.web.staff_actions import DISPATCH
from tests.conftest import PASSWORD, person_payload, send_notices

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FULL_ID = "11010519491231002X"
MASKED_ID = "110" + "*" * 11 + "002X"
SECRET_SUBJECT = "包场镇内部事项甲乙丙丁"
SECRET_NAME = "欧阳保密"
REJECT_REASON = "含第三方个人信息（王五 13912345678），须删除处理"
DAY = date(2024, 9, 27)
NON_ADMIN = ["registrar", "handler", "reviewer", "office_head"]


def _register(agency, who, **over):
    return cases.register_paper(agency, person_payload(**over), "in_person", DAY,
                                who["registrar"], DAY,
                                files=[("supporting", Upload("材料.pdf", PDF))])


@pytest.fixture
def world(make_app):
    """Two agencies. BCZ has: case A with a reply released after a rejection round, case B
    (another applicant's), case C with a 补正 notice, a catalogue entry. OTH has a user with
    every non-admin role. Built without holding an app context open during requests."""
    app = make_app()
    with app.app_context():
        bcz = create_agency("BCZ", "包场镇人民政府")
        oth = create_agency("OTH", "另一镇人民政府")
        users = {r: create_user(r, PASSWORD, "BCZ", [r], f"{r}-name")
                 for r in NON_ADMIN + ["admin"]}
        create_user("outsider", PASSWORD, "OTH", NON_ADMIN, "外机关人员")
        who = {r: Actor.of(u) for r, u in users.items()}
        a = _register(bcz, who, subject=SECRET_SUBJECT,
                      applicant={**person_payload()["applicant"], "name": SECRET_NAME})
        case_a = a.case
        replies.draft_reply(case_a, "art36_2", None, who["handler"], date(2024, 10, 8))
        doc = replies.add_document(case_a, Upload("原件.pdf", PDF + b"v1"), False, who["handler"],
                                   date(2024, 10, 8))
        replies.submit_for_review(case_a, who["handler"], date(2024, 10, 9))
        letter = next(i for i in replies.items_of(case_a) if i.kind == "letter")
        replies.decide(case_a, letter.id, "approved", None, who["reviewer"], date(2024, 10, 10),
                       **review_seen(letter))
        replies.decide(case_a, doc.id, "rejected", REJECT_REASON, who["reviewer"],
                       date(2024, 10, 10), **review_seen(doc))
        rejected_version_id = doc.current.id
        replies.replace_document(case_a, doc.id, Upload("删除处理后.pdf", PDF + b"v2"),
                                 who["handler"], date(2024, 10, 10))
        replies.submit_for_review(case_a, who["handler"], date(2024, 10, 10))
        replies.decide(case_a, doc.id, "approved", None, who["reviewer"], date(2024, 10, 11),
                       **review_seen(doc))
        # the replaced document changed the letter's package: a new letter version to approve
        replies.decide(case_a, letter.id, "approved", None, who["reviewer"], date(2024, 10, 11),
                       **review_seen(letter))
        replies.release_reply(case_a, who["handler"], date(2024, 10, 11))
        b = _register(bcz, who, subject="另一位申请人的申请")
        c = _register(bcz, who)
        case_actions.request_supplement(c.case, "请写明道路名称", 15, who["handler"],
                                        date(2024, 9, 30))
        send_notices(c.case, date(2024, 9, 30))
        entry = catalogue.save_entry(None, bcz.id, who["handler"], title="某规范性文件",
                                     doc_number=None, category="normative_document",
                                     issued_on=date(2024, 9, 1), body="正文")
        [released_doc] = applicant_view.public_reply(case_a)["documents"]
        ns = SimpleNamespace(
            app=app, a=case_a.tracking_no, a_code=a.query_code, a_id=case_a.id,
            b=b.case.tracking_no, b_code=b.query_code, b_id=b.case.id, c_id=c.case.id,
            doc_url=released_doc["url"], release_id=int(released_doc["url"].rsplit("/", 1)[1]),
            att_id=case_a.attachments[0].id, notice_id=c.case and _notice_id(c.case),
            item_id=doc.id, version_id=doc.current.id, rejected_version_id=rejected_version_id,
            entry_id=entry.id, oth_id=oth.id)
    return ns


def _notice_id(case) -> int:
    from disclosure.services.review import notices
    return notices.for_case(case)[0].id


def signed_in(app, username: str):
    client = app.test_client()
    resp = client.post("/login", data={"username": username, "password": PASSWORD})
    assert resp.status_code == 302, username
    return client


# -- the applicant ---------------------------------------------------------------------------------

def test_applicant_sees_only_their_own_case(world):
    client = world.app.test_client()
    own = client.get(f"/api/v1/applications/{world.a}", headers={"X-Query-Code": world.a_code})
    assert own.status_code == 200 and own.get_json()["tracking_no"] == world.a
    unknown = client.get("/api/v1/applications/BCZ-2024-999999",
                         headers={"X-Query-Code": world.a_code})
    for number, code in [(world.b, world.a_code), (world.a, world.b_code), (world.a, None),
                         (world.a, world.a_code + "X")]:
        resp = client.get(f"/api/v1/applications/{number}",
                          headers={"X-Query-Code": code} if code else {})
        assert resp.status_code == 404
        assert resp.get_json() == unknown.get_json()  # indistinguishable from an unknown number
    # the status page likewise
    resp = client.post("/status", data={"tracking_no": world.b, "query_code": world.a_code})
    assert resp.status_code == 404 and "另一位申请人的申请" not in resp.get_data(as_text=True)


def test_another_cases_document_url_is_a_404(world):
    client = world.app.test_client()
    good = client.get(world.doc_url, headers={"X-Query-Code": world.a_code})
    assert good.status_code == 200 and good.data == PDF + b"v2"
    good.close()
    for url, code in [
            (world.doc_url, world.b_code),                            # A's document, B's code
            (world.doc_url.replace(world.a, world.b), world.b_code),  # B's number, A's release
            (world.doc_url, None)]:
        resp = client.get(url, headers={"X-Query-Code": code} if code else {})
        assert resp.status_code == 404, url
    resp = client.post("/status/document", data={"tracking_no": world.b, "query_code": world.b_code,
                                                 "release_id": world.release_id})
    assert resp.status_code == 404


def test_only_released_content_reaches_the_applicant(world):
    client = world.app.test_client()
    body = client.get(f"/api/v1/applications/{world.a}", headers={"X-Query-Code": world.a_code})
    text_ = body.get_data(as_text=True)
    view = body.get_json()
    assert [d["name"] for d in view["reply"]["documents"]] == ["删除处理后.pdf"]
    for secret in (REJECT_REASON, "王五", "reviewer-name", "handler-name", "原件.pdf", FULL_ID):
        assert secret not in text_, secret
    assert {h["event"] for h in view["history"]}.isdisjoint({"review_item", "return_to_drafting"})
    # no other release id opens anything (drafts and the rejected version were never released)
    for release_id in range(1, world.release_id + 6):
        if release_id == world.release_id:
            continue
        resp = client.get(f"/api/v1/applications/{world.a}/documents/{release_id}",
                          headers={"X-Query-Code": world.a_code})
        assert resp.status_code == 404, release_id
    page = client.post("/status", data={"tracking_no": world.a, "query_code": world.a_code})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "删除处理后.pdf" in html
    for secret in (REJECT_REASON, "reviewer-name", "原件.pdf", FULL_ID):
        assert secret not in html, secret


# -- staff of another agency ----------------------------------------------------------------------

def _urls(app, world, methods: set[str]) -> list[tuple[str, str, bool]]:
    """(method, url, names_a_bcz_object) for every /staff route, with BCZ's ids."""
    ids = {"case_id": world.a_id, "att_id": world.att_id, "item_id": world.item_id,
           "version_id": world.version_id, "entry_id": world.entry_id, "appeal_id": 1,
           "year": 2024, "action": "withdraw"}
    adapter = app.url_map.bind("localhost")
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        conv = rule._converters
        values = {a: ids.get(a, 1 if isinstance(conv.get(a), IntegerConverter) else "x")
                  for a in rule.arguments}
        if rule.endpoint == "staff.notice_view":
            values.update(case_id=world.c_id, notice_id=world.notice_id)
        scoped = bool({"case_id", "entry_id"} & set(rule.arguments))
        for method in methods & rule.methods:
            out.append((method, adapter.build(rule.endpoint, values), scoped))
    return out


def test_staff_of_another_agency_get_404_on_every_page_of_a_case(world):
    client = signed_in(world.app, "outsider")
    problems, scoped = [], 0
    for method, url, names_object in _urls(world.app, world, {"GET"}):
        resp = client.get(url)
        body = resp.get_data(as_text=True) if resp.mimetype.startswith("text") or \
            resp.mimetype == "application/json" else ""
        if names_object:
            scoped += 1
            if resp.status_code != 404:
                problems.append(f"{method} {url} → {resp.status_code}")
        for secret in (SECRET_SUBJECT, SECRET_NAME, world.a, FULL_ID):
            if secret in body:
                problems.append(f"{method} {url} shows {secret}")
        resp.close()
    assert scoped >= 5  # case page, attachment, notice, reply version file, catalogue entry
    assert problems == []


def test_staff_of_another_agency_cannot_act_on_a_case(world):
    client = signed_in(world.app, "outsider")
    with world.app.app_context():
        before = db.session.execute(select(func.count()).select_from(Event)).scalar_one()
    problems = []
    for method, url, names_object in _urls(world.app, world, {"POST"}):
        if not names_object:
            continue
        resp = client.post(url, data={"decision": "approved", "reason": "x", "on": "2024-10-01",
                                      "received_on": "2024-10-01", "reply_type": "art36_2"})
        if resp.status_code != 404:
            problems.append(f"POST {url} → {resp.status_code}")
    assert problems == []
    with world.app.app_context():
        after = db.session.execute(select(func.count()).select_from(Event)).scalar_one()
        assert after == before  # nothing happened to BCZ's cases


def test_case_list_and_search_show_only_the_users_agency(world):
    client = signed_in(world.app, "outsider")
    for query in ({}, {"q": SECRET_SUBJECT}, {"q": world.a}, {"q": SECRET_NAME}):
        html = client.get("/staff/cases", query_string=query).get_data(as_text=True)
        html = html.replace(f'value="{query.get("q")}"', "")  # the search box echoes the query
        assert SECRET_SUBJECT not in html and world.a not in html and SECRET_NAME not in html, query


# -- identity numbers -----------------------------------------------------------------------------

def test_identity_numbers_never_appear_in_full_on_the_case_list(world):
    for role in NON_ADMIN + ["admin"]:
        client = signed_in(world.app, role)
        for query in ({}, {"q": SECRET_NAME}, {"status": "registered"}):
            html = client.get("/staff/cases", query_string=query).get_data(as_text=True)
            assert world.a in html or query.get("status"), (role, query)  # the case is listed …
            assert FULL_ID not in html, (role, query)                     # … never its full id
        for url in ("/staff/", "/staff/review", "/staff/stats",
                    f"/staff/reports/annual/{DAY.year}.csv",
                    f"/staff/reports/annual/{DAY.year}.json"):
            assert FULL_ID not in client.get(url).get_data(as_text=True), (role, url)


def test_full_identity_number_only_on_the_case_page_for_roles_that_need_it(world):
    for role, full in [("registrar", True), ("handler", True), ("office_head", True),
                       ("reviewer", False), ("admin", False)]:
        html = signed_in(world.app, role).get(f"/staff/cases/{world.a_id}").get_data(as_text=True)
        assert (FULL_ID in html) is full, role
        if not full:
            assert MASKED_ID in html, role


# -- the audit table ------------------------------------------------------------------------------

def _try(sql: str, **params) -> str:
    with pytest.raises(DBAPIError) as exc, db.engine.begin() as conn:
        conn.execute(text(sql), params)
    return str(exc.value)


def _guards_hold() -> None:
    db.session.rollback()
    ev_id = db.session.execute(select(func.min(Event.id))).scalar_one()
    assert ev_id is not None
    for sql in ("UPDATE event SET action = 'forged' WHERE id = :id",
                "UPDATE event SET data = NULL", "DELETE FROM event WHERE id = :id",
                "DELETE FROM event"):
        assert "append-only" in _try(sql, id=ev_id), sql
    ev = db.session.get(Event, ev_id)
    ev.actor_label = "someone else"
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(Event, ev_id))
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(Event, ev_id).actor_label != "someone else"


def test_audit_table_refuses_update_and_delete_in_the_database(ctx, agency):
    _guards_hold()


def test_audit_table_guards_are_in_the_migrated_schema_too(app, ctx):
    """Production databases are made by `flask init-db` (Alembic), not by create_all."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    create_agency("BCZ", "包场镇人民政府")  # writes an event
    _guards_hold()


def test_no_route_can_delete_or_edit_events(app):
    rules = list(app.url_map.iter_rules())
    assert [r.rule for r in rules if r.methods & {"DELETE", "PUT", "PATCH"}] == []
    erasing = {r.endpoint: r.rule for r in rules
               if any(w in r.endpoint.lower() or w in r.rule.lower()
                      for w in ("delete", "remove", "erase", "purge", "destroy", "drop"))}
    # the only ones: a calendar override and a draft document leave, never an event
    assert set(erasing) <= {"admin.calendar_delete", "review.remove_document"}, erasing
    assert not any(w in r.rule.lower() for r in rules for w in ("event", "history", "audit"))


def _event_rows() -> set[tuple]:
    import json
    cols = list(Event.__table__.columns)
    return {tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in row)
            for row in db.session.execute(select(*cols)).all()}


def test_no_page_lets_an_admin_erase_history(world):
    """An admin holding every role posts to every staff and admin form with real ids; every
    event that existed before is still there, unchanged."""
    app = world.app
    with app.app_context():
        boss = create_user("boss", PASSWORD, "BCZ", NON_ADMIN + ["admin"], "全部角色")
        target = db.session.execute(select(User).where(User.username == "handler")).scalar_one()
        ids = {"case_id": world.a_id, "att_id": world.att_id, "item_id": world.item_id,
               "version_id": world.version_id, "entry_id": world.entry_id, "user_id": target.id,
               "year": 2024, "day": "2024-10-01", "appeal_id": 1}
        snapshot = _event_rows()
        assert len(snapshot) > 20 and boss.id
    client = signed_in(app, "boss")
    adapter = app.url_map.bind("localhost")
    form = {"decision": "approved", "reason": "x", "on": "2024-10-01", "received_on": "2024-10-01",
            "reply_type": "art36_2", "active": "0", "roles": ["handler"], "code": "NEW",
            "name": "新机关", "year": "2024", "off_days": "2024-10-01", "work_days": "",
            "note": "某通知", "title": "标题", "category": "other", "issued_on": "2024-09-01",
            "body": "正文", "workdays": "5", "items": "事项", "kind": "third_party",
            "party": "某公司", "method": "per_case", "due_on": "2030-01-01"}
    posted = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not rule.rule.startswith(("/staff", "/admin")):
            continue
        conv = rule._converters
        actions_ = sorted(DISPATCH) if "action" in rule.arguments else [None]
        for action in actions_:
            values = {a: ids.get(a, 1 if isinstance(conv.get(a), IntegerConverter)
                                 else action or "x") for a in rule.arguments}
            resp = client.post(adapter.build(rule.endpoint, values), data=form)
            assert resp.status_code < 500
            posted += 1
    assert posted >= 35
    with app.app_context():
        after = _event_rows()
        assert snapshot <= after, "an event was changed or removed"
        assert len(after) > len(snapshot)  # the posts themselves were audited


# -- logs -----------------------------------------------------------------------------------------

def test_passwords_identity_numbers_and_query_codes_never_reach_the_logs(make_app, caplog):
    app = make_app(TESTING=False, FIXED_TODAY="2024-09-27")  # the production error handler
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        create_user("registrar", PASSWORD, "BCZ", ["registrar"])
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    assert client.post("/login", data={"username": "registrar",
                                       "password": "Wrong-password-99"}).status_code == 401
    assert client.post("/login", data={"username": "registrar",
                                       "password": PASSWORD}).status_code == 302
    created = client.post("/api/v1/applications", json=person_payload()).get_json()
    code = created["query_code"]
    client.get(f"/api/v1/applications/{created['tracking_no']}", headers={"X-Query-Code": code})
    client.post("/status", data={"tracking_no": created["tracking_no"], "query_code": code})
    bad = person_payload(applicant={**person_payload()["applicant"],
                                    "id_number": FULL_ID[:-1] + "9"})
    assert client.post("/api/v1/applications", json=bad).status_code == 400
    client.post("/staff/register", data={"channel": "in_person", "received_on": "2024-09-27",
                                         "name": "张三", "id_type": "resident_id",
                                         "id_number": FULL_ID, "applicant_type": "natural_person"})
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (PASSWORD, "Wrong-password-99", FULL_ID, FULL_ID[:-1] + "9", code,
                   app.config["SECRET_KEY"]):
        assert secret not in logged, secret


def test_a_database_error_does_not_log_the_applicants_personal_data(make_app, caplog, monkeypatch):
    app = make_app(TESTING=False, FIXED_TODAY="2024-09-27")
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
    client = app.test_client()
    assert client.post("/api/v1/applications", json=person_payload()).status_code == 201
    from disclosure.services import numbering
    # the next insert collides (as any constraint, lock or disk error would fail it)
    monkeypatch.setattr(numbering, "next_tracking_no", lambda agency, year: "BCZ-2024-000001")
    caplog.set_level(logging.DEBUG)
    resp = client.post("/api/v1/applications", json=person_payload(
        applicant={**person_payload()["applicant"], "phone": "13912345678"}))
    assert resp.status_code == 500 and resp.get_json() == {"error": "服务器内部错误", "status": 500}
    assert "unhandled error" in caplog.text  # the failure itself is logged …
    for secret in (FULL_ID, "13912345678", "包场镇1号"):
        assert secret not in caplog.text, secret  # … without the personal data
