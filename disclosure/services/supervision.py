"""The supervisor (主管部门, 条例第三条; issue 17): the comparison of the agencies of its subtree
for a year, the cases behind every figure, and 督办 — a notice to one agency below about named
overdue cases, and that agency's written reply. Described in docs/supervision.md.

Every figure is counted by the SQL condition the annual report and the statistics page use
(``report.counting.predicates``, ``report.statistics``' overdue rule, ``due_changes``' "handled
in the year", table 四's ``appeals_in``), and the drill-down lists the cases of that very
condition, so a figure and its list cannot disagree. A supervisor reads; it never acts on a case
(``access.may_act_on`` needs membership of the case's agency)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select

from ..domain import supervision_stats as st
from ..domain.codes import Role
from ..domain.errors import ValidationFailed
from ..domain.text import N_, Msg
from ..domain.workflow import WorkflowError
from ..extensions import db
from ..models import Agency, Appeal, Case, SupervisionCase, SupervisionNotice
from ..timeutil import now
from . import access, agency_tree, audit
from .actors import Actor
from .calendar import get_calendar
from .dashboard import CLOCK_RUNNING
from .due_changes import _handled_in as handled_in  # R8.3's "handled in the year"
from .report import counting
from .report.scoping import Scope, agency_choices
from .unit_of_work import unit_of_work

# The roles of the supervised agency that read and answer its 督办 notices: those who state
# its annual report (report.figures.REPORT_OWNERS) — the office head and the administrator.
INBOX_ROLES = frozenset({Role.OFFICE_HEAD, Role.ADMIN})

# The figures of a row that drill down to a list of cases (or appeals), with the list's title.
FIGURES = {
    "received": N_("本年收到的申请"),
    "concluded": N_("本年办结的申请"),
    "timely": N_("本年在答复期限内办结的申请"),
    "reply_den": N_("答复率的分母：本年办结及年末未办结且已到答复期限的申请"),
    "times": N_("计入办理用时的申请（本年办结）"),
    "overdue": N_("尚未办结且已超过答复期限的申请（截至今天）"),
    "late_acts": N_("本年办理中有超期行为标记的申请"),
    "appeals": N_("本年提起的行政复议、行政诉讼"),
    "appeals.upheld": N_("本年提起的行政复议、行政诉讼 · 结果维持"),
    "appeals.corrected": N_("本年提起的行政复议、行政诉讼 · 结果纠正"),
    "appeals.other": N_("本年提起的行政复议、行政诉讼 · 其他结果"),
    "appeals.pending": N_("本年提起的行政复议、行政诉讼 · 尚未审结"),
}
FORBIDDEN = N_("只有主管部门可以查看督办统计和发出督办通知")
INBOX_ONLY = N_("只有本机关的政府信息公开工作机构负责人或管理员可以查看督办")
REPLY_ONLY = N_("只有被督办机关的政府信息公开工作机构负责人或管理员可以答复")


def is_supervisor(actor: Actor) -> bool:
    return Role.SUPERVISOR in actor.roles and actor.agency_id is not None


def _require_supervisor(actor: Actor) -> None:
    if not is_supervisor(actor):
        raise WorkflowError("forbidden", FORBIDDEN)


# -- the comparison table --------------------------------------------------------------------------
@dataclass
class Row:
    agency: Agency
    depth: int
    counts: st.Counts
    supervisable: bool  # below the supervisor's own agency: a 督办 may be addressed to it


@dataclass
class Comparison:
    year: int
    today: date
    rows: list[Row]
    total: st.Counts


def agencies(actor: Actor) -> list[agency_tree.Node]:
    """The supervisor's subtree in tree order (its own agency first)."""
    return agency_tree.ordered(agency_choices(actor))


def _scope(year: int, chosen: list[Agency]) -> Scope:
    return Scope(year, tuple(chosen), False)


def _overdue_where(s: Scope, today: date):
    """Open (clock running), due date before today: the statistics page's ``overdue.now`` and
    the case list's ``flag=overdue``."""
    return and_(s.on(Case.agency_id), Case.status.in_(CLOCK_RUNNING), Case.due_on < today)


def _late_where(s: Scope):
    """Handled in the year and carrying an R8.1 flag (due_changes.counts' cases)."""
    return and_(s.on(Case.agency_id), handled_in(s.year), Case.late_acts.is_not(None),
                Case.late_acts != "")


def _times_where(s: Scope):
    """Concluded in the year with a clock start: the cases of report.processing_times."""
    return and_(Case.concluded_on.between(s.start, s.end), s.on(Case.agency_id),
                Case.received_on.is_not(None), Case.clock_started_on.is_not(None))


def _appeals(s: Scope):
    """Table 四's appeals (filed in the year, result as known on 31 December) with the agency."""
    return counting.appeals_in(s).add_columns(Case.agency_id.label("agency_id")).subquery()


def counts(s: Scope, today: date) -> dict[int, st.Counts]:
    """The figures of every agency of ``s``, a handful of grouped scans."""
    out = {a.id: st.Counts() for a in s.agencies}
    p = counting.predicates(s)
    names = ("new", "concluded", "timely", "open_due", "carried_over")
    for agency_id, *values in db.session.execute(
            select(Case.agency_id, *[counting.count_if(p[n]) for n in names])
            .where(counting.in_scope(s)).group_by(Case.agency_id)):
        c = out[agency_id]
        c.received, c.concluded, c.timely, c.open_due, c.carried_over = values
    for agency_id, n in db.session.execute(
            select(Case.agency_id, func.count()).where(_overdue_where(s, today))
            .group_by(Case.agency_id)):
        out[agency_id].overdue = n
    for agency_id, n in db.session.execute(
            select(Case.agency_id, func.count()).where(_late_where(s)).group_by(Case.agency_id)):
        out[agency_id].late_acts = n
    sub = _appeals(s)
    for agency_id, result, n in db.session.execute(
            select(sub.c.agency_id, sub.c.result, func.count())
            .group_by(sub.c.agency_id, sub.c.result)):
        key = result if result in st.APPEAL_RESULTS else "other"  # table 四's rule
        out[agency_id].appeals[key] += n
    cal = get_calendar()
    rows = db.session.execute(
        select(Case.agency_id, Case.clock_started_on, Case.concluded_on, func.count())
        .where(_times_where(s))
        .group_by(Case.agency_id, Case.clock_started_on, Case.concluded_on)).all()
    for agency_id, start, end, n in rows:
        out[agency_id].durations.extend(st.spans(cal, [(start, end, n)]))
    return out


def comparison(actor: Actor, year: int, today: date) -> Comparison:
    """One row per agency of the supervisor's subtree (tree order) and the total row."""
    _require_supervisor(actor)
    nodes = agencies(actor)
    found = counts(_scope(year, [n.agency for n in nodes]), today)
    rows = [Row(n.agency, n.depth, found[n.agency.id], n.agency.id != actor.agency_id)
            for n in nodes]
    return Comparison(year, today, rows, st.total([r.counts for r in rows]))


# -- the drill-down --------------------------------------------------------------------------------
@dataclass
class Drill:
    kind: str  # cases / appeals
    ids: list[int]
    title: str
    agency: Agency | None  # None: the whole subtree (the total row)
    figure: str


def find_agency(actor: Actor, code: str | None) -> Agency | None:
    """An agency of the supervisor's subtree by code; None for an unknown code or one outside
    it (the same answer)."""
    code = (code or "").strip().upper()
    return next((a for a in agency_choices(actor) if a.code == code), None) if code else None


def _ids(*where) -> list[int]:
    return list(db.session.execute(select(Case.id).where(*where).order_by(Case.id)).scalars())


def drill(actor: Actor, year: int, agency: Agency | None, figure: str, today: date) -> Drill:
    """The ids behind one figure of one row (``agency`` None: the total row). KeyError for a
    figure the table does not have."""
    _require_supervisor(actor)
    if figure not in FIGURES:
        raise KeyError(figure)
    chosen = [agency] if agency is not None else [n.agency for n in agencies(actor)]
    s = _scope(year, chosen)
    p = counting.predicates(s)
    where = {"received": lambda: (counting.in_scope(s), p["new"]),
             "concluded": lambda: (counting.in_scope(s), p["concluded"]),
             "timely": lambda: (counting.in_scope(s), p["timely"]),
             "reply_den": lambda: (counting.in_scope(s), or_(p["concluded"], p["open_due"])),
             "times": lambda: (_times_where(s),),
             "overdue": lambda: (_overdue_where(s, today),),
             "late_acts": lambda: (_late_where(s),)}
    if figure in where:
        return Drill("cases", _ids(*where[figure]()), FIGURES[figure], agency, figure)
    sub = _appeals(s)
    stmt = select(sub.c.id).order_by(sub.c.id)
    _kind, _, result = figure.partition(".")
    if result == "other":  # table 四 counts an unknown result as "other"
        stmt = stmt.where(sub.c.result.not_in([r for r in st.APPEAL_RESULTS if r != "other"]))
    elif result:
        stmt = stmt.where(sub.c.result == result)
    return Drill("appeals", list(db.session.execute(stmt).scalars()), FIGURES[figure], agency,
                 figure)


def drill_items(d: Drill) -> list:
    """The records of a drill-down: cases, or (appeal, case) pairs."""
    if not d.ids:
        return []
    if d.kind == "appeals":
        return [tuple(r) for r in db.session.execute(
            select(Appeal, Case).join(Case, Case.id == Appeal.case_id)
            .where(Appeal.id.in_(d.ids)).order_by(Appeal.id))]
    return list(db.session.execute(select(Case).where(Case.id.in_(d.ids))
                                   .order_by(Case.due_on, Case.id)).scalars())


# -- 督办: issuing ---------------------------------------------------------------------------------
def may_supervise(actor: Actor, agency_id: int | None) -> bool:
    """A 督办 goes to an agency strictly below the supervisor's own (never to itself, beside or
    above it)."""
    return (is_supervisor(actor) and agency_id is not None and agency_id != actor.agency_id
            and agency_id in access.subtree_ids(actor.agency_id))


def agency_of(value) -> Agency | None:
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return db.session.get(Agency, int(text))


def issue(actor: Actor, agency_value, case_values, title, body, reply_by,
          today: date) -> SupervisionNotice:
    """Issue a 督办 notice to one agency below the supervisor about named cases of it that are
    overdue now: one unit of work writing the notice, one row per case (with its due date now)
    and one ``supervision_issued`` event (not tied to a case: it names them all).

    WorkflowError("forbidden") for an actor who is not a supervisor or an agency not strictly
    below it (an unknown id alike); ValidationFailed with field errors (Chinese; keys title,
    body, reply_by, cases) for anything typed or picked wrong — nothing is written then."""
    title, body = st.clean_text(title, one_line=True), st.clean_text(body)
    with unit_of_work():
        _require_supervisor(actor)
        agency = agency_of(agency_value)
        if agency is None or not may_supervise(actor, agency.id):
            raise WorkflowError("forbidden", N_("只能向本机关的下级机关发出督办"))
        errors = st.notice_problems(title, body, reply_by, today)
        ids, bad = st.parse_ids(case_values)
        chosen: list[Case] = []
        if bad:
            errors["cases"] = N_("所选案件无效，请刷新页面后重新选择")
        elif not ids:
            errors["cases"] = N_("请至少选择一件超期未办结的案件")
        elif len(ids) > st.CASES_MAX:
            errors["cases"] = Msg("一次督办最多列 {n} 件案件", n=st.CASES_MAX)
        else:
            chosen = list(db.session.execute(
                select(Case).where(Case.id.in_(ids), Case.agency_id == agency.id,
                                   Case.status.in_(CLOCK_RUNNING), Case.due_on < today)
                .order_by(Case.id)).scalars())
            if len(chosen) != len(ids):
                # another agency's case, an unknown id and a case concluded meanwhile get the
                # same answer: nothing is said about cases the supervisor may not name
                errors["cases"] = Msg(
                    "有 {n} 件所选案件不是该机关当前超期未办结的案件（可能刚刚办结），"
                    "请刷新页面后重新选择", n=len(ids) - len(chosen))
        if errors:
            raise ValidationFailed(errors)
        notice = SupervisionNotice(
            supervisor_agency_id=actor.agency_id, agency_id=agency.id, title=title, body=body,
            reply_by=st.parse_day(reply_by), issued_on=today, issued_by_id=actor.id,
            created_at=now())
        notice.cases = [SupervisionCase(case_id=c.id, due_on=c.due_on) for c in chosen]
        db.session.add(notice)
        db.session.flush()
        supervisor = db.session.get(Agency, actor.agency_id)
        audit.record(actor, "supervision_issued", agency_id=agency.id, on=today, data={
            "notice": notice.id, "supervisor": supervisor.code, "agency": agency.code,
            "title": title, "reply_by": notice.reply_by.isoformat(),
            "cases": [{"tracking_no": c.tracking_no, "due_on": c.due_on.isoformat()}
                      for c in chosen]})
    return notice


# -- 督办: reading and replying --------------------------------------------------------------------
def reads_inbox(actor: Actor) -> bool:
    return bool(actor.roles & INBOX_ROLES) and actor.agency_id is not None


def may_read(actor: Actor, notice: SupervisionNotice) -> bool:
    """The supervising agency's supervisors, and the supervised agency's office head and
    administrator."""
    return ((is_supervisor(actor) and notice.supervisor_agency_id == actor.agency_id)
            or (reads_inbox(actor) and notice.agency_id == actor.agency_id))


def may_reply(actor: Actor, notice: SupervisionNotice) -> bool:
    return reads_inbox(actor) and notice.agency_id == actor.agency_id and actor.id is not None


def load(actor: Actor, notice_id) -> SupervisionNotice | None:
    """The notice if it exists and ``actor`` may read it; None alike for both refusals."""
    try:
        notice = db.session.get(SupervisionNotice, int(notice_id))
    except (TypeError, ValueError, OverflowError):
        return None
    return notice if notice is not None and may_read(actor, notice) else None


def issued(actor: Actor) -> list[SupervisionNotice]:
    """The notices the supervisor's agency issued, newest first."""
    _require_supervisor(actor)
    return list(db.session.execute(
        select(SupervisionNotice).where(SupervisionNotice.supervisor_agency_id == actor.agency_id)
        .order_by(SupervisionNotice.issued_on.desc(), SupervisionNotice.id.desc())).scalars())


def inbox(actor: Actor) -> list[SupervisionNotice]:
    """The notices addressed to the actor's agency: open ones (no reply yet) first."""
    if not reads_inbox(actor):
        raise WorkflowError("forbidden", INBOX_ONLY)
    return list(db.session.execute(
        select(SupervisionNotice).where(SupervisionNotice.agency_id == actor.agency_id)
        .order_by(SupervisionNotice.replied_on.is_not(None), SupervisionNotice.issued_on.desc(),
                  SupervisionNotice.id.desc())).scalars())


def reply(actor: Actor, notice_id, text, today: date) -> SupervisionNotice:
    """The supervised agency's written reply, once: the text, the day and who replied, and one
    ``supervision_replied`` event. A notice already answered is refused (WorkflowError
    "replied"): a reply cannot be edited. ValidationFailed for an empty or too long text."""
    text = st.clean_text(text)
    with unit_of_work():
        notice = load(actor, notice_id)  # re-read under the write lock
        if notice is None or not may_reply(actor, notice):
            raise WorkflowError("forbidden", REPLY_ONLY)
        if notice.replied_on is not None:
            raise WorkflowError("replied", N_("该督办已经答复，答复不能修改"))
        if problem := st.reply_problem(text):
            raise ValidationFailed({"reply_text": problem})
        notice.reply_text, notice.replied_on, notice.replied_by_id = text, today, actor.id
        audit.record(actor, "supervision_replied", agency_id=notice.agency_id, on=today,
                     data={"notice": notice.id, "title": notice.title})
    return notice


def open_inbox_count(actor: Actor) -> int:
    """Notices addressed to the actor's agency still awaiting its reply."""
    if not reads_inbox(actor):
        return 0
    return db.session.execute(select(func.count()).select_from(SupervisionNotice).where(
        SupervisionNotice.agency_id == actor.agency_id,
        SupervisionNotice.replied_on.is_(None))).scalar_one()
