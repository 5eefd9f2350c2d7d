"""Official letters as A4 PDF: 回执, 补正告知书, 征求第三方意见书, 延期答复告知书, 收费通知书,
延后答复告知书 and 答复告知书, in the conventional layout (title, document number, addressee,
body, legal basis, remedy notice, agency, date, seal area).

Every letter shows its own 文号 (issue 15, domain.letter_numbers): the number stored when it was
released (``Notice.doc_number``, ``CaseReply.doc_number``) or, for the 回执, when it was first
printed (``Case.receipt_doc_number``, services.letters). A letter without one — a draft, an
unconfirmed online application's receipt, a letter sent before numbering began — shows the
number left blank (包政信补〔2026〕  号).

The text is what the office stored when it acted (``Notice.body``, the reply letter's version);
this module only lays it out. WeasyPrint is imported lazily so the rest of the app runs without
it; the CJK font comes from Debian's fonts-noto-cjk (scripts/setup.sh installs both).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..domain import letter_numbers
from ..domain.codes import CHANNEL_LABELS
from ..domain.replies import EARLIER_REMEDIES, REMEDY, REPLY_TYPES
from ..i18n import render_official
from ..models import Agency, Case, Notice
from ..timeutil import local_date

ACT = "《中华人民共和国政府信息公开条例》"
REPLY_TITLE = "政府信息公开申请答复告知书"
RECEIPT_TITLE = "政府信息公开申请回执"
LEGAL_BASIS = {
    "receipt": f"{ACT}第二十九条、第三十一条、第三十三条",
    "supplement": f"{ACT}第三十条",
    "consultation": f"{ACT}第三十二条",
    "extension": f"{ACT}第三十三条第二款",
    "fee": f"{ACT}第四十二条；《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
    "deferred": f"{ACT}第三十五条",
    "third_party_disclosure": f"{ACT}第三十二条",
    "forwarded": f"{ACT}第三十一条、第三十三条",
}
# The remedy sentence names the letter it is part of. The consultation letter only asks the
# third party and the receipt decides nothing: they carry no remedy notice. The decision to
# disclose over the third party's objection (第三十二条) affects its rights: it does.
LETTER_NOUN = {"supplement": "本告知书", "extension": "本告知书", "deferred": "本告知书",
               "fee": "本通知书", "third_party_disclosure": "本告知书"}
CSS_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "pdf.css")
_DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
BLANK = "\u3000\u3000"  # where a draft's 文号 will be (包政信补〔2026〕\u3000\u3000号)


@dataclass(frozen=True)
class Letter:
    kind: str
    title: str
    doc_number: str
    addressee: str
    paragraphs: tuple[str, ...]
    legal_basis: str
    remedy: str | None
    agency_name: str
    dated: date
    draft: bool = False
    facts: tuple[tuple[str, str], ...] = ()
    note: str | None = None
    numbered: bool = True  # False: no 文号 yet, ``doc_number`` is the blank form
    contact: str = ""  # the office's address, phone and hours (agency profile, issue 16)

    @property
    def filename(self) -> str:
        if not self.numbered:
            return f"{self.title}{'（草稿）' if self.draft else ''}.pdf"
        return f"{self.doc_number}-{self.title}.pdf"


def contact_of(agency: Agency) -> str:
    """The office's contact line printed under every letter (the agency profile's address,
    phone and hours; nothing when none is set)."""
    parts = [(label, value) for label, value in (
        ("联系地址", agency.address), ("联系电话", agency.phone), ("办公时间", agency.office_hours))
        if value]
    return "　".join(f"{label}：{value}" for label, value in parts)


def prefix_of(agency: Agency) -> str:
    """The agency's 机关代字 (admin profile), else the default one (services.numbering)."""
    return agency.letter_prefix or letter_numbers.default_prefix(agency.name)


def blank_number(agency: Agency, kind: str, year: int) -> str:
    """The 文号 of a letter that has none (yet): prefix, type and year, the number left blank
    (two ideographic spaces, which neither HTML nor the PDF layout collapses)."""
    return f"{prefix_of(agency)}{letter_numbers.TYPE_CHARS[kind]}〔{year}〕{BLANK}号"


def notice_doc_number(case: Case, notice) -> str:
    """A notice's own 文号 (given at release), or the blank one while it is a draft."""
    return getattr(notice, "doc_number", None) or blank_number(
        case.agency, notice.kind, notice.issued_on.year)


def _paragraphs(text: str) -> list[str]:
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    return [b.strip() for b in blocks if b.strip()]


def _split(text: str, agency_name: str, title: str) -> tuple[str, list[str]]:
    """(addressee, body paragraphs): the stored text without its title, salutation and the
    closing agency/date block, which the layout places itself."""
    paras = _paragraphs(text)
    if paras and paras[0] == title:
        paras = paras[1:]
    addressee = ""
    if paras and "\n" not in paras[0] and paras[0].endswith(("：", ":")) and len(paras[0]) <= 120:
        addressee, paras = paras[0].rstrip("：:"), paras[1:]
    if paras:
        closing = paras[-1].splitlines()
        if closing[0].strip() == agency_name and all(
                _DATE_LINE.match(x.strip()) or x.strip().startswith("（") for x in closing[1:]):
            paras = paras[:-1]
    # One indented paragraph per line (listed 补正 items, fee lines…).
    return addressee, [line.strip() for p in paras for line in p.splitlines() if line.strip()]


def from_notice(case: Case, notice: Notice) -> Letter:
    """补正告知书, 征求第三方意见书, 延期答复告知书, 收费通知书, 延后答复告知书."""
    agency = case.agency.name
    addressee, paras = _split(notice.body, agency, notice.title)
    return Letter(
        kind=notice.kind, title=notice.title, doc_number=notice_doc_number(case, notice),
        numbered=bool(getattr(notice, "doc_number", None)),
        addressee=addressee or case.applicant_name, paragraphs=tuple(paras),
        legal_basis=LEGAL_BASIS.get(notice.kind, ACT),
        remedy=_remedy(notice.kind), agency_name=agency, contact=contact_of(case.agency),
        dated=notice.issued_on,
        # R6.3: until a reviewer approved it, a notice prints only as a marked draft
        draft=getattr(notice, "released_on", None) is None)


def _remedy(kind: str) -> str | None:
    noun = LETTER_NOUN.get(kind)
    return REMEDY.replace("本答复", noun) if noun else None


def from_reply(case: Case, text: str, reply_type: str | None, dated: date,
               draft: bool = False, number: str | None = None) -> Letter:
    """答复告知书 from one version of the reply letter (the basis and remedy paragraphs of the
    text move to their own sections); ``number`` is the reply's 文号 once it was sent."""
    agency = case.agency.name
    addressee, paras = _split(text, agency, REPLY_TITLE)
    rt = REPLY_TYPES.get(reply_type or "")
    basis = rt.basis if rt else ACT
    body = []
    remedy = REMEDY
    for p in paras:
        if p.startswith(("依据：", "依据:")):
            basis = p[3:].strip().rstrip("。")
        elif p == REMEDY or p in EARLIER_REMEDIES:
            # the clause the letter was sent with (letters before 第五十一条's 投诉、举报)
            remedy = p
        else:
            body.append(p)
    return Letter(kind="reply", title=REPLY_TITLE,
                  doc_number=number or blank_number(case.agency, "reply", dated.year),
                  numbered=bool(number),
                  addressee=addressee or case.applicant_name, paragraphs=tuple(body),
                  legal_basis=basis, remedy=remedy, agency_name=agency, dated=dated, draft=draft,
                  contact=contact_of(case.agency))


def receipt(case: Case, due_on: date | None = None, provisional: bool = False) -> Letter:
    """回执 (条例第二十九条、第三十一条): what was received, when, and how to follow it."""
    submitted = local_date(case.submitted_at) if case.submitted_at else None
    dated = case.received_on or submitted
    if case.received_on:
        opening = (f"本机关于{_cn(case.received_on)}收到您提交的政府信息公开申请，现出具回执。"
                   "本机关将自收到申请之日起20个工作日内作出答复；需要延长答复期限的，将另行书面告知。")
    else:
        opening = ("本机关已收到您通过互联网提交的政府信息公开申请，现出具回执。"
                   "通过互联网渠道提交的，以双方确认之日为收到申请之日；"
                   "确认后按20个工作日计算答复期限。")
    facts = [("申请编号", case.tracking_no), ("受理机关", case.agency.name),
             ("申请人", case.applicant_name), ("所需信息", case.subject),
             ("提交方式", CHANNEL_LABELS.get(case.channel, case.channel))]
    if submitted:
        facts.append(("在线提交之日", _cn(submitted)))
    facts.append(("收到申请之日", _cn(case.received_on) if case.received_on else "待双方确认"))
    if due_on:
        facts.append(("答复期限", _cn(due_on) + ("（暂定）" if provisional else "")))
    return Letter(
        kind="receipt", title=RECEIPT_TITLE,
        doc_number=case.receipt_doc_number or blank_number(case.agency, "receipt", dated.year),
        numbered=bool(case.receipt_doc_number),
        addressee=case.applicant_name, paragraphs=(opening,), facts=tuple(facts),
        legal_basis=LEGAL_BASIS["receipt"], remedy=None, agency_name=case.agency.name,
        dated=dated, note=_receipt_note(case), contact=contact_of(case.agency))


def _receipt_note(case: Case) -> str:
    """Where the query code went: shown on screen after an online submission; handed over by
    the registrar for the other channels (never printed here: the office keeps no copy)."""
    told = ("查询码已在在线提交时显示给申请人" if case.channel == "online" else
            "查询码由登记人员在登记时告知申请人（当面交付或另行书面寄送）")
    return (told + "，本机关不保存其明文。请凭申请编号和查询码在“办理进度查询”中查看办理进度和"
            "答复；查询码遗失的，可在查询页面申请重新发送，或向本机关申请补发。")


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@lru_cache(maxsize=1)
def _css() -> str:
    with open(CSS_PATH, encoding="utf-8") as fh:
        return fh.read()


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango) cannot be loaded: no PDF can be made (the web
    answers 503, web/letters.py)."""


def render(letter: Letter) -> bytes:
    """The letter as A4 PDF bytes (WeasyPrint, fonts from the system's fontconfig);
    PdfUnavailable when WeasyPrint cannot be loaded."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the pango libraries are missing
        raise PdfUnavailable("PDF 生成组件未安装：WeasyPrint 或其系统库（Pango）无法加载，"
                             "请运行 scripts/setup.sh（scripts/e2e-setup.sh 亦会调用）") from exc
    html = render_official("pdf/letter.html", letter=letter, css=_css())
    # No base_url and no external references in the template: nothing is fetched.
    return weasyprint.HTML(string=html).write_pdf()
