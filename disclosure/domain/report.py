"""The annual report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号) — PURE.

One place for: the row/column keys and verbatim labels of tables 二, 三, 四; the counting rules of
table 三 on plain case records (the service runs the same rules as SQL); the checks; the rates;
the grids the page, the print view and the xlsx are drawn from; the narrative draft.
Spec: shared/spec/annual-report.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from .codes import APPLICANT_TYPE_LABELS, ApplicantType, AppealKind, AppealResult, Outcome

SECTIONS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项")
NARRATIVE_PARTS = ("主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障")

# -- table 三: columns and rows ----------------------------------------------------------------
TYPE_COLUMNS = tuple(t.value for t in ApplicantType)
COLUMNS = (*TYPE_COLUMNS, "total")
COLUMN_LABELS = {**{k.value: v for k, v in APPLICANT_TYPE_LABELS.items()}, "total": "总计"}
ORG_GROUP_LABEL = "法人或其他组织"
APPLICANT_HEADER = "申请人情况"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

RESULT_ROWS = tuple(o.value for o in Outcome)
ROW_KEYS = ("new", "carried_over", *RESULT_ROWS, "total", "carried_forward")
RESULTS_LABEL = "三、本年度办理结果"
# (group label, [(row key, leaf label)]) — a group with one unlabelled row spans both label columns
RESULT_GROUPS: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...] = (
    ("（一）予以公开", (("disclosed", None),)),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", (("partially_disclosed", None),)),
    ("（三）不予公开", (
        ("withheld.state_secret", "1.属于国家秘密"),
        ("withheld.prohibited_by_law", "2.其他法律行政法规禁止公开"),
        ("withheld.security_stability", "3.危及“三安全一稳定”"),
        ("withheld.third_party_rights", "4.保护第三方合法权益"),
        ("withheld.internal_affairs", "5.属于三类内部事务信息"),
        ("withheld.process_information", "6.属于四类过程性信息"),
        ("withheld.enforcement_file", "7.属于行政执法案卷"),
        ("withheld.administrative_query", "8.属于行政查询事项"))),
    ("（四）无法提供", (
        ("unavailable.not_held", "1.本机关不掌握相关政府信息"),
        ("unavailable.needs_creation", "2.没有现成信息需要另行制作"),
        ("unavailable.unclear_after_supplement", "3.补正后申请内容仍不明确"))),
    ("（五）不予处理", (
        ("not_processed.petition", "1.信访举报投诉类申请"),
        ("not_processed.repeat", "2.重复申请"),
        ("not_processed.publication", "3.要求提供公开出版物"),
        ("not_processed.excessive", "4.无正当理由大量反复申请"),
        ("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"))),
    ("（六）其他处理", (
        ("other.no_supplement", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("other.fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other.other", "3.其他"))),
    ("（七）总计", (("total", None),)),
)
ROW_LABELS = {"new": "一、本年新收政府信息公开申请数量",
              "carried_over": "二、上年结转政府信息公开申请数量",
              **{k: leaf or group for group, rows in RESULT_GROUPS for k, leaf in rows},
              "carried_forward": "四、结转下年度继续办理"}
OUTCOME_GROUPS = {"disclosed": "予以公开", "partially_disclosed": "部分公开", "withheld": "不予公开",
                  "unavailable": "无法提供", "not_processed": "不予处理", "other": "其他处理"}


def outcome_group(outcome: str | None) -> str:
    return (outcome or "").split(".")[0]


# -- table 二 and table 四 ----------------------------------------------------------------------
CATALOGUE_COLUMNS = {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数"}
TABLE2_BLOCKS = (  # (article, {column key: label}, [(row key, label)])
    ("第二十条第（一）项", CATALOGUE_COLUMNS,
     (("regulation", "规章"), ("normative_document", "行政规范性文件"))),
    ("第二十条第（五）项", {"decisions": "本年处理决定数量"}, (("licensing", "行政许可"),)),
    ("第二十条第（六）项", {"decisions": "本年处理决定数量"},
     (("penalty", "行政处罚"), ("enforcement", "行政强制"))),
    ("第二十条第（八）项", {"amount_10k_yuan": "本年收费金额（单位：万元）"},
     (("fee_item", "行政事业性收费"),)),
)
TABLE2_CONTENT_HEADER = "信息内容"
APPEAL_KINDS = tuple(k.value for k in AppealKind)
APPEAL_RESULTS = (*(r.value for r in AppealResult), "total")
APPEAL_RESULT_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
                        "pending": "尚未审结", "total": "总计"}
APPEAL_KIND_LABELS = {"reconsideration": "行政复议", "litigation_direct": "未经复议直接起诉",
                      "litigation_after_reconsideration": "复议后起诉"}
LITIGATION_LABEL = "行政诉讼"


# -- counting rules on plain records (spec: Counting rules) -------------------------------------
@dataclass(frozen=True)
class CaseRecord:
    applicant_type: str
    received_on: date | None
    concluded_on: date | None = None
    outcome: str | None = None
    due_on: date | None = None
    timely: bool | None = None


FLAGS = ("new", "carried_over", "concluded", "carried_forward", "timely", "open_due",
         "prev_forward")


def flags(rec: CaseRecord, year: int) -> dict[str, bool]:
    """Which counts of year ``year`` a case enters, rule by rule as the spec states them. A case
    never received (an unconfirmed online submission) enters none."""
    start, end, prev_end = date(year, 1, 1), date(year, 12, 31), date(year - 1, 12, 31)
    r, c = rec.received_on, rec.concluded_on
    if r is None or r > end:
        return dict.fromkeys(FLAGS, False)
    concluded = c is not None and start <= c <= end
    forward = c is None or c > end
    return {"new": r >= start, "carried_over": r < start and (c is None or c >= start),
            "concluded": concluded, "carried_forward": forward,
            "timely": concluded and rec.timely is True,
            "open_due": forward and rec.due_on is not None and rec.due_on <= end,
            "prev_forward": r <= prev_end and (c is None or c > prev_end)}


@dataclass
class GroupCount:
    """The counts of one (applicant type, outcome) group — what the SQL GROUP BY returns."""
    applicant_type: str
    outcome: str | None
    new: int = 0
    carried_over: int = 0
    concluded: int = 0
    carried_forward: int = 0
    timely: int = 0
    open_due: int = 0
    prev_forward: int = 0


def group_counts(records: Iterable[CaseRecord], year: int) -> list[GroupCount]:
    groups: dict[tuple, GroupCount] = {}
    for rec in records:
        f = flags(rec, year)
        if not any(f.values()):
            continue
        g = groups.setdefault((rec.applicant_type, rec.outcome),
                              GroupCount(rec.applicant_type, rec.outcome))
        for name, on in f.items():
            setattr(g, name, getattr(g, name) + int(on))
    return list(groups.values())


def _zero_row() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def table3(groups: Iterable[GroupCount]) -> dict[str, dict[str, int]]:
    """Every row with all seven columns. 总计 and （七） count every case of the row, so a case
    with an unknown applicant type or outcome code makes the row or results check fail."""
    rows = {k: _zero_row() for k in ROW_KEYS}

    def add(row: str, col: str, n: int) -> None:
        if col in rows[row]:
            rows[row][col] += n
        rows[row]["total"] += n

    for g in groups:
        add("new", g.applicant_type, g.new)
        add("carried_over", g.applicant_type, g.carried_over)
        add("carried_forward", g.applicant_type, g.carried_forward)
        add("total", g.applicant_type, g.concluded)
        if g.outcome in RESULT_ROWS:
            add(g.outcome, g.applicant_type, g.concluded)
    return rows


def column_sums(groups: Iterable[GroupCount], name: str) -> dict[str, int]:
    out = _zero_row()
    for g in groups:
        n = getattr(g, name)
        if g.applicant_type in out:
            out[g.applicant_type] += n
        out["total"] += n
    return out


def table4(counts: Iterable[tuple[str, str, int]]) -> dict[str, dict[str, int]]:
    """(kind, result as known on 31 December, count) → the 15 cells of table 四."""
    out = {k: dict.fromkeys(APPEAL_RESULTS, 0) for k in APPEAL_KINDS}
    for kind, result, n in counts:
        if kind in out:
            out[kind][result if result in out[kind] else "other"] += n
            out[kind]["total"] += n
    return out


# -- checks -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    label: str = ""


def _eq(ok: bool) -> str:
    return "=" if ok else "≠"


def run_checks(rows: dict[str, dict[str, int]], year: int,
               previous_forward: dict[str, int] | None = None) -> list[Check]:
    """Spec checks: per column 一 + 二 = （七） + 四; per row the six type columns sum to 总计;
    （七） = sum of result rows; 二 of Y = 四 of Y−1 (when Y−1 comes from the system)."""
    out = []
    for col in COLUMNS:
        a, b = rows["new"][col], rows["carried_over"][col]
        c, d = rows["total"][col], rows["carried_forward"][col]
        ok = a + b == c + d
        out.append(Check(f"balance.{col}", ok, f"{a} + {b} {_eq(ok)} {c} + {d}",
                         f"{COLUMN_LABELS[col]}列：一 + 二 = （七）总计 + 四"))
    for key in ROW_KEYS:
        parts = [rows[key][c] for c in TYPE_COLUMNS]
        ok = sum(parts) == rows[key]["total"]
        out.append(Check(f"row_sum.{key}", ok, " + ".join(map(str, parts))
                         + f" {_eq(ok)} {rows[key]['total']}", f"{ROW_LABELS[key]}：各类申请人之和 = 总计"))
    for col in COLUMNS:
        parts = [rows[k][col] for k in RESULT_ROWS]
        ok = sum(parts) == rows["total"][col]
        out.append(Check(f"results_total.{col}", ok, f"{sum(parts)} {_eq(ok)} {rows['total'][col]}",
                         f"{COLUMN_LABELS[col]}列：（一）至（六）各项之和 = （七）总计"))
    if previous_forward is not None:
        for col in COLUMNS:
            a, b = rows["carried_over"][col], previous_forward[col]
            ok = a == b
            out.append(Check(f"continuity.{col}", ok, f"{a} {_eq(ok)} {b}",
                             f"{COLUMN_LABELS[col]}列：{year}年“二、上年结转” = {year - 1}年“四、结转下年度”"))
    return out


# -- rates --------------------------------------------------------------------------------------
RATE_LABELS = {"reply_rate": "答复率", "timely_rate": "答复及时率", "completion_rate": "办结率"}
RATE_FORMULAS = {
    "reply_rate": ("本年办结数", "本年办结数 + 年末未办结且答复期限不晚于12月31日的件数"),
    "timely_rate": ("本年在答复期限内办结数", "本年办结数"),
    "completion_rate": ("本年办结数", "本年新收数 + 上年结转数"),
}


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> str | None:
        """Four decimal places, or None for a zero denominator (never 0 % or 100 %)."""
        if not self.denominator:
            return None
        q = Decimal(self.numerator) / Decimal(self.denominator)
        return str(q.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))

    @property
    def percent(self) -> str:
        v = self.value
        return "—" if v is None else f"{(Decimal(v) * 100).quantize(Decimal('0.01'))}%"

    def as_json(self) -> dict:
        return {"numerator": self.numerator, "denominator": self.denominator, "value": self.value}


def rates(concluded: int, timely: int, open_due: int, new: int,
          carried_over: int) -> dict[str, Rate]:
    return {"reply_rate": Rate(concluded, concluded + open_due),
            "timely_rate": Rate(timely, concluded),
            "completion_rate": Rate(concluded, new + carried_over)}


def money(amount) -> str:
    return str(Decimal(amount or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# -- grids: one layout for the page, the print view and the xlsx -------------------------------
@dataclass(frozen=True)
class Cell:
    value: object = None
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    link: tuple[str, str] | None = None  # (row, col) of the drill-down


def table2_grid(t2: dict) -> list[list[Cell]]:
    grid = []
    for article, cols, rows in TABLE2_BLOCKS:
        grid.append([Cell(article, colspan=4, header=True)])
        grid.append([Cell(TABLE2_CONTENT_HEADER, header=True)]
                    + [Cell(label, header=True, colspan=3 if len(cols) == 1 else 1)
                       for label in cols.values()])
        for key, label in rows:
            cells = [Cell(label, header=True)]
            for col in cols:
                value = t2[key][col]
                link = (f"table2.{key}", col) if cols is CATALOGUE_COLUMNS else None
                if col == "amount_10k_yuan":
                    value = Decimal(value)
                cells.append(Cell(value, colspan=3 if len(cols) == 1 else 1, link=link))
            grid.append(cells)
    return grid


def table3_grid(rows: dict[str, dict[str, int]]) -> list[list[Cell]]:
    def numbers(key):
        return [Cell(rows[key][c], link=(key, c)) for c in COLUMNS]

    grid = [
        [Cell(BALANCE_NOTE, rowspan=3, colspan=3, header=True),
         Cell(APPLICANT_HEADER, colspan=7, header=True)],
        [Cell(COLUMN_LABELS["natural_person"], rowspan=2, header=True),
         Cell(ORG_GROUP_LABEL, colspan=5, header=True),
         Cell(COLUMN_LABELS["total"], rowspan=2, header=True)],
        [Cell(COLUMN_LABELS[c], header=True) for c in TYPE_COLUMNS[1:]],
        [Cell(ROW_LABELS["new"], colspan=3, header=True), *numbers("new")],
        [Cell(ROW_LABELS["carried_over"], colspan=3, header=True), *numbers("carried_over")],
    ]
    span = sum(len(r) for _g, r in RESULT_GROUPS)
    first = True
    for group, members in RESULT_GROUPS:
        for i, (key, leaf) in enumerate(members):
            cells = [Cell(RESULTS_LABEL, rowspan=span, header=True)] if first else []
            first = False
            if leaf is None:
                cells.append(Cell(group, colspan=2, header=True))
            else:
                if i == 0:
                    cells.append(Cell(group, rowspan=len(members), header=True))
                cells.append(Cell(leaf, header=True))
            grid.append(cells + numbers(key))
    grid.append([Cell(ROW_LABELS["carried_forward"], colspan=3, header=True),
                 *numbers("carried_forward")])
    return grid


def table4_grid(t4: dict) -> list[list[Cell]]:
    labels = [Cell(APPEAL_RESULT_LABELS[r], header=True) for r in APPEAL_RESULTS]
    return [
        [Cell(APPEAL_KIND_LABELS["reconsideration"], rowspan=2, colspan=5, header=True),
         Cell(LITIGATION_LABEL, colspan=10, header=True)],
        [Cell(APPEAL_KIND_LABELS["litigation_direct"], colspan=5, header=True),
         Cell(APPEAL_KIND_LABELS["litigation_after_reconsideration"], colspan=5, header=True)],
        labels * 3,
        [Cell(t4[k][r], link=(f"table4.{k}", r)) for k in APPEAL_KINDS for r in APPEAL_RESULTS],
    ]


def grid_width(grid: list[list[Cell]]) -> int:
    return sum(c.colspan for c in grid[0])


# -- narrative draft (section 一) and texts -----------------------------------------------------
@dataclass
class NarrativeFigures:
    year: int
    table2: dict
    rows: dict
    rates: dict
    table4: dict
    reviews: int
    fees_yuan: str = "0.00"
    extra: dict = field(default_factory=dict)


def draft_narrative(f: NarrativeFigures) -> str:
    t2, rows, total = f.table2, f.rows, f.rows["total"]["total"]
    reg, nd = t2["regulation"], t2["normative_document"]
    litigation = f.table4["litigation_direct"]["total"] + \
        f.table4["litigation_after_reconsideration"]["total"]
    parts = [
        f"{f.year}年，本机关制发规章 {reg['issued']} 件、废止 {reg['repealed']} 件，现行有效 "
        f"{reg['in_force']} 件；制发行政规范性文件 {nd['issued']} 件、废止 {nd['repealed']} 件，现行有效 "
        f"{nd['in_force']} 件。公开行政许可处理决定 {t2['licensing']['decisions']} 件、行政处罚处理决定 "
        f"{t2['penalty']['decisions']} 件、行政强制处理决定 {t2['enforcement']['decisions']} 件，"
        f"行政事业性收费 {t2['fee_item']['amount_10k_yuan']} 万元。",
        f"{f.year}年，本机关新收政府信息公开申请 {rows['new']['total']} 件，上年结转 "
        f"{rows['carried_over']['total']} 件；本年度办结 {total} 件，其中予以公开 "
        f"{rows['disclosed']['total']} 件、部分公开 {rows['partially_disclosed']['total']} 件；"
        f"结转下年度继续办理 {rows['carried_forward']['total']} 件。答复率 "
        f"{f.rates['reply_rate'].percent}，答复及时率 {f.rates['timely_rate'].percent}。",
        f"本机关坚持先审查、后公开、一事一审，{f.year}年对拟公开的政府信息进行保密审查 {f.reviews} 次。",
        "本机关通过政府信息公开申请办理系统在线受理申请、登记纸质申请、计算答复期限并提供办理进度查询。",
        f"{f.year}年，本机关因政府信息公开工作被申请行政复议 "
        f"{f.table4['reconsideration']['total']} 件、被提起行政诉讼 {litigation} 件。",
    ]
    return "\n".join(f"（{n}）{title}\n{text}" for n, title, text in
                     zip("一二三四五", NARRATIVE_PARTS, parts))


# -- statistics helpers ---------------------------------------------------------------------------
def summary_stats(values: list[int]) -> dict:
    """n, median, mean (one decimal), 90th percentile (nearest rank) and max; None when empty."""
    if not values:
        return {"n": 0, "median": None, "mean": None, "p90": None, "max": None}
    v = sorted(values)
    n = len(v)
    mid = n // 2
    twice = 2 * v[mid] if n % 2 else v[mid - 1] + v[mid]
    median = twice // 2 if twice % 2 == 0 else Decimal(twice) / 2
    p90 = v[-(-9 * n // 10) - 1]  # nearest rank: the ceil(0.9 n)-th smallest
    mean = (Decimal(sum(v)) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {"n": n, "median": median, "mean": mean, "p90": p90, "max": v[-1]}


# -- CSV (long form: one line per figure) -------------------------------------------------------
CSV_HEADER = ("table", "row", "column", "row_label", "column_label", "value")


def csv_rows(data: dict) -> list[tuple]:
    """The report JSON flattened: every figure on one line with its keys and verbatim labels."""
    out = [CSV_HEADER]
    t2_labels = {k: (label, cols) for _a, cols, rows in TABLE2_BLOCKS for k, label in rows}
    for key, (label, cols) in t2_labels.items():
        for col, col_label in cols.items():
            out.append(("table2", key, col, label, col_label, data["table2"][key][col]))
    for key in ROW_KEYS:
        for col in COLUMNS:
            out.append(("table3", key, col, ROW_LABELS[key], COLUMN_LABELS[col],
                        data["table3"]["rows"][key][col]))
    for kind in APPEAL_KINDS:
        for res in APPEAL_RESULTS:
            out.append(("table4", kind, res, APPEAL_KIND_LABELS[kind], APPEAL_RESULT_LABELS[res],
                        data["table4"][kind][res]))
    for key, rate in data["rates"].items():
        for part in ("numerator", "denominator", "value"):
            value = rate[part]
            out.append(("rates", key, part, RATE_LABELS[key], part, "" if value is None else value))
    out.append(("fees", "collected_yuan", "amount", "信息处理费", "元", data["fees"]["collected_yuan"]))
    for c in data["checks"]:
        out.append(("checks", c["name"], "ok", "", "", "true" if c["ok"] else "false"))
    return out
