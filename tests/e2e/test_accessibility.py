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
            Case.status.in_(["registered", "in_progress"]), Case.agency.has(code="BCZ"))
            .order_by(Case.id)).scalars().first()


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


# -- high contrast (issue 15): every text passes 4.5:1 with the switch on -------------------------

def _case_list(live) -> str:
    return "/staff/cases"


def _admin_profile(live) -> str:
    from disclosure.extensions import db
    from disclosure.models import Agency
    with live.app.app_context():
        # the root of the demo county: the public pages of a platform show it (issue 17)
        agency_id = db.session.execute(db.select(Agency.id).where(Agency.parent_id.is_(None))
                                       .order_by(Agency.id)).scalar()
    return f"/admin/agencies/{agency_id}/profile"


# page → (demo user or None for the public, path or a function that opens the page)
HIGH_CONTRAST = {
    "home": (None, "/"),
    "apply": (None, "/apply"),
    "apply-errors": (None, "/apply"),  # submitted empty: error texts and error borders
    "status-result": (None, _lookup),
    "staff-dashboard": ("handler", lambda live: "/staff/"),
    "staff-case-page": ("handler", lambda live: f"/staff/cases/{_open_case_id(live)}"),
    "staff-case-list": ("handler", _case_list),
    "admin-agencies": ("admin", lambda live: "/admin/agencies"),
    "admin-users": ("admin", lambda live: "/admin/users"),
    "admin-calendar": ("admin", lambda live: "/admin/calendar"),
    "admin-agency-profile": ("admin", _admin_profile),
}


def switch_high_contrast_on(page) -> None:
    """The toolbar's own switch (app.js remembers it in localStorage for the whole site)."""
    button = page.get_by_role("button", name="高对比度")
    if button.get_attribute("aria-pressed") != "true":
        button.click()
    assert page.evaluate("document.documentElement.classList.contains('high-contrast')")


def switch_high_contrast_off(page) -> None:
    page.evaluate("localStorage.removeItem('disclosure.contrast')")


def contrast_problems(page, name: str) -> list[str]:
    """Every color-contrast finding (any impact), plus the other critical/serious ones."""
    found = axe_violations(page, name)
    report = json.loads((SHOTS / f"axe-{name}.json").read_text(encoding="utf-8"))
    contrast = [f"color-contrast: {v['nodes']}" for v in report["violations"]
                if v["id"] == "color-contrast"]
    return contrast + [f for f in found if not f.startswith("color-contrast")]


@pytest.mark.parametrize("name", list(HIGH_CONTRAST))
def test_high_contrast_passes_wcag_contrast(name, live, new_page, staff_page, shot):
    user, target = HIGH_CONTRAST[name]
    page = staff_page(user, bypass_csp=True) if user else new_page(bypass_csp=True)
    try:
        page.goto("/" if user is None else "/staff/")
        switch_high_contrast_on(page)
        if callable(target) and user is None:
            target(page, live)
        else:
            assert page.goto(target(live) if callable(target) else target).status == 200
        if name == "apply-errors":
            page.locator("form.application button[type=submit]").click()
            page.locator(".error").first.wait_for()
        page.wait_for_function("document.documentElement.classList.contains('high-contrast')")
        problems = contrast_problems(page, f"hc-{name}")
        shot(page, f"hc-{name}")
        assert not problems, "\n".join(problems)
    finally:
        switch_high_contrast_off(page)


def test_secondary_buttons_and_errors_are_legible_in_high_contrast(live, new_page):
    """The two combinations found failing (issue 15): a secondary button (.button: yellow on
    near-white, 1.0:1) and error text (#b0191e on black, 3.0:1) — now measured in the page."""
    page = new_page()
    page.goto("/")
    switch_high_contrast_on(page)
    ratio = """(sel) => {
      const el = document.querySelector(sel), s = getComputedStyle(el);
      const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
      const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      let bg = el, back = 'rgba(0, 0, 0, 0)';
      while (bg && (back = getComputedStyle(bg).backgroundColor) === 'rgba(0, 0, 0, 0)')
        bg = bg.parentElement;
      const [a, b] = [lum(s.color), lum(back)].sort((x, y) => y - x);
      return (a + 0.05) / (b + 0.05); }"""
    assert page.evaluate(ratio, "main a.button:not(.primary)") >= 4.5
    assert page.evaluate(ratio, "main a.button.primary") >= 4.5
    page.goto("/apply")
    page.locator("form.application button[type=submit]").click()
    page.locator(".error").first.wait_for()
    assert page.evaluate(ratio, "p.error") >= 4.5


# -- touch targets: at least 44 × 44 CSS pixels ------------------------------------------------

TARGETS = """(sel) => [...document.querySelectorAll(sel)].filter(e => e.getClientRects().length)
  .map(e => { const r = e.getBoundingClientRect();
    return {what: e.textContent.trim() || e.outerHTML.slice(0, 60),
            w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10}; })"""


def _small(page, selector: str) -> list[dict]:
    found = page.evaluate(TARGETS, selector)
    assert found, f"nothing matches {selector}"
    return [t for t in found if t["w"] < 44 or t["h"] < 44]


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}],
                         ids=["phone", "desktop"])
def test_toolbar_and_navigation_are_44px_touch_targets(viewport, live, new_page):
    page = new_page(viewport=viewport, is_mobile=viewport is PHONE, has_touch=True)
    page.goto("/")
    assert not _small(page, ".display-tools button, .display-tools a.lang-switch")
    big = page.get_by_role("button", name="大", exact=True).bounding_box()
    assert big["width"] >= 44 and big["height"] >= 44, big  # was 20 × 32
    assert not _small(page, "header.site nav a")
    assert not _small(page, "main a.button")
    page.goto("/status")
    assert not _small(page, "main button")


def test_staff_buttons_and_checkbox_labels_are_44px_on_a_phone(live, browser):
    from .conftest import _context, login
    ctx = _context(browser, live, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        login(page, "registrar")
        page.goto("/staff/register")
        assert not _small(page, "main button, label:has(> input[type=checkbox])")
        assert not _small(page, "header.site nav a, header.site nav button")
    finally:
        ctx.close()


# -- print: no toolbar, no navigation, no forms --------------------------------------------------

def test_print_shows_content_without_controls(live, staff_page, shot):
    page = staff_page("handler")
    page.goto(f"/staff/cases/{_open_case_id(live)}")
    page.emulate_media(media="print")
    try:
        shown = """(sel) => [...document.querySelectorAll(sel)]
            .filter(e => e.getClientRects().length).length"""
        for hidden in (".display-tools", "header.site nav", "main form", "main button",
                       ".skip"):
            assert page.evaluate(shown, hidden) == 0, hidden
        assert page.evaluate(shown, "main h1") == 1
        colours = page.evaluate("""() => { const s = getComputedStyle(document.body);
            return [s.color, s.backgroundColor]; }""")
        assert colours[0] == "rgb(0, 0, 0)"
        shot(page, "print-case-page")
    finally:
        page.emulate_media(media="screen")


# -- the agency profile in the page: header, footer, emblem; and screenshots to look at ---------

LOOK = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PROFILE = {"letter_prefix": "包政信", "address": "南通市海门区包场镇人民路 1 号（镇政府东楼一楼）",
           "phone": "0513-82345678", "office_hours": "工作日 8:30–12:00，13:30–17:30",
           "website_code": "3206840001", "icp_record": "苏ICP备05001234号-1"}


def emblem_png(size: int = 64) -> bytes:
    """A red disc with a white ring: a real PNG the browser draws."""
    import struct
    import zlib
    rows = b""
    c = (size - 1) / 2
    for y in range(size):
        rows += b"\x00"
        for x in range(size):
            d = ((x - c) ** 2 + (y - c) ** 2) ** 0.5
            rows += (bytes((176, 25, 30, 255)) if d < c * 0.62 else
                     bytes((255, 255, 255, 255)) if d < c * 0.78 else
                     bytes((176, 25, 30, 255)) if d <= c else bytes((0, 0, 0, 0)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def fill_profile(page, live, values: dict, emblem: bytes | None = None) -> None:
    """The administrator fills in the agency profile page (the real form)."""
    page.goto(_admin_profile(live))
    for name, value in values.items():
        page.locator(f"#{name}").fill(value)
    if emblem is not None:
        page.locator("#emblem").set_input_files(
            {"name": "emblem.png", "mimeType": "image/png", "buffer": emblem})
    elif page.locator("#remove_emblem").count():
        page.locator("#remove_emblem").check()
    page.get_by_role("button", name="保存").click()
    page.locator(".flash.ok").wait_for()


def test_profile_in_header_and_footer_and_screenshots(live, browser, staff_page):
    """The admin fills in the profile; the public home and the staff dashboard show it, pass axe
    in both schemes, and are saved as screenshots — phone 390 × 844 and desktop 1280 × 900 —
    to $E2E_LOOK_DIR (default <tmp>/disclosure-look) for a person to look at. The profile is
    emptied again at the end (the other tests see the demo as it was)."""
    import os
    import tempfile
    from pathlib import Path

    from .conftest import _context, login
    out = Path(os.environ.get("E2E_LOOK_DIR") or Path(tempfile.gettempdir()) / "disclosure-look")
    out.mkdir(parents=True, exist_ok=True)
    admin = staff_page("admin")
    fill_profile(admin, live, PROFILE, emblem_png())
    problems = []
    try:
        for device, viewport in LOOK.items():
            phone = device == "phone"
            ctx = _context(browser, live, viewport=viewport, is_mobile=phone, has_touch=phone,
                           bypass_csp=True)
            try:
                page = ctx.new_page()
                for scheme in ("standard", "high-contrast"):
                    if scheme == "high-contrast":
                        switch_high_contrast_on(page)
                    page.goto("/")
                    footer = page.locator("footer.site address").inner_text()
                    assert PROFILE["phone"] in footer and PROFILE["icp_record"] in footer
                    emblem = page.locator("header.site img.emblem")
                    assert emblem.evaluate("img => img.complete && img.naturalWidth") == 64
                    problems += contrast_problems(page, f"profile-home-{device}-{scheme}")
                    page.screenshot(path=str(out / f"home-{device}-{scheme}.png"), full_page=True)
                    page.screenshot(path=str(out / f"home-top-{device}-{scheme}.png"))
                    page.locator("footer.site").scroll_into_view_if_needed()
                    page.screenshot(path=str(out / f"home-footer-{device}-{scheme}.png"))
                switch_high_contrast_off(page)
                login(page, "handler")
                for scheme in ("standard", "high-contrast"):
                    if scheme == "high-contrast":
                        switch_high_contrast_on(page)
                    for name, path in (("dashboard", "/staff/"), ("case-list", "/staff/cases")):
                        page.goto(path)
                        assert "包场镇人民政府" in page.locator("header.site .brand").inner_text()
                        # dates and tracking numbers do not wrap: a wide table scrolls in its
                        # own box (app.js), the page does not scroll sideways
                        width = page.evaluate("document.documentElement.scrollWidth")
                        assert width <= viewport["width"], (name, device, width)
                        problems += contrast_problems(page, f"profile-{name}-{device}-{scheme}")
                        page.screenshot(path=str(out / f"{name}-{device}-{scheme}.png"))
                switch_high_contrast_off(page)
            finally:
                ctx.close()
    finally:
        fill_profile(admin, live, {name: "" for name in PROFILE})
    assert not problems, "\n".join(problems)
    assert len(list(out.glob("*.png"))) >= 16
