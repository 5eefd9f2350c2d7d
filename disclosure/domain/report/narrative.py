"""The draft of section 一 (总体情况), written from the year's figures until staff save a text."""
from __future__ import annotations

from dataclasses import dataclass, field

from .tables import NARRATIVE_PARTS


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
        f"{reg['in_force']} 件；制发行政规范性文件 {nd['issued']} 件、废止 {nd['repealed']} 件，"
        f"现行有效 {nd['in_force']} 件。公开行政许可处理决定 {t2['licensing']['decisions']} 件、"
        f"行政处罚处理决定 {t2['penalty']['decisions']} 件、"
        f"行政强制处理决定 {t2['enforcement']['decisions']} 件，"
        f"行政事业性收费 {t2['fee_item']['amount_10k_yuan']} 万元。",
        f"{f.year}年，本机关新收政府信息公开申请 {rows['new']['total']} 件，上年结转 "
        f"{rows['carried_over']['total']} 件；本年度办结 {total} 件，其中予以公开 "
        f"{rows['disclosed']['total']} 件、部分公开 {rows['partially_disclosed']['total']} 件；"
        f"结转下年度继续办理 {rows['carried_forward']['total']} 件。答复率 "
        f"{f.rates['reply_rate'].percent}，答复及时率 {f.rates['timely_rate'].percent}。",
        f"本机关坚持先审查、后公开、一事一审，{f.year}年对拟公开的政府信息进行保密审查 "
        f"{f.reviews} 次。",
        "本机关通过政府信息公开申请办理系统在线受理申请、登记纸质申请、计算答复期限并提供办理进度查询。",
        f"{f.year}年，本机关因政府信息公开工作被申请行政复议 "
        f"{f.table4['reconsideration']['total']} 件、被提起行政诉讼 {litigation} 件。",
    ]
    return "\n".join(f"（{n}）{title}\n{text}" for n, title, text in
                     zip("一二三四五", NARRATIVE_PARTS, parts))
