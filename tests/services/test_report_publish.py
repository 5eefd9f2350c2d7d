"""条例第四十九条: the finished annual report into the proactive disclosure catalogue in one step —
an ``annual_report`` entry with the report's text (and its PDF), submitted for review, published
only after the reviewer's approval and the catalogue's own publish step; one draft per agency
and year; and the reminder stops once it is published."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from disclosure.domain.workflow import WorkflowError
from disclosure.extensions import db
from disclosure.models import Agency, CatalogueEntry, User
from disclosure.services import digest
from disclosure.services.actors import Actor
from disclosure.services.report import publish
from disclosure.services.review import catalogue, seen
from disclosure.services.unit_of_work import unit_of_work
from disclosure.services.users import create_user
from tests.conftest import PASSWORD, TEST_PDF

D = date
SUBMIT_DAY = D(2025, 1, 6)
TITLE = "包场镇人民政府2024年政府信息公开工作年度报告"


@pytest.fixture
def who(staff):
    with unit_of_work():  # on the platform since before the report year ended
        agency = db.session.execute(select(Agency).where(Agency.code == "BCZ")).scalar_one()
        agency.created_at = datetime(2024, 3, 1, tzinfo=UTC)
    return {role: Actor.of(user) for role, user in staff.items()}


def _entries() -> list[CatalogueEntry]:
    db.session.rollback()
    return list(db.session.execute(select(CatalogueEntry).order_by(CatalogueEntry.id)).scalars())


def test_submit_creates_an_annual_report_entry_in_review_not_published(who):
    entry = publish.submit("BCZ", 2024, who["office_head"], SUBMIT_DAY,
                           render_pdf=lambda r: TEST_PDF)
    [row] = _entries()
    assert row.id == entry.id and row.category == "annual_report" and row.title == TITLE
    assert row.published_on is None and row.issued_on == SUBMIT_DAY
    draft = catalogue.draft_of(row)
    assert draft["category"] == "annual_report" and draft["title"] == TITLE
    assert draft["body"].startswith(TITLE) and "三、收到和处理政府信息公开申请情况" in draft["body"]
    assert "一、本年新收政府信息公开申请数量：自然人 0" in draft["body"]
    items = catalogue.items_of(row)
    assert [(i.kind, i.current.content_type) for i in items] == [
        ("entry_text", None), ("entry_file", "application/pdf")]
    # submitted: every item waits for the reviewer
    assert [i.id for i in publish.catalogue_waiting(row.agency_id)] == [i.id for i in items]
    state = publish.publication(who["reviewer"], row.agency, 2024, SUBMIT_DAY)
    assert state.state == "pending" and state.entry.id == row.id and not state.may_submit


def test_without_a_pdf_the_text_goes_alone(who):
    publish.submit("BCZ", 2024, who["handler"], SUBMIT_DAY, render_pdf=lambda r: None)
    [row] = _entries()
    assert [i.kind for i in catalogue.items_of(row)] == ["entry_text"]


def test_a_second_draft_is_refused_with_the_first(who):
    first = publish.submit("BCZ", 2024, who["handler"], SUBMIT_DAY)
    with pytest.raises(publish.AlreadyDrafted) as refused:
        publish.submit("BCZ", 2024, who["office_head"], SUBMIT_DAY)
    assert refused.value.entry.id == first.id and refused.value.code == "already_drafted"
    assert len(_entries()) == 1
    publish.submit("BCZ", 2023, who["handler"], SUBMIT_DAY)  # another year is another report
    assert len(_entries()) == 2


def test_an_entry_made_by_hand_counts_as_the_report(who):
    catalogue.save_entry(None, who["handler"].agency_id, who["handler"], title=TITLE,
                         doc_number=None, category="annual_report", issued_on=SUBMIT_DAY,
                         body="手工录入的年度报告")
    with pytest.raises(publish.AlreadyDrafted):
        publish.submit("BCZ", 2024, who["office_head"], SUBMIT_DAY)


@pytest.mark.parametrize("role", ["reviewer", "registrar", "admin"])
def test_only_a_handler_or_office_head_of_the_agency(who, role):
    with pytest.raises(WorkflowError) as refused:
        publish.submit("BCZ", 2024, who[role], SUBMIT_DAY)
    assert refused.value.code == "forbidden" and _entries() == []


def test_not_a_platform_admin_nor_a_supervisor_nor_another_agency(who):
    from disclosure.services.users import create_agency
    create_agency("XQ", "县政府")
    others = [create_user("pa", PASSWORD, "XQ", ["platform_admin"]),
              create_user("sup", PASSWORD, "XQ", ["supervisor"]),
              create_user("xq-head", PASSWORD, "XQ", ["office_head", "handler"])]
    for user in others:
        with pytest.raises(WorkflowError) as refused:
            publish.submit("BCZ", 2024, Actor.of(user), SUBMIT_DAY)
        assert refused.value.code == "forbidden"
    assert _entries() == []


def test_a_year_not_over_and_an_unknown_agency(who):
    with pytest.raises(WorkflowError) as refused:
        publish.submit("BCZ", 2025, who["office_head"], SUBMIT_DAY)
    assert refused.value.code == "year_not_over"
    with pytest.raises(publish.UnknownReport):
        publish.submit("NOPE", 2024, who["office_head"], SUBMIT_DAY)
    with pytest.raises(publish.UnknownReport):
        publish.submit("BCZ", 1900, who["office_head"], SUBMIT_DAY)


def _reminded(user_id: int, day: date) -> bool:
    db.session.rollback()
    user = db.session.get(User, user_id)
    return any("年度报告" in i.mail for i in digest.items_for(user, day))


def test_after_approval_and_publication_the_reminder_stops(who):
    head = who["office_head"]
    assert _reminded(head.id, SUBMIT_DAY)
    entry = publish.submit("BCZ", 2024, who["handler"], SUBMIT_DAY,
                           render_pdf=lambda r: TEST_PDF)
    assert _reminded(head.id, D(2025, 1, 7))  # in review: not yet published
    entry = db.session.get(CatalogueEntry, entry.id)
    with pytest.raises(WorkflowError):  # not before the review
        catalogue.publish(entry, head, D(2025, 1, 7))
    for item in catalogue.items_of(entry):
        catalogue.decide(entry, item.id, "approved", None, who["reviewer"], **seen(item))
    db.session.rollback()
    assert publish.publication(head, entry.agency, 2024, D(2025, 1, 7)).state == "approved"
    assert publish.catalogue_waiting(entry.agency_id) == []
    catalogue.publish(db.session.get(CatalogueEntry, entry.id), head, D(2025, 1, 8))
    db.session.rollback()
    assert db.session.get(CatalogueEntry, entry.id).published_on == D(2025, 1, 8)
    assert not _reminded(head.id, D(2025, 1, 9)) and not _reminded(head.id, D(2025, 3, 1))
    state = publish.publication(head, entry.agency, 2024, D(2025, 1, 9))
    assert state.state == "published" and state.published_on == D(2025, 1, 8)
    # the next year's report is reminded of from the next 2 January
    assert _reminded(head.id, D(2026, 1, 2))


def test_the_reminder_rule():
    assert publish.due_on(D(2025, 1, 1)) is None
    assert publish.due_on(D(2025, 1, 2)) == publish.Due(2024, D(2025, 1, 31), False)
    assert publish.due_on(D(2025, 1, 31)).overdue is False
    assert publish.due_on(D(2025, 2, 1)).overdue is True
    assert publish.due_on(D(2025, 12, 31)) == publish.Due(2024, D(2025, 1, 31), True)


def test_the_count_of_entries_stays_one_after_many_tries(who):
    publish.submit("BCZ", 2024, who["handler"], SUBMIT_DAY)
    for _ in range(3):
        with pytest.raises(publish.AlreadyDrafted):
            publish.submit("BCZ", 2024, who["handler"], SUBMIT_DAY)
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(CatalogueEntry)).scalar_one() == 1
