"""Case ledger (台账) import and export — spec/ledger.md.

Import is all-or-nothing: every line is checked (domain.ledger) and then against the database
(agency exists, tracking number not taken unless the stored case is identical); only when no
line is wrong is anything written, in one transaction. Each case gets its derived deadline
fields from ``cases.refresh_derived`` — the same domain function as a case entered by hand —
and one ``import`` audit event. Export streams the cases back as ledger objects plus the derived
fields as of a given day.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .unit_of_work import atomic
from ..domain import deadlines
from ..domain import ledger as dl
from ..domain.application import Applicant
from ..domain.text import Msg
from ..domain.workflow import NEW, transition
from ..extensions import db
from ..models import Agency, Appeal, Case, CasePause, Event, ExtensionRequest
from ..timeutil import as_local, now, tz
from . import audit, numbering
from .actors import SYSTEM_ACTOR, Actor
from .calendar import get_calendar
from .cases import facts_of, refresh_derived

CHUNK = 1000      # cases per flush on import
IN_CHUNK = 500    # values per IN (...) look-up
EXPORT_BATCH = 500
IMPORT_REASON = "台账导入"
CASE_COLUMNS = tuple(c.key for c in Case.__table__.columns if c.key != "id")
EVENT_COLUMNS = tuple(c.key for c in Event.__table__.columns if c.key != "id")

LineError = dl.LineError


@dataclass(frozen=True)
class LateActs:
    """A case imported with acts recorded after their period (rules.md R8.1): history, kept
    with its flags, without effect on the clock."""
    line: int
    tracking_no: str | None  # None in a dry run for a line whose number is not given
    flags: tuple[str, ...]


LATE_FLAGS = tuple(deadlines.LATE_ACT_LABELS)  # the order the summary counts them in


@dataclass
class ImportResult:
    errors: list[LineError] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0
    dry_run: bool = False
    late: list[LateActs] = field(default_factory=list)  # the new cases with late acts

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def late_counts(self) -> dict[str, int]:
        """R8.1 flag → number of new cases carrying it (flags that occur only, fixed order)."""
        counts = {flag: sum(flag in x.flags for x in self.late) for flag in LATE_FLAGS}
        return {flag: n for flag, n in counts.items() if n}


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# -- Case ⇄ record ----------------------------------------------------------------------------
def _applicant_of(case: Case) -> Applicant:
    return Applicant(
        type=case.applicant_type, name=case.applicant_name, id_type=case.id_type,
        id_number=case.id_number, credit_code=case.credit_code,
        legal_representative=case.legal_representative, contact_name=case.contact_name,
        phone=case.phone, email=case.email, address=case.address)


def record_of(case: Case, agency_code: str, extension_on: date | None = None,
              deferred_set_on: date | None = None,
              period_reason: str | None = None) -> dl.LedgerRecord:
    """The ledger facts of a stored case (the inverse of ``_case_row``). The days of the
    extension and the deferral are the case's columns (what the clock uses), else — rows from
    before those columns — the ones ``_event_dates`` found; ``period_reason`` is the reason of
    the new 补正 period (R4.3), which has no column."""
    consultations = tuple(
        dl.Consultation(p.kind, p.start_on, p.end_on, p.party) for p in case.pauses
        if p.kind in dl.CONSULTATION_PARTIES)
    appeals = tuple(dl.AppealRecord(a.kind, a.filed_on, a.result, a.decided_on)
                    for a in case.appeals)
    return dl.LedgerRecord(
        line=0, agency=agency_code, tracking_no=case.tracking_no, applicant=_applicant_of(case),
        channel=case.channel, subject=case.subject, description=case.description,
        delivery_form=case.delivery_form, delivery_method=case.delivery_method,
        submitted_at=as_local(case.submitted_at), received_on=case.received_on,
        supplement_requested_on=case.supplement_requested_on,
        supplement_period_workdays=case.supplement_period_workdays,
        supplement_items=case.supplement_items,
        supplement_received_on=case.supplement_received_on, consultations=consultations,
        supplement_delivered_on=case.supplement_delivered_on,
        supplement_undelivered=bool(case.supplement_undelivered),
        supplement_new_period_on=case.supplement_new_period_on,
        supplement_new_period_workdays=case.supplement_new_period_workdays,
        supplement_new_period_reason=period_reason if case.supplement_new_period_on else None,
        extension_workdays=case.extension_workdays or 0,
        extension_on=case.extension_on or extension_on,
        fee_method=case.fee_method, fee_amount=case.fee_amount,
        fee_notified_on=case.fee_notified_on, fee_paid_on=case.fee_paid_on,
        fee_delivered_on=case.fee_delivered_on, fee_undelivered=bool(case.fee_undelivered),
        deferred_due_on=case.deferred_due_on, deferred_set_on=case.deferred_on or deferred_set_on,
        withdrawn=case.status == "withdrawn", outcome=case.outcome,
        concluded_on=case.concluded_on, appeals=appeals)


def _event_dates(case_ids: list[int]) -> dict[int, tuple[date | None, date | None, str | None]]:
    """What has no column of its own (or had none before issue 13): extension approval
    (ExtensionRequest.decided_on), deferral (the set_deferred_deadline event, or the import
    event's data) and the reason of a new 补正 period (the extend_supplement_period event, or
    the import event's data). Two queries."""
    ext: dict[int, date | None] = {}
    deferred: dict[int, date | None] = {}
    reasons: dict[int, str | None] = {}
    if not case_ids:
        return {}
    for cid, decided in db.session.execute(
            select(ExtensionRequest.case_id, ExtensionRequest.decided_on)
            .where(ExtensionRequest.case_id.in_(case_ids), ExtensionRequest.decision == "approved")
            .order_by(ExtensionRequest.id)):
        ext[cid] = decided
    for cid, action, on, data in db.session.execute(
            select(Event.case_id, Event.action, Event.on_date, Event.data)
            .where(Event.case_id.in_(case_ids),
                   Event.action.in_(("import", "set_deferred_deadline",
                                     "extend_supplement_period")))
            .order_by(Event.id)):
        data = data or {}
        if action == "set_deferred_deadline":
            deferred[cid] = on
        elif action == "extend_supplement_period":
            reasons[cid] = data.get("reason")  # the last one is the period the case keeps
        else:
            if data.get("deferred_deadline_set_on"):
                deferred[cid] = date.fromisoformat(data["deferred_deadline_set_on"])
            if data.get("supplement_period_reason"):
                reasons[cid] = data["supplement_period_reason"]
    return {cid: (ext.get(cid), deferred.get(cid), reasons.get(cid)) for cid in case_ids}


def _case_row(rec: dl.LedgerRecord, tracking_no: str, agency: Agency, today: date,
              created_at) -> SimpleNamespace:
    """The case_file row of a record, with its derived deadline fields filled in by
    ``cases.refresh_derived`` — the very function a hand-entered case goes through (it reads
    the facts by attribute, so a plain namespace with the Case column names serves)."""
    a = rec.applicant
    row = SimpleNamespace(
        agency_id=agency.id, tracking_no=tracking_no, query_code_hash=None,
        idempotency_key=None, idempotency_body_sha256=None, channel=rec.channel,
        status=dl.derive_status(rec),
        applicant_type=a.type, applicant_name=a.name, id_type=a.id_type, id_number=a.id_number,
        credit_code=a.credit_code, legal_representative=a.legal_representative,
        contact_name=a.contact_name, phone=a.phone, email=a.email, address=a.address,
        assistance=a.assistance,  # 条例第四十三条: not a ledger field (ledger.md), so None
        subject=rec.subject, description=rec.description, delivery_form=rec.delivery_form,
        delivery_method=rec.delivery_method,
        submitted_at=rec.submitted_at.astimezone(UTC) if rec.submitted_at else None,
        received_on=rec.received_on, supplement_requested_on=rec.supplement_requested_on,
        supplement_period_workdays=rec.supplement_period_workdays,
        supplement_items=rec.supplement_items, supplement_received_on=rec.supplement_received_on,
        supplement_text=None,  # the applicant's online answer (issue 16): not a ledger field
        extension_workdays=rec.extension_workdays or 0, deferred_due_on=rec.deferred_due_on,
        fee_method=rec.fee_method, fee_amount=rec.fee_amount,
        fee_notified_on=rec.fee_notified_on, fee_paid_on=rec.fee_paid_on,
        outcome=rec.outcome, concluded_on=rec.concluded_on,
        concluded_by_sweep=rec.concluded_by_sweep,
        supplement_delivered_on=rec.supplement_delivered_on,
        supplement_undelivered=rec.supplement_undelivered,
        supplement_new_period_on=rec.supplement_new_period_on,
        supplement_new_period_workdays=rec.supplement_new_period_workdays,
        fee_delivered_on=rec.fee_delivered_on, fee_undelivered=rec.fee_undelivered,
        extension_on=rec.extension_on if rec.extension_workdays else None,
        deferred_on=rec.deferred_set_on if rec.deferred_due_on else None,
        clock_started_on=None, due_on=None,
        due_provisional=False, timely=None, created_at=created_at, handler_id=None,
        pauses=[SimpleNamespace(kind=c.party, party=c.party_name, start_on=c.started_on,
                                end_on=c.ended_on) for c in rec.consultations])
    refresh_derived(row, today)
    return row


# -- import: checks against the database ----------------------------------------------------------
def _agencies() -> dict[str, Agency]:
    return {a.code: a for a in db.session.execute(select(Agency)).scalars()}


def _load(stmt) -> tuple[list[Case], dict]:
    stmt = stmt.options(selectinload(Case.pauses), selectinload(Case.appeals))
    found = list(db.session.execute(stmt).scalars())
    return found, _event_dates([c.id for c in found])


def _content(rec: dl.LedgerRecord) -> str:
    """What a line says, apart from its tracking number (for unnumbered re-imports)."""
    line = dl.to_line(rec, tz())
    del line["tracking_no"]
    return json.dumps(line, ensure_ascii=False, sort_keys=True)


@dataclass
class _Check:
    """The database side of validation: accumulates across chunks of records."""
    agencies: dict[str, Agency]
    errors: list[LineError] = field(default_factory=list)
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
                self.errors.append(LineError(
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
            check.errors.append(LineError(
                rec.line, "agency", "unknown_agency",
                Msg("受理机关 {agency} 不存在（可用 flask --app disclosure agencies add 代码 名称 创建）",
                    agency=rec.agency)))
    for part in _chunks([r for r in known if r.tracking_no], IN_CHUNK):
        check.numbered(part)
    for part in _chunks([r for r in known if not r.tracking_no], IN_CHUNK):
        check.unnumbered(part)
    fresh = sorted(check.fresh, key=lambda r: r.line)
    return fresh, check.unchanged, check.errors


# -- import: writing ------------------------------------------------------------------------------
def _reserve_numbers(records: list[dl.LedgerRecord], agencies: dict[str, Agency]) -> None:
    """Historic AGENCY-YEAR-NNNNNN numbers: new numbers of that agency and year go above them."""
    top: dict[tuple[str, int], int] = defaultdict(int)
    for rec in records:
        m = dl.TRACKING_RE.match(rec.tracking_no or "")
        if m and m["agency"] in agencies:
            key = (m["agency"], int(m["year"]))
            top[key] = max(top[key], int(m["number"]))
    for (code, year), number in sorted(top.items()):
        numbering.reserve_past(agencies[code], year, number)


def _audit_data(rec: dl.LedgerRecord) -> dict:
    data = {"line": rec.line}
    if rec.deferred_set_on:  # the day had no column; older exports read it back from here
        data["deferred_deadline_set_on"] = rec.deferred_set_on.isoformat()
    if rec.supplement_new_period_reason:  # R4.3: the reason has no column
        data["supplement_period_reason"] = rec.supplement_new_period_reason
    return data


def _number(records: list[dl.LedgerRecord], agencies: dict[str, Agency],
            today: date) -> list[str]:
    """The tracking number of every record: as given, or the next ones of its agency and year —
    one ``next_tracking_no`` per (agency, year) takes the first, ``reserve_past`` the rest (the
    counter row stays locked by this transaction in between, so the whole block is ours)."""
    wanting: dict[tuple[str, int], list[int]] = defaultdict(list)
    numbers = [rec.tracking_no for rec in records]
    for i, rec in enumerate(records):
        if rec.tracking_no is None:
            wanting[(rec.agency, rec.year or today.year)].append(i)
    for (code, year), indexes in sorted(wanting.items()):
        agency = agencies[code]
        first = int(numbering.next_tracking_no(agency, year).rsplit("-", 1)[1])
        numbering.reserve_past(agency, year, first + len(indexes) - 1)
        for k, i in enumerate(indexes):
            numbers[i] = f"{code}-{year}-{first + k:06d}"
    return numbers


def _insert(model, rows: list[dict]) -> None:
    """A plain executemany INSERT (the ORM would insert row by row on SQLite to fetch ids)."""
    if rows:
        db.session.connection().execute(model.__table__.insert(), rows)


def _insert_cases(rows: list[SimpleNamespace]) -> list[int]:
    """One INSERT for the chunk, then one SELECT for the new ids by tracking number; ids come
    back in the order of ``rows``."""
    _insert(Case, [{k: getattr(r, k) for k in CASE_COLUMNS} for r in rows])
    numbers = [r.tracking_no for r in rows]
    ids: dict[str, int] = {}
    for part in _chunks(numbers, IN_CHUNK):
        ids.update(db.session.execute(select(Case.tracking_no, Case.id)
                                      .where(Case.tracking_no.in_(part))).all())
    return [ids[n] for n in numbers]


def _insert_children(part: list[dl.LedgerRecord], ids: list[int]) -> None:
    pauses, appeals, extensions = [], [], []
    for rec, case_id in zip(part, ids):
        pauses += [{"case_id": case_id, "kind": c.party, "party": c.party_name,
                    "start_on": c.started_on, "end_on": c.ended_on} for c in rec.consultations]
        appeals += [{"case_id": case_id, "kind": x.kind, "filed_on": x.filed_on,
                     "result": x.result, "decided_on": x.decided_on} for x in rec.appeals]
        if rec.extension_workdays:
            extensions.append({"case_id": case_id, "workdays": rec.extension_workdays,
                               "reason": IMPORT_REASON, "requested_by_id": None,
                               "requested_on": rec.extension_on, "decision": "approved",
                               "decided_by_id": None, "decided_on": rec.extension_on})
    _insert(CasePause, pauses)
    _insert(Appeal, appeals)
    _insert(ExtensionRequest, extensions)


def _audit(part: list[dl.LedgerRecord], rows: list[SimpleNamespace], actor: Actor) -> None:
    """One ``import`` event per case, built and chained by ``audit`` like every other event,
    then written with one executemany instead of the ORM's row-by-row flush."""
    events = [audit.build(actor, "import", case=row, after=row.status, on=rec.received_on,
                          data=_audit_data(rec)) for rec, row in zip(part, rows)]
    audit.link_all(events)  # R7.2: imported history is part of the chain too
    _insert(Event, [{k: getattr(ev, k) for k in EVENT_COLUMNS} for ev in events])


def _write(records: list[dl.LedgerRecord], agencies: dict[str, Agency], actor: Actor,
           today: date) -> list[str]:
    """Insert the cases (in chunks) → their tracking numbers, in the order of ``records``."""
    _reserve_numbers(records, agencies)
    numbers = _number(records, agencies, today)
    created_at = now()
    for start in range(0, len(records), CHUNK):
        part = records[start:start + CHUNK]
        rows = [_case_row(rec, number, agencies[rec.agency], today, created_at)
                for rec, number in zip(part, numbers[start:start + CHUNK])]
        ids = _insert_cases(rows)
        for row, case_id in zip(rows, ids):
            row.id = case_id
        _insert_children(part, ids)
        _audit(part, rows, actor)
    return numbers


def _late_acts(records: list[dl.LedgerRecord], numbers: list[str | None]) -> list[LateActs]:
    """R8.1: the records with acts recorded after their period — the same domain function the
    clock uses (``deadlines.late_acts``), with the office calendar and settings."""
    cal, fee_pauses = get_calendar(), current_app.config["FEE_PAUSES_CLOCK"]
    out = []
    for rec, number in zip(records, numbers):
        if not (rec.supplement_requested_on or rec.fee_notified_on or rec.extension_workdays
                or rec.deferred_due_on):
            continue  # no act tied to a period: nothing can be late
        flags = deadlines.late_acts(dl.clock_facts(rec), cal, fee_pauses_clock=fee_pauses)
        if flags:
            out.append(LateActs(rec.line, number, flags))
    return out


@atomic
def import_ledger(source: str | Iterable[str], *, agency_code: str | None = None,
                  dry_run: bool = False, today: date, actor: Actor = SYSTEM_ACTOR) -> ImportResult:
    """spec/ledger.md import: validate every line (format, then against the database), then
    write all of them in one transaction — or nothing, returning every error."""
    transition(NEW, "import", actor.roles)  # who may import (admin, system)
    records, errors = dl.parse_ledger(source, today=today, agency=agency_code, tz=tz(),
                                      cal=get_calendar())
    agencies = _agencies()
    records, scope_errors = _within_scope(records, agencies, actor)
    errors += scope_errors
    fresh, unchanged, db_errors = _check_database(records, agencies)
    errors = sorted(errors + db_errors, key=lambda e: e.line)
    if errors or dry_run:
        db.session.rollback()
        late = [] if errors else _late_acts(fresh, [r.tracking_no for r in fresh])
        return ImportResult(errors, 0 if errors else len(fresh), unchanged, dry_run, late)
    numbers = _write(fresh, agencies, actor, today)
    late = _late_acts(fresh, numbers)
    db.session.commit()
    return ImportResult([], len(fresh), unchanged, False, late)


def _within_scope(records, agencies: dict[str, Agency], actor: Actor):
    """An agency's administrator imports that agency's cases only (issue 12: admin is per
    agency); the system and a platform administrator import for any agency."""
    from .access import can_see_agency
    if actor.id is None:
        return records, []
    ok, errors = [], []
    for rec in records:
        agency = agencies.get(rec.agency)
        if agency is None or can_see_agency(actor, agency.id):
            ok.append(rec)
        else:
            errors.append(LineError(rec.line, "agency", "other_agency",
                                    Msg("不能导入其他机关（{agency}）的案件", agency=rec.agency)))
    return ok, errors


# -- export ---------------------------------------------------------------------------------------
def _export_query(agency_code: str | None, year: int | None):
    stmt = (select(Case).options(selectinload(Case.pauses), selectinload(Case.appeals))
            .order_by(Case.id))
    if agency_code is not None:
        stmt = stmt.join(Agency, Agency.id == Case.agency_id).where(Agency.code == agency_code)
    if year is not None:
        stmt = stmt.where(Case.received_on >= date(year, 1, 1),
                          Case.received_on <= date(year, 12, 31))
    return stmt.execution_options(yield_per=EXPORT_BATCH)


def export_ledger(agency_code: str | None = None, year: int | None = None, *,
                  as_of: date) -> Iterator[dict]:
    """spec/ledger.md export: one dict per case (imported fields + derived ones as of
    ``as_of``), streamed in batches — never all cases in memory."""
    codes = {a.id: a.code for a in db.session.execute(select(Agency)).scalars()}
    cal, cfg, zone = get_calendar(), current_app.config, tz()
    for part in db.session.execute(_export_query(agency_code, year)).scalars().partitions():
        dates = _event_dates([c.id for c in part])
        for case in part:
            rec = record_of(case, codes[case.agency_id], *dates[case.id])
            clock = deadlines.compute_deadline(
                facts_of(case), cal, as_of, fee_pauses_clock=cfg["FEE_PAUSES_CLOCK"],
                due_soon_workdays=cfg["DUE_SOON_WORKDAYS"])
            yield {**dl.to_line(rec, zone), **dl.derived_fields(case.status, clock)}
