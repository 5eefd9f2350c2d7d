"""The applicant's status page, answer first (issue 16), in a real browser on a 360 px phone:
axe-core finds no violation at all in the content of the status page of a replied case
(tracker, reply, remedies, history, the office's contact block) nor of the query-code recovery
page, and none serious or critical in the layout around it; the page
fits the screen; the 显示 button reveals the query code under the app's CSP; the receipt is
reachable again from the status page and its old address answers with a page that helps.

Screenshots: tests/e2e/screenshots/status-*.png (looked at when the page changes)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from .conftest import AXE_JS, PHONE, SHOTS
from .test_accessibility import axe_violations
from .test_journeys import lookup

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not AXE_JS.exists(),
                                 reason="axe-core missing: run `bash scripts/e2e-setup.sh`")]

CONTACT = {"address": "南通市海门区包场镇人民路1号", "phone": "0513-82345678",
           "office_hours": "工作日 8:30–12:00，13:30–17:30"}


def _all_violations(page, name: str) -> list[str]:
    """The page's own content is held to zero axe findings of any impact (best practices
    included); the layout around it (base.html: header, toolbar, footer) to none serious or
    critical, as every public page (test_accessibility.py). The full report of both runs is
    written to screenshots/axe-<name>.json and axe-<name>-main.json."""
    found = axe_violations(page, name)  # the whole page: critical and serious
    result = page.evaluate(
        "async () => await axe.run({include: [['main']]}, {resultTypes: ['violations']})")
    (SHOTS / f"axe-{name}-main.json").write_text(json.dumps(
        [{"id": v["id"], "impact": v["impact"], "help": v["help"],
          "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]],
        ensure_ascii=False, indent=2), encoding="utf-8")
    return found + [f"{v['id']} ({v['impact']}): "
                    f"{', '.join(str(n['target']) for n in v['nodes'])}"
                    for v in result["violations"]]


@pytest.fixture
def contact(live):
    """The demo agency's contact details, for this test only (the footer shows them too)."""
    from disclosure.extensions import db
    from disclosure.models import Agency
    from disclosure.services import agency_profile
    with live.app.app_context():
        agency = db.session.execute(db.select(Agency).where(Agency.code == "BCZ")).scalar_one()
        agency_profile.save(agency, CONTACT)
    yield CONTACT
    with live.app.app_context():
        agency = db.session.execute(db.select(Agency).where(Agency.code == "BCZ")).scalar_one()
        agency_profile.save(agency, {k: "" for k in CONTACT})


def replied_case(live) -> tuple[str, str]:
    """A paper application received four days ago and replied today (予以公开, one document),
    through the services as staff would do it → (tracking number, query code)."""
    from disclosure import timeutil
    from disclosure.extensions import db
    from disclosure.models import Agency, User
    from disclosure.services import cases
    from disclosure.services.actors import Actor
    from disclosure.services.review import replies, seen
    from tests.conftest import draft_complete, person_payload

    with live.app.app_context():
        def actor(username):
            return Actor.of(db.session.execute(
                db.select(User).where(User.username == username)).scalar_one())
        day = timeutil.today()
        agency = db.session.execute(db.select(Agency).where(Agency.code == "BCZ")).scalar_one()
        sub = cases.register_paper(
            agency, person_payload(subject="包场镇2026年老旧小区改造项目竣工验收报告"),
            "in_person", day - timedelta(days=4), actor("registrar"), day)
        case = sub.case
        draft_complete(case, "art36_2", actor("handler"), day)
        replies.submit_for_review(case, actor("handler"), day)
        for item in replies.items_of(case):
            replies.decide(case, item.id, "approved", None, actor("reviewer"), day, **seen(item))
        replies.release_reply(case, actor("handler"), day)
        return case.tracking_no, sub.query_code


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _top(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["y"]


def test_replied_status_page_on_a_phone_has_no_axe_violations(live, new_page, shot, contact):
    tracking_no, query_code = replied_case(live)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    lookup(page, tracking_no, query_code)
    # the answer first: the sentence, the tracker, the reply, the remedies, then the history
    assert page.locator("#next-step").inner_text().startswith("我们已于")
    current = page.locator("ol.tracker li[aria-current='step']")
    assert current.count() == 1 and "答复" in current.inner_text()
    assert _top(page, "#h-summary") < _top(page, "ol.tracker") < _top(page, "#h-reply") \
        < _top(page, "#h-remedy") < _top(page, "#h-history")
    remedies = page.locator("section.remedies").inner_text()
    assert "2027年2月12日" in remedies and "2027年6月14日" in remedies  # replied 2026-12-14
    assert "暂定" not in page.locator("main").inner_text()
    contact_block = page.locator("section.office-contact").inner_text()
    assert all(v in contact_block for v in CONTACT.values())
    assert _fits(page), "the status page scrolls sideways on a 360 px screen"
    found = _all_violations(page, "status-replied-phone")
    shot(page, "status-replied-phone")
    assert not found, "\n".join(found)
    # and wide: the tracker in one row
    page.set_viewport_size({"width": 1280, "height": 900})
    boxes = [page.locator("ol.tracker li").nth(i).bounding_box() for i in range(5)]
    assert len({round(b["y"]) for b in boxes}) == 1, boxes
    shot(page, "status-replied-desktop")


def test_the_receipt_again_from_the_status_page(live, new_page, shot):
    tracking_no, query_code = replied_case(live)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    lookup(page, tracking_no, query_code)
    page.get_by_role("button", name="查看回执").click()
    page.locator("#tracking-no").wait_for()
    assert page.locator("#tracking-no").inner_text().strip() == tracking_no
    assert page.locator("#query-code").count() == 0
    assert query_code not in page.content()
    assert _fits(page)
    shot(page, "status-receipt-again-phone")
    # the receipt's own address, later: a page that says why and where to go
    resp = page.goto(f"/receipt/{tracking_no}")
    assert resp.status == 404
    assert page.get_by_role("link", name="忘记查询码？").is_visible()
    assert page.get_by_role("link", name="查询办理进度").count() >= 1
    shot(page, "status-receipt-gone-phone")


def test_recovery_page_on_a_phone_has_no_axe_violations(live, new_page, shot):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page.goto("/status")
    page.get_by_role("link", name="忘记查询码？").click()
    page.wait_for_url("**/status/recover")
    assert _fits(page)
    found = _all_violations(page, "status-recover-phone")
    shot(page, "status-recover-phone")
    assert not found, "\n".join(found)
    page.get_by_label("申请编号").fill("BCZ-2026-999999")
    page.get_by_role("button", name="发送新的查询码").click()
    page.locator("#recover-answer").wait_for()
    assert "新的查询码将发送至预留的联系方式" in page.locator("#recover-answer").inner_text()
    assert _fits(page)
    found = _all_violations(page, "status-recover-sent-phone")
    shot(page, "status-recover-sent-phone")
    assert not found, "\n".join(found)


def test_show_code_button_works_under_the_csp(live, new_page, shot):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)  # the app's CSP applies
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/status")
    code = page.get_by_label("查询码")
    toggle = page.get_by_role("button", name="显示")
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
    code.fill("ABCDEFGHJK")
    assert code.get_attribute("type") == "password"
    toggle.click()
    assert code.get_attribute("type") == "text" and toggle.get_attribute("aria-pressed") == "true"
    box = toggle.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    assert _fits(page)
    shot(page, "status-form-code-shown-phone")
    toggle.click()
    assert code.get_attribute("type") == "password"
    assert code.input_value() == "ABCDEFGHJK"
    assert not [e for e in errors if "Content Security Policy" in e], errors
