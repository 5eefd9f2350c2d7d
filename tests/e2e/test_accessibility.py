"""axe-core (npm, injected into the page under test — never a CDN) finds no critical or serious
violation on the public pages, the staff case list, a case page and the annual report; and the
public pages hold on a 360 px wide phone without sideways scrolling.

A page with a known violation is marked xfail(strict=True) naming the rule ids, so the test
starts failing — and the mark must go — as soon as the template is fixed. Every run writes the
full axe result of each page (all impacts) to tests/e2e/screenshots/axe-<page>.json."""
from __future__ import annotations

import json

import pytest

from .conftest import AXE_JS, PHONE, SHOTS

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not AXE_JS.exists(),
                                 reason="axe-core missing: run `bash scripts/e2e-setup.sh`")]

BLOCKING = ("critical", "serious")


def axe_violations(page, name: str) -> list[str]:
    """Run axe on the loaded page; save the report; return the critical/serious findings as
    'rule-id (impact): selector' lines."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / f"axe-{name}.json").write_text(json.dumps(
        {"url": page.url, "axe": result["testEngine"]["version"], "violations": [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]},
        ensure_ascii=False, indent=2), encoding="utf-8")
    return [f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'])}"
            for v in result["violations"] if v["impact"] in BLOCKING]


def _lookup(page, live) -> None:
    tracking_no, query_code = live.api_apply(name="周杰", subject="镇卫生院2024年度采购合同")
    page.goto("/status")
    page.get_by_label("申请编号").fill(tracking_no)
    page.get_by_label("查询码").fill(query_code)
    page.get_by_role("button", name="查询").click()
    page.locator("#h-summary").wait_for()


def _open_case_id(live) -> int:
    """The oldest open demo case that the handler can still act on (action and reply forms)."""
    from disclosure.extensions import db
    from disclosure.models import Case
    with live.app.app_context():
        return db.session.execute(db.select(Case.id).where(
            Case.status.in_(["registered", "in_progress"])).order_by(Case.id)).scalars().first()


PUBLIC = {
    "home": "/",
    "apply": "/apply",
    "status-form": "/status",
    "status-result": _lookup,
    "catalogue": "/catalogue",
    "login": "/login",
}
# Known violations, found by these tests (see the closing note): page → rule ids.
KNOWN: dict[str, str] = {}


def _param(name: str):
    marks = [pytest.mark.xfail(strict=True, reason=f"known axe violations: {KNOWN[name]}")] \
        if name in KNOWN else []
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", [_param(n) for n in PUBLIC])
def test_public_page_has_no_serious_violations(name, live, new_page, shot):
    page = new_page(bypass_csp=True)
    target = PUBLIC[name]
    if callable(target):
        target(page, live)
    else:
        page.goto(target)
    found = axe_violations(page, name)
    shot(page, f"a11y-{name}")
    assert not found, "\n".join(found)


def test_axe_is_really_running(live, new_page):
    """The harness itself: a page with an unlabelled field and an image without alt text
    must be reported (so a broken injection cannot pass silently)."""
    page = new_page(bypass_csp=True)
    page.goto("/")
    page.evaluate("""() => { document.querySelector('main').insertAdjacentHTML('beforeend',
        '<input type="text" name="x"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'); }""")
    found = " ".join(axe_violations(page, "harness-check"))
    assert "label (critical)" in found and "image-alt (critical)" in found, found


STAFF = {
    "staff-case-list": ("handler", lambda live: "/staff/cases"),
    "staff-case-page": ("handler", lambda live: f"/staff/cases/{_open_case_id(live)}"),
    "staff-annual-report": ("head", lambda live: "/staff/reports/annual"),
}


@pytest.mark.parametrize("name", [_param(n) for n in STAFF])
def test_staff_page_has_no_serious_violations(name, live, staff_page, shot):
    user, path = STAFF[name]
    page = staff_page(user, bypass_csp=True)
    resp = page.goto(path(live))
    if resp.status == 404 and name == "staff-annual-report":
        pytest.xfail("the annual report (/staff/reports/annual) is not there yet")
    assert resp.status == 200
    found = axe_violations(page, name)
    shot(page, f"a11y-{name}")
    assert not found, "\n".join(found)


# -- 适老化: the public pages hold on a 360 px wide screen -----------------------------------------

OVERFLOW = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
            (typeof e.className === 'string' && e.className.trim()
             ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))
  .slice(0, 8)"""
# page → reason, for layouts found not to hold (see the closing note)
KNOWN_OVERFLOW: dict[str, str] = {}  # fixed: fieldset min-width / file input max-width in app.css


@pytest.mark.parametrize("name", [
    pytest.param(n, id=n, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_OVERFLOW[n])]
                 if n in KNOWN_OVERFLOW else []) for n in PUBLIC])
def test_public_page_fits_a_360px_phone(name, live, new_page, shot):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    target = PUBLIC[name]
    if callable(target):
        target(page, live)
    else:
        page.goto(target)
    wide = page.evaluate(OVERFLOW, PHONE["width"])
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        shot(page, f"phone-overflow-{name}")
    assert width <= PHONE["width"], f"page is {width}px wide; sticking out: {wide}"


def test_font_size_and_high_contrast_are_remembered(live, new_page, shot):
    """适老化: the font-size switch and high contrast apply at once and survive a reload."""
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/")
    size = lambda: page.evaluate(  # noqa: E731
        "parseFloat(getComputedStyle(document.documentElement).fontSize)")
    standard = size()
    page.get_by_role("button", name="超大").click()
    assert size() >= standard * 1.3
    page.get_by_role("button", name="高对比度").click()
    page.goto("/apply")
    assert size() >= standard * 1.3
    assert page.evaluate("document.documentElement.classList.contains('high-contrast')")
    assert page.get_by_role("button", name="超大").get_attribute("aria-pressed") == "true"
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "a11y-large-font-high-contrast-apply")
    assert width <= PHONE["width"] * 1.0 + 1, (
        "the extra-large layout must still fit a 360 px screen")
    page.get_by_role("button", name="标准").click()
    assert size() == standard
