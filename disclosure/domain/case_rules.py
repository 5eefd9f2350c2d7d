"""The rules a case action must satisfy before it changes anything — plain checks on plain
values, raising ``WorkflowError`` (the step is not allowed now) or ``ValidationFailed`` (a field
is wrong). ``services.case_actions`` loads the case, asks these, then writes; which action is
allowed in which status (and for which role) is ``workflow``'s table.
"""
from __future__ import annotations

from datetime import date

from .errors import ValidationFailed
from .text import N_, Msg
from .workflow import WorkflowError

SUPPLEMENT_PERIOD_MAX = 60  # working days a 补正 period (or a new one, R4.3) may be set to
SUPPLEMENT_TEXT_MAX = 5000  # characters of an online 补正 answer
SUPPLEMENT_FILES_MAX = 10


# -- the values a form gives ----------------------------------------------------------------

def day_within(on: date | None, today: date, earliest: date | None, field: str = "on") -> date:
    """The day an act happened: today if not given, never in the future nor before ``earliest``
    (the act it follows: the receipt, the 补正 request, the consultation's start…)."""
    on = on or today
    if on > today:
        raise ValidationFailed({field: N_("日期不能晚于今天")})
    if earliest and on < earliest:
        raise ValidationFailed({field: Msg("日期不能早于 {earliest}",
                                           earliest=earliest.isoformat())})
    return on


def positive_int(value, field: str, label: str, maximum: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed({field: Msg("{label}须为整数", label=label)}) from None
    if not 1 <= n <= maximum:
        raise ValidationFailed({field: Msg("{label}须在 1 至 {maximum} 之间", label=label,
                                             maximum=maximum)})
    return n


def required_text(value: str | None, field: str, label: str, max_len: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed({field: Msg("请填写{label}", label=label)})
    if len(value) > max_len:
        raise ValidationFailed({field: Msg("{label}不能超过 {max_len} 字", label=label,
                                             max_len=max_len)})
    return value


# -- 补正 (条例第三十条, R4) ----------------------------------------------------------------

def check_supplement_once(already_requested_on: date | None) -> None:
    """R4.1: one 补正 notice (一次性告知) per application."""
    if already_requested_on is not None:
        raise WorkflowError("supplement_once", N_("补正告知只能发出一次（一次性告知）"))


def check_supplement_in_time(on: date, notice_due: date | None) -> None:
    """R4.1: the 补正 notice goes out within 7 working days of receipt (``notice_due``). R8.1: a
    late one would be history without effect, so it is refused — the handler may send a
    协助说明函 instead, which does not touch the clock."""
    if notice_due is not None and on > notice_due:
        raise WorkflowError("supplement_late", Msg(
            "补正告知须在收到申请之日起 7 个工作日内（{limit} 前）一次性发出（条例第三十条），"
            "现已超过期限，不能再发出补正告知、也不能因此中止或重新计算答复期限。"
            "如仍需申请人说明，可发出“协助说明函”，它不影响答复期限。",
            limit=notice_due.isoformat()))


def check_clarification_confirmed(confirmed) -> None:
    """R8.1: the handler confirms knowing that a 协助说明函 does not pause or restart the clock."""
    if str(confirmed or "") != "1":
        raise ValidationFailed({"confirm": N_("请确认：协助说明函不中止、不重新计算答复期限")})


def check_new_supplement_period(period_end: date | None, today: date) -> None:
    """R4.3: a new period is given only before the current one lapses."""
    if period_end is not None and today > period_end:
        raise WorkflowError("supplement_lapsed", Msg(
            "补正期限已于 {end} 届满，不能再给予新的期限", end=period_end.isoformat()))


def check_supplement_answer(text: str, file_count: int) -> dict:
    """R4.2: an online answer has text or files, within the limits. Returns field errors."""
    errors: dict = {}
    if not text and not file_count:
        errors["text"] = N_("请填写补正内容或上传补正材料")
    elif len(text) > SUPPLEMENT_TEXT_MAX:
        errors["text"] = Msg("补正内容不能超过 {max_len} 字", max_len=SUPPLEMENT_TEXT_MAX)
    if file_count > SUPPLEMENT_FILES_MAX:
        errors["files"] = Msg("最多上传 {n} 个文件", n=SUPPLEMENT_FILES_MAX)
    return errors


# -- extension and deferral (条例第三十三条、第三十五条, R3.2 / R3.5) ---------------------------

def check_extension_request(extension_workdays: int | None, pending: bool) -> None:
    """R3.2: the period is extended once; one request waits for the head at a time."""
    if extension_workdays:
        raise WorkflowError("extension_once", N_("答复期限只能延长一次"))
    if pending:
        raise WorkflowError("extension_pending", N_("已有待审批的延期申请"))


def check_extension_pending(pending: bool) -> None:
    if not pending:
        raise WorkflowError("no_extension_request", N_("没有待审批的延期申请"))


def check_extension_in_time(approve: bool, due: date | None, today: date) -> None:
    """R3.2 / R8.1: an extension is approved before the current due date passes."""
    if approve and due is not None and today > due:
        raise WorkflowError("extension_too_late", Msg("答复期限（{due}）已过，不能再批准延期",
                                                      due=due.isoformat()))


def check_deferral(current_due: date | None, due_on: date | None, today: date) -> None:
    """R3.5 / R8.1: a deferral is set on or before the current due date, to a later date."""
    if current_due is not None and today > current_due:
        raise WorkflowError("deferral_late", Msg(
            "延后答复期限须在当前答复期限（{due}）届满前确定（条例第三十五条），现已超过期限。",
            due=current_due.isoformat()))
    if due_on is None or (current_due and due_on <= current_due) or due_on <= today:
        raise ValidationFailed({"due_on": N_("延后的答复期限须晚于今天和当前答复期限")})


# -- fees (条例第四十二条, R5) ----------------------------------------------------------------

def check_fee_notice(notified_on: date | None, due: date | None, today: date) -> None:
    """R5.1 / R5.4 / R8.1: one fee notice, inside the handling period."""
    if notified_on is not None:
        raise WorkflowError("fee_once", N_("已发出过收费通知"))
    if due is not None and today > due:
        raise WorkflowError("fee_late", Msg(
            "收费通知须在答复期限（{due}）内发出（条例第四十二条），现已超过期限，不能再发出收费通知。",
            due=due.isoformat()))


def check_fee_payment(notified_on: date | None, paid_on: date | None) -> None:
    if notified_on is None or paid_on is not None:
        raise WorkflowError("no_fee_due", N_("没有待缴纳的费用"))


def check_fee_amount(amount) -> None:
    if amount <= 0:
        raise ValidationFailed({"method": N_("按此方式计算的费用为 0 元，不应发出收费通知")})


# -- consultation (条例第三十二条) -------------------------------------------------------------

def check_third_party_notice(consulted: bool) -> None:
    """Only a decision to disclose after a written third-party consultation is told to it."""
    if not consulted:
        raise WorkflowError("no_third_party_consultation", N_(
            "本案尚未征求第三方意见：只有书面征求第三方意见后决定予以公开的，"
            "才向第三方书面告知决定公开的内容和理由（条例第三十二条）"))
