"""Issue 16, the applicant's whole half on a phone: apply (with the review step) → the receipt
e-mail is in the outbox → the office asks for a 补正 → the applicant answers on the status page
with a text and a file → the handler sees it and the clock restarted → reply → the applicant
reads it first on the page, with the remedies and their last days."""
from __future__ import annotations

import re

import pytest

from .conftest import PHONE
from .test_journeys import (
    PDF_A,
    approve_notice,
    case_url,
    confirm_receipt,
    decide,
    flash,
    lookup,
    release,
    submit_action,
)

pytestmark = pytest.mark.e2e


def outbox_subjects(live, tracking_no: str) -> list[str]:
    from disclosure.extensions import db
    from disclosure.models import Outbox
    with live.app.app_context():
        return list(db.session.execute(db.select(Outbox.subject).where(
            Outbox.subject.like(f"【{tracking_no}】%")).order_by(Outbox.id)).scalars())


def test_the_applicants_half_online_on_a_phone(live, new_page, staff_page, shot):
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/apply")
    phone.get_by_label("姓名 / 名称").fill("吴丽")
    phone.get_by_label("证件号码").fill("11010519491231002X")
    phone.get_by_label("联系电话").fill("13900000005")
    phone.get_by_label("电子邮箱").fill("wuli@example.cn")
    phone.get_by_label("所需政府信息的名称、文号或者便于查询的其他特征性描述").fill(
        "村里的那份文件")
    phone.get_by_role("button", name="下一步：核对申请内容").click()
    phone.get_by_role("button", name="确认提交").click()
    phone.locator("#tracking-no").wait_for()
    tracking_no = phone.locator("#tracking-no").inner_text().strip()
    query_code = phone.locator("#query-code").inner_text().strip()
    assert outbox_subjects(live, tracking_no) == [f"【{tracking_no}】申请已收到"]

    # the office: receipt confirmed, a 补正 asked for and released after review
    url = case_url(live, tracking_no)
    confirm_receipt(staff_page("registrar"), url)
    handler = staff_page("handler")
    handler.goto(url)
    submit_action(handler, "发出补正告知", {"items": "请写明文件的名称或文号，以及所属的村。"})
    approve_notice(staff_page("reviewer"), url, "补正申请告知书")
    assert f"【{tracking_no}】请补正申请" in outbox_subjects(live, tracking_no)

    # the applicant answers on the status page, with a file
    lookup(phone, tracking_no, query_code)
    box = phone.locator("section.supplement")
    assert "请写明文件的名称或文号" in box.inner_text()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", box.inner_text())  # the period's last day
    shot(phone, "half-01-supplement-asked-phone")
    box.get_by_label("补正内容").fill("是海门区包场镇东兴村2024年的村道拓宽立项批复。")
    box.locator("#sup-files").set_input_files(
        {"name": "说明.pdf", "mimeType": "application/pdf", "buffer": PDF_A})
    box.get_by_role("button", name="提交补正").click()
    receipt = phone.locator("#h-sup-receipt")
    receipt.wait_for()
    assert "说明.pdf" in phone.locator("section.notice").first.inner_text()
    shot(phone, "half-02-supplement-receipt-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

    # the handler sees the answer; the clock restarted from the day it arrived (R4.2)
    handler.goto(url)
    page_text = handler.locator("main").inner_text()
    assert "东兴村2024年的村道拓宽立项批复" in page_text
    assert "收到补正材料" in handler.locator("#h-history ~ table").inner_text()
    handler.get_by_label("答复类型（条例规定的情形）").select_option(
        label="无法提供：本机关不掌握（第三十六条第四项）")
    handler.get_by_role("button", name="保存并提交保密审查").click()
    flash(handler, "答复已保存并提交保密审查")
    reviewer = staff_page("reviewer")
    reviewer.goto(url)
    decide(reviewer, "政府信息公开申请答复告知书", "同意公开")
    release(handler, url)
    assert f"【{tracking_no}】申请已答复" in outbox_subjects(live, tracking_no)

    # the applicant reads the answer first, then what they can do about it, by when
    lookup(phone, tracking_no, query_code)
    order = phone.evaluate("""() => ['h-reply', 'h-remedy', 'h-history'].map(
        id => document.getElementById(id).getBoundingClientRect().top + window.scrollY)""")
    assert order == sorted(order), order
    remedies = phone.locator("#h-remedy").locator("xpath=..").inner_text()
    assert "行政复议" in remedies and "行政诉讼" in remedies
    assert "暂定" not in phone.locator("main").inner_text()
    shot(phone, "half-03-reply-first-phone")
