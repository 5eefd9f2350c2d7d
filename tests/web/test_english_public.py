"""The public pages in English (cookie lang=en): every text a visitor reads or hears is English,
except what is marked lang="zh-CN" (the link back to 中文, official letters) and user data,
which the fixtures here keep in Latin letters. Chinese stays the default, and the switch goes
back and forth.

The expected English is read from the compiled catalogue, so rewording a translation does not
break these tests; a text left without English does."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale, gettext
from i18n_tools import CJK, HAN

from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, login

AGENCY_NAME = "Baochang Town Government"  # Latin on purpose: user data is not translated
# Han characters, plus CJK and full-width punctuation （）：；、。 left over in an English page
CHINESE = CJK
ACCESSIBLE_ATTRS = ("aria-label", "title", "alt", "placeholder")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})

# page → the Chinese text of its <h1> (the English is looked up in the catalogue)
PAGES = {
    "/": "政府信息依申请公开",
    "/apply": "政府信息公开申请表",
    "/status": "办理进度查询",
    "/catalogue": "政府信息公开目录",
    "/login": "工作人员登录",
    "/status/recover": "找回查询码",
}
# An application that fails the domain rules in several fields; every value typed is Latin.
INVALID_FORM = {
    "agency": "BCZ", "applicant_type": "natural_person", "name": "Zhang San",
    "id_type": "resident_id", "id_number": "110105194912310021",  # wrong check digit
    "phone": "12", "email": "not-an-email", "address": "1 Main Street",
    "subject": "", "description": "", "delivery_form": "electronic", "delivery_method": "email",
}
# The same application made valid (used with an unknown agency: an error that has no field).
VALID_FORM = {**INVALID_FORM, "id_number": "11010519491231002X", "phone": "13800000000",
              "email": "zhang@example.org", "subject": "Minutes of the 2023 road works meeting"}


class VisibleText(HTMLParser):
    """What a reader gets from a page: text nodes and accessible-name attributes, without
    <script>/<style> and without anything inside an element marked lang="zh-…"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, inside a skipped element)
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = (self._skipping() or tag in ("script", "style")
                or (attrs.get("lang") or "").lower().startswith("zh"))
        if not skip:
            self.texts.extend(v for k, v in attrs.items() if k in ACCESSIBLE_ATTRS and v)
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


def chinese_in(html: str) -> list[str]:
    return [t for t in visible_texts(html) if CHINESE.search(t)]


def h1_of(html: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert m, "page has no <h1>"
    return " ".join(re.sub(r"<[^>]+>", " ", m.group(1)).split())


def english(app, chinese: str, **values) -> str:
    """The catalogue's English for a text (fails if there is none)."""
    with app.test_request_context(), force_locale("en"):
        text = gettext(chinese, **values)
    assert text != chinese and not HAN.search(text), f"no English for {chinese!r}"
    return text


@pytest.fixture
def latin_agency(app):
    """The agency, created without holding an app context open: every request then gets its own
    context and picks its language afresh, as in production (with the shared ``ctx`` fixture,
    ``g`` — and the locale Flask-Babel caches in it — would survive from request to request)."""
    with app.app_context():
        create_agency("BCZ", AGENCY_NAME)


@pytest.fixture
def en_client(client, latin_agency):
    client.set_cookie("lang", "en")
    return client


def assert_english_page(html: str) -> None:
    assert '<html lang="en">' in html
    found = chinese_in(html)
    assert not found, f"Chinese outside lang=\"zh-CN\": {found[:10]}"
    # the way back: 中文, marked as Chinese, to the switch route
    assert re.search(r'<a [^>]*href="/lang/zh_CN"[^>]*lang="zh-CN"[^>]*>\s*中文\s*</a>',
                     html.replace("&#x4E2D;&#x6587;", "中文")), "no link back to 中文"


# -- English ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", list(PAGES))
def test_public_page_is_english_throughout(app, en_client, path):
    resp = en_client.get(path)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert english(app, PAGES[path]) in h1_of(html)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert english(app, "政府信息公开申请办理系统") in title
    assert_english_page(html)


def test_home_page_in_english_keeps_the_emphasis_and_the_agency(app, en_client):
    html = en_client.get("/").get_data(as_text=True)
    assert f"<strong>{english(app, '20 个工作日')}</strong>" in html
    assert f"<strong>{english(app, '不收取费用')}</strong>" in html
    assert AGENCY_NAME in html
    assert english(app, "依据《中华人民共和国政府信息公开条例》办理") in html  # the footer


def test_invalid_application_in_english_shows_english_errors(app, en_client):
    resp = en_client.post("/apply", data=INVALID_FORM)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert english(app, "政府信息公开申请表") in h1_of(html)
    errors = re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, re.S)
    assert len(errors) >= 3, "the invalid form shows no field errors"
    assert all(e.strip() and not CHINESE.search(e) for e in errors), errors
    assert "Zhang San" in html  # what was typed is kept
    assert_english_page(html)


def test_choice_outside_the_list_in_english(app, en_client):
    resp = en_client.post("/apply", data={**INVALID_FORM, "applicant_type": "alien"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert english(app, "请修改以下问题后重新提交：") in html
    assert_english_page(html)


def test_error_outside_any_field_in_english(app, en_client):
    """A domain error that belongs to no field is listed on top of the form, translated."""
    resp = en_client.post("/apply", data={**VALID_FORM, "agency": "NOPE"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert english(app, "请修改以下问题后重新提交：") in html
    items = re.findall(r'<div class="errors" role="alert">.*?<ul>(.*?)</ul>', html, re.S)
    assert items and re.search(r"<li>\s*\S", items[0]), "no error listed on top of the form"
    assert_english_page(html)


def test_expired_form_in_english(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_agency("BCZ", AGENCY_NAME)
    client = app.test_client()
    client.set_cookie("lang", "en")
    resp = client.post("/apply", data=INVALID_FORM)  # no CSRF token
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert english(app, "页面已过期或来源不明（CSRF 校验失败），请返回刷新后重试") in html \
        or english(app, "页面已过期，请重新提交（您填写的内容已保留）") in html
    assert_english_page(html)


def test_status_lookup_failure_in_english(app, en_client):
    resp = en_client.post("/status", data={"tracking_no": "BCZ-2026-000001", "query_code": "x"})
    assert resp.status_code == 404
    html = resp.get_data(as_text=True)
    assert english(app, "未找到该申请：请核对申请编号和查询码") in html
    assert_english_page(html)


def test_query_code_recovery_answer_in_english(app, en_client):
    resp = en_client.post("/status/recover", data={"tracking_no": "BCZ-2026-000001"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert english(app, "如该申请编号存在且留有电子邮箱或手机号码，"
                        "新的查询码将发送至预留的联系方式，"
                        "原查询码随即失效。未收到的，请与受理机关联系。") in html
    assert_english_page(html)
    refused = en_client.post("/status/recover", data={"tracking_no": ""})
    assert refused.status_code == 400
    assert english(app, "请填写申请编号") in refused.get_data(as_text=True)
    assert_english_page(refused.get_data(as_text=True))


def test_closed_receipt_page_in_english(app, en_client):
    resp = en_client.get("/receipt/BCZ-2026-000001")
    assert resp.status_code == 404
    html = resp.get_data(as_text=True)
    assert english(app, "回执页面已关闭") in h1_of(html)
    assert_english_page(html)


def test_status_page_with_a_reply_in_english(app, en_client):
    """The tracker, the reply, the remedies with their last days, the receipt: all English
    (the letter itself stays Chinese, marked lang="zh-CN")."""
    from disclosure.services import agency_profile, cases
    from disclosure.services.actors import Actor
    from disclosure.services.review import replies
    from disclosure.services.review import seen as review_seen
    from disclosure.timeutil import today
    from tests.conftest import draft_complete, person_payload

    with app.app_context():
        who = {role: Actor.of(create_user(role, PASSWORD, "BCZ", [role], role.title()))
               for role in ("registrar", "handler", "reviewer")}
        day = today()
        payload = person_payload(subject="Minutes of the 2023 road works meeting")
        payload["applicant"].update(name="Zhang San", address="1 Main Street")
        sub = cases.register_paper(_agency(), payload, "in_person", day, who["registrar"], day)
        case, code = sub.case, sub.query_code
        draft_complete(case, "art36_2", who["handler"], day)
        replies.submit_for_review(case, who["handler"], day)
        for item in replies.items_of(case):
            replies.decide(case, item.id, "approved", None, who["reviewer"], day,
                           **review_seen(item))
        replies.release_reply(case, who["handler"], day)
        agency_profile.save(_agency(), {"address": "包场镇人民路1号", "phone": "0513-12345678",
                                        "office_hours": "Mon-Fri 8:30-17:30"})
        number = case.tracking_no
    form = {"tracking_no": number, "query_code": code}
    resp = en_client.post("/status", data=form)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for text in ("申请行政复议", "提起行政诉讼", "办理步骤", "已办结", "联系本机关"):
        assert english(app, text) in html, text
    assert_english_page(html)
    receipt = en_client.post("/status/receipt", data=form)
    assert receipt.status_code == 200
    assert_english_page(receipt.get_data(as_text=True))


def _agency():
    from disclosure.extensions import db
    from disclosure.models import Agency
    return db.session.execute(db.select(Agency).where(Agency.code == "BCZ")).scalar_one()


def test_login_failure_and_error_page_in_english(app, en_client):
    resp = en_client.post("/login", data={"username": "nobody", "password": "wrong-password"})
    assert resp.status_code == 401
    html = resp.get_data(as_text=True)
    assert english(app, "用户名或密码错误，或账户已被暂时锁定") in html
    assert_english_page(html)
    resp = en_client.get("/no-such-page")
    assert resp.status_code == 404
    html = resp.get_data(as_text=True)
    assert english(app, "未找到") in h1_of(html)
    assert english(app, "错误代码：%(code)s", code=404) in html
    assert_english_page(html)


def test_sign_in_prompt_is_flashed_in_english(app, en_client):
    resp = en_client.get("/staff/", follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert english(app, "请先登录") in html
    assert_english_page(html)


def test_api_errors_stay_chinese_with_the_english_cookie(en_client):
    resp = en_client.get("/api/v1/no-such-endpoint")
    assert resp.status_code == 404
    assert resp.get_json()["error"] == "未找到"


# -- Chinese default and the switch ----------------------------------------------------------------

@pytest.mark.parametrize("path", list(PAGES))
def test_chinese_is_the_default(client, latin_agency, path):
    html = client.get(path).get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert PAGES[path] in h1_of(html)
    assert re.search(r'<a [^>]*href="/lang/en"[^>]*lang="en" hreflang="en"[^>]*>English</a>', html)


def test_switch_to_english_and_back(app, client, latin_agency):
    resp = client.get("/lang/en", headers={"Referer": "http://localhost/apply"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/apply")
    assert client.get_cookie("lang").value == "en"
    html = client.get("/apply").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert english(app, "政府信息公开申请表") in h1_of(html)
    assert 'href="/lang/zh_CN"' in html and 'href="/lang/en"' not in html

    resp = client.get("/lang/zh_CN", headers={"Referer": "http://localhost/apply"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/apply")
    assert client.get_cookie("lang").value == "zh_CN"
    html = client.get("/apply").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "政府信息公开申请表" in h1_of(html)
    assert 'href="/lang/en"' in html and 'href="/lang/zh_CN"' not in html

    client.get("/lang/en")
    assert '<html lang="en">' in client.get("/status").get_data(as_text=True)
    client.get("/lang/xx")  # unknown: the choice stays
    assert client.get_cookie("lang").value == "en"


def test_switch_is_on_staff_pages_too(app, client, latin_agency):
    with app.app_context():
        create_user("handler", PASSWORD, "BCZ", ["handler"], "Handler")
    assert login(client, "handler").status_code == 302
    html = client.get("/staff/").get_data(as_text=True)
    assert re.search(r'<a [^>]*href="/lang/en"[^>]*hreflang="en"[^>]*>English</a>', html)
    client.get("/lang/en")
    html = client.get("/staff/").get_data(as_text=True)
    assert '<html lang="en">' in html and 'href="/lang/zh_CN"' in html
