"""The staff daily digest (issue 17): once a day, for each active staff member, what concerns them
— a handler's own cases overdue, due soon or waiting; a registrar's online submissions to
confirm; a reviewer's items awaiting review; an office head's approvals and the agency's overdue
cases; an administrator's failed mails and missing holiday calendar; and, for the office head
and administrator, the annual report not yet published (条例第四十九条). Nothing is sent to
someone with nothing to be told, nor to someone who opted out (``User.digest_opt_out``).

The queues are those of the workbench (services.workbench), so the digest says what the
sign-in page shows. Delivery: an e-mail through the outbox; and, when an SMS gateway is
configured and the user has a mobile, a short SMS — counts and the link, never a case's
details. SMS are held during STAFF_QUIET_HOURS (services.outbox asks ``held_now``); e-mail
is not. One digest per user and day: the claim ("digest", day, "u<id>") is taken in the
transaction that writes the rows, so a second sweep the same day sends nothing more.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import and_, or_, select

from .. import settings
from ..domain import application
from ..domain.codes import Role, Status
from ..domain.errors import ValidationFailed
from ..domain.text import N_
from ..extensions import db
from ..models import Outbox, User
from ..timeutil import as_local, now
from . import audit, claims, outbox, sms, workbench
from .actors import Actor
from .report import publish
from .unit_of_work import atomic, unit_of_work

log = logging.getLogger("disclosure.digest")

JOB = "digest"  # a day job (claims.DAY_JOBS): its claims go a week after their day
SMS_SUBJECT = "【每日工作提醒】"  # the subject of a digest SMS row starts so (outbox: quiet hours)
SMS_EVENT = "staff_digest"  # its key in SMS_TEMPLATES (params: summary, link)
DEFAULT_QUIET = "22:00-07:30"
TODO = (Status.REGISTERED, Status.IN_PROGRESS)  # on the handler's desk: their move


@dataclass(frozen=True)
class Item:
    mail: str  # one line of the e-mail
    sms: str  # its few characters in the SMS (a count, no case detail)


def _n(rows: list, capped: bool = False) -> str:
    """A count; the workbench lists at most SHOWN rows, so a full list says "50+"."""
    return f"{len(rows)}+" if capped or len(rows) >= workbench.SHOWN else str(len(rows))


def items_for(user: User, today: date) -> list[Item]:
    """What ``user`` is to be told today, in the order of the workbench."""
    who = Actor.of(user)
    roles = who.roles
    wb = workbench.build(who, today)
    out: list[Item] = []
    if Role.REGISTRAR in roles and wb.to_confirm:
        late = sum(1 for _c, _w, is_late in wb.to_confirm if is_late)
        tail = f"（其中 {late} 件已超过确认时限）" if late else ""
        out.append(Item(f"在线申请待确认收到：{_n(wb.to_confirm)} 件{tail}",
                        f"待确认收到{_n(wb.to_confirm)}件"))
    if Role.HANDLER in roles and wb.mine:
        full = len(wb.mine) >= workbench.SHOWN
        over = [r for r in wb.mine if r.overdue]
        soon = [r for r in wb.mine if r.due_soon]
        todo = [r for r in wb.mine if r.case.status in TODO]
        days = settings.current()["DUE_SOON_WORKDAYS"]
        if over:
            out.append(Item(f"我承办的案件已超过答复期限：{_n(over, full)} 件",
                            f"超期{_n(over, full)}件"))
        if soon:
            out.append(Item(f"我承办的案件 {days} 个工作日内到期：{_n(soon, full)} 件",
                            f"即将到期{_n(soon, full)}件"))
        if todo:
            out.append(Item(f"我承办的案件待办理：{_n(todo, full)} 件", f"待办{_n(todo, full)}件"))
    if Role.REVIEWER in roles and who.agency_id is not None:
        entries = publish.catalogue_waiting(who.agency_id)
        parts = [(label, rows) for label, rows in (("答复", wb.to_review),
                 ("告知文书", wb.notices_to_review), ("主动公开目录", entries)) if rows]
        if parts:
            total = sum(len(rows) for _label, rows in parts)
            capped = any(len(rows) >= workbench.SHOWN for _label, rows in parts)
            out.append(Item("待保密审查：" + "、".join(f"{label} {_n(rows)} 项"
                                                      for label, rows in parts),
                            f"待审查{total}{'+' if capped else ''}项"))
    if Role.OFFICE_HEAD in roles and who.agency_id is not None:
        waiting = wb.approvals + wb.to_sign
        if waiting:
            parts = [f"延期答复 {_n(wb.approvals)} 件" if wb.approvals else "",
                     f"答复签发 {_n(wb.to_sign)} 件" if wb.to_sign else ""]
            out.append(Item("待我审批：" + "、".join(p for p in parts if p),
                            f"待审批{_n(waiting)}件"))
        if wb.overdue:
            out.append(Item(f"本机关已超过答复期限：{_n(wb.overdue)} 件",
                            f"本机关超期{_n(wb.overdue)}件"))
        if wb.unassigned:
            out.append(Item(f"尚未指定承办人：{_n(wb.unassigned)} 件",
                            f"未指定承办人{_n(wb.unassigned)}件"))
    if roles & {Role.ADMIN, Role.PLATFORM_ADMIN}:
        if wb.outbox_failed:
            n = wb.outbox_failed
            out.append(Item(f"发件箱发送失败：{n} 封", f"发件失败{n}封"))
        if wb.missing_years:
            years = "、".join(str(y) for y in wb.missing_years)
            out.append(Item(f"{years} 年节假日安排尚未录入，"
                            "相关答复期限按周一至周五暂行计算并标为暂定", "节假日未录入"))
    if roles & {Role.OFFICE_HEAD, Role.ADMIN} and who.agency_id is not None:
        if (due := publish.reminder(who.agency_id, today)) is not None:
            out.append(Item(publish.reminder_line(due),
                            f"{due.year}年度报告{'逾期' if due.overdue else ''}未公布"))
    return out


# -- texts ----------------------------------------------------------------------------------------
def _base() -> str:
    return str(settings.current().get("PUBLIC_BASE_URL") or "").rstrip("/")


def workbench_link() -> str:
    return f"{_base()}/staff/"


def mail_text(name: str, today: date, items: list[Item]) -> str:
    lines = "\n".join(f"- {i.mail}" for i in items)
    return (f"{name}：\n\n截至 {today.isoformat()}，需要您关注的事项：\n{lines}\n\n"
            f"请登录工作台查看和办理：\n{workbench_link()}\n\n"
            f"本邮件由系统每日自动发送。不需要时，可在“个人设置”中关闭：\n{_base()}/account/")


_SMS_TEXT = re.compile(r"^每日工作提醒：(?P<summary>.*)。详见：(?P<link>\S*)$")


def sms_text(items: list[Item]) -> str:
    return f"每日工作提醒：{'，'.join(i.sms for i in items)}。详见：{workbench_link()}"


def gateway_fields(subject: str, body: str) -> tuple[str, dict]:
    """For a digest SMS row: its SMS_TEMPLATES event and the template parameters."""
    m = _SMS_TEXT.match(body or "")
    return SMS_EVENT, ({"summary": m["summary"], "link": m["link"]} if m else {})


def is_digest_sms(recipient: str, subject: str) -> bool:
    return recipient.startswith(outbox.SMS_PREFIX) and (subject or "").startswith(SMS_SUBJECT)


def digest_sms_rows():
    """The WHERE clause of the digest SMS rows (the outbox holds them in quiet hours)."""
    return and_(Outbox.recipient.like(f"{outbox.SMS_PREFIX}%"),
                Outbox.subject.like(f"{SMS_SUBJECT}%"))


# -- quiet hours ----------------------------------------------------------------------------------
_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


def quiet_window(raw: str | None) -> tuple[time, time] | None:
    """STAFF_QUIET_HOURS "22:00-07:30" (local time; may run past midnight) → (start, end);
    empty → None (no quiet hours). A value that cannot be read keeps the default: staff
    phones stay quiet at night rather than ring because of a typo."""
    if raw is None or not str(raw).strip():
        return None
    m = _HHMM.match(str(raw))
    try:
        if m is None:
            raise ValueError(raw)
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        start, end = time(h1, m1), time(h2, m2)
    except ValueError:
        log.warning("STAFF_QUIET_HOURS %r is not HH:MM-HH:MM: %s used", raw, DEFAULT_QUIET)
        return quiet_window(DEFAULT_QUIET)
    return None if start == end else (start, end)


def quiet_label() -> str | None:
    window = quiet_window(settings.current().get("STAFF_QUIET_HOURS"))
    return f"{window[0]:%H:%M}–{window[1]:%H:%M}" if window else None


def held_now(at: datetime | None = None) -> bool:
    """Is ``at`` (default: now) within the quiet hours, in the office's time zone?"""
    window = quiet_window(settings.current().get("STAFF_QUIET_HOURS"))
    if window is None:
        return False
    t = as_local(at or now()).time()
    start, end = window
    return start <= t < end if start < end else (t >= start or t < end)


# -- the daily run --------------------------------------------------------------------------------
def _recipients() -> list[int]:
    return list(db.session.execute(select(User.id).where(
        User.active.is_(True), or_(User.digest_opt_out.is_(None),
                                   User.digest_opt_out.is_(False))).order_by(User.id)).scalars())


def send_all(today: date) -> int:
    """One digest per active staff member with something to be told (sweep.send_digests).
    Each user's rows and claim are one unit of work; the queues are read before it, outside the
    write lock. Returns how many digests were written."""
    sent = 0
    for uid in _recipients():
        user = db.session.get(User, uid)
        if user is None or not user.roles:
            continue
        email = (user.email or "").strip()
        phone = sms.mobile(user.mobile) if sms.configured() else None
        if not (email or phone):
            continue
        items = items_for(user, today)
        if not items:
            continue
        name, agency = user.display_name, user.agency.name if user.agency else ""
        with unit_of_work():
            if not claims.claim(JOB, today, f"u{uid}"):
                continue
            if email:
                outbox.enqueue(email, f"【{agency}】{today.isoformat()} 政府信息公开每日工作提醒",
                               mail_text(name, today, items))
            if phone:
                outbox.enqueue(f"{outbox.SMS_PREFIX}{phone}",
                               f"{SMS_SUBJECT}{today.isoformat()}", sms_text(items))
        sent += 1
    return sent


# -- the user's own settings (/account/) ----------------------------------------------------------
NOT_MOBILE = N_("请填写 11 位手机号码（短信提醒只发往大陆手机号码）")
_WIDE = re.compile("[０-９]")


def check_mobile(raw: str | None) -> tuple[str | None, str | None]:
    """(the number in its 11-digit form or None for none, an error or None). The applicant's
    rules (domain.application.check_phone) and their messages where they fit; a landline or a
    number abroad is refused: the SMS gateway reaches mainland mobiles only."""
    text = (raw or "").strip()
    if not text:
        return None, None
    if len(text) <= 30 and (number := sms.mobile(text)):
        return number, None
    digits = re.sub(r"^(?:\+86|0086)", "", re.sub(r"[\s\u3000\-()]", "", text))
    if _WIDE.search(text) or (digits.isascii() and digits.isdigit() and digits.startswith("1")):
        return None, application.check_phone(text) or NOT_MOBILE
    return None, NOT_MOBILE


@atomic
def save_settings(actor: Actor, mobile: str | None, opt_out: bool) -> bool:
    """A staff member's own reminder settings (issue 17). Returns whether anything changed.
    The audit event says what changed, never the number."""
    number, error = check_mobile(mobile)
    if error:
        raise ValidationFailed({"mobile": error})
    user = db.session.get(User, actor.id)
    if user is None:
        raise ValidationFailed({"mobile": N_("账号不存在")})
    changed = {}
    if (user.mobile or None) != number:
        user.mobile, changed["mobile"] = number, "set" if number else "removed"
    if bool(user.digest_opt_out) != bool(opt_out):
        user.digest_opt_out = changed["digest_opt_out"] = bool(opt_out)
    if changed:
        audit.record(actor, "reminder_settings", agency_id=user.agency_id, data=changed)
    return bool(changed)
