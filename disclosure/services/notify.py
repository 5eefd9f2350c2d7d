"""Telling the applicant (issue 16): at each step that concerns them — receipt, a notice released
(补正, new 补正 period, extension, deferral, fee, request for clarification), the reply released,
and the case closed because a 补正 or fee period lapsed — a short message by e-mail (when the
case has an address) and by SMS (when the phone on file is a mainland mobile and an SMS gateway
is configured, services.sms). Each message is an outbox row written in the transaction of the
act, so it leaves only if the act is kept; the scheduler sends it (services.outbox).

The texts say what happened and where to look, nothing more: the tracking number and the link to
the status page (PUBLIC_BASE_URL + /status?no=…). Never the query code (the link is useless
without it), the applicant's name, identity number, address or the letter itself — a mailbox or
phone can be read by others; the letter is on the status page once the applicant signs in with
number and code. One exception, by law: an applicant who asked for delivery by e-mail receives
a released notice's full text by e-mail (R8.2 送达 — the e-mail is the service of the letter).
The messages are Chinese official texts, not translated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from .. import settings
from ..models import Case, Outbox
from . import outbox, sms
from .outbox import SMS_PREFIX


@dataclass(frozen=True)
class Texts:
    title: str  # the subject, after 【tracking number】
    mail: str  # the e-mail's first paragraph
    sms: str  # the whole SMS (the link is appended)


_LOOK = "请凭申请编号和查询码查看"
EVENTS: dict[str, Texts] = {
    "receipt": Texts(
        "申请已收到",
        "您提交的政府信息公开申请已收到，申请编号：{no}。{received}",
        "您的政府信息公开申请已收到，申请编号{no}，可凭申请编号和查询码查询办理进度："),
    "supplement": Texts(
        "请补正申请",
        "{agency}已就您的政府信息公开申请（申请编号：{no}）发出《补正申请告知书》。请查看需要补正的"
        "事项和补正期限，并在期限内提交补正材料；无正当理由逾期不补正的，视为放弃申请。",
        "您的政府信息公开申请{no}需要补正，{agency}已发出补正申请告知书，" + _LOOK + "："),
    "supplement_period": Texts(
        "补正期限已重新计算",
        "{agency}已就您的政府信息公开申请（申请编号：{no}）发出《补正期限延长告知书》，"
        "补正期限已重新计算。",
        "您的政府信息公开申请{no}的补正期限已重新计算，" + _LOOK + "："),
    "extension": Texts(
        "答复期限延长",
        "{agency}已就您的政府信息公开申请（申请编号：{no}）发出《延期答复告知书》，"
        "答复期限已延长。",
        "您的政府信息公开申请{no}答复期限已延长，" + _LOOK + "："),
    "deferred": Texts(
        "答复期限延后",
        "{agency}已就您的政府信息公开申请（申请编号：{no}）发出《延后答复告知书》，"
        "答复期限已延后。",
        "您的政府信息公开申请{no}答复期限已延后，" + _LOOK + "："),
    "fee": Texts(
        "信息处理费缴纳通知",
        "{agency}已就您的政府信息公开申请（申请编号：{no}）发出《收费通知书》。请查看收费金额和"
        "缴费方式，并在收到通知之日起20个工作日内缴纳；逾期未缴纳的，视为放弃申请。",
        "您的政府信息公开申请{no}需缴纳信息处理费，{agency}已发出收费通知书，" + _LOOK + "："),
    "forwarded": Texts(
        "申请已转送",
        "您的政府信息公开申请（申请编号：{no}）已转送{agency}办理，申请编号和查询码不变，"
        "答复期限自{agency}确认收到申请之日起计算。",
        "您的政府信息公开申请{no}已转送{agency}办理，" + _LOOK + "："),
    "clarification": Texts(
        "请协助说明申请内容",
        "{agency}已就您的政府信息公开申请（申请编号：{no}）发出《协助说明函》。",
        "您的政府信息公开申请{no}：{agency}已发出协助说明函，" + _LOOK + "："),
    "reply": Texts(
        "申请已答复",
        "{agency}已对您的政府信息公开申请（申请编号：{no}）作出答复。",
        "您的政府信息公开申请{no}已答复，" + _LOOK + "："),
    "lapse_supplement": Texts(
        "申请已终止办理（逾期未补正）",
        "您的政府信息公开申请（申请编号：{no}）补正期限已届满，未收到补正材料，视为放弃申请，"
        "{agency}不再处理该申请。",
        "您的政府信息公开申请{no}因逾期未补正视为放弃申请，不再处理，详情" + _LOOK + "："),
    "lapse_fee": Texts(
        "申请已终止办理（逾期未缴费）",
        "您的政府信息公开申请（申请编号：{no}）未在规定期限内缴纳信息处理费，视为放弃申请，"
        "{agency}不再处理该申请。",
        "您的政府信息公开申请{no}因逾期未缴费视为放弃申请，不再处理，详情" + _LOOK + "："),
}
# A new query code (services.code_recovery writes that row itself, with the code in it).
QUERY_CODE_TITLE = "新的查询码"

MAIL_FOOTER = ("\n\n" + _LOOK + "办理进度和有关文书：\n{link}\n\n"
               "本通知不含查询码，请妥善保管您的查询码；遗失的，可在查询页面申请重新生成。\n"
               "本邮件由系统自动发送，请勿直接回复。")


def status_link(tracking_no: str) -> str:
    """The status page for this number (PUBLIC_BASE_URL; relative without it). The query code is
    never part of it."""
    base = str(settings.current().get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/status?no={quote(tracking_no, safe='')}"


def _cndate(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _values(case: Case, event: str) -> dict:
    values = {"no": case.tracking_no, "agency": case.agency.name if case.agency else "受理机关",
              "received": ""}
    if event == "receipt":
        values["received"] = (
            f"{values['agency']}收到申请之日为{_cndate(case.received_on)}，答复期限自该日起计算。"
            if case.received_on else "受理机关确认收到后，答复期限自确认收到之日起计算。")
    return values


# R8.2: an applicant who asked for delivery by e-mail is served the notice by e-mail on the day
# it is released — so that e-mail must carry the letter itself (to their own address), not only
# a pointer. Everyone else gets the pointer; no SMS ever carries a letter.
LETTER_HEADING = "\n\n——以下为告知书全文（电子邮件送达）——\n\n"


def applicant_event(case: Case, event: str, *, letter: str | None = None,
                    **facts) -> list[Outbox]:
    """Queue the messages of ``event`` (a key of EVENTS) for the applicant of ``case``, inside
    the caller's transaction. ``letter`` is the released notice's text: included in the e-mail
    only when the applicant chose e-mail delivery (R8.2 送达). ``facts`` fill extra
    placeholders of a text. Returns the rows written (none: no e-mail and no usable mobile)."""
    texts = EVENTS[event]
    values = {**_values(case, event), **facts}
    link = status_link(case.tracking_no)
    subject = f"【{case.tracking_no}】{texts.title}"
    rows = []
    if case.email:
        body = texts.mail.format(**values) + MAIL_FOOTER.format(link=link)
        if letter and case.delivery_method == "email":
            body += LETTER_HEADING + letter
        rows.append(outbox.enqueue(case.email, subject, body, case))
    phone = sms.mobile(case.phone)
    if phone and sms.configured():
        rows.append(outbox.enqueue(f"{SMS_PREFIX}{phone}", subject,
                                   texts.sms.format(**values) + link, case))
    return rows


_SUBJECT = re.compile(r"^【(?P<no>[^】]+)】(?P<title>.+)$")
_CODE = re.compile(r"新查询码：(?P<code>[A-Z0-9]+)")
_BY_TITLE = {t.title: name for name, t in EVENTS.items()}


def gateway_fields(subject: str, body: str) -> tuple[str | None, dict]:
    """For an ``sms:`` outbox row: the event (the key of its SMS_TEMPLATES entry) and the
    template parameters, read back from the row's subject (【number】title) and, for a new query
    code, its text."""
    m = _SUBJECT.match(subject or "")
    if m is None:
        return None, {}
    no, title = m["no"], m["title"]
    if title == QUERY_CODE_TITLE:
        code = _CODE.search(body or "")
        return "query_code", {"no": no, **({"code": code["code"]} if code else {})}
    return _BY_TITLE.get(title), {"no": no, "link": status_link(no)}
