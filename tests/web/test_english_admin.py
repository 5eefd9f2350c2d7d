"""English UI of the administration and report pages (issue 8, bilingual).

With the cookie lang=en, every text a reader sees on these pages is English, except the annual
report's official content (State Council format, Chinese by law), which the page marks
lang="zh-CN". Data is Latin-only (the BCZ agency is renamed) so any Chinese found is the UI's.
"""
from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import pytest
from flask import g
from i18n_tools import CJK
from sqlalchemy import select, update

from disclosure.domain import report as rules
from disclosure.domain.text import Msg
from disclosure.extensions import db
from disclosure.models import Case, Outbox
from disclosure.services.actors import Actor
from disclosure.web.reports import REPORT_UI_LABELS, _title_parts
from tests.conftest import login
from tests.domain.test_ledger_parse import MINIMAL
from tests.services.test_report import build_two_years

HAN = CJK  # ideographs and CJK punctuation, as the catalogue check sees them
LATIN_NAME = "Baochang Town People's Government"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
SHOWN_ATTRS = ("placeholder", "aria-label", "title", "alt")


class Visible(HTMLParser):
    """Visible texts (and shown attributes) of a page, each with the language it is marked in:
    the nearest lang="…" of an enclosing element below <html> (None when there is none)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.html_lang: str | None = None
        self.texts: list[tuple[str, str | None, str]] = []  # (text, lang, where)
        self.skip = 0

    def lang(self) -> str | None:
        return next((lang for _tag, lang in reversed(self.stack) if lang), None)

    def _attrs(self, tag, attrs):
        attrs = dict(attrs)
        for name in SHOWN_ATTRS:
            if attrs.get(name):
                lang = attrs.get("lang") or self.lang()
                self.texts.append((attrs[name], lang, f"<{tag} {name}>"))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append((attrs["value"], self.lang(), "<input value>"))
        return attrs

    def handle_starttag(self, tag, attrs):
        attrs = self._attrs(tag, attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
            return
        if tag in ("script", "style"):
            self.skip += 1
        if tag not in VOID:
            self.stack.append((tag, attrs.get("lang")))

    def handle_startendtag(self, tag, attrs):
        self._attrs(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        for i in range(len(self.stack) - 1, -1, -1):  # tolerate unclosed <p>, <li>…
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self.skip and data.strip():
            where = "/".join(t for t, _l in self.stack[-3:])
            self.texts.append((data.strip(), self.lang(), where))


def parse(html: str) -> Visible:
    page = Visible()
    page.feed(html)
    page.close()
    return page


def chinese_outside_official(html: str) -> list[tuple[str, str]]:
    """(where, text) of every visible text with Chinese characters not marked lang="zh-…"."""
    return [(where, text) for text, lang, where in parse(html).texts
            if HAN.search(text) and not (lang or "").lower().startswith("zh")]


def official_texts(html: str) -> str:
    return "\n".join(text for text, lang, _w in parse(html).texts
                     if (lang or "").lower().startswith("zh"))


def english_page(client, url: str) -> str:
    """GET an English page: <html lang="en">, no Chinese outside lang="zh-CN" (<title> included)."""
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    html = resp.get_data(as_text=True)
    assert parse(html).html_lang == "en", url
    bad = chinese_outside_official(html)
    assert not bad, f"{url}: Chinese outside lang=\"zh-CN\": {bad[:8]}"
    return html


def test_the_checker_sees_chinese_and_respects_the_marking():
    check = chinese_outside_official
    assert check("<html lang='en'><p>Cases <b>案件</b></p></html>") == [("p/b", "案件")]
    assert check('<p title="标题">x</p>') == [("<p title>", "标题")]
    assert check('<div lang="zh-CN"><p>一、总体情况</p><p lang="en">ok</p></div>') == []
    assert check('<div lang="zh-CN"><p lang="en">未翻译</p></div>') == [("div/p", "未翻译")]
    assert chinese_outside_official(
        "<script>var a = '中文';</script><style>/* 中文 */</style>") == []


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture
def latin(agency, staff):
    """Latin-only data: the BCZ agency renamed (users are role / role-name already)."""
    agency.name = LATIN_NAME
    db.session.commit()
    return agency


@pytest.fixture
def report_data(latin, staff):
    """Two years of cases (the report tests' data): every table has figures, there are appeals,
    fees, an unconfirmed online request and mails in the outbox."""
    return build_two_years(latin, {k: Actor.of(u) for k, u in staff.items()})


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


def sign_in(client, role: str):
    # The fixtures' app context stays pushed during the test, so its requests share one `g`, where
    # Flask-Babel keeps the locale it selected: drop any locale cached while building the data.
    g.pop("_flask_babel", None)
    assert login(client, role).status_code == 302
    return client


# -- administration -------------------------------------------------------------------------------
def test_admin_pages_are_english(english, latin, staff):
    client = sign_in(english, "admin")
    html = english_page(client, "/admin/users")
    assert "Users" in html and "Add a user" in html
    for role in ("registrar", "handler", "reviewer", "office_head", "admin"):
        assert f"<td>{role}</td>" in html
    html = english_page(client, "/admin/agencies")
    assert "Add an agency" in html and LATIN_NAME.replace("'", "&#39;") in html
    html = english_page(client, f"/admin/users/{staff['handler'].id}")
    assert "Set roles" in html
    html = english_page(client, "/admin/calendar")
    assert "Working-day calendar" in html and "e.g." in html
    html = english_page(client, "/admin/outbox")
    assert "Notification outbox" in html and "No notifications yet" in html
    html = english_page(client, "/admin/ledger/")
    assert "Case ledger import and export" in html and "Download .jsonl" in html


def test_admin_messages_and_errors_are_english(english, latin, staff):
    from disclosure.services.actors import SYSTEM_ACTOR
    from disclosure.services.users import set_roles
    set_roles(staff["admin"], ["admin", "platform_admin"], SYSTEM_ACTOR)  # creates agencies
    client = sign_in(english, "admin")
    resp = client.post("/admin/agencies", data={"code": "OTH", "name": "Other Town"})
    assert resp.status_code == 302
    assert "Agency OTH created" in english_page(client, "/admin/agencies")
    resp = client.post("/admin/agencies", data={"code": "OTH", "name": "Again"})
    assert resp.status_code == 400
    assert not chinese_outside_official(resp.get_data(as_text=True))
    resp = client.post(f"/admin/users/{staff['admin'].id}", data={"roles": ["handler"]})
    assert resp.status_code == 400  # never remove the last admin
    assert not chinese_outside_official(resp.get_data(as_text=True))
    resp = client.post("/admin/calendar", data={"year": "2031", "off_days": "someday",
                                                "work_days": "", "note": "Notice 7"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "someday" in html and not chinese_outside_official(html)


def test_ledger_line_errors_are_english(english, latin, staff):
    client = sign_in(english, "admin")
    bad = {**MINIMAL, "received_on": "2024-02-30"}
    data = "\n".join(json.dumps(o) for o in (bad, {**MINIMAL, "channel": "pigeon"})).encode()
    resp = client.post("/admin/ledger/", data={"file": (io.BytesIO(data), "ledger.jsonl")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "Line 1" in html and "Line 2" in html and "No cases were imported" in html
    assert not chinese_outside_official(html), chinese_outside_official(html)[:5]
    resp = client.post("/admin/ledger/", data={}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "Choose the ledger file" in resp.get_data(as_text=True)


def test_outbox_shows_the_mails_as_written_marked_chinese(english, report_data, staff):
    client = sign_in(english, "admin")
    assert db.session.execute(select(Outbox)).first() is not None  # the sweep's digests
    html = english_page(client, "/admin/outbox")
    assert "Waiting to be sent" in html
    assert "申请已答复" in official_texts(html)  # a mail's subject, as it was written


# -- the annual report ----------------------------------------------------------------------------
def test_annual_report_page_english_around_the_chinese_report(english, report_data):
    client = sign_in(english, "office_head")
    html = english_page(client, "/staff/reports/annual?year=2024")
    for ui in ("Choose the year and agency", "Print version (A4)", "Statistics charts",
               "checks passed", "Data quality note", "Edit the texts and entered figures",
               "All checks ("):
        assert ui in html, ui
    official = official_texts(html)
    for text in (*rules.SECTIONS, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                 "答复率、答复及时率、办结率", "本年度收取信息处理费",
                 "2024年政府信息公开工作年度报告",
                 "本年新收政府信息公开申请"):
        assert text in official, text
    assert re.search(r'<article class="annual-report" lang="zh-CN">', html)


def test_print_view_and_failing_checks_in_english(english, report_data):
    db.session.execute(update(Case).where(Case.id == report_data["F"].id).values(outcome="typo"))
    db.session.commit()
    client = sign_in(english, "admin")
    html = english_page(client, "/staff/reports/annual?year=2024&agency=BCZ")
    assert "Checks failed: " in html and "7 ≠ 8" in html
    html = english_page(client, "/staff/reports/annual?year=2024&print=1")
    assert "Back to the report page" in html and "一、总体情况" in official_texts(html)


def test_report_is_chinese_and_unmarked_in_the_chinese_ui(client, report_data):
    html = sign_in(client, "handler").get("/staff/reports/annual?year=2024").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "表中每个数字都可点击" in html
    article = re.search(r"<article.*?</article>", html, re.S).group(0)
    assert set(re.findall(r'lang="([^"]+)"', article)) == {"zh-CN"} and "校验通过" in article


def test_drill_down_pages_are_english(english, report_data):
    client = sign_in(english, "reviewer")
    html = english_page(client, "/staff/reports/annual/2024/cases?row=fees&col=collected_yuan")
    assert "Back to the 2024 annual report" in html and "Cases: <strong>1</strong>." in html
    assert "Tracking number" in html
    url = "/staff/reports/annual/2024/cases?row={}&col={}"
    for row, col in (("new", "natural_person"), ("total", "total"),
                     ("carried_forward", "other_org"), ("rate.reply_rate", "numerator"),
                     ("rate.completion_rate", "denominator"), ("table4.reconsideration", "total"),
                     ("table2.regulation", "in_force"), ("unconfirmed", "total")):
        english_page(client, url.format(row, col))
    assert "data-case-id=" in english_page(client, url.format("new", "natural_person"))
    html = english_page(client, url.format("table4.litigation_direct", "pending"))
    assert "data-appeal-id=" in html


def test_a_drill_down_title_part_without_english_is_marked_official(english, latin, staff):
    """Where a report label has no English yet, the drill-down shows it in Chinese, marked."""
    with english.application.test_request_context(headers={"Cookie": "lang=en"}):
        parts = _title_parts(Msg("{row} · {column}", row="某个尚未翻译的栏目", column="自然人"))
    assert parts[0] == ("某个尚未翻译的栏目", True) and parts[1] == (" · ", False)
    assert parts[2][1] is False and not HAN.search(parts[2][0])


# -- statistics -----------------------------------------------------------------------------------
def test_statistics_dashboard_is_english(english, report_data):
    client = sign_in(english, "reviewer")
    html = english_page(client, "/staff/stats?year=2024")
    assert html.count("<svg") == 5
    for ui in ("Received and concluded per month", "Outcomes", "Processing time", "Median",
               "Timely reply rate per month", "Requests received in 2024 by applicant type", "Jan",
               "Dec"):
        assert ui in html, ui
    english_page(sign_in(english, "admin"), "/staff/stats?year=2001")


def test_report_labels_marked_for_the_ui_are_the_reports_own():
    """REPORT_UI_LABELS (marked for the catalogue in web/reports.py) are exactly the labels of
    domain.report the statistics page and the drill-down titles show."""
    shown = {*rules.OUTCOME_GROUPS.values(), *rules.ROW_LABELS.values(),
             rules.COLUMN_LABELS["total"], *rules.RATE_LABELS.values(),
             *rules.APPEAL_KIND_LABELS.values(),
             *rules.APPEAL_RESULT_LABELS.values(), *rules.CATALOGUE_COLUMNS.values()}
    assert set(REPORT_UI_LABELS) == shown
