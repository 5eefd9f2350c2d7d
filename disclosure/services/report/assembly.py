"""The annual report of one scope, assembled from the counts (``counting``), the entered texts
and figures (``figures``) and the rules of ``domain.report``: one object every output is drawn
from — the page, the print view, JSON, CSV and xlsx."""
from __future__ import annotations

from dataclasses import dataclass, field

from ...domain import report as rules
from ...models import ReportYear
from .. import due_changes, integrity
from . import counting
from .figures import TEXT_FIELDS
from .scoping import Scope, scope


@dataclass
class AnnualReport:
    scope: Scope
    table2: dict
    rows: dict
    table4: dict
    rates: dict
    fees_yuan: str
    checks: list
    reviews: int
    unconfirmed: int
    texts: dict = field(default_factory=dict)
    drafted: dict = field(default_factory=dict)
    entered: ReportYear | None = None
    # R7.2: the audit chain head when the report was made — an inspector notes it to compare
    chain_head: tuple[int, str] | None = None
    # R8.3: the office's own statistics for the notes (not part of the State Council format,
    # nor of the JSON contract): due-date moves per cause, late acts per flag (services.due_changes)
    due_changes: dict | None = None

    @property
    def year(self) -> int:
        return self.scope.year

    @property
    def has_continuity(self) -> bool:
        return any(c.name.startswith("continuity.") for c in self.checks)

    @property
    def failing(self) -> list:
        return [c for c in self.checks if not c.ok]

    @property
    def title(self) -> str:
        names = "、".join(a.name for a in self.scope.agencies) if not self.scope.everyone \
            else "全部机关（汇总）"
        return f"{names}{self.year}年政府信息公开工作年度报告"


def build(s: Scope) -> AnnualReport:
    groups = counting.table3_groups(s)
    rows = rules.table3(groups)
    sums = {n: rules.column_sums(groups, n)["total"] for n in ("timely", "open_due")}
    prev = rules.column_sums(groups, "prev_forward") if counting.has_previous_year(s) else None
    entered = counting.entered_years(s)
    r = AnnualReport(
        scope=s, table2=counting.table2(s, entered), rows=rows, table4=counting.table4(s),
        rates=rules.rates(rows["total"]["total"], sums["timely"], sums["open_due"],
                          rows["new"]["total"], rows["carried_over"]["total"]),
        fees_yuan=counting.fees_collected(s), checks=rules.run_checks(rows, s.year, prev),
        reviews=counting.reviews_performed(s),
        unconfirmed=counting.unconfirmed_count(s),
        entered=entered[0] if len(s.agencies) == 1 and entered else None,
        chain_head=integrity.chain_head(),
        due_changes=due_changes.counts(s.year, None if s.everyone else s.ids))
    _fill_texts(r, entered)
    return r


def _fill_texts(r: AnnualReport, entered: list[ReportYear]) -> None:
    drafts = {"narrative": rules.draft_narrative(rules.NarrativeFigures(
                  r.year, r.table2, r.rows, r.rates, r.table4, r.reviews, r.fees_yuan)),
              "problems": "", "other_matters": ""}  # 六 opens with the fee line from the records
    names = {a.id: a.name for a in r.scope.agencies}
    for key in TEXT_FIELDS:
        saved = [(names.get(e.agency_id, ""), getattr(e, key)) for e in entered if getattr(e, key)]
        if not saved or (key == "narrative" and len(r.scope.agencies) != 1):
            r.texts[key], r.drafted[key] = drafts[key], True
        elif len(r.scope.agencies) == 1:
            r.texts[key], r.drafted[key] = saved[0][1], False
        else:
            r.texts[key] = "\n".join(f"【{name}】{text}" for name, text in saved)
            r.drafted[key] = False


def annual(year: int, codes=None) -> AnnualReport:
    return build(scope(year, codes))
