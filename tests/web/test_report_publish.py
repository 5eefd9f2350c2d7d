"""条例第四十九条: POST /staff/reports/annual/<year>/publish — the annual report into the catalogue
and submitted for review in one step, by the agency's handler or office head only; a second
attempt leads to the entry that exists; the publish box on the report page shows the state."""
from __future__ import annotations

from datetime import date

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import select

# Until web/__init__.py imports it, the route is added here — before any app registers the
# reports blueprint (Flask refuses routes added to a blueprint after its registration).
from disclosure.extensions import db
from disclosure.models import CatalogueEntry, User
from disclosure.services import report as svc
from disclosure.services.actors import Actor
from disclosure.services.review import catalogue, seen
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, TEST_PDF, login

URL = "/staff/reports/annual/2024/publish"


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY="2025-01-06")


@pytest.fixture
def quick_pdf(monkeypatch):
    """WeasyPrint takes seconds: the print view is rendered, its conversion stubbed."""
    seen_html = []

    def fake(html):
        seen_html.append(html)
        return TEST_PDF
    monkeypatch.setattr("disclosure.services.report.publish.pdf_of", fake)
    return seen_html


def _entries() -> list[CatalogueEntry]:
    db.session.rollback()
    return list(db.session.execute(select(CatalogueEntry)).scalars())


@pytest.mark.parametrize("role", ["office_head", "handler"])
def test_the_handler_or_office_head_submits_in_one_step(login_as, staff, quick_pdf, role):
    resp = login_as(role).post(URL, data={"agency": "BCZ"})
    [entry] = _entries()
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/staff/catalogue/{entry.id}")
    assert entry.category == "annual_report" and entry.published_on is None
    assert entry.title == "包场镇人民政府2024年政府信息公开工作年度报告"
    assert [i.kind for i in catalogue.items_of(entry)] == ["entry_text", "entry_file"]
    assert "包场镇人民政府2024年政府信息公开工作年度报告" in quick_pdf[0]  # the print view


@pytest.mark.parametrize("role", ["reviewer", "registrar", "admin"])
def test_other_roles_are_refused(login_as, staff, quick_pdf, role):
    assert login_as(role).post(URL, data={"agency": "BCZ"}).status_code == 403
    assert _entries() == []


def test_a_platform_admin_or_supervisor_does_not_act_for_an_agency(app, client, staff, quick_pdf):
    create_agency("XQ", "县政府")
    create_user("pa", PASSWORD, "BCZ", ["platform_admin"])
    create_user("sup", PASSWORD, "XQ", ["supervisor"])
    for name in ("pa", "sup"):
        c = app.test_client()
        assert login(c, name).status_code == 302
        assert c.post(URL, data={"agency": "BCZ"}).status_code == 403
    assert _entries() == []


def test_another_agency_is_refused(app, staff, quick_pdf):
    create_agency("XQ", "县政府")
    create_user("xq-head", PASSWORD, "XQ", ["office_head"])
    c = app.test_client()
    login(c, "xq-head")
    assert c.post(URL, data={"agency": "BCZ"}).status_code == 403
    assert _entries() == []


def test_a_second_attempt_leads_to_the_entry_that_exists(login_as, staff, quick_pdf):
    c = login_as("office_head")
    c.post(URL, data={"agency": "BCZ"})
    [entry] = _entries()
    resp = c.post(URL, data={"agency": "BCZ"})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/staff/catalogue/{entry.id}")
    assert "该年度报告已在主动公开目录中" in c.get(resp.headers["Location"]).get_data(as_text=True)
    assert len(_entries()) == 1


def test_bad_input_never_500(login_as, staff, quick_pdf):
    c = login_as("office_head")
    assert c.post(URL, data={"agency": "NOPE"}).status_code == 404
    assert c.post(URL, data={}).status_code == 404
    assert c.post("/staff/reports/annual/1900/publish", data={"agency": "BCZ"}).status_code == 404
    resp = c.post("/staff/reports/annual/2025/publish", data={"agency": "BCZ"})
    assert resp.status_code == 302  # the year is not over: back to the report, with why
    assert "年度结束后才能发布" in c.get(resp.headers["Location"]).get_data(as_text=True)
    assert _entries() == []


# -- the publish box (templates/staff/reports/_publish.html) --------------------

def _box(app, staff, role: str, year: int = 2024) -> str:
    r = svc.build(svc.scope(year, ["BCZ"]))
    with app.test_request_context():
        login_user(db.session.get(User, staff[role].id))
        return render_template("staff/reports/_publish.html", r=r, printing=False)


def test_the_box_shows_the_button_then_in_review_then_published(app, staff, quick_pdf):
    html = _box(app, staff, "office_head")
    assert "提交审查并发布到主动公开目录" in html and 'data-state="none"' in html
    assert "提交审查并发布到主动公开目录" not in _box(app, staff, "reviewer")
    assert "本年度结束后才能发布" in _box(app, staff, "office_head", 2025)
    who = {k: Actor.of(u) for k, u in staff.items()}
    entry = svc.publish.submit("BCZ", 2024, who["handler"], date(2025, 1, 6))
    html = _box(app, staff, "office_head")
    assert 'data-state="pending"' in html and f"/staff/catalogue/{entry.id}" in html
    assert "提交审查并发布到主动公开目录" not in html
    entry = db.session.get(CatalogueEntry, entry.id)
    for item in catalogue.items_of(entry):
        catalogue.decide(entry, item.id, "approved", None, who["reviewer"], **seen(item))
    assert 'data-state="approved"' in _box(app, staff, "office_head")
    catalogue.publish(db.session.get(CatalogueEntry, entry.id), who["office_head"],
                      date(2025, 1, 8))
    html = _box(app, staff, "office_head")
    assert 'data-state="published"' in html and "2025" in html
    assert f"/catalogue/{entry.id}" in html


def test_the_attachment_is_the_print_view_as_pdf(login_as, staff):
    pytest.importorskip("weasyprint")
    assert login_as("handler").post(URL, data={"agency": "BCZ"}).status_code == 302
    [entry] = _entries()
    [text, pdf] = catalogue.items_of(entry)
    assert pdf.current.content_type == "application/pdf" and pdf.current.size > 1000
    assert pdf.current.filename == "包场镇人民政府2024年政府信息公开工作年度报告.pdf"
