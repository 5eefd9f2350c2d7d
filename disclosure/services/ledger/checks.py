"""The database side of an import's validation: the agency exists and is the actor's, and a
line imported before is recognised (skipped as unchanged) while a tracking number taken by a
different case is an error. Reads only."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ...domain import ledger as dl
from ...domain.text import Msg
from ...extensions import db
from ...models import Agency, Case
from ...timeutil import tz
from ..access import can_see_agency
from ..actors import Actor
from .records import event_dates, record_of

IN_CHUNK = 500    # values per IN (...) look-up


def chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _agencies() -> dict[str, Agency]:
    return {a.code: a for a in db.session.execute(select(Agency)).scalars()}


def _load(stmt) -> tuple[list[Case], dict]:
    stmt = stmt.options(selectinload(Case.pauses), selectinload(Case.appeals))
    found = list(db.session.execute(stmt).scalars())
    return found, event_dates([c.id for c in found])


def _content(rec: dl.LedgerRecord) -> str:
    """What a line says, apart from its tracking number (for unnumbered re-imports)."""
    line = dl.to_line(rec, tz())
    del line["tracking_no"]
    return json.dumps(line, ensure_ascii=False, sort_keys=True)


@dataclass
class _Check:
    """The database side of validation: accumulates across chunks of records."""
    agencies: dict[str, Agency]
    errors: list[dl.LineError] = field(default_factory=list)
    fresh: list[dl.LedgerRecord] = field(default_factory=list)
    unchanged: int = 0
    matched: set[int] = field(default_factory=set)  # cases an unnumbered line already matched

    def stored(self, case: Case, dates: dict) -> dl.LedgerRecord:
        code = next(a.code for a in self.agencies.values() if a.id == case.agency_id)
        return record_of(case, code, *dates[case.id])

    def numbered(self, part: list[dl.LedgerRecord]) -> None:
        """A tracking number already taken: fine (skipped) only if the case is identical."""
        found, dates = _load(select(Case).where(Case.tracking_no.in_(
            [r.tracking_no for r in part])))
        existing = {c.tracking_no: c for c in found}
        for rec in part:
            case = existing.get(rec.tracking_no)
            if case is None:
                self.fresh.append(rec)
            elif dl.to_line(rec, tz()) == dl.to_line(self.stored(case, dates), tz()):
                self.unchanged += 1
            else:
                self.errors.append(dl.LineError(
                    rec.line, "tracking_no", "tracking_no_exists",
                    Msg("申请编号 {tracking_no} 已存在，且与已有案件内容不同",
                        tracking_no=rec.tracking_no)))

    def unnumbered(self, part: list[dl.LedgerRecord]) -> None:
        """No tracking number: a stored case saying exactly the same is this line imported
        before (each stored case matches one line at most)."""
        found, dates = _load(select(Case).where(
            Case.agency_id.in_({self.agencies[r.agency].id for r in part}),
            Case.applicant_name.in_({r.applicant.name for r in part}),
            or_(Case.received_on.in_({r.received_on for r in part if r.received_on}),
                Case.received_on.is_(None))))
        candidates = defaultdict(list)
        for case in found:
            if case.id not in self.matched:
                candidates[_content(self.stored(case, dates))].append(case.id)
        for rec in part:
            same = candidates.get(_content(rec)) if candidates else None
            if same:
                self.matched.add(same.pop(0))
                self.unchanged += 1
            else:
                self.fresh.append(rec)


def _unknown_agency(rec: dl.LedgerRecord) -> dl.LineError:
    return dl.LineError(rec.line, "agency", "unknown_agency", Msg(
        "受理机关 {agency} 不存在（可用 flask --app disclosure agencies add 代码 名称 创建）",
        agency=rec.agency))


def _check_database(records: list[dl.LedgerRecord], agencies: dict[str, Agency]):
    """Agency exists; a line imported before is skipped (counted unchanged); a tracking number
    taken by a different case is an error. One look-up per IN_CHUNK records.
    → (records to create in file order, number unchanged, errors)."""
    check = _Check(agencies)
    known = []
    for rec in records:
        if rec.agency in agencies:
            known.append(rec)
        else:
            check.errors.append(_unknown_agency(rec))
    for part in chunks([r for r in known if r.tracking_no], IN_CHUNK):
        check.numbered(part)
    for part in chunks([r for r in known if not r.tracking_no], IN_CHUNK):
        check.unnumbered(part)
    fresh = sorted(check.fresh, key=lambda r: r.line)
    return fresh, check.unchanged, check.errors


def _within_scope(records: list[dl.LedgerRecord], agencies: dict[str, Agency], actor: Actor):
    """An agency's administrator imports that agency's cases only (issue 12: admin is per
    agency); the system and a platform administrator import for any agency."""
    if actor.id is None:
        return records, []
    ok, errors = [], []
    for rec in records:
        agency = agencies.get(rec.agency)
        if agency is None or can_see_agency(actor, agency.id):
            ok.append(rec)
        else:
            errors.append(dl.LineError(rec.line, "agency", "other_agency", Msg(
                "不能导入其他机关（{agency}）的案件", agency=rec.agency)))
    return ok, errors


@dataclass(frozen=True)
class Plan:
    """What an import would do: the records to create (file order), how many lines are
    already stored unchanged, and every error (line order; the file's own first)."""
    agencies: dict[str, Agency]
    fresh: list[dl.LedgerRecord]
    unchanged: int
    errors: list[dl.LineError]


def plan_import(records: list[dl.LedgerRecord], errors: list[dl.LineError],
                actor: Actor) -> Plan:
    """Check the parsed records against the database (``errors``: the file's own)."""
    agencies = _agencies()
    records, scope_errors = _within_scope(records, agencies, actor)
    fresh, unchanged, db_errors = _check_database(records, agencies)
    every = sorted(errors + scope_errors + db_errors, key=lambda e: e.line)
    return Plan(agencies, fresh, unchanged, every)
