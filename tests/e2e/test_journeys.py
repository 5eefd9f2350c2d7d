"""The five journeys of issue 8 in a real Chromium, each saving screenshots of its key pages to
tests/e2e/screenshots/. Journey 3 is driven with the keyboard only (Tab, Enter, typing)."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, TODAY

pytestmark = pytest.mark.e2e

PDF_A = b"%PDF-1.4\n% e2e document A\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_B1 = b"%PDF-1.4\n% e2e document B, first version (unredacted)\n%%EOF\n"
PDF_B2 = b"%PDF-1.4\n% e2e document B, second version (redacted)\n%%EOF\n"


# -- steps shared by the journeys ----------------------------------------------------------------

def case_url(live, tracking_no: str) -> str:
    return f"/staff/cases/{live.case_id(tracking_no)}"


def flash(page, text: str) -> None:
    page.locator("p.flash.ok", has_text=text).wait_for()


def submit_action(page, label: str, fields: dict[str, str] | None = None) -> None:
    """Fill and submit one of the case page's next steps, found by its name: a usual step is
    a disclosure (opened first), a rare one sits under 更多操作 with a heading."""
    step = page.locator("details.step").filter(
        has=page.locator("summary", has_text=re.compile(f"^{re.escape(label)}$")))
    if step.count():
        if step.get_attribute("open") is None:
            step.locator("summary").click()
        form = step.locator("form")
    else:
        more = page.locator("details.more").first
        if more.get_attribute("open") is None:
            more.locator("summary").first.click()
        form = page.locator("section.step").filter(
            has=page.get_by_role("heading", name=label, exact=True)).locator("form")
    for name, value in (fields or {}).items():
        form.locator(f"[name='{name}']").fill(value)
    form.get_by_role("button", name=label, exact=True).click()
    page.locator("p.flash.ok").wait_for()


def confirm_receipt(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="确认收到申请").click()
    flash(page, "已确认收到申请")


def draft_reply(page, url: str, reply_type: str, documents: list[tuple[str, bytes]]) -> None:
    page.goto(url)
    page.get_by_label("答复类型（条例规定的情形）").select_option(label=reply_type)
    page.get_by_role("button", name="保存答复").click()
    flash(page, "答复已保存")
    letter = page.locator("#letter")
    text = letter.input_value()
    if "〔请承办人" in text:  # fill in what the template leaves to the handler
        letter.fill(re.sub(r"〔请[^〕]*〕",
                           "第 3 页投标人联系人手机号属于个人信息，不予公开", text))
        page.get_by_role("button", name="保存答复").click()
        flash(page, "答复已保存")
    for name, data in documents:
        page.locator("#document").set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": data})
        page.get_by_role("button", name="添加文件").click()
        flash(page, "附件已添加")
    submit_for_review(page)


def submit_for_review(page) -> None:
    page.get_by_role("button", name="提交保密审查").click()
    flash(page, "已提交保密审查")


def decide(page, title: str, decision: str, reason: str = "") -> None:
    """The reviewer's decision on one item of the reply (row found by its title)."""
    # the row with the decision form (the letter's full-text row also names its documents)
    row = page.locator("#h-reply ~ table tbody tr").filter(has_text=title).filter(
        has=page.get_by_role("button", name=decision)).first
    if reason:
        row.locator("textarea[name='reason']").fill(reason)
    row.get_by_role("button", name=decision).click()
    page.locator("p.flash.ok").wait_for()


def approve_notice(page, url: str, title: str) -> None:
    """The reviewer approves a notice (先审查、后公开): only then does it reach the applicant."""
    page.goto(url)
    notice = page.locator("#h-notices ~ details", has_text=title).first
    notice.get_by_role("button", name="同意并发出").click()
    flash(page, "告知文书已发出")


def release(page, url: str) -> None:
    """Release through the confirmation page (issue 15: an irreversible step is confirmed)."""
    page.goto(url)
    page.get_by_role("link", name="发出答复并办结…").click()
    page.locator("#consequence").wait_for()
    page.get_by_role("button", name="确认发出答复并办结").click()
    flash(page, "答复已发出")


def lookup(page, tracking_no: str, query_code: str) -> None:
    page.goto("/status")
    page.get_by_label("申请编号").fill(tracking_no)
    page.get_by_label("查询码").fill(query_code)
    page.get_by_role("button", name="查询").click()
    page.locator("#h-summary").wait_for()


def applicant_due(page) -> str:
    return page.locator("dt:text-is('答复期限') + dd").inner_text().strip()


def pdf_text(data: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in reader.pages))


def applicant_letter(page, letter: str) -> bytes:
    """The applicant's PDF of a notice / the released reply, posted from the status page with
    its own CSRF token and query code (as the status page's download buttons do)."""
    form = "form[action$='/status/letter.pdf']"
    button = page.locator(f"{form} button[name='letter'][value='{letter}'],"
                          f"{form}:has(input[name='letter'][value='{letter}']) button")
    if button.count():
        with page.expect_download() as dl:
            button.first.click()
        return _read(dl.value)
    tracking_no = page.locator("#h-summary").inner_text().split()[-1]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                      r'name="csrf_token" value="([^"]+)"', page.request.get("/status").text())
    resp = page.request.post("/status/letter.pdf", form={
        "csrf_token": token[1] or token[2], "tracking_no": tracking_no,
        "query_code": page.evaluate("window.__queryCode"), "letter": letter})
    assert resp.status == 200, resp.status
    assert resp.headers["content-type"] == "application/pdf"
    return resp.body()


def _read(download) -> bytes:
    with open(download.path(), "rb") as fh:
        return fh.read()


def staff_pdf(page, path: str) -> bytes:
    resp = page.request.get(path)
    assert resp.status == 200, (path, resp.status)
    assert resp.headers["content-type"] == "application/pdf"
    return resp.body()


def remember_code(page, query_code: str) -> None:
    """The status page does not show the query code again; keep it for the letter download."""
    page.add_init_script(f"window.__queryCode = {query_code!r};")


# -- journey 1: a citizen on a phone ------------------------------------------------------------

def test_citizen_applies_on_a_phone_prints_receipt_and_reads_the_reply(
        live, new_page, staff_page, shot):
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.add_init_script("window.print = () => { window.__printed = (window.__printed||0) + 1 };")
    phone.goto("/")
    shot(phone, "j1-01-home-phone")
    phone.get_by_role("link", name="在线提交申请").click()
    phone.get_by_label("申请人类型").select_option(label="自然人")
    phone.get_by_label("姓名 / 名称").fill("王芳")
    phone.get_by_label("证件类型").select_option(label="居民身份证")
    phone.get_by_label("证件号码").fill("11010519491231002X")
    phone.get_by_label("联系电话").fill("13900000001")
    phone.get_by_label("电子邮箱").fill("wangfang@example.cn")
    phone.get_by_label("所需政府信息的名称、文号或者便于查询的其他特征性描述").fill(
        "包场镇2026年老街改造工程的立项批复")
    phone.get_by_label("信息的提供形式").select_option(label="电子")
    phone.get_by_label("获取信息的方式").select_option(label="在线查看")
    # (the form's own width at 360 px is checked by test_accessibility.py)
    shot(phone, "j1-02-apply-form-phone")
    phone.get_by_role("button", name="下一步：核对申请内容").click()
    # the review page (issue 16): every answer read-only; nothing is submitted before 确认提交
    phone.get_by_role("heading", name="核对申请内容", level=1).wait_for()
    assert "11010519491231002X" in phone.locator("dl.review").first.inner_text()
    assert _fits_width(phone), "the review page scrolls sideways on a 360 px screen"
    shot(phone, "j1-02b-apply-review-phone")
    phone.get_by_role("button", name="确认提交").click()

    phone.locator("#tracking-no").wait_for()
    tracking_no = phone.locator("#tracking-no").inner_text().strip()
    query_code = phone.locator("#query-code").inner_text().strip()
    assert re.fullmatch(r"BCZ-2026-\d{6}", tracking_no) and query_code
    assert _fits_width(phone), "the receipt scrolls sideways on a 360 px screen"
    shot(phone, "j1-03-receipt-phone")
    phone.get_by_role("button", name="打印回执").click()
    phone.wait_for_function("window.__printed === 1")
    phone.emulate_media(media="print")
    shot(phone, "j1-04-receipt-print-preview")
    assert not phone.locator("header.site").is_visible()  # the printout is the receipt only
    phone.pdf(path=str(_shots() / "j1-04-receipt-printed.pdf"), format="A4")
    phone.emulate_media(media="screen")

    # Later, the office works on it.
    url = case_url(live, tracking_no)
    confirm_receipt(staff_page("registrar"), url)
    handler = staff_page("handler")
    draft_reply(handler, url, "予以公开（第三十六条第二项）", [("老街改造立项批复.pdf", PDF_A)])
    reviewer = staff_page("reviewer")
    reviewer.goto(url)
    decide(reviewer, "政府信息公开申请答复告知书", "同意公开")
    decide(reviewer, "老街改造立项批复.pdf", "同意公开")
    release(handler, url)
    receipt_pdf = pdf_text(staff_pdf(handler, f"{url}/receipt.pdf"))
    assert "政府信息公开申请回执" in receipt_pdf and tracking_no in receipt_pdf

    # The citizen comes back on the phone.
    remember_code(phone, query_code)
    lookup(phone, tracking_no, query_code)
    phone.locator("#h-reply").scroll_into_view_if_needed()
    expect(phone.get_by_text("办理结果：予以公开")).to_be_visible()
    assert "现予以公开" in phone.locator("article.letter").inner_text()
    assert _fits_width(phone), "the status page scrolls sideways on a 360 px screen"
    shot(phone, "j1-05-status-reply-phone")
    with phone.expect_download() as dl:
        phone.get_by_role("button", name="下载 老街改造立项批复.pdf").click()
    assert dl.value.suggested_filename == "老街改造立项批复.pdf"
    assert _read(dl.value) == PDF_A
    letter = pdf_text(applicant_letter(phone, "reply"))
    assert "政府信息公开申请答复告知书" in letter and "您申请的信息属于可以公开的政府信息" in letter


def _fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _shots():
    from .conftest import SHOTS
    SHOTS.mkdir(exist_ok=True)
    return SHOTS


# -- journey 2: 补正, review with a rejection, release --------------------------------------------

def test_supplement_review_rejection_and_release(live, new_page, staff_page, shot):
    tracking_no, query_code = live.api_apply(name="李娜", subject="镇区河道整治工程的招标文件")
    url = case_url(live, tracking_no)
    registrar = staff_page("registrar")
    confirm_receipt(registrar, url)
    shot(registrar, "j2-01-registrar-confirmed")

    handler = staff_page("handler")
    handler.goto(url)
    submit_action(handler, "发出补正告知",
                  {"items": "请写明所需招标文件对应的工程名称和招标年份。"})
    assert handler.locator("h1 .badge").inner_text() == "待申请人补正"
    shot(handler, "j2-02-handler-supplement-requested")
    notice_href = handler.locator("#h-letters ~ ul a", has_text="补正申请告知书") \
        .get_attribute("href")
    notice_id = notice_href.rstrip("/").rsplit("/", 1)[-1].removesuffix(".pdf")
    staff_copy = pdf_text(staff_pdf(handler, f"{url}/notices/{notice_id}.pdf"))
    assert "补正申请告知书" in staff_copy
    assert "请写明所需招标文件对应的工程名称和招标年份" in staff_copy

    applicant = new_page()
    remember_code(applicant, query_code)
    lookup(applicant, tracking_no, query_code)
    # not yet reviewed: the applicant sees no notice
    assert applicant.locator("details.letter", has_text="补正申请告知书").count() == 0
    reviewer = staff_page("reviewer")
    approve_notice(reviewer, url, "补正申请告知书")
    lookup(applicant, tracking_no, query_code)
    notice = applicant.locator("details.letter", has_text="补正申请告知书")
    notice.locator("summary").click()
    assert "请写明所需招标文件对应的工程名称和招标年份" in notice.inner_text()
    shot(applicant, "j2-03-applicant-sees-supplement-notice")
    applicant_copy = pdf_text(applicant_letter(applicant, notice_id))
    assert "一次性告知您需要补正以下事项" in applicant_copy

    handler.goto(url)
    submit_action(handler, "收到补正材料")
    draft_reply(handler, url, "部分公开，区分处理（第三十七条）",
                [("招标文件.pdf", PDF_A), ("中标结果.pdf", PDF_B1)])

    draft_copy = pdf_text(staff_pdf(handler, f"{url}/reply.pdf"))
    assert "草稿" in draft_copy and "第三十七条" in draft_copy  # not yet reviewed and sent

    reviewer.goto(url)
    decide(reviewer, "政府信息公开申请答复告知书", "同意公开")
    decide(reviewer, "招标文件.pdf", "同意公开")
    decide(reviewer, "中标结果.pdf", "退回修改", "第 3 页含投标人联系人手机号，须删除处理后再公开")
    assert reviewer.locator("h1 .badge").inner_text() == "办理中"
    shot(reviewer, "j2-04-reviewer-rejected-one-document")

    handler.goto(url)
    handler.get_by_label("替换 中标结果.pdf").set_input_files(
        {"name": "中标结果.pdf", "mimeType": "application/pdf", "buffer": PDF_B2})
    handler.locator("form", has=handler.get_by_label("替换 中标结果.pdf")).get_by_role(
        "button", name="替换", exact=True).click()
    flash(handler, "附件已替换")
    submit_for_review(handler)

    reviewer.goto(url)
    decide(reviewer, "中标结果.pdf", "同意公开")
    # the letter names the documents it is sent with: a new document, a new letter version
    decide(reviewer, "政府信息公开申请答复告知书", "同意公开")
    shot(reviewer, "j2-05-reviewer-approved-replacement")
    release(handler, url)
    assert handler.locator("h1 .badge").inner_text() == "已答复"
    shot(handler, "j2-06-handler-released")

    lookup(applicant, tracking_no, query_code)
    expect(applicant.get_by_text("办理结果：部分公开")).to_be_visible()
    shot(applicant, "j2-07-applicant-sees-reply")
    with applicant.expect_download() as dl:
        applicant.get_by_role("button", name="下载 中标结果.pdf").click()
    assert _read(dl.value) == PDF_B2  # the approved replacement, never the rejected version
    reply = pdf_text(applicant_letter(applicant, "reply"))
    assert "第三十七条" in reply and "草稿" not in reply
    assert "草稿" not in pdf_text(staff_pdf(handler, f"{url}/reply.pdf"))


def test_case_page_offers_no_dead_action_buttons(live, staff_page):
    """Every form among the next steps leads to an action the server carries out."""
    from disclosure.web.staff_actions import DISPATCH
    dead = []
    for user, status in (("handler", "registered"), ("handler", "in_progress"),
                         ("reviewer", "in_review"), ("head", "in_review")):
        page = staff_page(user)
        page.goto(f"/staff/cases/{_demo_case(live, status)}")
        targets = page.locator("#next-steps form").evaluate_all(
            "forms => forms.map(f => f.getAttribute('action'))")
        dead += [f"{user}@{status}: {t}" for t in targets
                 if t.rsplit("/", 1)[-1] not in set(DISPATCH) | {"assign"}]
    assert not dead, dead


def _demo_case(live, status: str) -> int:
    """The first demo case in ``status`` (the demo makes cases in every state)."""
    from disclosure.extensions import db
    from disclosure.models import Case
    with live.app.app_context():
        return db.session.execute(db.select(Case.id).where(Case.status == status)
                                  .order_by(Case.id)).scalars().first()


def test_letters_refuse_strangers(live, new_page, staff_page):
    """The PDF letters follow the pages' rules: staff of another agency get 404, anonymous
    users the login page; the applicant gets only letters addressed to them and only the
    released reply — with one 404 for every failure."""
    tracking_no, query_code = live.api_apply(name="吴丽", subject="某企业环境影响评价批复文件")
    url = case_url(live, tracking_no)
    confirm_receipt(staff_page("registrar"), url)
    handler = staff_page("handler")
    handler.goto(url)
    submit_action(handler, "开始征求意见", {"party": "南通某化工有限公司"})
    href = handler.locator("#h-letters ~ ul a", has_text="征求第三方意见书").get_attribute("href")
    notice_id = href.rsplit("/", 1)[-1].removesuffix(".pdf")
    assert "南通某化工有限公司" in pdf_text(staff_pdf(handler, f"{url}/notices/{notice_id}.pdf"))
    for path in (f"{url}/notices/999999.pdf", "/staff/cases/999999/receipt.pdf",
                 f"{url}/reply.pdf"):
        assert handler.request.get(path).status == 404, path  # no such notice / case / reply yet

    from disclosure.services import users
    with live.app.app_context():
        users.create_agency("OTH", "某街道办事处")
        users.create_user("oth-handler", "Other-handler-2026", "OTH", ["handler"], "外机关承办人")
    stranger = new_page()
    stranger.goto("/login")
    stranger.get_by_label("用户名").fill("oth-handler")
    stranger.get_by_label("密码").fill("Other-handler-2026")
    stranger.get_by_role("button", name="登录").click()
    stranger.wait_for_url(re.compile(r"/staff/$"))
    for path in (f"{url}/notices/{notice_id}.pdf", f"{url}/receipt.pdf", f"{url}/reply.pdf"):
        assert stranger.request.get(path).status == 404, path
    anonymous = new_page()
    resp = anonymous.request.get(f"{url}/receipt.pdf", max_redirects=0)
    assert resp.status == 302 and "/login" in resp.headers["location"]

    applicant = new_page()
    remember_code(applicant, query_code)
    lookup(applicant, tracking_no, query_code)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      applicant.request.get("/status").text())[1]

    def post(letter: str, code: str = query_code, csrf: str | None = token) -> int:
        form = {"tracking_no": tracking_no, "query_code": code, "letter": letter}
        if csrf:
            form["csrf_token"] = csrf
        return applicant.request.post("/status/letter.pdf", form=form).status

    assert post(notice_id) == 404  # the consultation letter is addressed to the third party
    assert post("reply") == 404  # nothing released yet
    assert post(notice_id, code="WRONGCODE1") == 404
    assert post("999999") == 404
    assert post(notice_id, csrf=None) == 400  # CSRF refused before anything is looked up


# -- journey 3: the extension, keyboard only -------------------------------------------------------

FOCUS_VISIBLE = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
}"""


def tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until the focused element matches ``selector``; it must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            assert page.evaluate(FOCUS_VISIBLE), f"no visible focus on {selector}"
            return
    raise AssertionError(f"{selector} not reachable with Tab")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page, selector: str, label: str) -> None:
    """Pick an option of a focused <select> with the arrow keys."""
    tab_to(page, selector)
    for _ in range(30):
        if page.evaluate("s => { const e = document.querySelector(s);"
                         " return e.options[e.selectedIndex].text; }", selector) == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {label} not reached in {selector}")


def press_button(page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def keyboard_login(page, username: str) -> None:
    from .conftest import password_of
    page.goto("/login")
    type_into(page, "#username", username)
    type_into(page, "#password", password_of(username))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/staff/")


def keyboard_lookup(page, tracking_no: str, query_code: str) -> str:
    page.goto("/status")
    type_into(page, "#tracking_no", tracking_no)
    type_into(page, "#query_code", query_code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return applicant_due(page)


def test_extension_moves_the_applicants_due_date_keyboard_only(live, new_page, shot):
    citizen = new_page()
    citizen.goto("/apply")
    choose(citizen, "#applicant_type", "自然人")
    type_into(citizen, "#name", "陈静")
    choose(citizen, "#id_type", "居民身份证")
    type_into(citizen, "#id_number", "11010519491231002X")
    type_into(citizen, "#phone", "13900000003")
    type_into(citizen, "#subject", "2026年农村低保对象审批名单公示材料")
    choose(citizen, "#delivery_form", "电子")
    choose(citizen, "#delivery_method", "在线查看")
    press_button(citizen, "button[type=submit].primary")  # 下一步：核对申请内容
    press_button(citizen, "button[name=step][value=confirm]")  # 确认提交 on the review page
    tracking_no = citizen.locator("#tracking-no").inner_text().strip()
    query_code = citizen.locator("#query-code").inner_text().strip()
    shot(citizen, "j3-01-keyboard-receipt")
    url = case_url(live, tracking_no)

    registrar = new_page()
    keyboard_login(registrar, "registrar")
    registrar.goto(url)
    press_button(registrar, "form[action$='/confirm'] button")
    flash(registrar, "已确认收到申请")
    due_before = keyboard_lookup(citizen, tracking_no, query_code)
    assert re.match(r"\d{4}年\d{1,2}月\d{1,2}日", due_before), due_before

    handler = new_page()
    keyboard_login(handler, "handler")
    handler.goto(url)
    # the step is a disclosure on the case page: open it with the keyboard (Enter on summary)
    tab_to(handler, "details.step:has(form[action$='/act/request_extension']) > summary")
    handler.keyboard.press("Enter")
    type_into(handler, "#request_extension-workdays", "10")
    type_into(handler, "#request_extension-reason", "需要调取2025年历史档案并征求民政部门意见")
    press_button(handler, "form[action$='/act/request_extension'] button")
    flash(handler, "延期申请已提交")

    head = new_page()
    keyboard_login(head, "head")
    head.goto(url)
    shot(head, "j3-02-keyboard-head-sees-request")
    press_button(head, "form[action$='/act/approve_extension'] button")
    flash(head, "已批准延期")
    shot(head, "j3-03-keyboard-extension-approved")

    reviewer = new_page()
    keyboard_login(reviewer, "reviewer")
    reviewer.goto(url)
    press_button(reviewer, "form[action*='/notices/'] button[value=approved]")
    flash(reviewer, "告知文书已发出")

    due_after = keyboard_lookup(citizen, tracking_no, query_code)
    shot(citizen, "j3-04-keyboard-applicant-due-date-moved")
    assert _day(due_after) > _day(due_before)
    assert citizen.locator("details.letter summary", has_text="延期答复告知书").count() == 1


def _day(text: str) -> date:
    """The date in a page text: 2027年1月5日 (pages) or 2027-01-05."""
    m = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    if m:
        return date(*map(int, m.groups()))
    return date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", text)[0])


# -- journey 4: next year's holidays move an open case's due date ---------------------------------

def test_next_years_holidays_move_an_open_case(live, new_page, staff_page, shot):
    tracking_no, query_code = live.api_apply(name="杨磊", subject="2026年镇级土地出让收支情况")
    url = case_url(live, tracking_no)
    registrar = staff_page("registrar")
    confirm_receipt(registrar, url)
    before = _day(registrar.locator("#due-on").inner_text())
    year = date.fromisoformat(TODAY).year + 1
    assert before.year == year  # falls due next year
    holiday, published = _first_working_day_and_published(live, year)
    if not published:  # with chinesecalendar ≤ 1.11: next year counts Mon–Fri for now
        assert "暂定" in registrar.locator("#due-on").inner_text()
    applicant = new_page()
    lookup(applicant, tracking_no, query_code)
    assert _day(applicant_due(applicant)) == before

    admin = staff_page("admin")
    admin.goto("/admin/calendar")
    heading = f"录入 {year} 年国务院办公厅节假日安排"
    expect(admin.get_by_role("heading", name=heading)).to_be_visible()
    admin.get_by_label("放假日期（每行一个日期或“开始 至 结束”）").fill(
        f"{year}-01-01 至 {max(holiday, date(year, 1, 3)).isoformat()}")  # 元旦
    admin.get_by_label("依据（通知文号）").fill(f"国办发明电〔{year - 1}〕8号")
    admin.get_by_label("通知日期").fill(f"{year - 1}-11-12")
    shot(admin, "j4-01-admin-enters-holidays")
    admin.get_by_role("button", name="录入并重新计算在办案件期限").click()
    flash(admin, f"已录入 {year} 年节假日安排")
    shot(admin, "j4-02-admin-holidays-saved")

    registrar.goto(url)
    after = _day(registrar.locator("#due-on").inner_text())
    shot(registrar, "j4-03-case-due-date-recomputed")
    assert after > before  # a day counted as a working day is now a holiday
    assert "暂定" not in registrar.locator("#due-on").inner_text()
    lookup(applicant, tracking_no, query_code)
    assert _day(applicant_due(applicant)) == after
    shot(applicant, "j4-04-applicant-due-date-recomputed")


def _first_working_day_and_published(live, year: int) -> tuple[date, bool]:
    """The first day of ``year`` the calendar now counts as a working day (1 January while the
    year's notice is missing), and whether the packaged calendar already knows the year."""
    from datetime import timedelta

    from disclosure.domain.workdays import package_data
    from disclosure.services.calendar import get_calendar
    with live.app.app_context():
        cal = get_calendar()
        day = next(date(year, 1, 1) + timedelta(n) for n in range(14)
                   if cal.is_workday(date(year, 1, 1) + timedelta(n)))
    return day, year in package_data().years


# -- journey 5: the annual report ----------------------------------------------------------------

def test_annual_report_figure_and_xlsx(live, staff_page, shot):
    page = staff_page("head")
    resp = page.goto("/staff/reports/annual")
    if resp.status == 404:
        pytest.xfail("the annual report (/staff/reports/annual) is not there yet (report issue)")
    year = date.fromisoformat(TODAY).year - 1
    assert f"{year}年" in page.get_by_role("heading", level=1).inner_text()
    shot(page, "j5-01-annual-report")
    figure = page.locator("table.report-grid td.num a").filter(
        has_text=re.compile(r"^[1-9]\d*$")).first
    value = int(figure.inner_text())
    figure.click()
    page.locator("#drill-count").wait_for()
    assert int(page.locator("#drill-count strong").inner_text()) == value
    shot(page, "j5-02-report-figure-drilldown")
    page.go_back()
    with page.expect_download() as dl:
        page.get_by_role("link", name="Excel（.xlsx）").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(_read(dl.value)))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    assert any(str(year) in c for c in cells) and len(cells) > 20


# -- the gate against a stale form, in two browsers (issue 12) ------------------------------------

def test_a_stale_review_form_in_one_browser_cannot_approve_what_another_changed(
        live, staff_page, shot):
    handler, reviewer = staff_page("handler"), staff_page("reviewer")
    handler.goto("/staff/catalogue/new")
    handler.get_by_label("标题").fill("包场镇河道管理办法")
    handler.get_by_label("类别").select_option(value="normative_document")
    handler.get_by_label("成文（发布）日期").fill("2026-05-06")
    handler.get_by_label("正文").fill("第一条 为加强河道管理……")
    handler.get_by_role("button", name="保存", exact=True).click()
    flash(handler, "已保存")
    entry_url = handler.url
    reviewer.goto(entry_url)  # the reviewer reads version 1 …
    handler.get_by_label("标题").fill("包场镇河道管理办法（改）")
    handler.get_by_role("button", name="保存", exact=True).click()
    flash(handler, "已保存")  # … while the handler saves version 2
    reviewer.get_by_role("button", name="同意公开").click()
    reviewer.locator("p.errors", has_text="内容已变更，请重新审查").wait_for()
    shot(reviewer, "gate-01-stale-form-refused")
    reviewer.goto(entry_url)
    assert reviewer.get_by_label("标题").input_value() == "包场镇河道管理办法（改）"
    reviewer.get_by_role("button", name="同意公开").click()
    flash(reviewer, "审查决定已记录")
