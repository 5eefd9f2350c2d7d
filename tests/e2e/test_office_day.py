"""Issue 15, measured: one complete case from online application to released reply, through
every role (applicant, registrar, handler, office head, reviewer), counting clicks and page
loads (sign-ins not counted). Each role signs in and lands on its own queue, where the case is
waiting; the budget is 20 clicks in all. Screenshots: each role's landing page (desktop and
phone) and the case page in each state, in tests/e2e/screenshots/day-*.png."""
from __future__ import annotations

import re

import pytest

from .conftest import PHONE, login

pytestmark = pytest.mark.e2e

CLICK_BUDGET = 20


class Counter:
    """Clicks (a click, a choice in a select) and page loads of the journey, per role."""

    def __init__(self):
        self.clicks: dict[str, int] = {}
        self.loads: dict[str, int] = {}
        self.role = ""

    def watch(self, page, role: str):
        page.on("load", lambda _p: self._load(role))
        return page

    def _load(self, role: str):
        if self.role != "sign-in":
            self.loads[role] = self.loads.get(role, 0) + 1

    def click(self, role: str, locator):
        self.clicks[role] = self.clicks.get(role, 0) + 1
        locator.click()

    def select(self, role: str, locator, label: str):
        self.clicks[role] = self.clicks.get(role, 0) + 1
        locator.select_option(label=label)

    def total(self, what: dict) -> int:
        return sum(what.values())


def sign_in(counter, browser_page, username: str) -> None:
    counter.role = "sign-in"  # not counted: the session starts there
    login(browser_page, username)
    counter.role = ""


def open_from_queue(counter, page, role: str, queue_id: str, tracking_no: str):
    """The role's landing page lists the case in its queue: one click opens it."""
    assert page.url.endswith("/staff/"), page.url
    row = page.locator(f"#{queue_id} tr", has_text=tracking_no)
    assert row.count() >= 1, f"{tracking_no} not in {role}'s queue #{queue_id}"
    counter.click(role, row.first.get_by_role("link", name=tracking_no))
    page.wait_for_url(re.compile(r"/staff/cases/\d+"))


def flash(page, text: str) -> None:
    page.locator("p.flash.ok", has_text=text).wait_for()


def test_one_case_through_every_role_within_the_click_budget(browser, live, new_page, shot):
    n = Counter()

    # -- the applicant applies online ------------------------------------------------------------
    citizen = n.watch(new_page(), "applicant")
    citizen.goto("/apply")
    # preset: a person with a resident ID card, electronic copies on the status page
    assert citizen.get_by_label("申请人类型").input_value() == "natural_person"
    citizen.get_by_label("姓名 / 名称").fill("周杰")
    citizen.get_by_label("证件号码").fill("11010519491231002X")
    citizen.get_by_label("联系电话").fill("13900000002")
    citizen.get_by_label("电子邮箱").fill("zhoujie@example.cn")
    citizen.get_by_label("所需政府信息的名称、文号或者便于查询的其他特征性描述").fill(
        "包场镇2026年老年食堂建设项目的资金拨付文件")
    n.click("applicant", citizen.get_by_role("button", name="下一步：核对申请内容"))
    # the review page (issue 16): the answers read-only, one more click to submit
    citizen.get_by_role("heading", name="核对申请内容", level=1).wait_for()
    n.click("applicant", citizen.get_by_role("button", name="确认提交"))
    citizen.locator("#tracking-no").wait_for()
    tracking_no = citizen.locator("#tracking-no").inner_text().strip()
    query_code = citizen.locator("#query-code").inner_text().strip()

    # -- the registrar confirms receipt; the case goes to the default handler --------------------
    registrar = n.watch(new_page(), "registrar")
    sign_in(n, registrar, "registrar")
    shot(registrar, "day-01-registrar-queue")
    open_from_queue(n, registrar, "registrar", "queue-confirm", tracking_no)
    shot(registrar, "day-02-case-submitted")
    n.click("registrar", registrar.get_by_role("button", name="确认收到申请"))
    flash(registrar, "已确认收到申请")
    assert registrar.locator("#case-handler").inner_text() == "李承办"

    # -- the handler asks for an extension ---------------------------------------------------------
    handler = n.watch(new_page(), "handler")
    sign_in(n, handler, "handler")
    shot(handler, "day-03-handler-queue")
    open_from_queue(n, handler, "handler", "queue-mine", tracking_no)
    shot(handler, "day-04-case-registered")
    step = handler.locator("details.step", has=handler.locator("summary", has_text="申请延期答复"))
    n.click("handler", step.locator("summary"))
    step.get_by_label("延期理由").fill("需要向县财政局调取拨付凭证，正常期限内难以答复")
    n.click("handler", step.get_by_role("button", name="申请延期答复"))
    flash(handler, "延期申请已提交")

    # -- the office head approves, seeing the resulting due date first -----------------------------
    head = n.watch(new_page(), "head")
    sign_in(n, head, "head")
    shot(head, "day-05-head-queue")
    approvals = head.locator("#queue-approvals tr", has_text=tracking_no)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", approvals.locator("td").nth(3).inner_text())
    open_from_queue(n, head, "head", "queue-approvals", tracking_no)
    assert "批准后答复期限为" in head.locator("#next-steps").inner_text()
    n.click("head", head.get_by_role("button", name="批准延期答复"))
    flash(head, "已批准延期")

    # -- the handler drafts the reply and submits it for review ----------------------------------
    handler.goto("/staff/")  # back to the queue (a page load, no click)
    open_from_queue(n, handler, "handler", "queue-mine", tracking_no)
    n.select("handler", handler.get_by_label("答复类型（条例规定的情形）"),
             "无法提供：本机关不掌握（第三十六条第四项）")
    n.click("handler", handler.get_by_role("button", name="保存并提交保密审查"))
    flash(handler, "答复已保存并提交保密审查")
    shot(handler, "day-06-case-in-review")

    # -- the reviewer reviews the extension notice and the reply letter ------------------------
    reviewer = n.watch(new_page(), "reviewer")
    sign_in(n, reviewer, "reviewer")
    shot(reviewer, "day-07-reviewer-queue")
    open_from_queue(n, reviewer, "reviewer", "queue-review", tracking_no)
    notice = reviewer.locator("#h-notices ~ details", has_text="延期答复告知书").first
    n.click("reviewer", notice.get_by_role("button", name="同意并发出"))
    flash(reviewer, "告知文书已发出")
    row = reviewer.locator("tr", has=reviewer.get_by_role("button", name="同意公开")).first
    n.click("reviewer", row.get_by_role("button", name="同意公开"))
    reviewer.locator("p.flash.ok").wait_for()
    shot(reviewer, "day-08-case-approved")

    # -- the handler releases the reply after the confirmation page ----------------------------
    handler.goto("/staff/")
    mine = handler.locator("#queue-mine tr", has_text=tracking_no)
    assert "发出答复并办结" in mine.inner_text()  # the next step, named in the queue
    open_from_queue(n, handler, "handler", "queue-mine", tracking_no)
    n.click("handler", handler.get_by_role("link", name="发出答复并办结…"))
    assert "答复将发送给申请人，案件办结" in handler.locator("#consequence").inner_text()
    shot(handler, "day-09-release-confirmation")
    n.click("handler", handler.get_by_role("button", name="确认发出答复并办结"))
    flash(handler, "答复已发出")
    shot(handler, "day-10-case-replied")

    # -- the applicant reads the reply ----------------------------------------------------------
    citizen.goto("/status")
    citizen.get_by_label("申请编号").fill(tracking_no)
    citizen.get_by_label("查询码").fill(query_code)
    n.click("applicant", citizen.get_by_role("button", name="查询"))
    citizen.locator("#h-summary").wait_for()
    assert "本机关不掌握" in citizen.locator("body").inner_text() or \
        "不掌握" in citizen.locator("body").inner_text()

    clicks, loads = n.total(n.clicks), n.total(n.loads)
    print(f"\noffice day: {clicks} clicks {n.clicks}, {loads} page loads {n.loads}")
    assert clicks <= CLICK_BUDGET, n.clicks

    # each role's landing page on a phone too
    for user in ("registrar", "handler", "head", "reviewer", "admin"):
        phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
        login(phone, user)
        shot(phone, f"day-11-{user}-queue-phone")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, \
            f"{user}'s landing page scrolls sideways on a phone"


def test_a_paper_application_gets_its_query_code_on_a_printed_receipt(staff_page, shot):
    """条例第三十一条: the registrar registers a letter; the one-time receipt with the query code
    prints alone (the office keeps no copy of the code: printed now or never)."""
    reg = staff_page("registrar")
    reg.goto("/staff/register")
    reg.get_by_label("提交方式").select_option(label="当面提交")
    reg.get_by_label("申请人类型").select_option(label="自然人")
    reg.get_by_label("姓名 / 名称").fill("黄强")
    reg.get_by_label("证件类型").select_option(label="居民身份证")
    reg.get_by_label("证件号码").fill("11010519491231002X")
    reg.get_by_label("联系电话").fill("13900000006")
    reg.get_by_label("所需政府信息的名称、文号或者便于查询的其他特征性描述").fill(
        "2026年镇卫生院采购合同")
    reg.get_by_label("信息的提供形式").select_option(label="纸质")
    reg.get_by_label("获取信息的方式").select_option(label="当面领取")
    reg.get_by_role("button", name="登记", exact=True).click()
    code = reg.locator("#query-code").inner_text().strip()
    assert code
    reg.emulate_media(media="print")
    printed = reg.locator("main").inner_text()
    shot(reg, "day-12-paper-receipt-print")
    assert code in printed and "政府信息公开申请回执" in printed
    assert "办理记录" not in printed and "答复期限计算" not in printed
    reg.emulate_media(media="screen")
    reg.reload()
    assert reg.locator("#query-code").count() == 0  # shown this once
