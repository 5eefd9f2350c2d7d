"""Security review of the gate (先审查、后公开、一事一审), through HTTP as an attacker would.

Each test asserts the SAFE behaviour. A test marked ``xfail(strict=True, reason="FINDING: …")``
is an open finding (it fails today); the others are regression tests of attacks that were
refused correctly.
"""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from disclosure.domain import chain
from disclosure.extensions import db
from disclosure.models import (
    CatalogueEntry,
    Event,
    Notice,
    Outbox,
    Release,
    ReleaseItem,
    Review,
    SignOff,
)
from disclosure.services import cases, integrity
from disclosure.services.actors import Actor
from disclosure.services.review import notices, replies
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
    return {role: client_for(app, role) for role in ("handler", "reviewer", "office_head",
                                                     "registrar", "admin")}


def _register(staff, **payload):
    day = real_today() - timedelta(days=3)
    return cases.register_paper(staff["registrar"].agency, person_payload(**payload), "in_person",
                                day, Actor.of(staff["registrar"]), day)


@pytest.fixture
def registered(staff):
    return _register(staff)


def _fresh():
    db.session.rollback()  # a new snapshot: see what the requests committed


def _items(case):
    _fresh()
    return replies.items_of(case)


def _seen(item_id: int) -> dict:
    _fresh()
    v = db.session.get(ReleaseItem, item_id).current
    return {"version_id": str(v.id), "sha256": v.sha256}


def _events() -> int:
    _fresh()
    return db.session.scalar(select(func.count()).select_from(Event))


def _upload(name="批复.pdf", body=PDF):
    return {"document": (io.BytesIO(body), name)}


def _draft(h, case, reply_type="art36_2", letter="", doc=True):
    resp = h.post(f"/staff/cases/{case.id}/reply",
                  data={"reply_type": reply_type, "letter": letter})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:800]
    if doc:
        assert h.post(f"/staff/cases/{case.id}/reply/documents", data=_upload(),
                      content_type="multipart/form-data").status_code == 302


def _submit(h, case):
    resp = h.post(f"/staff/cases/{case.id}/reply/submit")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:800]


def _decide(c, case, item_id, decision="approved", reason=None, seen=None):
    data = {"decision": decision, **(seen or _seen(item_id))}
    if reason:
        data["reason"] = reason
    return c.post(f"/staff/cases/{case.id}/reply/items/{item_id}/decide", data=data)


def _approve_all(r, case):
    for item in _items(case):
        resp = _decide(r, case, item.id)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:800]


def _notice_of(case, kind=None) -> Notice:
    _fresh()
    stmt = select(Notice).where(Notice.case_id == case.id)
    if kind:
        stmt = stmt.where(Notice.kind == kind)
    return db.session.execute(stmt.order_by(Notice.id.desc())).scalars().first()


def _decide_notice(c, case, notice, decision="approved", reason=None, seen=None):
    data = {"decision": decision, **(seen or _seen(notice.item_id))}
    if reason:
        data["reason"] = reason
    return c.post(f"/staff/cases/{case.id}/notices/{notice.id}/decide", data=data)


def _supplement(h, case, items="请写明所需文件的文号"):
    resp = h.post(f"/staff/cases/{case.id}/act/request_supplement",
                  data={"items": items, "period_workdays": "15"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:800]


def _clarification(h, case, items="请说明所需信息的形成时间"):
    resp = h.post(f"/staff/cases/{case.id}/act/request_clarification",
                  data={"items": items, "confirm": "1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:800]


def _entry_form(**over):
    return {"title": "包场镇村庄规划管理办法", "doc_number": "包政规〔2026〕1号",
            "category": "normative_document", "issued_on": "2026-03-10",
            "body": "第一条 为规范……", **over}


def _new_entry(h, **over) -> int:
    resp = h.post("/staff/catalogue/new", data=_entry_form(**over))
    assert resp.status_code == 302
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def _entry_items(entry_id):
    _fresh()
    return list(db.session.execute(select(ReleaseItem).where(ReleaseItem.entry_id == entry_id)
                                   .order_by(ReleaseItem.id)).scalars())


def _decide_entry(r, entry_id, item_id, decision="approved", reason=None, seen=None):
    data = {"decision": decision, **(seen or _seen(item_id))}
    if reason:
        data["reason"] = reason
    return r.post(f"/staff/catalogue/{entry_id}/items/{item_id}/decide", data=data)


# =============================================================================================
# 1. Separation of duties (R6.4): the reviewer is not the drafter of what they approve
# =============================================================================================

def test_a_reviewer_cannot_approve_a_letter_text_they_wrote_once_a_colleague_adds_a_document(
        app, staff, registered):
    """A small office: B is handler and reviewer (allowed; only platform_admin+reviewer is
    incompatible). B writes the letter; colleague A adds the document (an innocent act), which
    copies the letter into a new version whose drafter is A. B then approves B's own text."""
    create_user("dual", PASSWORD, "BCZ", ["handler", "reviewer"], "承办兼审查")
    b, a = client_for(app, "dual"), client_for(app, "handler")
    client_for(app, "reviewer")
    case = registered.case
    _draft(b, case, letter="", doc=False)       # B writes the letter text
    assert a.post(f"/staff/cases/{case.id}/reply/documents", data=_upload(),
                  content_type="multipart/form-data").status_code == 302
    _submit(a, case)
    letter, doc = _items(case)
    assert letter.versions[0].text == letter.current.text  # the text is still B's
    resp = _decide(b, case, letter.id)          # B reviews the letter whose text B wrote
    assert resp.status_code == 409, "the author of the letter text approved it"
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Review).where(
        Review.decision == "approved")) == 0


def test_the_author_of_a_catalogue_text_cannot_approve_it_after_a_colleague_records_a_repeal(
        app, staff):
    create_user("dual", PASSWORD, "BCZ", ["handler", "reviewer"], "承办兼审查")
    b, a = client_for(app, "dual"), client_for(app, "handler")
    entry_id = _new_entry(b, body="B 起草的正文")
    assert a.post(f"/staff/catalogue/{entry_id}/repeal",
                  data={"repealed_on": "2026-06-01"}).status_code == 302
    (text_item,) = _entry_items(entry_id)
    resp = _decide_entry(b, entry_id, text_item.id)
    assert resp.status_code == 409, "the author of the entry text approved it"


def test_the_handler_reviewer_cannot_approve_their_own_letter(app, staff, registered):
    """Control: without the colleague's copy the separation holds."""
    create_user("dual", PASSWORD, "BCZ", ["handler", "reviewer"], "承办兼审查")
    b = client_for(app, "dual")
    case = registered.case
    _draft(b, case)
    _submit(b, case)
    for item in _items(case):
        assert _decide(b, case, item.id).status_code == 409
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


# =============================================================================================
# 2. Swapped ids and items of another kind, case, entry or agency
# =============================================================================================

def test_the_reply_decide_route_refuses_a_notice_item(clients, registered):
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    _clarification(h, case)                     # a notice awaiting review
    _draft(h, case)
    _submit(h, case)                            # the case is in review
    notice = _notice_of(case, "clarification")
    resp = _decide(r, case, notice.item_id)     # the notice's item, through the reply form
    assert resp.status_code in (400, 404, 409)
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0
    # and the notice can still be approved (and so released) through its own route
    assert _decide_notice(r, case, _notice_of(case, "clarification")).status_code == 302


def test_another_items_version_and_fingerprint_do_not_approve_this_item(clients, registered):
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    _draft(h, case)
    _submit(h, case)
    letter, doc = _items(case)
    assert _decide(r, case, letter.id, seen=_seen(doc.id)).status_code == 409
    # right version id, wrong fingerprint / right fingerprint, wrong id
    mixed = {"version_id": _seen(letter.id)["version_id"], "sha256": _seen(doc.id)["sha256"]}
    assert _decide(r, case, letter.id, seen=mixed).status_code == 409
    mixed = {"version_id": _seen(doc.id)["version_id"], "sha256": _seen(letter.id)["sha256"]}
    assert _decide(r, case, letter.id, seen=mixed).status_code == 409
    for junk in ({"version_id": "1e3", "sha256": ""}, {"version_id": "-1", "sha256": "x"},
                 {"version_id": "99999999999999999999999", "sha256": "x"}):
        assert _decide(r, case, letter.id, seen=junk).status_code == 409
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_an_item_or_notice_of_another_case_is_refused(clients, staff, registered):
    h, r = clients["handler"], clients["reviewer"]
    case, other = registered.case, _register(staff, subject="另一件申请").case
    for c in (case, other):
        _draft(h, c)
        _submit(h, c)
    other_letter = _items(other)[0]
    resp = _decide(r, case, other_letter.id, seen=_seen(other_letter.id))
    assert resp.status_code in (400, 404)
    _supplement(h, registered_case := _register(staff, subject="第三件").case)
    n = _notice_of(registered_case)
    resp = _decide_notice(r, case, n)            # another case's notice under this case's URL
    assert resp.status_code in (400, 404)
    resp = h.post(f"/staff/cases/{case.id}/notices/{n.id}/revise", data={"text": "改"})
    assert resp.status_code in (400, 404)
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0
    assert db.session.get(Notice, n.id).released_on is None


def test_a_catalogue_item_of_another_entry_or_a_reply_item_is_refused(clients, registered):
    h, r = clients["handler"], clients["reviewer"]
    e1, e2 = _new_entry(h), _new_entry(h, title="第二条目")
    (i2,) = _entry_items(e2)
    assert _decide_entry(r, e1, i2.id).status_code == 400
    case = registered.case
    _draft(h, case)
    letter = _items(case)[0]
    assert _decide_entry(r, e1, letter.id).status_code == 400
    # and a catalogue item through a case's reply route
    assert _decide(r, case, i2.id, seen=_seen(i2.id)).status_code in (400, 404, 409)
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_staff_of_another_agency_get_nothing_done(app, clients, staff, registered):
    create_agency("OTH", "另一镇人民政府")
    create_user("oth", PASSWORD, "OTH", ["handler", "reviewer", "office_head", "admin"], "外机关")
    h = clients["handler"]
    case = registered.case
    _supplement(h, case)
    _fresh()
    notice = _notice_of(case)
    entry_id = _new_entry(h)
    (entry_item,) = _entry_items(entry_id)
    o = client_for(app, "oth")
    before = _events()
    assert _decide_notice(o, case, notice).status_code == 404
    assert o.post(f"/staff/cases/{case.id}/notices/{notice.id}/revise",
                  data={"text": "外机关改的"}).status_code == 404
    assert o.post(f"/staff/cases/{case.id}/reply",
                  data={"reply_type": "art36_2"}).status_code == 404
    assert _decide_entry(o, entry_id, entry_item.id).status_code == 404
    assert o.post(f"/staff/catalogue/{entry_id}",
                  data=_entry_form(title="外机关")).status_code == 404
    assert o.post(f"/staff/catalogue/{entry_id}/publish").status_code == 404
    assert o.get(f"/staff/cases/{case.id}/notices/{notice.id}.pdf").status_code == 404
    assert _events() == before


def test_a_platform_admin_sees_but_cannot_act_on_another_agency(app, clients, staff, registered):
    create_agency("OTH", "另一镇人民政府")
    create_user("plat", PASSWORD, "OTH", ["platform_admin", "handler", "office_head"], "平台")
    h = clients["handler"]
    case = registered.case
    _supplement(h, case)
    notice = _notice_of(case)
    entry_id = _new_entry(h)
    (entry_item,) = _entry_items(entry_id)
    p = client_for(app, "plat")
    before = _events()
    assert p.get(f"/staff/cases/{case.id}").status_code == 200
    assert _decide_notice(p, case, notice).status_code in (403, 409)
    assert p.post(f"/staff/cases/{case.id}/notices/{notice.id}/revise",
                  data={"text": "平台改的"}).status_code in (403, 409)
    assert p.post(f"/staff/cases/{case.id}/reply",
                  data={"reply_type": "art36_2"}).status_code in (403, 409)
    assert p.post(f"/staff/cases/{case.id}/act/withdraw", data={}).status_code in (403, 409)
    assert _decide_entry(p, entry_id, entry_item.id).status_code in (403, 409)
    assert p.post(f"/staff/catalogue/{entry_id}",
                  data=_entry_form(title="平台改")).status_code in (403, 409)
    assert p.post(f"/staff/catalogue/{entry_id}/publish").status_code in (403, 409)
    assert p.post(f"/staff/catalogue/{entry_id}/repeal",
                  data={"repealed_on": "2026-06-01"}).status_code in (403, 409)
    assert _events() == before
    _fresh()
    assert db.session.get(Notice, notice.id).released_on is None


def test_an_agency_admin_without_the_reviewer_role_cannot_review(clients, registered):
    h, a = clients["handler"], clients["admin"]
    case = registered.case
    _supplement(h, case)
    notice = _notice_of(case)
    assert _decide_notice(a, case, notice).status_code == 409
    entry_id = _new_entry(h)
    (item,) = _entry_items(entry_id)
    assert _decide_entry(a, entry_id, item.id).status_code == 409
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0


# =============================================================================================
# 3. Wrong status, replays, content changed between review and release
# =============================================================================================

def test_actions_in_the_wrong_status_are_refused(clients, registered):
    h, r, head = clients["handler"], clients["reviewer"], clients["office_head"]
    case = registered.case
    _draft(h, case)
    letter, doc = _items(case)
    # not yet submitted: no decision, no sign-off, no release
    assert _decide(r, case, letter.id).status_code == 409
    assert head.post(f"/staff/cases/{case.id}/reply/sign-off",
                     data=_seen(letter.id)).status_code == 409
    assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 409
    _submit(h, case)
    # in review: nothing of the package may change
    assert h.post(f"/staff/cases/{case.id}/reply", data={
        "reply_type": "art36_2", "letter": "审查中改的"}).status_code == 409
    assert h.post(f"/staff/cases/{case.id}/reply/documents", data=_upload("新.pdf", PDF + b"n"),
                  content_type="multipart/form-data").status_code == 409
    assert h.post(f"/staff/cases/{case.id}/reply/documents/{doc.id}/replace",
                  data=_upload("换.pdf", PDF + b"r"),
                  content_type="multipart/form-data").status_code == 409
    assert h.post(f"/staff/cases/{case.id}/reply/documents/{doc.id}/remove").status_code == 409
    # the reviewer role cannot release, the handler cannot decide
    _approve_all(r, case)
    assert r.post(f"/staff/cases/{case.id}/reply/release").status_code == 409
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Release)) == 0


def test_replayed_forms_do_nothing_twice(app, clients, registered):
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    _draft(h, case)
    _submit(h, case)
    letter, doc = _items(case)
    seen = _seen(letter.id)
    assert _decide(r, case, letter.id, seen=seen).status_code == 302
    for decision, reason in (("approved", None), ("rejected", "再想想"), ("referred", "报送")):
        assert _decide(r, case, letter.id, decision, reason, seen=seen).status_code == 409
    assert _decide(r, case, doc.id).status_code == 302
    assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 302
    n_events = _events()
    assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 409
    assert _decide(r, case, letter.id, seen=seen).status_code == 409
    assert h.post(f"/staff/cases/{case.id}/reply", data={"reply_type": "art36_2",
                                                          "letter": "发出后改"}).status_code == 409
    assert _events() == n_events
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Release)) == 2
    sent = replies.released_reply(case)
    assert "发出后改" not in (sent["letter"] or "")


def test_a_document_added_after_the_approvals_is_not_sent_unreviewed(app, clients, registered):
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    _draft(h, case)
    _submit(h, case)
    letter, doc = _items(case)
    assert _decide(r, case, letter.id).status_code == 302
    # the reviewer rejects the document; the handler removes it and adds another one
    assert _decide(r, case, doc.id, "rejected", "须删除处理").status_code == 302
    assert h.post(f"/staff/cases/{case.id}/reply/documents/{doc.id}/remove").status_code == 302
    assert h.post(f"/staff/cases/{case.id}/reply/documents", data=_upload("未审.pdf", PDF + b"u"),
                  content_type="multipart/form-data").status_code == 302
    _submit(h, case)
    resp = h.post(f"/staff/cases/{case.id}/reply/release")
    assert resp.status_code == 409
    # approving only the new document is not enough: the letter's package changed
    new_doc = _items(case)[1]
    assert _decide(r, case, new_doc.id).status_code == 302
    assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 409
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Release)) == 0


def test_removing_an_approved_document_needs_a_new_letter_review(clients, registered):
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    _draft(h, case)
    assert h.post(f"/staff/cases/{case.id}/reply/documents", data=_upload("二.pdf", PDF + b"2"),
                  content_type="multipart/form-data").status_code == 302
    _submit(h, case)
    letter, d1, d2 = _items(case)
    assert _decide(r, case, letter.id).status_code == 302
    assert _decide(r, case, d1.id).status_code == 302
    assert _decide(r, case, d2.id, "rejected", "不应公开").status_code == 302
    assert h.post(f"/staff/cases/{case.id}/reply/documents/{d2.id}/remove").status_code == 302
    _submit(h, case)
    assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 409
    assert _decide(r, case, letter.id).status_code == 302
    assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 302
    _fresh()
    sent = replies.released_reply(case)
    assert [d["name"] for d in sent["documents"]] == ["批复.pdf"]


def test_a_returned_notice_is_not_approved_unchanged(app, clients, staff, registered):
    create_user("reviewer2", PASSWORD, "BCZ", ["reviewer"], "第二审查员")
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    _supplement(h, case, items="含涉密事项的补正内容")
    notice = _notice_of(case)
    seen = _seen(notice.item_id)
    assert _decide_notice(r, case, notice, "rejected", "含涉密事项", seen=seen).status_code == 302
    r2 = client_for(app, "reviewer2")
    resp = _decide_notice(r2, case, notice, seen=seen)
    assert resp.status_code == 409
    _fresh()
    assert db.session.get(Notice, notice.id).released_on is None


def test_a_returned_reply_item_is_not_approved_unchanged_after_a_resubmit(clients, registered):
    """Control for replies: a rejected version is never approved as it stands — not while the
    round goes on (the case stays in review until every item is decided, issue 15), and not
    after the round sent the case back to drafting (resubmitting it unchanged is refused)."""
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    _draft(h, case)
    _submit(h, case)
    letter, doc = _items(case)
    assert _decide(r, case, doc.id, "rejected", "须删除处理").status_code == 302
    _fresh()
    assert db.session.get(type(case), case.id).status == "in_review"  # the letter is pending
    resp = _decide(r, case, doc.id)
    assert resp.status_code == 409 and "已被退回修改" in resp.get_data(as_text=True)
    assert _decide(r, case, letter.id).status_code == 302  # the last decision ends the round
    _fresh()
    assert db.session.get(type(case), case.id).status == "in_progress"
    assert _decide(r, case, doc.id).status_code == 409  # case in drafting: no decision
    # resubmitting the returned document unchanged is refused: it would sit in review with
    # nothing anyone could decide or release
    resp = h.post(f"/staff/cases/{case.id}/reply/submit")
    assert resp.status_code == 409 and "已被审查退回，请先修改" in resp.get_data(as_text=True)
    _fresh()
    assert db.session.get(type(case), case.id).status == "in_progress"


def test_every_decision_is_one_event_and_the_last_one_returns_the_case(clients, registered):
    """Issue 15: reject the letter, approve the document — back to drafting only with the
    second decision; the reviewer kept the document's form after the rejection."""
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    _draft(h, case)
    _submit(h, case)
    letter, doc = _items(case)
    n_events = _events()
    assert _decide(r, case, letter.id, "rejected", "法律依据写错").status_code == 302
    assert _events() == n_events + 1
    page = r.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert f"/reply/items/{doc.id}/decide" in page
    assert f"/reply/items/{letter.id}/decide" not in page
    _fresh()
    assert db.session.get(type(case), case.id).status == "in_review"
    assert _decide(r, case, doc.id).status_code == 302
    assert _events() == n_events + 2
    _fresh()
    assert db.session.get(type(case), case.id).status == "in_progress"
    last_two = db.session.execute(select(Event).where(Event.case_id == case.id)
                                  .order_by(Event.id.desc()).limit(2)).scalars().all()[::-1]
    assert [(e.action, e.data["item_id"], e.data["decision"]) for e in last_two] == [
        ("review_item", letter.id, "rejected"), ("return_to_drafting", doc.id, "approved")]
    assert [x["item_id"] for x in last_two[1].data["returned"]] == [letter.id]
    # both decisions stand: only the letter needs a new version, the document stays approved
    assert replies.review.status_of(db.session.get(ReleaseItem, doc.id)) == "approved"
    assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 409


# =============================================================================================
# 4. Notices
# =============================================================================================

def test_a_released_notice_cannot_be_revised_or_decided_again(clients, registered):
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    _supplement(h, case)
    notice = _notice_of(case)
    seen = _seen(notice.item_id)
    assert _decide_notice(r, case, notice, seen=seen).status_code == 302
    n_events = _events()
    assert h.post(f"/staff/cases/{case.id}/notices/{notice.id}/revise",
                  data={"text": "发出后改的补正告知书"}).status_code == 409
    assert _decide_notice(r, case, notice, seen=seen).status_code == 409
    assert _decide_notice(r, case, notice, "rejected", "撤回", seen=seen).status_code == 409
    assert _events() == n_events
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Release)) == 1
    assert "发出后改" not in db.session.get(Notice, notice.id).body


def test_pending_notices_reach_no_applicant_channel(app, clients, registered):
    h = clients["handler"]
    case, code = registered.case, registered.query_code
    _supplement(h, case, items="未经审查的补正事项XYZ")
    notice = _notice_of(case)
    public = client_anon(app)
    form = {"tracking_no": case.tracking_no, "query_code": code}
    assert "未经审查的补正事项XYZ" not in public.post("/status", data=form).get_data(as_text=True)
    assert public.post("/status/letter.pdf",
                       data={**form, "letter": str(notice.id)}).status_code == 404
    assert public.post("/status/letter.pdf", data={**form, "letter": "reply"}).status_code == 404
    api = public.get(f"/api/v1/applications/{case.tracking_no}", headers={"X-Query-Code": code})
    assert "未经审查" not in api.get_data(as_text=True)
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Outbox).where(
        Outbox.subject.notlike("%申请已收到"))) == 0  # only the receipt of the registration


def test_the_applicant_is_not_told_a_notice_was_sent_before_it_is_reviewed(
        app, clients, registered):
    h = clients["handler"]
    case, code = registered.case, registered.query_code
    _supplement(h, case)
    public = client_anon(app)
    api = public.get(f"/api/v1/applications/{case.tracking_no}", headers={"X-Query-Code": code})
    body = api.get_json()
    assert "supplement_requested" not in [e["event"] for e in body["history"]]


def test_a_revised_notice_is_released_only_with_its_reviewed_text(app, clients, registered):
    h, r = clients["handler"], clients["reviewer"]
    case, code = registered.case, registered.query_code
    _supplement(h, case, items="第一稿")
    notice = _notice_of(case)
    stale = _seen(notice.item_id)
    assert _decide_notice(r, case, notice, "rejected", "改", seen=stale).status_code == 302
    assert h.post(f"/staff/cases/{case.id}/notices/{notice.id}/revise",
                  data={"text": "第二稿补正告知书"}).status_code == 302
    reviewed = _seen(notice.item_id)
    assert _decide_notice(r, case, notice, seen=stale).status_code == 409
    # the handler changes it again after the reviewer opened the page
    assert h.post(f"/staff/cases/{case.id}/notices/{notice.id}/revise",
                  data={"text": "第三稿（未审）补正告知书"}).status_code == 302
    assert _decide_notice(r, case, notice, seen=reviewed).status_code == 409
    assert _decide_notice(r, case, notice).status_code == 302
    public = client_anon(app)
    form = {"tracking_no": case.tracking_no, "query_code": code}
    html = public.post("/status", data=form).get_data(as_text=True)
    assert "第三稿" in html and "第二稿" not in html


# =============================================================================================
# 5. Sign-off (DISCLOSURE_REQUIRE_SIGN_OFF)
# =============================================================================================

def test_sign_off_is_required_bound_and_role_checked(make_app, staff):
    app = make_app(REQUIRE_SIGN_OFF=True)
    with app.app_context():
        cl = {role: client_for(app, role) for role in ("handler", "reviewer", "office_head")}
        create_agency("OTH", "另一镇人民政府")
        create_user("oth-head", PASSWORD, "OTH", ["office_head"], "外机关负责人")
        oth = client_for(app, "oth-head")
        case = _register(staff).case
        h, r, head = cl["handler"], cl["reviewer"], cl["office_head"]
        _draft(h, case)
        _submit(h, case)
        _approve_all(r, case)
        assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 409
        letter, doc = _items(case)
        seen = _seen(letter.id)
        # not the head, another agency's head, another item's version
        assert r.post(f"/staff/cases/{case.id}/reply/sign-off", data=seen).status_code == 409
        assert h.post(f"/staff/cases/{case.id}/reply/sign-off", data=seen).status_code == 409
        assert oth.post(f"/staff/cases/{case.id}/reply/sign-off", data=seen).status_code == 404
        assert head.post(f"/staff/cases/{case.id}/reply/sign-off",
                         data=_seen(doc.id)).status_code == 409
        _fresh()
        assert db.session.scalar(select(func.count()).select_from(SignOff)) == 0
        assert head.post(f"/staff/cases/{case.id}/reply/sign-off", data=seen).status_code == 302
        assert head.post(f"/staff/cases/{case.id}/reply/sign-off", data=seen).status_code == 409
        assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 302


# =============================================================================================
# 6. Catalogue
# =============================================================================================

def test_a_catalogue_attachment_is_public_only_once_reviewed_and_published(app, clients):
    h, r = clients["handler"], clients["reviewer"]
    entry_id = _new_entry(h)
    assert h.post(f"/staff/catalogue/{entry_id}/attachments",
                  data={"attachment": (io.BytesIO(PDF + b"a1"), "附件一.pdf")},
                  content_type="multipart/form-data").status_code == 302
    text_item, att = _entry_items(entry_id)
    assert _decide_entry(r, entry_id, text_item.id).status_code == 302
    # the attachment is not reviewed: the first publication is refused as a whole
    assert h.post(f"/staff/catalogue/{entry_id}/publish").status_code == 409
    public = client_anon(app)
    assert public.get(f"/catalogue/{entry_id}").status_code == 404
    assert _decide_entry(r, entry_id, att.id).status_code == 302
    assert h.post(f"/staff/catalogue/{entry_id}/publish").status_code == 302
    assert "附件一.pdf" in public.get(f"/catalogue/{entry_id}").get_data(as_text=True)
    # a second attachment, approved but not published, stays out; unapproved blocks publishing
    assert h.post(f"/staff/catalogue/{entry_id}/attachments",
                  data={"attachment": (io.BytesIO(PDF + b"a2"), "附件二.pdf")},
                  content_type="multipart/form-data").status_code == 302
    assert h.post(f"/staff/catalogue/{entry_id}/publish").status_code == 409
    att2 = _entry_items(entry_id)[2]
    assert _decide_entry(r, entry_id, att2.id).status_code == 302
    assert "附件二.pdf" not in public.get(f"/catalogue/{entry_id}").get_data(as_text=True)
    assert h.post(f"/staff/catalogue/{entry_id}/publish").status_code == 302
    assert "附件二.pdf" in public.get(f"/catalogue/{entry_id}").get_data(as_text=True)
    assert h.post(f"/staff/catalogue/{entry_id}/publish").status_code == 409  # replay
    # a release id of another entry or of a reply is not served under this entry
    other = _new_entry(h, title="别的条目")
    _fresh()
    rel_ids = db.session.execute(select(Release.id)).scalars().all()
    for rid in rel_ids:
        assert public.get(f"/catalogue/{other}/files/{rid}").status_code == 404
    _fresh()
    assert integrity.run() == []


def test_a_reviewer_cannot_publish_and_a_handler_cannot_approve(clients):
    h, r = clients["handler"], clients["reviewer"]
    entry_id = _new_entry(h)
    (item,) = _entry_items(entry_id)
    assert _decide_entry(h, entry_id, item.id).status_code == 409
    assert _decide_entry(r, entry_id, item.id).status_code == 302
    assert r.post(f"/staff/catalogue/{entry_id}/publish").status_code == 409
    _fresh()
    assert db.session.get(CatalogueEntry, entry_id).published_on is None


# =============================================================================================
# 7. Audit: one event per change, none for a refusal; the chain under bulk writers
# =============================================================================================

def _actions_since(n: int) -> list[str]:
    _fresh()
    return list(db.session.execute(select(Event.action).where(Event.seq > n)
                                   .order_by(Event.seq)).scalars())


def _head() -> int:
    _fresh()
    return db.session.scalar(select(func.coalesce(func.max(Event.seq), 0)))


def test_every_gate_change_writes_exactly_one_event_and_a_refusal_none(clients, registered):
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    n = _head()
    _draft(h, case, doc=False)
    assert _actions_since(n) == ["draft_reply"]
    n = _head()
    assert h.post(f"/staff/cases/{case.id}/reply/documents", data=_upload(),
                  content_type="multipart/form-data").status_code == 302
    assert _actions_since(n) == ["draft_reply"]
    n = _head()
    _submit(h, case)
    assert _actions_since(n) == ["submit_for_review"]
    letter, doc = _items(case)
    n = _head()
    assert _decide(r, case, letter.id).status_code == 302
    assert _actions_since(n) == ["review_item"]
    n = _head()
    assert _decide(r, case, letter.id).status_code == 409
    assert _decide(h, case, doc.id).status_code == 409
    assert _actions_since(n) == []
    assert _decide(r, case, doc.id).status_code == 302
    n = _head()
    assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 302
    assert _actions_since(n) == ["release_reply"]
    _fresh()
    ev = db.session.execute(select(Event).where(Event.action == "release_reply")).scalar_one()
    assert {(x["version_id"], x["sha256"]) for x in ev.data["released"]} == {
        (rel.version_id, rel.sha256) for rel in db.session.execute(select(Release)).scalars()}


def test_a_notice_decision_writes_one_event_per_fact(clients, staff):
    h, r = clients["handler"], clients["reviewer"]
    case = _register(staff).case  # paper, in person: delivered by hand, not on release
    n = _head()
    _supplement(h, case)
    assert _actions_since(n) == ["request_supplement"]
    notice = _notice_of(case)
    n = _head()
    assert _decide_notice(r, case, notice, "rejected", "改").status_code == 302
    assert _actions_since(n) == ["notice_review"]
    n = _head()
    assert h.post(f"/staff/cases/{case.id}/notices/{notice.id}/revise",
                  data={"text": "改过的补正告知书"}).status_code == 302
    assert _actions_since(n) == ["notice_revised"]
    n = _head()
    assert h.post(f"/staff/cases/{case.id}/notices/{notice.id}/revise",
                  data={"text": "改过的补正告知书"}).status_code == 302  # unchanged: no event
    assert _actions_since(n) == []
    assert _decide_notice(r, case, notice).status_code == 302
    actions = _actions_since(n)
    assert actions.count("notice_review") == 1 and actions.count("notice_released") == 1
    assert set(actions) <= {"notice_review", "notice_released", "notice_delivered"}


def test_catalogue_changes_write_one_event_each(clients):
    h, r = clients["handler"], clients["reviewer"]
    n = _head()
    entry_id = _new_entry(h)
    assert _actions_since(n) == ["catalogue_saved"]
    (item,) = _entry_items(entry_id)
    n = _head()
    assert _decide_entry(r, entry_id, item.id).status_code == 302
    assert _actions_since(n) == ["catalogue_review"]
    n = _head()
    assert h.post(f"/staff/catalogue/{entry_id}/publish").status_code == 302
    assert _actions_since(n) == ["catalogue_published"]
    n = _head()
    assert h.post(f"/staff/catalogue/{entry_id}/publish").status_code == 409
    assert _decide_entry(r, entry_id, item.id).status_code == 409
    assert _actions_since(n) == []


def test_the_chain_holds_across_sweep_ledger_import_and_web_writes(app, clients, staff):
    """Bulk writers (sweep's record_many, the ledger import's executemany) and single events
    interleaved: `flask check` finds an unbroken chain and nothing else wrong."""
    from disclosure.services import ledger, sweep
    from tests.domain.test_ledger_parse import EXAMPLE, MINIMAL
    h, r = clients["handler"], clients["reviewer"]
    day = real_today() - timedelta(days=60)
    old = [cases.register_paper(staff["registrar"].agency, person_payload(subject=f"旧申请{i}"),
                                "in_person", day, Actor.of(staff["registrar"]), day).case
           for i in range(3)]
    recent = _register(staff, subject="新申请").case
    _supplement(h, recent)
    _fresh()
    lines = "\n".join(json.dumps(o, ensure_ascii=False) for o in (EXAMPLE, MINIMAL))
    result = ledger.import_ledger(lines, today=real_today(), actor=Actor.of(staff["admin"]))
    assert result.ok, result.errors
    _fresh()
    sweep.run(real_today())
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Event).where(
        Event.action.in_(("overdue_notice", "due_soon_notice")))) >= 2
    assert _decide_notice(r, recent, _notice_of(recent)).status_code == 302
    _draft(h, old[1])
    _submit(h, old[1])
    _approve_all(r, old[1])
    assert h.post(f"/staff/cases/{old[1].id}/reply/release").status_code == 302
    _fresh()
    sweep.run(real_today())  # again: claimed, nothing new
    _fresh()
    seqs = db.session.execute(select(Event.seq).order_by(Event.seq)).scalars().all()
    assert seqs == list(range(1, len(seqs) + 1))
    assert integrity.check_chain()[0] == []
    runner = app.test_cli_runner()
    out = runner.invoke(args=["check"])
    assert out.exit_code == 0, out.output


# =============================================================================================
# 8. The integrity check
# =============================================================================================

def _released_letter(clients, case):
    h, r = clients["handler"], clients["reviewer"]
    _draft(h, case)
    _submit(h, case)
    _approve_all(r, case)
    assert h.post(f"/staff/cases/{case.id}/reply/release").status_code == 302
    _fresh()
    return _items(case)[0]


def _forge_letter(letter, forged: str) -> str:
    from disclosure.domain.review import package_fingerprint
    from disclosure.services.review import fields_of
    v = letter.current
    sha = package_fingerprint("letter", {**fields_of(letter, v), "text": forged})
    write_as_database_owner([("UPDATE item_version SET text = :t, sha256 = :s WHERE id = :v",
           {"t": forged, "s": sha, "v": v.id}),
          ("UPDATE review SET sha256 = :s WHERE version_id = :v", {"s": sha, "v": v.id}),
          ("UPDATE release SET sha256 = :s WHERE version_id = :v", {"s": sha, "v": v.id})])
    return sha


def _append_event(action: str, data: dict) -> None:
    """Append one event, correctly linked at the head of the chain (the chain is an unkeyed
    SHA-256: anyone who can write the table can compute it)."""
    from datetime import datetime, timezone
    _fresh()
    seq, prev = db.session.execute(select(Event.seq, Event.hash).order_by(Event.seq.desc())
                                   .limit(1)).one()
    at = datetime.now(timezone.utc).replace(tzinfo=None)
    fields = {"case_id": None, "agency_id": None, "actor_id": None, "actor_label": "系统",
              "action": action, "before_status": None, "after_status": None, "on_date": None,
              "data": data, "occurred_at": at}
    digest = chain.link(seq + 1, prev, fields)
    bind = db.session.get_bind()
    stamp = at.isoformat(sep=" ", timespec="microseconds")
    if bind.dialect.name == "postgresql":
        stamp += "+00:00"
    write_as_database_owner([("INSERT INTO event (seq, prev_hash, hash, actor_label, action, data, "
           "occurred_at) VALUES (:q, :p, :h, :l, :a, :d, :o)",
           {"q": seq + 1, "p": prev, "h": digest, "l": "系统", "a": action,
            "d": json.dumps(data, ensure_ascii=False), "o": stamp})])


def test_check_still_passes_an_honest_appended_event(app, clients, registered):
    """Control for the next test: the appended event itself is a valid link of the chain."""
    _released_letter(clients, registered.case)
    _append_event("calendar_rederived", {"note": "x"})
    _fresh()
    assert integrity.check_chain()[0] == []
    assert integrity.run() == []


def test_check_detects_a_consistent_rewrite_hidden_by_an_appended_event(app, clients, registered):
    letter = _released_letter(clients, registered.case)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["check"]).exit_code == 0
    _fresh()
    noted = integrity.chain_head()
    sha = _forge_letter(letter, "伪造的答复内容")
    _append_event("integrity_baseline", {"released": [
        {"item_id": letter.id, "version_id": letter.current.id, "sha256": sha}]})
    _fresh()
    # the inspector's noted head is still in the chain, unchanged
    row = db.session.execute(select(Event.hash).where(Event.seq == noted[0])).scalar_one()
    assert row == noted[1]
    assert replies.released_reply(registered.case)["letter"] == "伪造的答复内容"
    out = runner.invoke(args=["check"])
    assert out.exit_code == 1, out.output


def test_check_detects_a_rewritten_notice_and_catalogue_text(app, clients, registered):
    h, r = clients["handler"], clients["reviewer"]
    case = registered.case
    _supplement(h, case)
    notice = _notice_of(case)
    assert _decide_notice(r, case, notice).status_code == 302
    entry_id = _new_entry(h)
    (item,) = _entry_items(entry_id)
    assert _decide_entry(r, entry_id, item.id).status_code == 302
    assert h.post(f"/staff/catalogue/{entry_id}/publish").status_code == 302
    _fresh()
    assert integrity.run() == []
    from disclosure.domain.review import package_fingerprint
    from disclosure.services.review import fields_of
    stmts = []
    for it in (notices.item_of(_notice_of(case)), _entry_items(entry_id)[0]):
        v = it.current
        sha = package_fingerprint(it.kind, {**fields_of(it, v), "text": "伪造"})
        stmts += [("UPDATE item_version SET text = :t, sha256 = :s WHERE id = :v",
                   {"t": "伪造", "s": sha, "v": v.id}),
                  ("UPDATE review SET sha256 = :s WHERE version_id = :v", {"s": sha, "v": v.id}),
                  ("UPDATE release SET sha256 = :s WHERE version_id = :v", {"s": sha, "v": v.id})]
    write_as_database_owner(stmts)
    _fresh()
    problems = integrity.run()
    assert sum(p.rule == "release.event" for p in problems) == 2


def test_check_detects_a_release_row_inserted_without_a_review(app, clients, registered):
    """A pending notice 'released' directly in the database."""
    h = clients["handler"]
    case = registered.case
    _supplement(h, case)
    notice = _notice_of(case)
    v = notices.item_of(notice).current
    write_as_database_owner([("INSERT INTO release (item_id, version_id, sha256, review_id, "
           "review_decision, released_on, released_at) "
           "VALUES (:i, :v, :s, 999999, 'approved', :d, :t)",
           {"i": notice.item_id, "v": v.id, "s": v.sha256, "d": real_today().isoformat(),
            "t": "2026-01-01 00:00:00"}),
          ("UPDATE notice SET released_on = :d WHERE id = :n",
           {"d": real_today().isoformat(), "n": notice.id})])
    _fresh()
    rules = {p.rule for p in integrity.run()}
    assert "release.review" in rules


def test_a_legacy_notice_without_an_item_is_refused_not_a_500(app, clients, registered):
    from datetime import datetime, timezone
    case = registered.case
    legacy = Notice(case_id=case.id, kind="supplement", title="补正申请告知书", body="旧告知书",
                    issued_on=real_today(), created_at=datetime.now(timezone.utc), item_id=None)
    db.session.add(legacy)
    db.session.commit()
    r, h = clients["reviewer"], clients["handler"]
    resp = r.post(f"/staff/cases/{case.id}/notices/{legacy.id}/decide",
                  data={"decision": "approved", "version_id": "1", "sha256": "x"})
    assert resp.status_code in (400, 404, 409)
    resp = h.post(f"/staff/cases/{case.id}/notices/{legacy.id}/revise", data={"text": "新"})
    assert resp.status_code in (400, 404, 409)
