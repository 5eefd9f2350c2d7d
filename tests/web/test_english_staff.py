"""Issue 8, English UI: the staff case-work pages (dashboard, case list, case page, review queue,
registration) read in English with the cookie lang=en — no Chinese outside the official texts
marked lang="zh-CN" (the 补正 notice, the reply letter) — and stay Chinese by default.

Everything the tests create is Latin (agency, users, applicant, subject), so any Han character
left on an English page comes from the UI, not from the data."""
from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest
from i18n_tools import CJK

from disclosure.services import case_actions, cases
from disclosure.services.actors import Actor
from disclosure.services.review import replies
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, draft_complete, login, send_notices

TODAY = date(2024, 10, 8)
HAN = CJK  # ideographs and CJK punctuation, as the catalogue check sees them
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SHOWN_ATTRS = ("placeholder", "aria-label", "title", "alt")


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY.isoformat())


def _payload(name: str, subject: str) -> dict:
    return {
        "agency": "RVT",
        "applicant": {"type": "natural_person", "name": name, "id_type": "resident_id",
                      "id_number": "11010519491231002X", "phone": "13800000000",
                      "email": "alice@example.org", "address": "1 Example Road, Riverside"},
        "subject": subject,
        "description": "Copies of the approval and the budget",
        "delivery": {"form": "electronic", "method": "email"},
    }


@pytest.fixture
def world(ctx):
    """A Latin-named agency and staff; one case with history, one waiting for review."""
    agency = create_agency("RVT", "Riverside Town Government")
    users = {
        "registrar": create_user("rvt-registrar", PASSWORD, "RVT", ["registrar"], "Rita Registrar"),
        "handler": create_user("rvt-handler", PASSWORD, "RVT", ["handler"], "Hank Handler"),
        "reviewer": create_user("rvt-reviewer", PASSWORD, "RVT", ["reviewer"], "Rey Reviewer"),
        # sees every form of the case page (registration, actions, drafting, review)
        "clerk": create_user("rvt-clerk", PASSWORD, "RVT",
                             ["registrar", "handler", "reviewer", "office_head"], "Casey Clerk"),
    }
    who = {k: Actor.of(u) for k, u in users.items()}
    case = cases.register_paper(agency, _payload("Alice Example", "Road widening approval 2023"),
                                "in_person", date(2024, 9, 27), who["registrar"], TODAY).case
    case_actions.request_supplement(case, "The exact road section", 15, who["handler"], TODAY,
                               on=date(2024, 9, 30))
    send_notices(case, TODAY)
    case_actions.receive_supplement(case, date(2024, 10, 8), who["handler"], TODAY)
    draft_complete(case, "art36_2", who["handler"], TODAY)
    queued = cases.register_paper(agency, _payload("Bob Sample", "Bridge repair contract"),
                                  "mail_signed", date(2024, 10, 8), who["registrar"], TODAY).case
    draft_complete(queued, "art36_2", who["handler"], TODAY)
    replies.submit_for_review(queued, who["handler"], TODAY)
    return {"case": case, "queued": queued, "users": users}


@pytest.fixture
def english(client, world):
    client.set_cookie("lang", "en")
    resp = login(client, "rvt-clerk")
    assert resp.status_code == 302, resp.data
    return client


class _Text(HTMLParser):
    """Visible text (and shown attributes) with the language of the element it is in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.html_lang: str | None = None
        self.chunks: list[tuple[str | None, str]] = []  # (lang, text)

    def _lang(self) -> str | None:
        # The page's own language (<html lang>) is checked separately; only an element marked
        # inside the page can exempt its text.
        return next((lang for _tag, lang in reversed(self.stack) if lang), None)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
            return
        lang = attrs.get("lang")
        for name in SHOWN_ATTRS:
            if attrs.get(name):
                self.chunks.append((lang or self._lang(), attrs[name]))
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and tag != "html":
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if any(tag in ("script", "style") for tag, _lang in self.stack):
            return
        if data.strip():
            self.chunks.append((self._lang(), data.strip()))


def parse(html: str) -> _Text:
    p = _Text()
    p.feed(html)
    p.close()
    return p


def chinese_outside_official(html: str) -> list[str]:
    return [text for lang, text in parse(html).chunks
            if HAN.search(text) and not (lang or "").lower().startswith("zh")]


def official_texts(html: str) -> list[str]:
    return [text for lang, text in parse(html).chunks if (lang or "").lower().startswith("zh")]


def get(client, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def assert_english(html: str, *expected: str) -> None:
    assert parse(html).html_lang == "en"
    left = chinese_outside_official(html)
    assert not left, f"Chinese on an English page: {left[:10]}"
    for text in expected:
        assert text in html, f"{text!r} not on the page"


# -- the pages -----------------------------------------------------------------------------------

def test_dashboard_in_english(english):
    html = get(english, "/staff/")
    assert_english(html, "Dashboard", "Overview", "past the reply deadline")


def test_case_list_in_english(english, world):
    html = get(english, "/staff/cases")
    assert_english(html, "Case list", "Tracking number", "Alice Example", "Bob Sample",
                   "Road widening approval 2023", world["case"].tracking_no, "Filter")


def test_case_page_with_history_in_english(english, world):
    case = world["case"]
    html = get(english, f"/staff/cases/{case.id}")
    assert_english(html, "Reply deadline", "How the deadline is calculated", "Case history",
                   "Notice to supplement", "Reply and confidentiality review", "Reply letter",
                   "Rita Registrar", "Hank Handler", "Riverside Town Government", "Version 1")
    # the official Chinese texts are there, marked as Chinese on purpose: the reply letter draft
    official = official_texts(html)
    assert any(HAN.search(t) for t in official), "the draft reply letter should be shown (Chinese)"


def test_case_in_review_in_english(english, world):
    html = get(english, f"/staff/cases/{world['queued'].id}")
    assert_english(html, "Pending review", "Approve release", "Return for changes",
                   "Bob Sample", "Bridge repair contract")


def test_refused_action_shows_the_domain_error_in_english(english, world):
    case = world["case"]
    resp = english.post(f"/staff/cases/{case.id}/act/request_extension",
                        data={"workdays": "5", "reason": ""})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert_english(html, 'id="request_extension-reason-error"')


def test_notice_page_keeps_the_official_letter_chinese(english, world):
    from disclosure.services.review import notices
    notice = notices.for_case(world["case"])[0]
    html = get(english, f"/staff/cases/{world['case'].id}/notices/{notice.id}")
    assert_english(html, "Print", "Back to the case")
    assert any(HAN.search(t) for t in official_texts(html))


def test_review_queue_in_english(english, world):
    html = get(english, "/staff/review")
    assert_english(html, "Reply content awaiting review", "Notices awaiting review",
                   "Reply letter (version 2)", world["queued"].tracking_no)


def test_register_form_in_english(english):
    html = get(english, "/staff/register")
    assert_english(html, "Register")


def test_invalid_registration_in_english(english):
    resp = english.post("/staff/register", data={
        "channel": "in_person", "received_on": "2024-10-08", "applicant_type": "natural_person",
        "name": "Carol Test", "id_type": "resident_id", "id_number": "110105194912310021",
        "phone": "13800000000", "email": "not-an-email", "address": "2 Example Road",
        "subject": "", "delivery_form": "electronic", "delivery_method": "email"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert_english(html, "Carol Test")
    assert 'class="error"' in html or 'class="errors"' in html


def test_the_same_case_page_stays_chinese_by_default(client, world):
    assert login(client, "rvt-clerk").status_code == 302
    html = get(client, f"/staff/cases/{world['case'].id}")
    assert parse(html).html_lang == "zh-CN"
    for text in ("答复期限", "期限计算过程", "办理记录", "答复与保密审查", "补正申请告知书",
                 "收到申请之日", "下一步"):
        assert text in html
    assert "How the deadline is calculated" not in html and "Case history" not in html
