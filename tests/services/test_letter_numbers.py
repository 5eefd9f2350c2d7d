"""文号 of outgoing letters (issue 15): every letter has its own number from a per-agency,
per-year, per-type sequence, given at release (the 回执: the first time it is printed), with
the agency's configured prefix — and the PDF shows that number, never a shared one."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Agency, Event, LetterCounter, Notice
from disclosure.services import case_actions, cases, letters, numbering, pdf
from disclosure.services.actors import Actor
from disclosure.services.review import notices, replies
from disclosure.services.review import seen as review_seen
from disclosure.services.unit_of_work import unit_of_work
from disclosure.services.uploads import Upload
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, person_payload, send_notices

D = date
BLANK = pdf.BLANK  # the blank left for a draft's number


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def _case(agency, who, received=D(2024, 9, 27)):
    return cases.register_paper(agency, person_payload(agency=agency.code), "in_person", received,
                                who["registrar"], received).case


def _supplement(case, who, day):
    case_actions.request_supplement(case, "请写明道路名称和工程年份", 15, who["handler"], day)
    return _notice(case, "supplement")


def _notice(case, kind) -> Notice:
    return db.session.execute(select(Notice).where(Notice.case_id == case.id,
                                                   Notice.kind == kind)).scalar_one()


def _counters() -> dict:
    rows = db.session.execute(select(LetterCounter.agency_id, LetterCounter.year,
                                     LetterCounter.kind, LetterCounter.last)).all()
    return {(a, y, k): n for a, y, k, n in rows}


def _set_prefix(agency, prefix) -> None:
    with unit_of_work():
        db.session.get(Agency, agency.id).letter_prefix = prefix


# -- notices ---------------------------------------------------------------------------------

def test_two_notices_of_one_case_have_their_own_numbers(agency, who):
    case = _case(agency, who)
    case_actions.request_extension(case, 15, "需要调取历史档案", who["handler"], D(2024, 10, 14))
    case_actions.decide_extension(case, True, who["office_head"], D(2024, 10, 15))
    case_actions.notify_fee(case, "per_page", 120, who["handler"], D(2024, 10, 16))
    send_notices(case, D(2024, 10, 16))
    case_actions.record_fee_payment(case, who["handler"], D(2024, 10, 17))
    case_actions.set_deferred_deadline(case, D(2025, 3, 31), "您在同一时期提出了大量申请",
                                       who["office_head"], D(2024, 10, 18))
    send_notices(case, D(2024, 10, 18))
    numbers = {n.kind: n.doc_number for n in notices.for_case(case)}
    # 延期 and 延后 share the 延 sequence; the fee notice has its own
    assert numbers == {"extension": "包政信延〔2024〕1号", "fee": "包政信费〔2024〕1号",
                       "deferred": "包政信延〔2024〕2号"}
    for n in notices.for_case(case):
        assert pdf.from_notice(case, n).doc_number == n.doc_number
        assert pdf.notice_doc_number(case, n) == n.doc_number
    # the applicant's copies (status page, PDF) carry the same numbers
    sent = notices.for_case(case, applicant_only=True)
    assert {n.kind: n.doc_number for n in sent} == numbers
    for n in sent:
        letter = letters.applicant_letter(case, str(n.id))
        assert letter.doc_number == numbers[n.kind] and not letter.draft


def test_sequences_are_per_type(agency, who):
    a, b, c = (_case(agency, who) for _ in range(3))
    _supplement(a, who, D(2024, 9, 30))
    case_actions.start_consultation(b, "third_party", "南通某建设有限公司", who["handler"],
                                    D(2024, 9, 30))
    _supplement(c, who, D(2024, 9, 30))
    for case in (a, b, c):
        send_notices(case, D(2024, 10, 8))
    assert _notice(a, "supplement").doc_number == "包政信补〔2024〕1号"
    assert _notice(b, "consultation").doc_number == "包政信征〔2024〕1号"
    assert _notice(c, "supplement").doc_number == "包政信补〔2024〕2号"


def test_sequences_are_per_agency_and_per_year(agency, who):
    other = create_agency("XHX", "新河县人民政府")
    other_staff = {role: Actor.of(create_user(f"xhx-{role}", PASSWORD, "XHX", [role]))
                   for role in ("registrar", "handler", "reviewer")}
    mine, theirs = _case(agency, who), _case(other, other_staff)
    _supplement(mine, who, D(2024, 9, 30))
    _supplement(theirs, other_staff, D(2024, 9, 30))
    send_notices(mine, D(2024, 10, 8))
    send_notices(theirs, D(2024, 10, 8))
    assert _notice(mine, "supplement").doc_number == "包政信补〔2024〕1号"
    assert _notice(theirs, "supplement").doc_number == "新政信补〔2024〕1号"
    # year boundary: the number belongs to the year the letter is dated (its act's day), so
    # 〔year〕 matches the date printed on it — released after New Year, still a 2024 letter
    late, early = (_case(agency, who, D(2024, 12, 23)) for _ in range(2))
    _supplement(late, who, D(2024, 12, 27))
    _supplement(early, who, D(2024, 12, 27))
    send_notices(early, D(2024, 12, 31))
    send_notices(late, D(2025, 1, 2))
    assert _notice(early, "supplement").doc_number == "包政信补〔2024〕2号"
    assert _notice(late, "supplement").doc_number == "包政信补〔2024〕3号"
    new_year = _case(agency, who, D(2025, 1, 6))
    _supplement(new_year, who, D(2025, 1, 7))
    send_notices(new_year, D(2025, 1, 8))
    assert _notice(new_year, "supplement").doc_number == "包政信补〔2025〕1号"
    assert _counters() == {(agency.id, 2024, "补"): 3, (agency.id, 2025, "补"): 1,
                           (other.id, 2024, "补"): 1}


def test_drafts_take_no_number_so_the_sequence_has_no_gaps(agency, who):
    a, b = _case(agency, who), _case(agency, who)
    na, nb = _supplement(a, who, D(2024, 9, 30)), _supplement(b, who, D(2024, 9, 30))
    # a's notice is returned by the reviewer: no number, and the draft PDF leaves it blank
    notices.decide(a, na.id, "rejected", "含个人信息，须删除处理", who["reviewer"], D(2024, 10, 8),
                   **review_seen(notices.item_of(na)))
    assert na.doc_number is None and _counters() == {}
    draft = letters.notice_letter(who["handler"], a, na.id)
    assert draft.draft and draft.doc_number == f"包政信补〔2024〕{BLANK}号"
    assert draft.filename == "补正申请告知书（草稿）.pdf"
    # a consultation letter drafted and never released takes none either
    c = _case(agency, who)
    case_actions.start_consultation(c, "third_party", "南通某建设有限公司", who["handler"],
                                    D(2024, 9, 30))
    send_notices(b, D(2024, 10, 8))
    assert nb.doc_number == "包政信补〔2024〕1号"
    notices.revise(a, na.id, "补正申请告知书\n\n张三：\n\n请写明道路名称。", who["handler"],
                   D(2024, 10, 8))
    send_notices(a, D(2024, 10, 9))
    assert na.doc_number == "包政信补〔2024〕2号"
    assert _notice(c, "consultation").doc_number is None
    assert _counters() == {(agency.id, 2024, "补"): 2}  # 1, 2: nothing skipped, 征 untouched


def test_the_configured_prefix_is_used(agency, who):
    _set_prefix(agency, "包镇政办")
    case = _case(agency, who)
    n = _supplement(case, who, D(2024, 9, 30))
    draft = letters.notice_letter(who["handler"], case, n.id)
    assert draft.doc_number == f"包镇政办补〔2024〕{BLANK}号"
    send_notices(case, D(2024, 10, 8))
    assert n.doc_number == "包镇政办补〔2024〕1号"
    assert letters.receipt_letter(case, D(2024, 10, 8)).doc_number == "包镇政办收〔2024〕1号"
    # a number once given keeps its prefix when the prefix changes later
    _set_prefix(agency, "包府信")
    assert _notice(case, "supplement").doc_number == "包镇政办补〔2024〕1号"


def test_the_default_prefix_comes_from_the_agency_name(agency, who):
    assert agency.letter_prefix is None
    with unit_of_work():
        other = create_agency("XHX", "新河县人民政府")
        assert numbering.next_letter_no(other, "fee", 2026) == "新政信费〔2026〕1号"
        assert numbering.next_letter_no(agency, "fee", 2026) == "包政信费〔2026〕1号"
        assert numbering.next_letter_no(agency, "fee", 2026) == "包政信费〔2026〕2号"


def test_the_release_event_records_the_number(agency, who):
    case = _case(agency, who)
    _supplement(case, who, D(2024, 9, 30))
    send_notices(case, D(2024, 10, 8))
    [data] = db.session.execute(select(Event.data).where(
        Event.case_id == case.id, Event.action == "notice_released")).scalars()
    assert data["doc_number"] == "包政信补〔2024〕1号"


# -- the 回执 and the reply ---------------------------------------------------------------------

def test_receipt_number_is_given_once_and_kept(agency, who):
    first, second = _case(agency, who), _case(agency, who)
    assert first.receipt_doc_number is None  # registration gives none: the first print does
    letter = letters.receipt_letter(first, D(2024, 9, 27))
    assert letter.doc_number == first.receipt_doc_number == "包政信收〔2024〕1号"
    assert letters.receipt_letter(first, D(2024, 10, 30)).doc_number == "包政信收〔2024〕1号"
    assert letters.receipt_letter(second, D(2024, 9, 27)).doc_number == "包政信收〔2024〕2号"
    assert letters.receipt_letter(first, D(2024, 9, 27)).doc_number == "包政信收〔2024〕1号"
    assert _counters() == {(agency.id, 2024, "收"): 2}
    # an online application awaiting confirmation has no receipt date yet: no number
    online = cases.submit_online(person_payload(), today=D(2024, 9, 28)).case
    pending = letters.receipt_letter(online, D(2024, 9, 28))
    assert pending.doc_number == f"包政信收〔2024〕{BLANK}号" and online.receipt_doc_number is None
    assert _counters() == {(agency.id, 2024, "收"): 2}
    cases.confirm_receipt(online, D(2024, 9, 30), who["registrar"], D(2024, 9, 30))
    assert letters.receipt_letter(online, D(2024, 9, 30)).doc_number == "包政信收〔2024〕3号"


def test_the_reply_letter_shows_its_own_number_once_sent(agency, who):
    case = _case(agency, who)
    replies.draft_reply(case, "art36_2", None, who["handler"], D(2024, 10, 8))
    replies.add_document(case, Upload("批复.pdf", b"%PDF-1.4\n%%EOF\n"), False, who["handler"],
                         D(2024, 10, 8))
    draft = letters.reply_letter(case, D(2024, 10, 8))
    assert draft.draft and draft.doc_number == f"包政信复〔2024〕{BLANK}号"
    replies.submit_for_review(case, who["handler"], D(2024, 10, 8))
    for it in replies.items_of(case):
        replies.decide(case, it.id, "approved", None, who["reviewer"], D(2024, 10, 9),
                       **review_seen(it))
    replies.release_reply(case, who["handler"], D(2024, 10, 9))
    sent = letters.reply_letter(case, D(2024, 10, 10))
    assert not sent.draft and sent.doc_number == "包政信复〔2024〕1号"
    assert letters.applicant_letter(case, "reply").doc_number == "包政信复〔2024〕1号"


# -- concurrency -----------------------------------------------------------------------------

def test_simultaneous_numbers_are_distinct(app, agency):
    """Writers at once (threads with their own sessions, started together) get distinct,
    consecutive numbers — on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    n = 8
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []
    agency_id = agency.id

    def work(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                with unit_of_work():
                    results[i] = numbering.next_letter_no(db.session.get(Agency, agency_id),
                                                          "supplement", 2026)
            except BaseException as exc:  # noqa: BLE001 — reported below
                errors.append((i, exc))
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert sorted(results) == sorted(f"包政信补〔2026〕{k}号" for k in range(1, n + 1))
    db.session.rollback()
    assert _counters() == {(agency_id, 2026, "补"): n}


# -- over HTTP ---------------------------------------------------------------------------------

def test_staff_downloads_show_the_letters_own_numbers(agency, who, login_as):
    from urllib.parse import unquote
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        pytest.skip("WeasyPrint is not usable here (run scripts/e2e-setup.sh)")

    case = _case(agency, who)
    n = _supplement(case, who, D(2024, 9, 30))
    send_notices(case, D(2024, 10, 8))
    case_id, notice_id = case.id, n.id
    client = login_as("handler")
    for _ in range(2):  # the receipt's number is given by the first download, then kept
        resp = client.get(f"/staff/cases/{case_id}/receipt.pdf")
        assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
        assert "包政信收〔2024〕1号-" in unquote(resp.headers["Content-Disposition"])
    resp = client.get(f"/staff/cases/{case_id}/notices/{notice_id}.pdf")
    assert "包政信补〔2024〕1号-补正申请告知书.pdf" in unquote(resp.headers["Content-Disposition"])
    assert "包政信补〔2024〕1号" in client.get(
        f"/staff/cases/{case_id}/notices/{notice_id}").get_data(as_text=True)
    db.session.rollback()
    assert _counters() == {(agency.id, 2024, "补"): 1, (agency.id, 2024, "收"): 1}
