"""The language layer itself: domain messages in English, official documents in Chinese
whatever the reader's language, dates in the reader's notation."""
from __future__ import annotations

from datetime import date

from i18n_tools import CJK

from disclosure.domain.codes import PauseKind
from disclosure.domain.deadlines import ClockFacts, Pause, compute_deadline
from disclosure.domain.workdays import WorkCalendar
from disclosure.i18n import render_official, translate
from disclosure.services.review import seen as review_seen
from disclosure.web.template_context import fmt_date
from tests.conftest import draft_complete

EN = {"headers": {"Cookie": "lang=en"}}


def test_deadline_explanation_across_holidays_and_pauses_is_all_english(app):
    """Received before Mid-Autumn and National Day 2024 (two holiday stretches, three make-up
    days, a consultation pause): every step, including its lists of dates, comes out in English;
    in Chinese it is unchanged."""
    facts = ClockFacts(received_on=date(2024, 9, 10),
                       pauses=(Pause(PauseKind.THIRD_PARTY, date(2024, 10, 14),
                                     date(2024, 10, 16)),))
    deadline = compute_deadline(facts, WorkCalendar(), date(2024, 11, 20))
    texts = [s.text for s in deadline.steps]
    assert any("至" in t and "、" in t for t in texts), texts  # the lists really are there
    with app.test_request_context(**EN):
        english = [translate(t) for t in texts]
    leftover = [t for t in english if CJK.search(t)]
    assert not leftover, leftover
    assert any(" to " in t and ", " in t for t in english), english
    with app.test_request_context():
        assert [translate(t) for t in texts] == texts


def test_official_documents_stay_chinese_in_an_english_session(app):
    with app.test_request_context(**EN):
        assert fmt_date(date(2026, 11, 29)) == "29 Nov 2026"
        body = render_official("replies/letter.txt", case=_Case(), rt=_Rt(), remedy="救济途径")
    assert "本机关于2026年11月29日收到您提交的政府信息公开申请（申请编号：BCZ-2026-000001）" in body
    assert "Nov" not in body


def test_dates_follow_the_reader(app):
    with app.test_request_context():
        assert fmt_date(date(2026, 11, 29)) == "2026年11月29日"
    with app.test_request_context(**EN):
        assert fmt_date(date(2026, 1, 5)) == "5 Jan 2026"


class _Agency:
    name = "包场镇人民政府"


class _Case:
    applicant_name = "张三"
    received_on = date(2026, 11, 29)
    tracking_no = "BCZ-2026-000001"
    subject = "道路拓宽工程立项批复"
    agency = _Agency()


class _Rt:
    decision = "予以公开。"
    basis = "《中华人民共和国政府信息公开条例》第三十六条第二项"


def test_released_letter_on_the_status_page_carries_its_release_date(client, staff):
    """The reviewed text ends with the agency's name; the page adds the date it was released
    (Chinese, inside the official letter) — and nothing in the text says "date to follow"."""
    from flask_babel import refresh

    from disclosure.extensions import db
    from disclosure.models import Case
    from disclosure.services import cases
    from disclosure.services.actors import Actor
    from disclosure.services.review import replies
    from disclosure.timeutil import today
    from tests.web.test_public import submit_ok
    who = {k: Actor.of(u) for k, u in staff.items()}
    tracking_no, code = submit_ok(client)
    case = db.session.execute(db.select(Case).where(Case.tracking_no == tracking_no)).scalar_one()
    day = today()  # the submission is stamped with the real clock
    cases.confirm_receipt(case, day, who["registrar"], day)
    draft_complete(case, "art36_2", who["handler"], day)
    replies.submit_for_review(case, who["handler"], day)
    for item in replies.items_of(case):
        replies.decide(case, item.id, "approved", None, who["reviewer"], day, **review_seen(item))
    replies.release_reply(case, who["handler"], day)
    chinese = f"{day.year}年{day.month}月{day.day}日"
    html = client.post("/status", data={"tracking_no": tracking_no,
                                        "query_code": code}).get_data(as_text=True)
    assert f'<p class="letter-date">{chinese}</p>' in html
    assert "日期以发出之日为准" not in html
    # page dates in Chinese notation, the ISO day for machines (receipt date, reply date)
    assert f'<time datetime="{day.isoformat()}">{chinese}</time>' in html
    client.set_cookie("lang", "en")
    refresh()  # the fixtures hold one app context open, where Flask-Babel caches the locale
    html = client.post("/status", data={"tracking_no": tracking_no,
                                        "query_code": code}).get_data(as_text=True)
    assert f'<p class="letter-date">{chinese}</p>' in html  # official letter: Chinese date
    assert day.strftime("%-d %b %Y") in html  # the page around it: the reader's notation
