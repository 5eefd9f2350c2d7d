"""The applicant's status page, answer first (issue 16): the step tracker, the next step in
plain words, the reply and its documents before the remedies (with their last days) and the
history, nothing "provisional" once the case is concluded, the office's contact block, and the
receipt — reachable again from the page, and the old receipt address answering helpfully."""
from __future__ import annotations

import re
from datetime import date

import pytest

from disclosure.extensions import db
from disclosure.models import Case
from disclosure.services import agency_profile, applicant_view, case_actions, cases
from disclosure.services.actors import Actor
from disclosure.services.review import replies
from disclosure.services.review import seen as review_seen
from tests.conftest import draft_complete, person_payload, send_notices

D = date
TODAY = "2026-12-14"   # a Monday; the due dates fall in 2027, whose holidays are not published
RECEIVED = D(2026, 12, 14)
REPLIED = D(2026, 12, 18)


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY)


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def register(agency, who, on=RECEIVED):
    sub = cases.register_paper(agency, person_payload(), "in_person", on, who["registrar"], on)
    return sub.case, sub.query_code


def release_reply(case, who, day=REPLIED):
    draft_complete(case, "art36_2", who["handler"], day)
    replies.submit_for_review(case, who["handler"], day)
    for item in replies.items_of(case):
        replies.decide(case, item.id, "approved", None, who["reviewer"], day, **review_seen(item))
    replies.release_reply(case, who["handler"], day)


def page(client, case, code) -> str:
    resp = client.post("/status", data={"tracking_no": case.tracking_no, "query_code": code})
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def tracker(html: str) -> list[tuple[str, bool, str]]:
    """The tracker's steps: (name, is the current step, state text)."""
    ol = re.search(r'<ol class="tracker"[^>]*>(.*?)</ol>', html, re.S).group(1)
    out = []
    for attrs, body in re.findall(r"<li ([^>]*)>(.*?)</li>", ol, re.S):
        name = re.search(r'class="step-name">\s*(.*?)\s*</span>', body, re.S).group(1)
        state = re.search(r'class="step-state">\s*(.*?)\s*</span>', body, re.S).group(1)
        out.append((name, 'aria-current="step"' in attrs, state))
    return out


def current_step(html: str) -> str:
    [name] = [n for n, current, _state in tracker(html) if current]
    return name


def position(html: str, needle: str) -> int:
    at = html.find(needle)
    assert at >= 0, needle
    return at


# -- a released reply: the answer first ---------------------------------------------------------

def test_the_reply_comes_before_the_remedies_and_the_history(client, agency, who):
    case, code = register(agency, who)
    release_reply(case, who)
    html = page(client, case, code)
    assert "我们已于" in html and '<time datetime="2026-12-18">2026年12月18日</time>' in html
    reply = position(html, 'id="h-reply"')
    assert position(html, 'id="h-summary"') < reply
    assert reply < position(html, "现予以公开") < position(html, 'id="h-remedy"')
    assert position(html, 'id="h-remedy"') < position(html, 'id="h-history"')
    assert reply < position(html, f"下载 {case.tracking_no}.pdf") < position(html, 'id="h-remedy"')
    assert html.count('id="h-remedy"') == 1


def test_remedies_carry_their_last_days_from_the_reply_date(client, agency, who):
    case, code = register(agency, who)
    release_reply(case, who)
    html = page(client, case, code)
    remedies = html[position(html, 'id="h-remedy"'):position(html, 'id="h-details"')]
    # 60 days after 2026-12-18, and 6 months (by calendar month)
    assert '最迟于 <time datetime="2027-02-16">2027年2月16日</time>' in remedies
    assert '最迟于 <time datetime="2027-06-18">2027年6月18日</time>' in remedies
    assert "申请行政复议" in remedies and "《中华人民共和国行政复议法》第二十条" in remedies
    assert "提起行政诉讼" in remedies and "《中华人民共和国行政诉讼法》第四十六条" in remedies
    assert "投诉、举报" in remedies and "政府信息公开工作主管部门" in remedies
    assert "第五十一条" in remedies and "不受期限限制" in remedies
    assert "自收到答复之日起 60 日内" in remedies and "自收到答复之日起 6 个月内" in remedies


def test_remedies_at_the_end_of_a_month_are_clamped(client, agency, who, make_app):
    case, code = register(agency, who, on=D(2026, 8, 3))
    release_reply(case, who, D(2026, 8, 31))
    html = page(client, case, code)
    assert '最迟于 <time datetime="2027-02-28">2027年2月28日</time>' in html  # no 31 February
    assert '最迟于 <time datetime="2026-10-30">2026年10月30日</time>' in html  # 60 days


def test_nothing_is_provisional_once_the_case_is_concluded(client, agency, who):
    case, code = register(agency, who)
    before = page(client, case, code)
    assert "暂定" in before  # due in January 2027: that year's holidays are not published yet
    release_reply(case, who)
    after = page(client, case, code)
    assert "暂定" not in after
    view = client.get(f"/api/v1/applications/{case.tracking_no}",
                      headers={"X-Query-Code": code}).get_json()
    assert view["status"] == "replied" and view["due_provisional"] is False


def test_an_open_case_says_by_when_we_will_reply(client, agency, who):
    case, code = register(agency, who)
    html = page(client, case, code)
    due = db.session.get(Case, case.id).due_on
    sentence = re.search(r'<p class="next-step" id="next-step">(.*?)</p>', html, re.S).group(1)
    assert sentence.startswith("我们将在 ")
    assert f'<time datetime="{due.isoformat()}">' in sentence and "前答复您" in sentence
    # no remedies with dates before a reply; the general ones (test_duties) are there
    assert "最迟于" not in html and "如对办理不满意" in html
    assert position(html, 'id="h-details"') < position(html, 'id="h-history"')


def test_an_overdue_case_says_so_instead_of_a_date_in_the_past(client, agency, who):
    case, code = register(agency, who, on=D(2026, 10, 9))
    html = page(client, case, code)
    due = db.session.get(Case, case.id).due_on
    assert due < D(2026, 12, 14)
    sentence = re.search(r'<p class="next-step" id="next-step">(.*?)</p>', html, re.S).group(1)
    assert "已过，本机关尚未答复您" in sentence and due.isoformat() in sentence
    assert "我们将在" not in sentence


# -- the tracker --------------------------------------------------------------------------------

def test_tracker_is_an_ordered_list_of_the_five_steps(client, agency, who):
    case, code = register(agency, who)
    html = page(client, case, code)
    assert '<ol class="tracker" aria-label="办理步骤">' in html
    assert tracker(html) == [("收到", False, "已完成"), ("受理", True, "进行中"),
                             ("补正（如有）", False, "未开始"), ("办理", False, "未开始"),
                             ("答复", False, "未开始")]
    assert html.count('aria-current="step"') == 1


def test_tracker_current_step_as_the_case_moves(client, agency, who):
    case, code = register(agency, who)
    assert current_step(page(client, case, code)) == "受理"
    case_actions.request_supplement(case, "请写明道路名称", None, who["handler"], RECEIVED)
    # the notice still awaits its review: the applicant has not been asked yet (R6.3)
    assert current_step(page(client, case, code)) == "办理"
    send_notices(case, RECEIVED)
    html = page(client, case, code)
    assert current_step(html) == "补正"
    assert "请在 " in html and "前补正" in html
    # the form is at the top: right after the tracker, before the details and the history
    assert position(html, 'id="h-summary"') < position(html, 'id="h-supplement"') \
        < position(html, 'id="h-details"') < position(html, 'id="h-history"')
    case_actions.submit_supplement(case, "道路名称：某村村道", [], RECEIVED)
    html = page(client, case, code)
    assert current_step(html) == "办理"
    assert ("补正", False, "已完成") in tracker(html)
    release_reply(case, who)
    html = page(client, case, code)
    assert current_step(html) == "答复"
    assert tracker(html)[-1] == ("答复", True, "已办结")
    assert [s for _n, _c, s in tracker(html)[:-1]] == ["已完成"] * 4


def test_tracker_of_an_online_submission_awaiting_confirmation(client, agency):
    sub = cases.submit_online(person_payload(), agency_code="BCZ", files=[], today=RECEIVED)
    html = page(client, sub.case, sub.query_code)
    assert current_step(html) == "收到"
    assert "工作人员确认收到后，开始计算答复期限" in html


def test_tracker_without_a_supplement_marks_it_not_needed(client, agency, who):
    case, code = register(agency, who)
    release_reply(case, who)
    assert ("补正（如有）", False, "无需补正") in tracker(page(client, case, code))


def test_tracker_of_a_withdrawn_application(client, agency, who):
    case, code = register(agency, who)
    case_actions.withdraw(case, who["handler"], RECEIVED, reason="申请人来电撤回，经办人记录")
    html = page(client, case, code)
    assert tracker(html)[-1] == ("已撤回", True, "已办结")
    assert ("办理", False, "未进行") in tracker(html)
    assert "您的申请已于" in html and "撤回" in html
    assert "暂定" not in html


@pytest.mark.parametrize("status, current", [
    ("submitted", "received"), ("registered", "accepted"),
    ("awaiting_supplement", "supplement"), ("in_progress", "handling"),
    ("paused", "handling"), ("in_review", "handling"), ("replied", "reply"),
    ("withdrawn", "reply"), ("abandoned", "reply"),
])
def test_tracker_current_step_for_every_status(status, current):
    steps = applicant_view.tracker(status, [], accepted=status != "submitted")
    assert [s["key"] for s in steps if s["current"]] == [current]
    assert [s["key"] for s in steps] == list(applicant_view.STEPS)
    at = applicant_view.STEPS.index(current)
    assert all(s["state"] == "upcoming" for s in steps[at + 1:])


def test_tracker_of_a_case_that_lapsed_without_supplement():
    steps = applicant_view.tracker("abandoned", ["registered", "supplement_requested",
                                                 "concluded"], accepted=True)
    assert [(s["key"], s["state"]) for s in steps] == [
        ("received", "done"), ("accepted", "done"), ("supplement", "done"),
        ("handling", "skipped"), ("reply", "current")]


# -- the office's contact block -----------------------------------------------------------------

def test_contact_block_shows_the_agency_profile(client, agency, who):
    case, code = register(agency, who)
    assert 'id="h-contact"' not in page(client, case, code)  # nothing to show yet
    agency_profile.save(agency, {"address": "包场镇人民路1号", "phone": "0513-12345678",
                                 "office_hours": "工作日 8:30–12:00，13:30–17:30"})
    html = page(client, case, code)
    block = html[position(html, 'id="h-contact"'):]
    block = block[:block.index("</section>")]
    assert "联系本机关" in block and "包场镇人民政府" in block
    for value in ("包场镇人民路1号", "0513-12345678", "工作日 8:30–12:00，13:30–17:30"):
        assert value in block, value
    assert "<address>" in block


# -- the receipt, again ------------------------------------------------------------------------

def test_the_receipt_is_reachable_from_the_status_page_without_the_code(client, agency, who):
    case, code = register(agency, who)
    html = page(client, case, code)
    assert 'action="/status/receipt"' in html and "查看回执" in html
    resp = client.post("/status/receipt", data={"tracking_no": case.tracking_no,
                                                "query_code": code})
    assert resp.status_code == 200
    receipt = resp.get_data(as_text=True)
    assert "政府信息公开申请回执" in receipt and case.tracking_no in receipt
    assert code not in receipt and 'id="query-code"' not in receipt
    assert "本回执不再显示" in receipt and "js-print" in receipt
    assert resp.headers["Cache-Control"] == "no-store"


def test_the_receipt_needs_the_code(client, agency, who):
    case, code = register(agency, who)
    wrong = "A" * 10 if code != "A" * 10 else "B" * 10
    resp = client.post("/status/receipt", data={"tracking_no": case.tracking_no,
                                                "query_code": wrong})
    assert resp.status_code == 404
    html = resp.get_data(as_text=True)
    assert "未找到该申请：请核对申请编号和查询码" in html and "政府信息公开申请回执" not in html


def test_the_old_receipt_address_explains_and_links_onwards(client, agency, who):
    case, _code = register(agency, who)
    known = client.get(f"/receipt/{case.tracking_no}")
    unknown = client.get("/receipt/BCZ-2026-999999")
    for resp in (known, unknown):
        assert resp.status_code == 404
        html = resp.get_data(as_text=True)
        assert "只在提交申请后显示一次" in html
        assert 'href="/status"' in html and 'href="/status/recover"' in html
    # the same page whether or not the number exists
    assert known.get_data() == unknown.get_data()


def test_lookup_form_links_to_recovery_and_offers_to_show_the_code(client, agency):
    html = client.get("/status").get_data(as_text=True)
    assert 'href="/status/recover"' in html and "忘记查询码？" in html
    assert 'type="password"' in html and 'data-reveal="query_code"' in html
    assert re.search(r'<button type="button" class="reveal-toggle" data-reveal="query_code" '
                     r'aria-controls="query_code" aria-pressed="false" hidden>显示</button>', html)
    assert '<script src="/static/status.js" defer></script>' in html
    assert "<script>" not in html  # the CSP allows no inline script


def test_the_notification_link_fills_in_the_tracking_number(client):
    html = client.get("/status?no=BCZ-2026-000017").get_data(as_text=True)
    assert 'value="BCZ-2026-000017"' in html
    long = client.get("/status?no=" + "A" * 200).get_data(as_text=True)
    assert "A" * 65 not in long
