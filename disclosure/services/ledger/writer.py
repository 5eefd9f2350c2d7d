"""Writing an import: the cases, their pauses, appeals and extensions, and one ``import`` audit
event each — rows built as plain dicts, written with executemany INSERTs (PostgreSQL: ``COPY``),
inside the caller's unit of work."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from types import SimpleNamespace

from sqlalchemy import select, text

from ...domain import ledger as dl
from ...extensions import db
from ...models import Agency, Appeal, Case, CasePause, Event, ExtensionRequest
from ...timeutil import now
from .. import audit, numbering
from ..actors import Actor
from .checks import IN_CHUNK, chunks
from .records import case_row

CHUNK = 1000      # cases per flush on import
IMPORT_REASON = "台账导入"
CASE_COLUMNS = tuple(c.key for c in Case.__table__.columns if c.key != "id")
USE_COPY = True   # PostgreSQL: COPY instead of INSERT (tests turn it off to compare the two)


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


def _copy(conn, table, rows: list[dict]) -> None:
    """PostgreSQL: the rows through ``COPY … FROM STDIN`` (psycopg 3) on the session's own
    connection — the same transaction as everything else, so the import stays all-or-nothing.
    Values go through the column types' bind processors, as an INSERT's parameters would."""
    keys = list(rows[0])
    procs = [table.c[k].type._cached_bind_processor(conn.dialect) for k in keys]
    quote = conn.dialect.identifier_preparer
    sql = (f"COPY {quote.format_table(table)} ({', '.join(quote.quote(k) for k in keys)}) "
           "FROM STDIN")
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(sql) as copy:
        for row in rows:
            copy.write_row([v if p is None or v is None else p(v)
                            for v, p in zip(map(row.__getitem__, keys), procs)])


def _insert(model, rows: list[dict]) -> None:
    """A plain executemany INSERT (the ORM would insert row by row on SQLite to fetch ids), or
    on PostgreSQL a COPY (``USE_COPY``). Every row has the same keys."""
    if not rows:
        return
    conn = db.session.connection()
    if USE_COPY and conn.dialect.name == "postgresql":
        _copy(conn, model.__table__, rows)
    else:
        conn.execute(model.__table__.insert(), rows)


def _reserve_ids(conn, n: int) -> list[int]:
    """PostgreSQL: n new case ids from the id sequence, ascending (as the INSERT would give
    them); taken in this transaction like any INSERT's."""
    return sorted(conn.execute(text(
        "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
        {"t": Case.__table__.name, "n": n}).scalars())


def _insert_cases(rows: list[SimpleNamespace]) -> list[int]:
    """The cases of a chunk → their ids, in the order of ``rows``. PostgreSQL: ids reserved from
    the sequence, then one COPY. Else one INSERT, then one SELECT for the new ids by tracking
    number."""
    conn = db.session.connection()
    if USE_COPY and conn.dialect.name == "postgresql":
        ids = _reserve_ids(conn, len(rows))
        _copy(conn, Case.__table__,
              [{"id": i, **{k: getattr(r, k) for k in CASE_COLUMNS}} for i, r in zip(ids, rows)])
        return ids
    _insert(Case, [{k: getattr(r, k) for k in CASE_COLUMNS} for r in rows])
    numbers = [r.tracking_no for r in rows]
    ids: dict[str, int] = {}
    for part in chunks(numbers, IN_CHUNK):
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


def _audit_data(rec: dl.LedgerRecord) -> dict:
    data = {"line": rec.line}
    if rec.deferred_set_on:  # the day had no column; older exports read it back from here
        data["deferred_deadline_set_on"] = rec.deferred_set_on.isoformat()
    if rec.supplement_new_period_reason:  # R4.3: the reason has no column
        data["supplement_period_reason"] = rec.supplement_new_period_reason
    return data


def _audit(part: list[dl.LedgerRecord], rows: list[SimpleNamespace], actor: Actor,
           chain: tuple[int, str]) -> tuple[int, str]:
    """One ``import`` event per case — the columns ``audit.build`` would give it, as a plain
    dict (as ``audit.record_many`` does) — chained by ``audit.link_all`` after ``chain`` and
    inserted in one go. → the new chain head."""
    label = str(actor.label)
    events = [{"case_id": row.id, "agency_id": row.agency_id, "actor_id": actor.id,
               "actor_label": label, "action": "import", "before_status": None,
               "after_status": row.status, "on_date": rec.received_on,
               "data": _audit_data(rec) or None, "occurred_at": now()}
              for rec, row in zip(part, rows)]
    chain = audit.link_all(events, chain)  # R7.2: imported history is part of the chain too
    _insert(Event, events)
    return chain


def write(records: list[dl.LedgerRecord], agencies: dict[str, Agency], actor: Actor,
          today: date) -> list[str]:
    """Insert the cases (in chunks) → their tracking numbers, in the order of ``records``.
    Runs inside the caller's unit of work: it commits nothing itself."""
    _reserve_numbers(records, agencies)
    numbers = _number(records, agencies, today)
    created_at = now()
    chain = audit.head()  # the chain lock is taken once and held until the transaction ends
    for start in range(0, len(records), CHUNK):
        part = records[start:start + CHUNK]
        rows = [case_row(rec, number, agencies[rec.agency], today, created_at)
                for rec, number in zip(part, numbers[start:start + CHUNK])]
        ids = _insert_cases(rows)
        for row, case_id in zip(rows, ids):
            row.id = case_id
        _insert_children(part, ids)
        chain = _audit(part, rows, actor, chain)
    return numbers
