"""文号 of outgoing letters (issue 15): ``{prefix}{type}〔{year}〕{n}号`` — one sequence per
agency, year and letter type, so every letter of a case has its own number
(包政信补〔2026〕3号 is the agency's third 补正告知书 of 2026).

The number is given when the letter is released (a draft has none: drafts that never leave
must not leave gaps). 《党政机关公文格式》GB/T 9704: 发文字号由发文机关代字、年份、发文顺序号
组成，年份用六角括号〔〕，顺序号不加“第”字、不编虚位。
"""
from __future__ import annotations

# letter kind → the type character in the 文号
TYPE_CHARS = {
    "receipt": "收",                 # 申请回执
    "supplement": "补",              # 补正申请告知书
    "supplement_period": "补",       # 补正期限延长告知书 (same sequence as 补正)
    "consultation": "征",            # 征求第三方意见书
    "third_party_disclosure": "告",  # 向第三方告知公开决定书
    "extension": "延",               # 延期答复告知书
    "deferred": "延",                # 延后答复告知书
    "fee": "费",                     # 收费通知书
    "clarification": "函",           # 协助说明函
    "forwarded": "转",               # 转送告知书 (issue 17)
    "reply": "复",                   # 政府信息公开申请答复告知书
}

MAX_PREFIX = 12


def default_prefix(agency_name: str) -> str:
    """Until the admin sets one: the agency's first character + 政信 (包头镇 → 包政信)."""
    return (agency_name.strip()[:1] or "政") + "政信"


def format_number(prefix: str, kind: str, year: int, n: int) -> str:
    return f"{prefix}{TYPE_CHARS[kind]}〔{year}〕{n}号"


def sequence_of(kind: str) -> str:
    """Letters sharing a type character share one sequence."""
    return TYPE_CHARS[kind]


def check_prefix(prefix: str) -> str | None:
    """A message (Chinese) if ``prefix`` cannot start a 文号, else None."""
    p = prefix.strip()
    if not p:
        return None
    if len(p) > MAX_PREFIX:
        return "机关代字不能超过 12 个字"
    if any(ch in p for ch in "〔〕[]()（）号 \t\r\n") or any(ch.isdigit() for ch in p):
        return "机关代字只写代字本身（如 包政信），不含括号、年份、数字或“号”"
    return None
