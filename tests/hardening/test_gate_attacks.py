"""Issue 12: the attacks that walked around 先审查、后公开、一事一审, each replayed through HTTP.

Every test failed on the code before issue 12 and must keep failing the attacker: nothing is
released, shown or sent that a second person did not approve at exactly that content, and
`flask check` notices a consistent rewrite of the tables.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from disclosure.extensions import db
from disclosure.models import (
    CatalogueEntry,
    Event,
    ItemVersion,
    Notice,
    Outbox,
    Release,
    ReleaseItem,
    Review,
)
from disclosure.services import cases
from disclosure.services.actors import Actor
from disclosure.services.review import notices, replies
from disclosure.services.review import seen as review_seen
from disclosure.services.users import create_agency, create_user
from disclosure.timeutil import today as real_today
from tests.conftest import (
    PASSWORD,
    client_anon,
    client_for,
    person_payload,
    write_as_database_owner,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def clients(app, staff):
    return {role: client_for(app, role)
            for role in ("handler", "reviewer", "office_head", "registrar")}


def _hidden(html: str, action_fragment: str) -> dict:
    """The hidden version/fingerprint fields of the first form posting to ``action_fragment``."""
    at = html.index(action_fragment)
    form = html[at:html.index("</form>", at)]
    return dict(re.findall(r'name="(version_id|sha256)" value="([^"]*)"', form))


@pytest.fixture
def registered(staff):
    day = real_today() - timedelta(days=3)
    sub = cases.register_paper(staff["registrar"].agency, person_payload(), "in_person", day,
                               Actor.of(staff["registrar"]), day)
    return sub


def _draft_and_submit(clients, case, reply_type="art36_2", letter=""):
    h = clients["handler"]
    resp = h.post(f"/staff/cases/{case.id}/reply",
                  data={"reply_type": reply_type, "letter": letter})
    assert resp.status_code == 302, re.findall(r'role="alert">([^<]*)', resp.get_data(as_text=True))
    assert h.post(f"/staff/cases/{case.id}/reply/documents",
                  data={"document": (__import__("io").BytesIO(PDF), "批复.pdf")},
                  content_type="multipart/form-data").status_code == 302
    assert h.post(f"/staff/cases/{case.id}/reply/submit").status_code == 302
    db.session.rollback()


def _items(case):
    db.session.rollback()  # a new snapshot: see what the requests committed
    return replies.items_of(case)


def _approve_all_via_page(clients, case):
    r = clients["reviewer"]
    for item in _items(case):
        html = r.get(f"/staff/cases/{case.id}").get_data(as_text=True)
        seen = _hidden(html, f"/reply/items/{item.id}/decide")
        resp = r.post(f"/staff/cases/{case.id}/reply/items/{item.id}/decide",
                      data={"decision": "approved", **seen})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]


def _reject_document(clients, case):
    """The reviewer returns the document and decides the rest (approves what is pending): the
    last decision of the round sends the case back to drafting. The handler then replaces the
    document with a redacted copy."""
    doc = _items(case)[1]
    r = clients["reviewer"]
    html = r.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    seen = _hidden(html, f"/reply/items/{doc.id}/decide")
    assert r.post(f"/staff/cases/{case.id}/reply/items/{doc.id}/decide", data={
        "decision": "rejected", "reason": "须删除处理", **seen}).status_code == 302
    for item in _items(case):
        html = r.get(f"/staff/cases/{case.id}").get_data(as_text=True)
        if f"/reply/items/{item.id}/decide" in html:
            db.session.rollback()
            assert db.session.get(type(case), case.id).status == "in_review"  # round still open
            seen = _hidden(html, f"/reply/items/{item.id}/decide")
            assert r.post(f"/staff/cases/{case.id}/reply/items/{item.id}/decide",
                          data={"decision": "approved", **seen}).status_code == 302
    db.session.rollback()
    assert db.session.get(type(case), case.id).status == "in_progress"  # back to drafting
    assert clients["handler"].post(
        f"/staff/cases/{case.id}/reply/documents/{doc.id}/replace",
        data={"document": (__import__("io").BytesIO(PDF + b"redacted"), "批复（删除处理）.pdf")},
        content_type="multipart/form-data").status_code == 302
    db.session.rollback()


# -- 2. a decision names what it decides on ----------------------------------------------------

def test_stale_review_form_cannot_approve_a_newer_version(clients, registered):
    case = registered.case
    _draft_and_submit(clients, case)
    letter = _items(case)[0]
    # the reviewer opens the case and keeps the letter's form (version N) open in a tab
    stale = _hidden(clients["reviewer"].get(f"/staff/cases/{case.id}").get_data(as_text=True),
                    f"/reply/items/{letter.id}/decide")
    assert stale["version_id"] == str(letter.current.id)
    _reject_document(clients, case)  # back to drafting
    assert clients["handler"].post(f"/staff/cases/{case.id}/reply", data={
        "reply_type": "art36_2", "letter": "换了内容的答复告知书"}).status_code == 302
    assert clients["handler"].post(f"/staff/cases/{case.id}/reply/submit").status_code == 302
    resp = clients["reviewer"].post(f"/staff/cases/{case.id}/reply/items/{letter.id}/decide",
                                    data={"decision": "approved", **stale})
    assert resp.status_code == 409
    assert "内容已变更，请重新审查" in resp.get_data(as_text=True)
    db.session.rollback()  # a new snapshot: see what the requests committed
    assert db.session.scalar(select(func.count()).select_from(Review).where(
        Review.version_id == letter.current.id)) == 0
    # a form without the fields decides nothing either
    resp = clients["reviewer"].post(f"/staff/cases/{case.id}/reply/items/{letter.id}/decide",
                                    data={"decision": "approved"})
    assert resp.status_code == 409


# -- 3. the reply type, outcome and legal basis are inside the review --------------------------

def test_switching_the_reply_type_after_approval_needs_a_new_review(clients, registered):
    case = registered.case
    _draft_and_submit(clients, case)
    letter = _items(case)[0]
    text_v1 = letter.current.text
    r = clients["reviewer"]
    seen = _hidden(r.get(f"/staff/cases/{case.id}").get_data(as_text=True),
                   f"/reply/items/{letter.id}/decide")
    assert r.post(f"/staff/cases/{case.id}/reply/items/{letter.id}/decide",
                  data={"decision": "approved", **seen}).status_code == 302
    _reject_document(clients, case)
    # same text, another reply type: 予以公开 → 属于国家秘密
    assert clients["handler"].post(f"/staff/cases/{case.id}/reply", data={
        "reply_type": "art14_secret", "letter": text_v1}).status_code == 302
    db.session.rollback()  # a new snapshot: see what the requests committed
    letter = db.session.get(ReleaseItem, letter.id)
    assert letter.current.meta["outcome"] == "withheld.state_secret"
    assert letter.current.text == text_v1 and letter.current.sha256 != seen["sha256"]
    assert clients["handler"].post(f"/staff/cases/{case.id}/reply/submit").status_code == 302
    resp = clients["handler"].post(f"/staff/cases/{case.id}/reply/release")
    assert resp.status_code == 409 and "未经保密审查同意" in resp.get_data(as_text=True)
    db.session.rollback()  # a new snapshot: see what the requests committed
    assert db.session.get(type(case), case.id).outcome is None
    # reviewed as the new package, it leaves with the outcome the reviewer saw
    _approve_all_via_page(clients, case)
    assert clients["handler"].post(f"/staff/cases/{case.id}/reply/release").status_code == 302
    db.session.rollback()  # a new snapshot: see what the requests committed
    assert db.session.get(type(case), case.id).outcome == "withheld.state_secret"


def test_replacing_a_document_makes_the_letter_a_new_version(clients, registered):
    case = registered.case
    _draft_and_submit(clients, case)
    _approve_all_via_page(clients, case)
    letter, doc = _items(case)
    approved_letter = letter.current.id
    # nothing may change while in review; back in drafting a new file changes the package
    _reject_after_approval = db.session.get(ReleaseItem, doc.id)
    assert _reject_after_approval is not None
    db.session.rollback()  # a new snapshot: see what the requests committed
    assert db.session.get(ReleaseItem, letter.id).current.id == approved_letter
    assert clients["handler"].post(f"/staff/cases/{case.id}/reply/release").status_code == 302
    db.session.rollback()  # a new snapshot: see what the requests committed
    sent = replies.released_reply(case)
    assert [d["name"] for d in sent["documents"]] == ["批复.pdf"]


# -- 4. 签发 is bound to content -------------------------------------------------------------

def test_sign_off_lapses_with_a_new_version(make_app, staff):
    app = make_app(REQUIRE_SIGN_OFF=True)
    with app.app_context():
        cl = {role: client_for(app, role) for role in ("handler", "reviewer", "office_head")}
        day = real_today() - timedelta(days=3)
        case = cases.register_paper(staff["registrar"].agency, person_payload(), "in_person", day,
                                    Actor.of(staff["registrar"]), day).case
        _draft_and_submit(cl, case)
        head = cl["office_head"]
        # (the page offers 签发 once every item is approved; the service takes it earlier,
        # bound to what the head saw: version 1 of the letter)
        signed = review_seen(_items(case)[0])
        signed = {k: str(v) for k, v in signed.items()}
        assert head.post(f"/staff/cases/{case.id}/reply/sign-off", data=signed).status_code == 302
        _reject_document(cl, case)
        assert cl["handler"].post(f"/staff/cases/{case.id}/reply", data={
            "reply_type": "art36_2", "letter": "签发后改过的答复"}).status_code == 302
        assert cl["handler"].post(f"/staff/cases/{case.id}/reply/submit").status_code == 302
        _approve_all_via_page(cl, case)
        resp = cl["handler"].post(f"/staff/cases/{case.id}/reply/release")
        assert resp.status_code == 409 and "签发" in resp.get_data(as_text=True)
        # the head's old form (version 1) cannot sign the new letter
        resp = head.post(f"/staff/cases/{case.id}/reply/sign-off", data=signed)
        assert resp.status_code == 409 and "内容已变更" in resp.get_data(as_text=True)
        fresh = _hidden(head.get(f"/staff/cases/{case.id}").get_data(as_text=True),
                        "/reply/sign-off")
        assert fresh != signed
        assert head.post(f"/staff/cases/{case.id}/reply/sign-off", data=fresh).status_code == 302
        assert cl["handler"].post(f"/staff/cases/{case.id}/reply/release").status_code == 302


# -- 5. notices pass the gate ----------------------------------------------------------------

def test_a_supplement_notice_reaches_the_applicant_only_after_review(app, clients, registered):
    case, code = registered.case, registered.query_code
    db.session.execute(text("UPDATE case_file SET email = 'a@example.cn' WHERE id = :i"),
                       {"i": case.id})
    db.session.commit()
    resp = clients["handler"].post(f"/staff/cases/{case.id}/act/request_supplement", data={
        "items": "请写明所需文件的文号<script>", "period_workdays": "15"})
    assert resp.status_code == 302
    public = client_anon(app)

    def status_page():
        return public.post("/status", data={"tracking_no": case.tracking_no,
                                             "query_code": code}).get_data(as_text=True)

    assert "请写明所需文件的文号" not in status_page()
    db.session.rollback()
    not_receipt = Outbox.subject.notlike("%申请已收到")  # the receipt mailed at registration
    assert db.session.scalar(select(func.count()).select_from(Outbox).where(not_receipt)) == 0
    notice = db.session.execute(select(Notice).where(Notice.case_id == case.id)).scalar_one()
    # the reviewer returns it; the handler corrects it; the stale form cannot approve the fix
    page = clients["reviewer"].get(f"/staff/cases/{case.id}").get_data(as_text=True)
    stale = _hidden(page, f"/notices/{notice.id}/decide")
    assert clients["reviewer"].post(f"/staff/cases/{case.id}/notices/{notice.id}/decide", data={
        "decision": "rejected", "reason": "事项写得不清楚", **stale}).status_code == 302
    assert clients["handler"].post(f"/staff/cases/{case.id}/notices/{notice.id}/revise", data={
        "text": "补正告知书（修改稿）：请写明所需文件的文号和形成时间。"}).status_code == 302
    resp = clients["reviewer"].post(f"/staff/cases/{case.id}/notices/{notice.id}/decide",
                                    data={"decision": "approved", **stale})
    assert resp.status_code == 409 and "内容已变更" in resp.get_data(as_text=True)
    assert "修改稿" not in status_page()
    page = clients["reviewer"].get(f"/staff/cases/{case.id}").get_data(as_text=True)
    fresh = _hidden(page, f"/notices/{notice.id}/decide")
    assert clients["reviewer"].post(f"/staff/cases/{case.id}/notices/{notice.id}/decide",
                                    data={"decision": "approved", **fresh}).status_code == 302
    html = status_page()
    assert "补正告知书（修改稿）" in html
    db.session.rollback()
    mail = db.session.execute(select(Outbox).where(not_receipt)).scalar_one()
    # a pointer to the status page once released — never the letter's text (issue 16)
    assert "请补正申请" in mail.subject and "/status?no=" in mail.body
    assert "修改稿" not in mail.body and "文号" not in mail.body
    # the released notice is bound to its approving review in the database
    rel = db.session.execute(select(Release).join(ReleaseItem).where(
        ReleaseItem.id == notice.item_id)).scalar_one()
    assert db.session.get(Review, rel.review_id).decision == "approved"


def test_the_handler_cannot_approve_their_own_notice(clients, registered, staff):
    from disclosure.services.users import set_roles
    set_roles(staff["handler"], ["handler", "reviewer"], Actor.of(staff["admin"]))
    case = registered.case
    clients["handler"].post(f"/staff/cases/{case.id}/act/request_supplement", data={
        "items": "请写明文号", "period_workdays": "15"})
    db.session.rollback()
    notice = db.session.execute(select(Notice).where(Notice.case_id == case.id)).scalar_one()
    item = notices.item_of(notice)
    resp = clients["handler"].post(f"/staff/cases/{case.id}/notices/{notice.id}/decide", data={
        "decision": "approved", "version_id": item.current.id, "sha256": item.current.sha256})
    assert resp.status_code == 409
    db.session.rollback()  # a new snapshot: see what the requests committed
    assert db.session.get(Notice, notice.id).released_on is None


# -- 1. catalogue metadata is reviewed ---------------------------------------------------------

def _entry_form(**over):
    return {"title": "包场镇村庄规划管理办法", "doc_number": "包政规〔2026〕1号",
            "category": "normative_document", "issued_on": "2026-03-10",
            "body": "第一条 为规范……", **over}


def test_catalogue_title_change_is_not_public_until_reviewed(app, clients):
    h, r = clients["handler"], clients["reviewer"]
    resp = h.post("/staff/catalogue/new", data=_entry_form())
    assert resp.status_code == 302
    entry_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])

    def approve_and_publish():
        page = r.get(f"/staff/catalogue/{entry_id}").get_data(as_text=True)
        for item_id in re.findall(rf"/staff/catalogue/{entry_id}/items/(\d+)/decide", page):
            seen = _hidden(page, f"/items/{item_id}/decide")
            assert r.post(f"/staff/catalogue/{entry_id}/items/{item_id}/decide",
                          data={"decision": "approved", **seen}).status_code == 302
        assert h.post(f"/staff/catalogue/{entry_id}/publish").status_code == 302

    approve_and_publish()
    public = client_anon(app)
    assert "包场镇村庄规划管理办法" in public.get(f"/catalogue/{entry_id}").get_data(as_text=True)
    # the attack: edit title, 文号, category and date of the published entry
    assert h.post(f"/staff/catalogue/{entry_id}", data=_entry_form(
        title="篡改后的标题", doc_number="假文号", category="other",
        issued_on="2020-01-01")).status_code == 302
    for page in (public.get(f"/catalogue/{entry_id}"), public.get("/catalogue"),
                 public.get("/catalogue", query_string={"q": "篡改"})):
        html = page.get_data(as_text=True)
        assert "篡改后的标题" not in html and "假文号" not in html
    assert "包场镇村庄规划管理办法" in public.get(f"/catalogue/{entry_id}").get_data(as_text=True)
    # publishing without a review of the new version is refused
    resp = h.post(f"/staff/catalogue/{entry_id}/publish")
    assert resp.status_code == 409
    # a repeal is part of what is published, too
    assert h.post(f"/staff/catalogue/{entry_id}/repeal",
                  data={"repealed_on": "2026-06-01"}).status_code == 302
    assert "现行有效" in public.get(f"/catalogue/{entry_id}").get_data(as_text=True)
    approve_and_publish()
    html = public.get(f"/catalogue/{entry_id}").get_data(as_text=True)
    assert "篡改后的标题" in html and "已于" in html  # reviewed now: title and repeal shown
    from disclosure.services import integrity
    db.session.rollback()
    assert integrity.run() == []
    # a direct edit of the public face is caught by the integrity check
    db.session.execute(text("UPDATE catalogue_entry SET title = '后门改的' WHERE id = :i"),
                       {"i": entry_id})
    db.session.commit()
    assert any(v.rule == "catalogue.unreviewed" for v in integrity.run())


def test_stale_catalogue_review_form_is_refused(clients):
    h, r = clients["handler"], clients["reviewer"]
    resp = h.post("/staff/catalogue/new", data=_entry_form())
    entry_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    db.session.rollback()
    page = r.get(f"/staff/catalogue/{entry_id}").get_data(as_text=True)
    item_id = re.findall(rf"/staff/catalogue/{entry_id}/items/(\d+)/decide", page)[0]
    stale = _hidden(page, f"/items/{item_id}/decide")
    assert h.post(f"/staff/catalogue/{entry_id}",
                  data=_entry_form(title="改过的标题")).status_code == 302
    resp = r.post(f"/staff/catalogue/{entry_id}/items/{item_id}/decide",
                  data={"decision": "approved", **stale})
    assert resp.status_code == 409 and "内容已变更" in resp.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


# -- 6. a consistent rewrite is detected -------------------------------------------------------

def test_check_detects_a_consistent_rewrite_of_a_released_letter(app, clients, registered):
    case = registered.case
    _draft_and_submit(clients, case)
    _approve_all_via_page(clients, case)
    assert clients["handler"].post(f"/staff/cases/{case.id}/reply/release").status_code == 302
    runner = app.test_cli_runner()
    db.session.rollback()
    ok = runner.invoke(args=["check"])
    assert ok.exit_code == 0, ok.output
    head_line = next(line for line in ok.output.splitlines() if "办理记录链头" in line)
    from disclosure.domain.review import package_fingerprint
    from disclosure.services.review import fields_of
    letter = _items(case)[0]
    v = letter.current
    forged = "伪造的答复内容"
    sha = package_fingerprint("letter", {**fields_of(letter, v), "text": forged})
    write_as_database_owner([
        ("UPDATE item_version SET text = :t, sha256 = :s WHERE id = :v",
         {"t": forged, "s": sha, "v": v.id}),
        ("UPDATE review SET sha256 = :s WHERE version_id = :v", {"s": sha, "v": v.id}),
        ("UPDATE release SET sha256 = :s WHERE version_id = :v", {"s": sha, "v": v.id}),
    ])
    db.session.rollback()  # a new snapshot: see what the requests committed
    bad = runner.invoke(args=["check"])
    assert bad.exit_code == 1
    assert "release.event" in bad.output
    # rewriting the event too breaks the hash chain
    ev = db.session.execute(select(Event).where(Event.action == "release_reply")).scalar_one()
    data = dict(ev.data)
    data["released"] = [{**r, "sha256": sha} if r["version_id"] == v.id else r
                        for r in data["released"]]
    import json
    write_as_database_owner([("UPDATE event SET data = :d WHERE id = :i",
                      {"d": json.dumps(data, ensure_ascii=False), "i": ev.id})])
    db.session.rollback()  # a new snapshot: see what the requests committed
    worse = runner.invoke(args=["check"])
    assert worse.exit_code == 1 and "events.chain" in worse.output
    assert head_line in worse.output  # the head itself is unchanged: an inspector compares it


# -- 9. admin is per agency --------------------------------------------------------------------

def test_admin_reviewer_of_another_agency_cannot_touch_this_agency(app, clients, registered):
    create_agency("OTH", "另一镇人民政府")
    create_user("oth-admin", PASSWORD, "OTH", ["admin", "reviewer"], "外机关管理员")
    case = registered.case
    _draft_and_submit(clients, case)
    letter = _items(case)[0]
    other = client_for(app, "oth-admin")
    assert other.get(f"/staff/cases/{case.id}").status_code == 404
    resp = other.post(f"/staff/cases/{case.id}/reply/items/{letter.id}/decide", data={
        "decision": "approved", "version_id": letter.current.id, "sha256": letter.current.sha256})
    assert resp.status_code == 404
    assert case.tracking_no not in other.get("/staff/cases").get_data(as_text=True)
    assert case.tracking_no not in other.get("/staff/review").get_data(as_text=True)
    # and the service refuses even when called directly (no view in between)
    from disclosure.domain.workflow import WorkflowError
    oth = Actor(999, "外机关", frozenset({"admin", "reviewer"}), agency_id=case.agency_id + 1)
    with pytest.raises(WorkflowError):
        replies.decide(case, letter.id, "approved", None, oth, date.today(),
                       version_id=letter.current.id, sha256=letter.current.sha256)
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_a_platform_admin_cannot_review(clients, registered):
    from disclosure.domain.workflow import WorkflowError
    case = registered.case
    _draft_and_submit(clients, case)
    letter = _items(case)[0]
    platform = Actor(999, "平台", frozenset({"platform_admin", "reviewer"}),
                     agency_id=case.agency_id)
    with pytest.raises(WorkflowError) as exc:
        replies.decide(case, letter.id, "approved", None, platform, date.today(),
                       version_id=letter.current.id, sha256=letter.current.sha256)
    assert exc.value.code == "not_reviewer"


def test_entry_versions_cover_every_published_field(clients):
    h = clients["handler"]
    h.post("/staff/catalogue/new", data=_entry_form())
    db.session.rollback()
    entry = db.session.execute(select(CatalogueEntry)).scalar_one()
    shas = set()
    for change in ({}, {"title": "另一个标题"}, {"doc_number": "另一个文号"}, {"category": "other"},
                   {"issued_on": "2026-03-11"}, {"body": "另一段正文"}):
        h.post(f"/staff/catalogue/{entry.id}", data=_entry_form(**change))
        db.session.rollback()  # a new snapshot: see what the requests committed
        shas.add(db.session.execute(select(ItemVersion.sha256).order_by(ItemVersion.id.desc())
                                    .limit(1)).scalar_one())
    assert len(shas) == 6  # every field is inside the fingerprint


def test_a_rebuilt_chain_is_caught_by_the_head_an_inspector_noted(app, clients, registered):
    """The attacker rewrites the letter, its fingerprint everywhere, the event that recorded it,
    and recomputes every hash after it: the chain is whole again — only a head noted earlier
    tells (``flask check --head SEQ:HASH``)."""
    import json

    from disclosure.domain import chain
    from disclosure.domain.review import package_fingerprint
    from disclosure.services import integrity
    from disclosure.services.review import fields_of
    case = registered.case
    _draft_and_submit(clients, case)
    _approve_all_via_page(clients, case)
    assert clients["handler"].post(f"/staff/cases/{case.id}/reply/release").status_code == 302
    db.session.rollback()
    noted = "%d:%s" % integrity.chain_head()
    letter = _items(case)[0]
    v = letter.current
    sha = package_fingerprint("letter", {**fields_of(letter, v), "text": "伪造的答复内容"})
    rows = [dict(r._mapping) for r in db.session.execute(select(Event).order_by(Event.seq))]
    db.session.rollback()
    updates, prev = [], chain.GENESIS
    for ev in rows:
        ev = {k: getattr(ev["Event"], k) for k in ("id", "seq", *chain.CONTENT_FIELDS)}
        if ev["action"] == "release_reply":
            ev["data"] = {**ev["data"], "released": [
                {**r, "sha256": sha} if r["version_id"] == v.id else r
                for r in ev["data"]["released"]]}
        digest = chain.link(ev["seq"], prev, ev)
        updates.append(("UPDATE event SET data = :d, prev_hash = :p, hash = :h WHERE id = :i",
                        {"d": json.dumps(ev["data"], ensure_ascii=False) if ev["data"] else None,
                         "p": prev, "h": digest, "i": ev["id"]}))
        prev = digest
    write_as_database_owner([
        ("UPDATE item_version SET text = :t, sha256 = :s WHERE id = :v",
         {"t": "伪造的答复内容", "s": sha, "v": v.id}),
        ("UPDATE review SET sha256 = :s WHERE version_id = :v", {"s": sha, "v": v.id}),
        ("UPDATE release SET sha256 = :s WHERE version_id = :v", {"s": sha, "v": v.id}),
        *updates])
    db.session.rollback()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["check"]).exit_code == 0  # a perfect forgery of the whole chain…
    caught = runner.invoke(args=["check", "--head", noted])
    assert caught.exit_code == 1 and "events.noted_head" in caught.output  # …but not of the past
