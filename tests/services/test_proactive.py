"""条例第四十四条 (issue 17): 相似申请 on the case page, and "纳入主动公开" — a catalogue DRAFT
from a released reply, scrubbed of the applicant's personal data, published only through the
catalogue's own review gate."""
from datetime import date

import pytest
from sqlalchemy import select

from disclosure.domain.errors import ValidationFailed
from disclosure.domain.workflow import WorkflowError
from disclosure.extensions import db
from disclosure.models import CatalogueEntry, Event
from disclosure.services import proactive, search
from disclosure.services.actors import Actor
from disclosure.services.cases import register_paper
from disclosure.services.review import catalogue
from disclosure.services.review import seen as review_seen
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, client_for, person_payload
from tests.services.test_search import publish_entry, released_case

D = date
SUBJECT = "包场镇2025年财政预算执行情况"


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


@pytest.fixture
def other_agency(agency):
    hz = create_agency("HZ", "海门区人民政府")
    users = {r: create_user(f"hz-{r}", PASSWORD, "HZ", [r], f"海门{r}")
             for r in ("registrar", "handler", "reviewer")}
    return hz, {r: Actor.of(u) for r, u in users.items()}


@pytest.fixture
def replied(agency, who):
    return released_case(agency, who, subject=SUBJECT)


def test_propose_makes_a_draft_that_needs_review(replied, who):
    entry = proactive.propose(replied, who["handler"], D(2024, 10, 10))
    db.session.rollback()
    entry = db.session.get(CatalogueEntry, entry.id)
    assert entry.published_on is None  # nothing public in this step
    assert entry.agency_id == replied.agency_id and entry.category == "other"
    assert entry.title == SUBJECT and entry.issued_on == D(2024, 10, 9)
    items = catalogue.items_of(entry)
    assert [catalogue.review.status_of(i) for i in items] == ["pending"]
    draft = catalogue.draft_of(entry)
    assert "行政复议" in draft["body"]  # the released letter
    for personal in ("张三", "11010519491231002X", "13800000000", "a@example.cn", "包场镇1号",
                     replied.tracking_no):
        assert personal not in draft["body"] and personal not in draft["title"], personal
    assert "：\n" not in draft["body"].split("\n\n")[0]  # no salutation line
    # it goes through the normal gate: not publishable before a reviewer approves it
    with pytest.raises(WorkflowError) as exc:
        catalogue.publish(entry, who["handler"], D(2024, 10, 10))
    assert exc.value.code == "not_reviewed"
    assert search.search("财政预算", kinds=("catalogue",)) == []
    event = db.session.execute(select(Event).where(Event.action == proactive.EVENT)).scalar_one()
    assert event.data["case"] == replied.id and event.data["entry"] == entry.id
    assert event.data["tracking_no"] == replied.tracking_no and event.agency_id == entry.agency_id
    # reviewed and published, it is public like any entry
    for item in items:
        catalogue.decide(entry, item.id, "approved", None, who["reviewer"], **review_seen(item))
    catalogue.publish(entry, who["handler"], D(2024, 10, 11))
    search.index_catalogue_entry(entry)
    assert [h.ref_id for h in search.search("财政预算", kinds=("catalogue",))] == [entry.id]


def test_a_chosen_category_and_only_once(replied, who):
    entry = proactive.propose(replied, who["office_head"], D(2024, 10, 10),
                              category="normative_document")
    assert entry.category == "normative_document"
    with pytest.raises(WorkflowError) as exc:
        proactive.propose(replied, who["handler"], D(2024, 10, 10))
    assert exc.value.code == "already_proposed"
    assert [e.id for e in proactive.drafts_from(replied)] == [entry.id]


def test_propose_refuses(agency, replied, who, other_agency):
    with pytest.raises(ValidationFailed):
        proactive.propose(replied, who["handler"], D(2024, 10, 10), category="nonsense")
    for role in ("registrar", "reviewer", "admin"):
        with pytest.raises(WorkflowError):
            proactive.propose(replied, who[role], D(2024, 10, 10))
    with pytest.raises(WorkflowError):  # another agency's handler
        proactive.propose(replied, other_agency[1]["handler"], D(2024, 10, 10))
    pending = register_paper(agency, person_payload(), "in_person", D(2024, 9, 27),
                             who["registrar"], D(2024, 9, 27)).case
    with pytest.raises(WorkflowError) as exc:  # no released reply yet
        proactive.propose(pending, who["handler"], D(2024, 10, 10))
    assert exc.value.code == "not_replied"
    assert db.session.execute(select(CatalogueEntry)).first() is None


def test_similar_rows_show_only_what_the_viewer_may_see(agency, who, other_agency, replied):
    hz, hz_who = other_agency
    theirs = released_case(hz, hz_who, subject="海门区2025年财政预算执行情况")
    mine = released_case(agency, who, subject="包场镇2024年财政预算执行情况")
    entry = publish_entry(who, "包场镇2025年财政预算执行情况的公告")
    rows = proactive.similar_rows(who["handler"], replied)
    by_kind = {(r.kind, r.case_id or r.entry_id or r.title): r for r in rows}
    assert len(rows) == 3 and all(r.title != SUBJECT or r.kind == "catalogue" for r in rows)
    mine_row = by_kind[("reply", mine.id)]
    assert mine_row.tracking_no == mine.tracking_no and mine_row.agency_name == "包场镇人民政府"
    other_row = by_kind[("reply", "海门区2025年财政预算执行情况")]
    assert other_row.tracking_no is None and other_row.case_id is None  # not the viewer's agency
    assert other_row.agency_name == "海门区人民政府" and other_row.on == D(2024, 10, 9)
    assert by_kind[("catalogue", entry.id)].entry_id == entry.id
    assert theirs.id not in {r.case_id for r in rows}
    assert proactive.similar_count(replied) == 2  # the other replies, not this case
    # the other agency's handler sees this agency's cases the same way
    rows = proactive.similar_rows(hz_who["handler"], theirs)
    assert {r.tracking_no for r in rows if r.kind == "reply"} == {None}


def test_the_case_page_shows_similar_applications_and_the_action(app, agency, who, replied):
    released_case(agency, who, subject="包场镇2024年财政预算执行情况")
    handler = client_for(app, "handler")
    html = handler.get(f"/staff/cases/{replied.id}").get_data(as_text=True)
    assert "相似申请" in html and "包场镇2024年财政预算执行情况" in html
    assert "平台上另有 1 件已答复的申请" in html
    assert f"/staff/catalogue/from-case/{replied.id}" in html
    reviewer = client_for(app, "reviewer")
    html = reviewer.get(f"/staff/cases/{replied.id}").get_data(as_text=True)
    assert "相似申请" in html and "/from-case/" not in html  # a reviewer does not draft
    assert reviewer.post(f"/staff/catalogue/from-case/{replied.id}").status_code == 409
    resp = handler.post(f"/staff/catalogue/from-case/{replied.id}",
                        data={"category": "other"})
    assert resp.status_code == 302 and "/staff/catalogue/" in resp.headers["Location"]
    db.session.rollback()
    entry = db.session.execute(select(CatalogueEntry)).scalar_one()
    assert entry.published_on is None
    html = handler.get(f"/staff/cases/{replied.id}").get_data(as_text=True)
    assert f"/staff/catalogue/{entry.id}" in html and "（草稿）" in html
    assert handler.post(f"/staff/catalogue/from-case/{replied.id}").status_code == 409
    bad = handler.post(f"/staff/catalogue/from-case/{replied.id}", data={"category": "x"})
    assert bad.status_code in (400, 409)
    # the public sees nothing of the draft
    public = app.test_client()
    assert SUBJECT not in public.get("/catalogue").get_data(as_text=True)
    assert public.get(f"/catalogue/{entry.id}").status_code == 404


def test_another_agencys_case_is_not_found(app, agency, who, other_agency, replied):
    c = client_for(app, "hz-handler")
    assert c.post(f"/staff/catalogue/from-case/{replied.id}").status_code == 404
    assert c.get(f"/staff/cases/{replied.id}").status_code == 404


def test_the_case_page_without_anything_similar(app, agency, who):
    case = register_paper(agency, person_payload(subject="独一无二的信息"), "in_person",
                          D(2024, 9, 27), who["registrar"], D(2024, 9, 27)).case
    html = client_for(app, "handler").get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "没有找到相似的申请或已公开的信息" in html and "/from-case/" not in html
