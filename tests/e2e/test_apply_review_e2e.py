"""The online application of issue 16 in a real Chromium on a phone (390 × 844): axe-core finds
no critical or serious violation on the form, on the form with errors, nor on the review page;
the error summary takes focus and its links lead to the fields; the required mark of the e-mail
follows the delivery method; "修改" keeps everything; "确认提交" creates the case once, even when
the confirmation is sent twice.
Screenshots: tests/e2e/screenshots/apply16-*.png."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import AXE_JS
from .test_accessibility import axe_violations

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not AXE_JS.exists(),
                                 reason="axe-core missing: run `bash scripts/e2e-setup.sh`")]

PHONE_390 = {"width": 390, "height": 844}
FILE = {"name": "说明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% e2e\n%%EOF\n"}


def phone_page(new_page):
    return new_page(viewport=PHONE_390, is_mobile=True, has_touch=True, bypass_csp=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]


def fill_valid(page) -> None:
    page.get_by_label("姓名 / 名称").fill("赵敏")
    page.get_by_label("证件号码").fill("11010519491231002X")
    page.get_by_label("联系电话").fill("0513-82345678")
    page.get_by_label("所需政府信息的名称、文号或者便于查询的其他特征性描述").fill(
        "包场镇2026年农村公路养护资金分配方案")


def test_form_errors_and_review_page_pass_axe_on_a_phone(live, new_page, shot):
    page = phone_page(new_page)
    page.goto("/apply")
    found = axe_violations(page, "apply16-form-phone")
    assert fits(page), "the form scrolls sideways on a phone"
    shot(page, "apply16-01-form-phone")
    assert not found, "\n".join(found)

    # errors: a 10-digit mobile number and no subject
    page.get_by_label("姓名 / 名称").fill("赵敏")
    page.get_by_label("证件号码").fill("11010519491231002X")
    page.get_by_label("联系电话").fill("1380000000")
    page.get_by_role("button", name="下一步：核对申请内容").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"  # it took focus
    assert "手机号码应为11位数字" in summary.inner_text()
    found = axe_violations(page, "apply16-errors-phone")
    assert fits(page), "the form with errors scrolls sideways on a phone"
    shot(page, "apply16-02-errors-phone")
    assert not found, "\n".join(found)
    summary.get_by_role("link", name="请填写所需政府信息", exact=False).click()
    assert page.evaluate("document.activeElement.id") == "subject"  # the link leads there

    # corrected: the review page
    fill_valid(page)
    page.get_by_role("button", name="下一步：核对申请内容").click()
    page.get_by_role("heading", name="核对申请内容", level=1).wait_for()
    assert "0513-82345678" in page.locator("dl.review").first.inner_text()
    found = axe_violations(page, "apply16-review-phone")
    assert fits(page), "the review page scrolls sideways on a phone"
    shot(page, "apply16-03-review-phone")
    assert not found, "\n".join(found)


def test_edit_keeps_everything_and_confirm_submits_once(live, new_page, shot):
    page = phone_page(new_page)
    page.goto("/apply")
    fill_valid(page)
    page.get_by_label("获取信息的方式").select_option(label="电子邮件")
    # the e-mail is now required: its * shows (apply.js) before anything is sent
    email_star = page.locator("label[for=email] .required")
    expect(email_star).to_be_visible()
    assert page.get_by_label("电子邮箱").get_attribute("aria-required") == "true"
    page.get_by_label("电子邮箱").fill("zhaomin@example.cn")
    page.get_by_role("button", name="下一步：核对申请内容").click()
    page.get_by_role("heading", name="核对申请内容", level=1).wait_for()

    page.get_by_role("button", name="修改").click()
    page.get_by_role("heading", name="政府信息公开申请表").wait_for()
    assert page.get_by_label("姓名 / 名称").input_value() == "赵敏"
    assert page.get_by_label("电子邮箱").input_value() == "zhaomin@example.cn"
    assert page.get_by_label("获取信息的方式").input_value() == "email"
    expect(email_star).to_be_visible()
    page.get_by_label("联系电话").fill("13900000016")
    page.get_by_role("button", name="下一步：核对申请内容").click()
    page.get_by_role("heading", name="核对申请内容", level=1).wait_for()
    assert "13900000016" in page.locator("dl.review").first.inner_text()
    page.locator("#supporting").set_input_files(FILE)
    shot(page, "apply16-04-review-with-file-phone")
    sent = page.evaluate("""() => Object.fromEntries([...new FormData(
        document.getElementById('confirm-form'))].filter(([k, v]) => typeof v === 'string'))""")
    page.get_by_role("button", name="确认提交").click()
    page.locator("#tracking-no").wait_for()
    tracking_no = page.locator("#tracking-no").inner_text().strip()

    # the same confirmation sent again (a double tap): the same case, not a second one
    again = page.request.post("/apply", multipart={**sent, "step": "confirm", "supporting": FILE},
                              max_redirects=0)
    assert again.status == 302 and again.headers["location"].endswith(f"/receipt/{tracking_no}")
    from disclosure.extensions import db
    from disclosure.models import Case
    with live.app.app_context():
        cases = db.session.execute(db.select(Case).where(Case.phone == "13900000016")).scalars()
        assert [c.tracking_no for c in cases] == [tracking_no]
