"""适老化 at 200 % zoom, and the language switch, in a real Chromium.

Zooming a 1280 × 800 desktop window to 200 % gives the page a 640 × 400 CSS-pixel viewport at
device scale 2 — exactly what this context sets up (WCAG 1.4.10 reflow). Wide data tables
may scroll inside their own box, but the page itself must not scroll sideways."""
from __future__ import annotations

import pytest

from .test_accessibility import OVERFLOW, PUBLIC, STAFF, axe_violations

pytestmark = pytest.mark.e2e

ZOOM_200 = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}


def _fits(page, shot, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > ZOOM_200["viewport"]["width"]:
        shot(page, f"zoom200-overflow-{name}")
    assert width <= ZOOM_200["viewport"]["width"], \
        f"{name}: page is {width}px wide at 200 %; sticking out: {page.evaluate(OVERFLOW, 640)}"


@pytest.mark.parametrize("name", list(PUBLIC))
def test_public_page_holds_at_200_percent_zoom(name, live, new_page, shot):
    page = new_page(**ZOOM_200)
    target = PUBLIC[name]
    if callable(target):
        target(page, live)
    else:
        page.goto(target)
    _fits(page, shot, name)
    shot(page, f"zoom200-{name}")


@pytest.mark.parametrize("name", list(STAFF))
def test_staff_page_holds_at_200_percent_zoom(name, live, browser, shot):
    from .conftest import _context, login
    ctx = _context(browser, live, **ZOOM_200)
    try:
        page = ctx.new_page()
        user, path = STAFF[name]
        login(page, user)
        assert page.goto(path(live)).status == 200
        _fits(page, shot, name)
        shot(page, f"zoom200-{name}")
    finally:
        ctx.close()


def test_language_switch_to_english_and_back(live, new_page, shot):
    """The switch is on every page, keyboard-reachable, remembered, and sets <html lang>."""
    page = new_page(bypass_csp=True)
    page.goto("/apply")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.get_by_role("link", name="English").focus()
    with page.expect_navigation():  # /lang/en redirects back to this very page
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().isascii()
    found = axe_violations(page, "en-apply")
    shot(page, "en-apply")
    assert not found, "\n".join(found)
    page.goto("/status")  # remembered (cookie)
    assert page.evaluate("document.documentElement.lang") == "en"
    with page.expect_navigation():
        page.get_by_role("link", name="中文").click()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"


def test_staff_case_page_in_english(live, browser, shot):
    from .conftest import _context, login
    from .test_accessibility import _open_case_id
    ctx = _context(browser, live, bypass_csp=True)
    try:
        page = ctx.new_page()
        login(page, "handler")
        with page.expect_navigation():
            page.get_by_role("link", name="English").click()
        assert page.goto(f"/staff/cases/{_open_case_id(live)}").status == 200
        assert page.evaluate("document.documentElement.lang") == "en"
        found = axe_violations(page, "en-staff-case-page")
        shot(page, "en-staff-case-page")
        assert not found, "\n".join(found)
        page.goto("/staff/cases")
        shot(page, "en-staff-case-list")
    finally:
        ctx.close()
