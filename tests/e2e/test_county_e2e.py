"""The county platform in a real browser (issue 17): an online submission addressed to the
wrong town is forwarded by its registrar and confirmed by the right one (whose receipt starts
the clock); the 主管部门 drills from a rate of the comparison table down to the cases behind it.

Screenshots: tests/e2e/screenshots/county-*.png (desktop and phone)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, login

pytestmark = pytest.mark.e2e

SUBJECT = "常乐镇2025年农村道路提档升级工程计划"  # the demo's misaddressed submission


def test_a_submission_forwarded_and_confirmed(live, staff_page, new_page, shot):
    case_id = _case_of(live, SUBJECT)
    page = staff_page("registrar")
    page.goto(f"/staff/cases/{case_id}")
    page.locator("details.more > summary").click()
    page.get_by_role("link", name=re.compile("转送有权机关")).click()
    shot(page, "county-01-forward-page")
    page.get_by_role("button", name="确认转送").click()  # nothing chosen: the page says so
    expect(page.get_by_text("请选择接收转办的机关")).to_be_visible()
    page.get_by_label("接收转办的机关").select_option(label="常乐镇人民政府")
    page.get_by_label("转办理由").fill("申请的是常乐镇的道路工程计划，由常乐镇负责公开")
    page.get_by_role("button", name="确认转送").click()
    page.wait_for_url(re.compile(r"/staff/$"))
    expect(page.get_by_text("转送常乐镇人民政府")).to_be_visible()
    # the receiving registrar, on a phone: the submission waits in the confirmation queue
    phone = new_page(viewport=PHONE)
    login(phone, "cl-registrar")
    number = phone.locator("#queue-confirm").inner_text()
    assert _number_of(live, case_id) in number  # in the confirmation queue
    phone.goto(f"/staff/cases/{case_id}")
    assert phone.locator("#forwarded-from").inner_text().endswith("由包场镇人民政府转来")
    shot(phone, "county-02-received-phone")
    phone.get_by_role("button", name="确认收到申请").click()
    expect(phone.get_by_text("已确认收到申请").first).to_be_visible()
    history = phone.locator("table.history").inner_text()
    assert "包场镇人民政府 → 常乐镇人民政府" in history and "确认收到申请" in history
    shot(phone, "county-03-confirmed-phone")


def _case_of(live, subject: str) -> int:
    from disclosure.extensions import db
    from disclosure.models import Case
    with live.app.app_context():
        return db.session.execute(db.select(Case.id).where(Case.subject == subject)).scalar_one()


def _number_of(live, case_id: int) -> str:
    from disclosure.extensions import db
    from disclosure.models import Case
    with live.app.app_context():
        return db.session.get(Case, case_id).tracking_no


def test_a_supervisor_drills_from_a_rate_to_its_cases(staff_page, new_page, shot):
    page = staff_page("supervisor")
    page.goto("/supervision/?year=2025")
    table = page.locator("#comparison")
    assert table.locator("tr[data-agency='CLZ']").count() == 1
    assert table.locator("tr[data-agency='BCZ']").count() == 1
    shot(page, "county-04-comparison")
    row = table.locator("tr[data-agency='BCZ']")
    timely = row.locator("a[data-figure='timely']").first
    expected = int(timely.inner_text())
    assert expected > 0
    timely.click()
    page.wait_for_url(re.compile(r"/supervision/cases"))
    assert page.locator("#drill-count").inner_text() == f"共 {expected} 件。"
    numbers = page.locator("main table tbody tr")
    assert numbers.count() == expected
    shot(page, "county-05-drilldown")
    # read-only: the case opens, no step is offered
    page.locator("main table tbody tr a").first.click()
    assert page.locator("#next-steps form").count() == 0
    phone = new_page(viewport=PHONE)
    login(phone, "supervisor")
    phone.goto("/supervision/?year=2025")
    shot(phone, "county-06-comparison-phone")
