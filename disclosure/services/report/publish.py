"""The annual report into the proactive disclosure catalogue (条例第四十九条: each agency publishes
its 政府信息公开工作年度报告 for year Y by 31 January of Y+1).

``submit`` turns the finished report into a catalogue entry of category ``annual_report`` in one
step — the report's full text as the body, its PDF attached when one can be made — and that is
the submission for review: a catalogue item's new version waits for the reviewer's decision
(services.review.catalogue, R6). Publication still needs the approval and the catalogue's own
publish confirmation; nothing here releases anything.

An agency's report for a year is the ``annual_report`` entry of that agency whose title names the
year (``…2025年…``), however it was made — by ``submit`` or by hand on the catalogue page — so a
report entered by hand also stops the reminder and the second draft.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ...domain import report as rules
from ...domain.bounds import is_report_year
from ...domain.codes import CatalogueCategory
from ...domain.text import N_, Msg
from ...domain.workflow import WorkflowError
from ...extensions import db
from ...models import Agency, CatalogueEntry, ReleaseItem
from ...timeutil import local_date
from .. import claims, review, uploads
from ..actors import Actor
from ..review import catalogue
from ..unit_of_work import atomic
from .assembly import AnnualReport, build
from .scoping import scope

CATEGORY = CatalogueCategory.ANNUAL_REPORT.value
DEADLINE = (1, 31)  # 条例第四十九条: published by 31 January of the following year
REMIND_FROM = (1, 2)  # the reminder starts on 2 January (1 January is a holiday)
CLAIM_JOB = "annual_report_entry"  # one draft per agency and year, even for two clicks at once


class AlreadyDrafted(WorkflowError):
    """The agency's report for the year is already in the catalogue: ``entry`` is that entry
    (the page links to it instead of making a second one)."""

    def __init__(self, entry: CatalogueEntry | None):
        super().__init__("already_drafted", N_("该年度报告已在主动公开目录中，不再重复创建"))
        self.entry = entry

    def __reduce__(self):
        return (type(self), (self.entry,))


def title_of(agency: Agency, year: int) -> str:
    return f"{agency.name}{year}年政府信息公开工作年度报告"


def _entries(agency_id: int, year: int):
    return select(CatalogueEntry).where(
        CatalogueEntry.agency_id == agency_id, CatalogueEntry.category == CATEGORY,
        CatalogueEntry.title.like(f"%{year}年%"))


def entry_for(agency_id: int, year: int) -> CatalogueEntry | None:
    """The agency's annual report entry for ``year``: the published one, else the first (should
    there be several, made by hand before this step existed)."""
    return db.session.execute(_entries(agency_id, year).order_by(
        CatalogueEntry.published_on.is_(None), CatalogueEntry.id).limit(1)).scalar_one_or_none()


def published_on(agency_id: int, year: int) -> date | None:
    entry = entry_for(agency_id, year)
    return entry.published_on if entry is not None else None


# -- the reminder (条例第四十九条) -----------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    year: int  # the report year
    deadline: date  # 31 January of the following year
    overdue: bool


def due_on(today: date) -> Due | None:
    """条例第四十九条: from 2 January the report for last year is due by 31 January; after that
    day it is overdue (and stays so until published). None from 1 January only."""
    if today < date(today.year, *REMIND_FROM):
        return None
    deadline = date(today.year, *DEADLINE)
    return Due(today.year - 1, deadline, today > deadline)


def reminder(agency_id: int, today: date) -> Due | None:
    """What to remind the agency's office head and administrator of today: the year whose
    report is due and not yet published, else None. An agency that joined the platform only
    after that year ended is not reminded of it: its report for a year before the system was
    there was made elsewhere, and a reminder it could only silence by re-entering the report
    would run all year."""
    due = due_on(today)
    if due is None:
        return None
    agency = db.session.get(Agency, agency_id)
    if agency is None or (agency.created_at is not None
                          and local_date(agency.created_at) > date(due.year, 12, 31)):
        return None
    return None if published_on(agency_id, due.year) is not None else due


def reminder_line(due: Due) -> str:
    """The digest's line (Chinese: the staff mails are, like every notice, not translated)."""
    head = f"{due.year} 年度政府信息公开工作年度报告应于 1 月 31 日前公布，"
    return head + ("已逾期，尚未公布" if due.overdue else "尚未公布")


# -- the report as catalogue text ----------------------------------------------------------------
def _cells(labels: dict, values: dict, keys) -> str:
    return "，".join(f"{labels[k]} {values[k]}" for k in keys)


def report_text(r: AnnualReport) -> str:
    """The report in the State Council format (国办公开办函〔2021〕30号) as plain text: the
    catalogue shows an entry's body as text, so the tables become one line per row."""
    out = [r.title, "", rules.SECTIONS[0], r.texts.get("narrative") or "", "", rules.SECTIONS[1]]
    for article, cols, rows in rules.TABLE2_BLOCKS:
        out.append(f"{article}：")
        for key, label in rows:
            out.append(f"  {label}：{_cells(cols, r.table2[key], cols)}")
    out += ["", rules.SECTIONS[2]]
    groups = {key: (group, leaf) for group, members in rules.RESULT_GROUPS
              for key, leaf in members}
    for key in rules.ROW_KEYS:
        group, leaf = groups.get(key, (None, None))
        label = f"{rules.RESULTS_LABEL} {group} {leaf}" if leaf else (
            f"{rules.RESULTS_LABEL} {group}" if group else rules.ROW_LABELS[key])
        out.append(f"  {label}：{_cells(rules.COLUMN_LABELS, r.rows[key], rules.COLUMNS)}")
    out += ["", rules.SECTIONS[3]]
    for kind in rules.APPEAL_KINDS:
        name = rules.APPEAL_KIND_LABELS[kind]
        if kind != "reconsideration":
            name = f"{rules.LITIGATION_LABEL}（{name}）"
        cells = _cells(rules.APPEAL_RESULT_LABELS, r.table4[kind], rules.APPEAL_RESULTS)
        out.append(f"  {name}：{cells}")
    out += ["", rules.SECTIONS[4], r.texts.get("problems") or "无。", "", rules.SECTIONS[5],
            f"本年度收取信息处理费 {r.fees_yuan} 元（据收费记录）。"]
    if r.texts.get("other_matters"):
        out.append(r.texts["other_matters"])
    return "\n".join(out).strip() + "\n"


def pdf_of(html: str) -> bytes | None:
    """The report's print view as PDF (WeasyPrint, as services.pdf); None when WeasyPrint or its
    libraries cannot be loaded — the entry is then made with its text only."""
    try:
        import weasyprint
    except (ImportError, OSError):
        return None
    return weasyprint.HTML(string=html).write_pdf()


# -- who may, and the one step --------------------------------------------------------------------
def may_submit(actor: Actor, agency_id: int | None) -> bool:
    """An editor of the catalogue (handler, office head) of the agency itself — not a platform
    administrator nor a supervisor, who do not act for an agency."""
    return (agency_id is not None and actor.agency_id == agency_id
            and bool(actor.roles & catalogue.EDIT_ROLES))


def _agency(code: str) -> Agency | None:
    return db.session.execute(select(Agency).where(
        Agency.code == (code or "").strip().upper())).scalar_one_or_none()


class UnknownReport(LookupError):
    """No such agency, or a year outside the bounds."""


def submit(code: str, year: int, actor: Actor, today: date, *, render_pdf=None) -> CatalogueEntry:
    """条例第四十九条: put the agency's finished report for ``year`` into the catalogue and submit
    it for review, in one step. ``render_pdf(report) -> bytes | None`` (the web's print view)
    makes the attachment; it runs before the writing transaction (WeasyPrint takes seconds).
    Refused: not an editor of this agency; a year not yet over; a report whose checks fail; a
    second draft (AlreadyDrafted, with the entry that exists)."""
    agency = _agency(code)
    if agency is None or not is_report_year(year):
        raise UnknownReport(code)
    if not may_submit(actor, agency.id):
        raise WorkflowError("forbidden", N_("只有本机关的承办人或政府信息公开工作机构负责人"
                                            "可以提交年度报告"))
    if year >= today.year:
        raise WorkflowError("year_not_over", N_("年度结束后才能发布该年度的年度报告"))
    if (found := entry_for(agency.id, year)) is not None:
        raise AlreadyDrafted(found)
    r = build(scope(year, [agency.code]))
    if r.failing:
        raise WorkflowError("checks_failed", Msg(
            "报表校验未通过（{n} 项），请核对数字后再提交", n=len(r.failing)))
    text = report_text(r)
    pdf = render_pdf(r) if render_pdf is not None else None
    return _create(agency.id, year, title_of(agency, year), text, pdf, actor, today)


@atomic
def _create(agency_id: int, year: int, title: str, text: str, pdf: bytes | None, actor: Actor,
            today: date) -> CatalogueEntry:
    # Checked again under the write lock; the claim settles two submissions racing on
    # PostgreSQL (the second waits on the unique key, then finds it taken).
    if (found := entry_for(agency_id, year)) is not None:
        raise AlreadyDrafted(found)
    if not claims.claim(CLAIM_JOB, date(year, 12, 31), f"agency:{agency_id}"):
        raise AlreadyDrafted(entry_for(agency_id, year))
    entry = catalogue.save_entry(None, agency_id, actor, title=title, doc_number=None,
                                 category=CATEGORY, issued_on=today, body=text)
    if pdf:
        catalogue.add_attachment(entry, uploads.Upload(f"{title}.pdf", pdf), actor)
    return entry


# -- what the report page and the reviewer see ----------------------------------------------------
@dataclass
class Publication:
    state: str  # none / pending / approved / rejected / published
    entry: CatalogueEntry | None
    published_on: date | None
    may_submit: bool
    year_over: bool


def publication(actor: Actor, agency: Agency, year: int, today: date) -> Publication:
    """The report's way into the catalogue, for the report page's publish box."""
    entry = entry_for(agency.id, year)
    state = "none"
    if entry is not None and entry.published_on is not None:
        state = "published"
    elif entry is not None:
        state = review.round_result(catalogue.items_of(entry))
    return Publication(state, entry, entry.published_on if entry else None,
                       may_submit(actor, agency.id), year < today.year)


def catalogue_waiting(agency_id: int) -> list[ReleaseItem]:
    """Catalogue items of the agency whose current version awaits a decision (pending, or a
    referral answered) — the reviewer's part of the catalogue (the review queue page lists case
    items only)."""
    items = list(db.session.execute(select(ReleaseItem).join(
        CatalogueEntry, CatalogueEntry.id == ReleaseItem.entry_id).where(
        CatalogueEntry.agency_id == agency_id, ReleaseItem.withdrawn.is_(False))
        .order_by(ReleaseItem.id)).scalars())
    items = [i for i in items if i.current is not None]
    return [i for i, decided in zip(items, review.current_decisions(items))
            if "approved" not in decided and (not decided or decided[-1] == "referred")]
