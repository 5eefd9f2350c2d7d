"""条例第四十四条 / "已经公开了吗" (issue 17): the search over public texts — docs/search.md.

``search_doc`` holds only what is already public: a catalogue entry once its reviewed release set
``published_on``; a reply once released — its subject and released letter, ``scrub``-bed of the
applicant's data, since all staff on the platform may find it. ``search``: every term in title
or body (AND), via the full-text index from three characters, LIKE below. ``similar``: titles
sharing enough of a subject's grams (a subject is a sentence, not keywords).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, case, column, delete, func, literal_column, or_, select
from sqlalchemy import table as sa_table
from sqlalchemy import text as sa_text
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Case, CaseReply, CatalogueEntry, ReleaseItem, SearchDoc
from . import review
from .unit_of_work import atomic

KINDS = ("catalogue", "reply")
QUERY_MAX = 200  # characters of a query looked at; the rest is ignored
TERMS_MAX = 8  # terms of a query used (each is a LIKE / a phrase: bound the work)
GRAMS_MAX = 40  # grams of a subject compared in ``similar``
TRIGRAM = 3  # the shortest term the trigram index can answer
MASK = "××"  # what an applicant's identifier becomes

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPLIT = re.compile(r"[\W_]+")  # CJK characters and digits are word characters
# Filler of a request that says nothing about *which* information ("申请公开…的文件").
_FILLER = sorted(("政府信息公开", "政府信息", "信息公开", "依申请", "申请公开", "请求公开", "申请",
                  "公开", "请求", "要求", "关于", "有关", "相关", "提供", "获取", "查询", "本人",
                  "我们", "我", "请", "的", "和", "及", "与", "等"), key=len, reverse=True)
_FILLER_RE = re.compile("|".join(map(re.escape, _FILLER)))
# Identifiers anywhere in a letter, whoever they belong to: 18/15-digit ID numbers, mobiles,
# e-mail addresses.
_PII = [re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])"),
        re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])"),
        re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"),
        re.compile(r"[A-Za-z0-9.+_-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")]
_COLON = ("：", ":")


@dataclass(frozen=True)
class Hit:
    kind: str
    ref_id: int
    agency_id: int
    title: str
    published_on: date | None
    score: int  # search: terms found in the title; similar: grams found in the title


# -- what goes in -------------------------------------------------------------------------------

def _identifiers(case: Case) -> list[str]:
    """The applicant's own values; one character is too short to replace safely (it would
    take ordinary words with it) — those names are caught by the salutation rule."""
    values = (case.applicant_name, case.contact_name, case.legal_representative, case.id_number,
              case.credit_code, case.phone, case.email, case.address)
    found = {v.strip() for v in values if v and len(v.strip()) >= 2}
    return sorted(found, key=len, reverse=True)  # 张三丰 before 张三


def scrub(text: str | None, case: Case) -> str:
    """``text`` without the applicant's personal data: the salutation line (the released letter
    opens "张三："), the application's tracking number phrase, then every occurrence of the
    applicant's name, contact, ID, credit code, phone, e-mail and address, and any ID number,
    mobile number or e-mail address whoever it belongs to — each replaced by ××."""
    if not text:
        return ""
    ids = _identifiers(case)
    lines, kept, seen_text = text.splitlines(), [], 0
    for line in lines:
        s = line.strip()
        if s:
            seen_text += 1
            # the salutation: a short line ending in a colon near the top, or any line that
            # ends in a colon and names the applicant
            if s.endswith(_COLON) and ((seen_text <= 3 and len(s) <= 60)
                                       or any(i in s for i in ids)):
                continue
        kept.append(line)
    out = "\n".join(kept)
    if case.tracking_no:
        out = re.sub(r"[（(]\s*申请编号[：:]\s*" + re.escape(case.tracking_no) + r"\s*[）)]", "",
                     out)
        out = out.replace(case.tracking_no, MASK)
    for value in ids:
        out = out.replace(value, MASK)
    for pattern in _PII:
        out = pattern.sub(MASK, out)
    return out.strip()


def _upsert(kind: str, ref_id: int, agency_id: int, title: str, body: str,
            published_on: date | None) -> None:
    values = {"agency_id": agency_id, "title": title[:1000], "body": body,
              "published_on": published_on}
    find = select(SearchDoc).where(SearchDoc.kind == kind, SearchDoc.ref_id == ref_id)
    doc = db.session.execute(find).scalar()
    if doc is None:
        try:
            with db.session.begin_nested():  # two releases of one text at once: one inserts,
                db.session.add(SearchDoc(kind=kind, ref_id=ref_id, **values))
            return
        except IntegrityError:  # the other updates
            doc = db.session.execute(find).scalar_one()
    for key, value in values.items():
        setattr(doc, key, value)
    db.session.flush()


def _released_entry_text(entry: CatalogueEntry) -> str:
    """The released text and attachment names of the entry — never a newer draft."""
    items = db.session.execute(select(ReleaseItem).where(ReleaseItem.entry_id == entry.id)
                               .order_by(ReleaseItem.id)).scalars().all()
    released = review.released_versions([i.id for i in items])
    parts = [entry.doc_number or ""]
    for item in items:
        if item.id in released and (item.kind == "entry_text" or not item.withdrawn):
            ver = released[item.id][1]
            parts.append(ver.text if item.kind == "entry_text" else (ver.filename or ""))
    return "\n".join(p for p in parts if p)


@atomic
def index_catalogue_entry(entry: CatalogueEntry) -> None:
    """After a reviewed publication: the entry as the public sees it. An entry not published
    (any more) leaves the index. A repealed entry stays: the catalogue still shows it, marked
    已废止."""
    entry_id = entry.id
    entry = db.session.get(CatalogueEntry, entry_id)
    if entry is None or entry.published_on is None:
        unindex("catalogue", entry_id)
        return
    _upsert("catalogue", entry.id, entry.agency_id, entry.title, _released_entry_text(entry),
            entry.published_on)


def released_letter(reply: CaseReply) -> str:
    if not reply.letter_item_id:
        return ""
    found = review.released_versions([reply.letter_item_id]).get(reply.letter_item_id)
    return (found[1].text or "") if found else ""


@atomic
def index_reply(case: Case) -> None:
    """After the release of a reply: its subject and released letter, scrubbed. A reply not
    released leaves the index."""
    case_id = case.id
    case = db.session.get(Case, case_id)
    reply = db.session.execute(select(CaseReply).where(CaseReply.case_id == case_id)).scalar() \
        if case is not None else None
    if reply is None or reply.released_on is None:
        unindex("reply", case_id)
        return
    _upsert("reply", case.id, case.agency_id, scrub(case.subject, case),
            scrub(released_letter(reply), case), reply.released_on)


@atomic
def unindex(kind: str, ref_id: int | None) -> None:
    """Take a text out of the index (nothing to do when it is not there). Nothing is
    withdrawn from publication today; this is the one way out when something is."""
    if ref_id is not None:
        db.session.execute(delete(SearchDoc).where(SearchDoc.kind == kind,
                                                   SearchDoc.ref_id == ref_id))


@atomic
def reindex_all() -> dict[str, int]:
    """Rebuild the index from the database: after a restore, an import, or a deploy of this
    feature onto existing data. Returns how many of each kind are indexed."""
    db.session.execute(delete(SearchDoc))
    if _dialect() == "sqlite":  # drop whatever the FTS5 shadow tables kept, then rebuild
        db.session.execute(sa_text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    counts = dict.fromkeys(KINDS, 0)
    entries = db.session.execute(select(CatalogueEntry).where(
        CatalogueEntry.published_on.is_not(None)).order_by(CatalogueEntry.id)).scalars().all()
    for entry in entries:
        index_catalogue_entry(entry)
        counts["catalogue"] += 1
    case_ids = db.session.execute(select(CaseReply.case_id).where(
        CaseReply.released_on.is_not(None)).order_by(CaseReply.case_id)).scalars().all()
    for case_id in case_ids:
        index_reply(db.session.get(Case, case_id))
        counts["reply"] += 1
    return counts


# -- what comes out -----------------------------------------------------------------------------

def _dialect() -> str:
    return db.session.get_bind().dialect.name


def terms_of(query: str | None) -> list[str]:
    """The terms of a query: split on whitespace (full-width too), control characters dropped,
    repeated terms once (case-insensitively), at most TERMS_MAX of the first QUERY_MAX
    characters."""
    out, seen = [], set()
    for term in _CONTROL.sub(" ", query or "")[:QUERY_MAX].split():
        if term.casefold() not in seen:
            seen.add(term.casefold())
            out.append(term)
    return out[:TERMS_MAX]


def _pattern(term: str) -> str:
    """``%term%`` with the user's own %, _ and \\ taken literally."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _contains(col, term: str):
    """``col`` contains ``term``, case-insensitively for Latin letters. PostgreSQL's default
    LIKE escape is the backslash; SQLite has none, so it is named."""
    if _dialect() == "postgresql":
        return col.ilike(_pattern(term))
    return col.like(_pattern(term), escape="\\")


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _fts_match(expression: str):
    """The ids of search_doc rows the FTS5 index finds for ``expression`` (SQLite)."""
    fts = sa_table("search_fts", column("rowid", Integer))
    return SearchDoc.id.in_(select(fts.c.rowid).where(
        sa_text("search_fts MATCH :fts_q").bindparams(fts_q=expression)))


def _pg_text():
    """Exactly the expression of the pg_trgm index (search_ddl), so the planner can use it:
    the space is a literal, not a bound parameter."""
    return SearchDoc.title.op("||")(literal_column("' '")).op("||")(SearchDoc.body)


def _term_filter(terms: list[str]):
    """Every term in the title or body."""
    if _dialect() == "postgresql":
        return and_(*[_contains(_pg_text(), t) for t in terms])
    conds = []
    long = [t for t in terms if len(t) >= TRIGRAM]
    if long:
        conds.append(_fts_match(" AND ".join(_phrase(t) for t in long)))
    conds += [or_(_contains(SearchDoc.title, t), _contains(SearchDoc.body, t))
              for t in terms if len(t) < TRIGRAM]
    return and_(*conds)


def _title_hits(words: list[str]):
    return sum((case((_contains(SearchDoc.title, w), 1), else_=0) for w in words),
               start=literal_column("0"))


def _scope(stmt, kinds, agency_ids):
    kinds = [k for k in (kinds or KINDS) if k in KINDS]
    stmt = stmt.where(SearchDoc.kind.in_(kinds))
    if agency_ids is not None:
        stmt = stmt.where(SearchDoc.agency_id.in_(sorted(set(agency_ids))))
    return stmt


def _order(score):
    return (score.desc(), SearchDoc.published_on.desc().nulls_last(), SearchDoc.id.desc())


def _hits(rows) -> list[Hit]:
    return [Hit(d.kind, d.ref_id, d.agency_id, d.title, d.published_on, int(score))
            for d, score in rows]


def search(query: str | None, kinds=KINDS, agency_ids=None, limit: int = 20,
           offset: int = 0) -> list[Hit]:
    """Texts containing every term of ``query``, most title hits first, then the newest."""
    terms = terms_of(query)
    if not terms:
        return []
    score = _title_hits(terms).label("score")
    stmt = _scope(select(SearchDoc, score).where(_term_filter(terms)), kinds, agency_ids)
    rows = db.session.execute(stmt.order_by(*_order(score)).limit(max(0, limit))
                              .offset(max(0, offset))).all()
    return _hits(rows)


def count(query: str | None, kinds=KINDS, agency_ids=None) -> int:
    terms = terms_of(query)
    if not terms:
        return 0
    stmt = _scope(select(func.count(SearchDoc.id)).where(_term_filter(terms)), kinds, agency_ids)
    return db.session.execute(stmt).scalar_one()


# -- similar ------------------------------------------------------------------------------------

def grams_of(subject: str | None) -> list[str]:
    """The grams of a subject: filler removed, cut at punctuation and spaces; each phrase of
    three or more characters gives its three-character runs, a two-character phrase itself.
    Lower-cased, each once, at most GRAMS_MAX spread over the whole subject."""
    text = _FILLER_RE.sub(" ", _CONTROL.sub(" ", (subject or "")[:QUERY_MAX * 5]).casefold())
    grams: list[str] = []
    for phrase in _SPLIT.split(text):
        if len(phrase) == 2:
            grams.append(phrase)
        grams += [phrase[i:i + TRIGRAM] for i in range(len(phrase) - TRIGRAM + 1)]
    grams = list(dict.fromkeys(grams))
    if len(grams) > GRAMS_MAX:
        step = len(grams) / GRAMS_MAX
        grams = [grams[int(i * step)] for i in range(GRAMS_MAX)]
    return grams


def needed(n: int) -> int:
    """How many of a subject's ``n`` grams a title must contain to be "similar": all of one
    or two, else 40 % and at least two (a shared year or place alone is not similarity)."""
    return n if n <= 2 else max(2, math.ceil(n * 0.4))


def _similar_stmt(subject: str | None, kinds, agency_ids, exclude):
    grams = grams_of(subject)
    if not grams:
        return None
    score = _title_hits(grams).label("score")
    inner = select(SearchDoc.id.label("doc_id"), score)
    if _dialect() == "sqlite" and all(len(g) >= TRIGRAM for g in grams):
        inner = inner.where(_fts_match("title : (" + " OR ".join(map(_phrase, grams)) + ")"))
    inner = _scope(inner, kinds, agency_ids)
    for kind, ref_id in exclude:
        inner = inner.where(~and_(SearchDoc.kind == kind, SearchDoc.ref_id == ref_id))
    return inner.subquery(), needed(len(grams))


def similar(subject: str | None, kinds=KINDS, agency_ids=None, limit: int = 5,
            exclude=()) -> list[Hit]:
    """Texts whose title is like ``subject``: most grams in common first, then the newest.
    ``exclude``: (kind, ref_id) pairs left out (the case being looked at)."""
    built = _similar_stmt(subject, kinds, agency_ids, exclude)
    if built is None:
        return []
    sub, k = built
    stmt = (select(SearchDoc, sub.c.score).join(sub, sub.c.doc_id == SearchDoc.id)
            .where(sub.c.score >= k).order_by(*_order(sub.c.score)).limit(max(0, limit)))
    return _hits(db.session.execute(stmt).all())


def similar_count(subject: str | None, kinds=KINDS, agency_ids=None, exclude=()) -> int:
    built = _similar_stmt(subject, kinds, agency_ids, exclude)
    if built is None:
        return 0
    sub, k = built
    return db.session.execute(select(func.count()).select_from(sub)
                              .where(sub.c.score >= k)).scalar_one()


# -- the public catalogue -----------------------------------------------------------------------

def _published(ids: list[int]) -> dict[int, CatalogueEntry]:
    """The entries still published (the index is never trusted alone to say so)."""
    if not ids:
        return {}
    rows = db.session.execute(select(CatalogueEntry).where(
        CatalogueEntry.id.in_(ids), CatalogueEntry.published_on.is_not(None))).scalars()
    return {e.id: e for e in rows}


def public_similar(subject: str | None, limit: int = 5) -> list[CatalogueEntry]:
    """"已经公开了吗": published catalogue entries like the subject typed on the apply form."""
    hits = similar(subject, kinds=("catalogue",), limit=limit)
    entries = _published([h.ref_id for h in hits])
    return [entries[h.ref_id] for h in hits if h.ref_id in entries]


def public_catalogue(query: str | None, category: str | None, page: int,
                     per_page: int = 20) -> tuple[list[CatalogueEntry], int]:
    """The public catalogue searched: published entries containing every term (title, 文号,
    text or attachment names), best first; and how many there are."""
    terms = terms_of(query)
    if not terms:
        return [], 0
    score = _title_hits(terms).label("score")
    stmt = (select(CatalogueEntry, score)
            .join(SearchDoc, and_(SearchDoc.kind == "catalogue",
                                  SearchDoc.ref_id == CatalogueEntry.id))
            .where(CatalogueEntry.published_on.is_not(None), _term_filter(terms)))
    if category:
        stmt = stmt.where(CatalogueEntry.category == category)
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = db.session.execute(stmt.order_by(*_order(score)).limit(per_page)
                              .offset((max(page, 1) - 1) * per_page)).all()
    return [e for e, _score in rows], total
