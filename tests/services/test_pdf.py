"""Every official letter comes out as an A4 PDF whose Chinese text can be extracted again — a
missing CJK font (boxes / .notdef glyphs) or a broken layout fails here."""
from __future__ import annotations

import importlib.util
import io
import re
from datetime import date

import pytest

from disclosure.services import case_actions, cases, letters, pdf
from disclosure.services.actors import Actor
from disclosure.services.review import notices, replies
from disclosure.services.review import seen as review_seen
from disclosure.services.uploads import Upload
from tests.conftest import person_payload, send_notices

D = date
BLANK = pdf.BLANK  # the blank left for a draft's number


def _weasyprint_missing() -> str | None:
    if importlib.util.find_spec("weasyprint") is None:
        return "weasyprint is not installed (run scripts/e2e-setup.sh)"
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:  # the pango libraries are missing
        return f"weasyprint cannot load its system libraries: {exc} (run scripts/e2e-setup.sh)"
    return None


pytestmark = pytest.mark.skipif(_weasyprint_missing() is not None,
                                reason=_weasyprint_missing() or "")
pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (run scripts/e2e-setup.sh)")

A4 = (595.28, 841.89)  # points


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1, (w, h)
    # Layout may break a line anywhere: compare without whitespace.
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in reader.pages))


def _has(text: str, *parts: str) -> None:
    assert "\ufffd" not in text and "\x00" not in text, "unmapped glyphs: is a CJK font installed?"
    for part in parts:
        assert re.sub(r"\s+", "", part) in text, f"{part!r} not found in the PDF text"


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def _case(agency, who, received=None):
    received = received or D(2024, 9, 27)
    return cases.register_paper(agency, person_payload(), "in_person", received,
                                who["registrar"], received).case


def _common(text: str, case, letter) -> None:
    """What every letter shows, with its own 文号 (issue 15)."""
    _has(text, case.agency.name, "（印章）", "法律依据", letter.doc_number, "张三")


def test_receipt(agency, who):
    case = _case(agency, who)
    letter = letters.receipt_letter(case, D(2024, 9, 27))
    assert letter.doc_number == "包政信收〔2024〕1号" == case.receipt_doc_number
    data = pdf.render(letter)
    assert data.startswith(b"%PDF-")
    text = _text(data)
    _common(text, case, letter)
    _has(text, "政府信息公开申请回执", case.tracking_no, "2023年某村道路拓宽工程的立项批复",
         "2024年9月27日", "第二十九条")
    assert "救济途径" not in text


def test_every_letter_carries_the_office_contact_and_the_receipt_says_where_the_code_went(
        agency, who):
    from disclosure.extensions import db
    agency.address, agency.phone, agency.office_hours = "包场镇人民路1号", "0513-12345678", \
        "工作日 8:30-17:00"
    db.session.commit()
    case = _case(agency, who)
    letter = letters.receipt_letter(case, D(2024, 9, 27))
    assert letter.contact == ("联系地址：包场镇人民路1号　联系电话：0513-12345678　"
                              "办公时间：工作日 8:30-17:00")
    assert "由登记人员在登记时告知申请人" in letter.note
    _has(_text(pdf.render(letter)), "包场镇人民路1号", "0513-12345678")
    online = cases.submit_online(person_payload(), today=D(2024, 9, 27)).case
    assert "在线提交时显示给申请人" in pdf.receipt(online).note


def test_supplement_notice(agency, who):
    case = _case(agency, who)
    case_actions.request_supplement(case, "请写明道路名称和工程年份", 15, who["handler"],
                                    D(2024, 9, 30))
    send_notices(case, D(2024, 9, 30))
    [n] = notices.for_case(case)
    letter = pdf.from_notice(case, n)
    assert letter.doc_number == n.doc_number == "包政信补〔2024〕1号"
    assert letter.filename == "包政信补〔2024〕1号-补正申请告知书.pdf"
    text = _text(pdf.render(letter))
    _common(text, case, letter)
    _has(text, "补正申请告知书", "一次性告知您需要补正以下事项", "请写明道路名称和工程年份",
         "第三十条", "救济途径", "行政复议", "2024年9月30日")


def test_consultation_notice_goes_to_the_third_party(agency, who):
    case = _case(agency, who)
    case_actions.start_consultation(case, "third_party", "南通某建设有限公司", who["handler"],
                               D(2024, 10, 8))
    [n] = notices.for_case(case)
    letter = pdf.from_notice(case, n)
    assert letter.addressee == "南通某建设有限公司" and letter.remedy is None
    # not reviewed yet: a marked draft whose 文号 is left blank (given at release)
    assert letter.draft and letter.doc_number == f"包政信征〔2024〕{BLANK}号"
    text = _text(pdf.render(letter))
    _has(text, "征求第三方意见书", "南通某建设有限公司", "现书面征求您的意见", "第三十二条",
         "草稿", "包政信征〔2024〕号")


def test_extension_fee_and_deferral_notices(agency, who):
    case = _case(agency, who)
    case_actions.request_extension(case, 15, "需要调取历史档案", who["handler"], D(2024, 10, 14))
    case_actions.decide_extension(case, True, who["office_head"], D(2024, 10, 15))
    case_actions.notify_fee(case, "per_page", 120, who["handler"], D(2024, 10, 16))
    send_notices(case, D(2024, 10, 16))
    case_actions.record_fee_payment(case, who["handler"], D(2024, 10, 17))
    case_actions.set_deferred_deadline(case, D(2025, 3, 31), "您在同一时期提出了大量申请",
                                  who["office_head"], D(2024, 10, 18))
    send_notices(case, D(2024, 10, 18))
    by_kind = {n.kind: n for n in notices.for_case(case)}
    expected = {
        "extension": ("延期答复告知书", "答复期限延长15个工作日", "需要调取历史档案",
                      "第三十三条第二款"),
        "fee": ("收费通知书", "按量计收", "应缴金额", "国办函〔2020〕109号", "第四十二条"),
        "deferred": ("延后答复告知书", "2025年3月31日", "您在同一时期提出了大量申请", "第三十五条"),
    }
    numbers = {"extension": "包政信延〔2024〕1号", "fee": "包政信费〔2024〕1号",
               "deferred": "包政信延〔2024〕2号"}  # 延期 and 延后 share the 延 sequence
    for kind, parts in expected.items():
        letter = pdf.from_notice(case, by_kind[kind])
        assert letter.doc_number == numbers[kind], kind
        text = _text(pdf.render(letter))
        _common(text, case, letter)
        _has(text, *parts)


def test_reply_letter_draft_and_released(agency, who):
    case = _case(agency, who)
    replies.draft_reply(case, "art36_2", None, who["handler"], D(2024, 10, 8))
    replies.add_document(case, Upload("批复.pdf", b"%PDF-1.4\n%%EOF\n"), False, who["handler"],
                         D(2024, 10, 8))
    item = replies.items_of(case)[0]
    draft = pdf.from_reply(case, item.current.text, "art36_2", D(2024, 10, 8), draft=True)
    assert draft.doc_number == f"包政信复〔2024〕{BLANK}号" and not draft.numbered
    assert draft.filename == "政府信息公开申请答复告知书（草稿）.pdf"
    text = _text(pdf.render(draft))
    _has(text, "草稿", "政府信息公开申请答复告知书", "现予以公开", "第三十六条第（二）项",
         "包政信复〔2024〕号")
    replies.submit_for_review(case, who["handler"], D(2024, 10, 8))
    for it in replies.items_of(case):
        replies.decide(case, it.id, "approved", None, who["reviewer"], D(2024, 10, 9),
                       **review_seen(it))
    replies.release_reply(case, who["handler"], D(2024, 10, 9))
    letter = letters.applicant_letter(case, "reply")
    assert letter.doc_number == replies.reply_of(case).doc_number == "包政信复〔2024〕1号"
    assert letter.legal_basis == "《中华人民共和国政府信息公开条例》第三十六条第（二）项"
    assert not any(p.startswith("依据") for p in letter.paragraphs)
    text = _text(pdf.render(letter))
    _common(text, case, letter)
    _has(text, "您申请的信息属于可以公开的政府信息", "救济途径", "60日内依法申请行政复议",
         "2024年10月9日")
    assert "草稿" not in text
    assert text.count("政府信息公开申请答复告知书") == 1  # the stored title line is not repeated


def test_user_text_is_escaped_not_markup(agency, who):
    case = _case(agency, who)
    case_actions.request_supplement(case, "<b>粗体</b> & <img src=x>", 15, who["handler"],
                               D(2024, 9, 30))
    send_notices(case, D(2024, 9, 30))
    [n] = notices.for_case(case)
    _has(_text(pdf.render(pdf.from_notice(case, n))), "<b>粗体</b>&<imgsrc=x>")


def test_missing_weasyprint_is_a_clear_error(agency, who, monkeypatch):
    import builtins
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError("no weasyprint")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(RuntimeError, match="scripts/e2e-setup.sh"):
        pdf.render(pdf.receipt(_case(agency, who)))
