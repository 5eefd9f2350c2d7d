"""The ``appeals`` of a ledger line: administrative reconsideration and litigation (the same
rules as the appeals service)."""
from __future__ import annotations

from datetime import date

from ..codes import AppealKind, AppealResult
from ..text import N_, Msg
from .record import APPEAL_KEYS, AppealRecord
from .values import Errors, blank, not_future, read_code, read_date, unknown_keys


def _check_dates(item: dict, path: str, filed: date | None, decided: date | None, result,
                 received_on: date | None, today: date, e: Errors) -> None:
    if filed and received_on and filed < received_on:
        e.add(path + ".filed_on", "before_received",
              Msg("提起日期（{filed}）早于收到申请之日", filed=filed))
    if filed and decided and decided < filed:
        e.add(path + ".decided_on", "out_of_order",
              Msg("审结日期（{decided}）早于提起日期（{filed}）", decided=decided, filed=filed))
    if decided and result == AppealResult.PENDING:
        e.add(path + ".result", "appeal_pending_decided",
              N_("已填审结日期，结果不能为 pending（尚未审结）"))
    if result and result != AppealResult.PENDING and decided is None \
            and blank(item.get("decided_on")):
        e.add(path + ".decided_on", "required", N_("已审结的（结果不是 pending），请填写审结日期"))
    not_future(filed, today, path + ".filed_on", e, N_("提起日期"))
    not_future(decided, today, path + ".decided_on", e, N_("审结日期"))


def _appeal(item, path: str, received_on: date | None, today: date,
            e: Errors) -> AppealRecord | None:
    if not isinstance(item, dict):
        e.add(path, "invalid", N_("复议诉讼记录应为 JSON 对象"))
        return None
    unknown_keys(item, APPEAL_KEYS, path + ".", e)
    kind = read_code(item.get("kind"), AppealKind, path + ".kind", e, label=N_("复议诉讼类型"),
                     required=True)
    result = read_code(item.get("result"), AppealResult, path + ".result", e,
                       label=N_("复议诉讼结果"))
    result = result or (None if not blank(item.get("result")) else AppealResult.PENDING.value)
    filed = read_date(item.get("filed_on"), path + ".filed_on", e, required=True,
                      label=N_("提起日期"))
    decided = read_date(item.get("decided_on"), path + ".decided_on", e, label=N_("审结日期"))
    _check_dates(item, path, filed, decided, result, received_on, today, e)
    if kind and filed and result:
        return AppealRecord(kind, filed, result, decided)
    return None


def read_appeals(obj: dict, received_on: date | None, today: date,
                 e: Errors) -> tuple[AppealRecord, ...]:
    items = obj.get("appeals")
    if items is None:
        return ()
    if not isinstance(items, list):
        e.add("appeals", "invalid", N_("appeals 应为 JSON 数组"))
        return ()
    parsed = [_appeal(a, f"appeals[{i}]", received_on, today, e) for i, a in enumerate(items)]
    return tuple(a for a in parsed if a is not None)
