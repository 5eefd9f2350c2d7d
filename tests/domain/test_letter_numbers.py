"""文号 of outgoing letters (issue 15): the format, the sequences and the 机关代字 check — pure
functions, no app."""
from __future__ import annotations

import pytest

from disclosure.domain import letter_numbers as ln


def test_format_follows_gb_t_9704():
    # 机关代字 + type, year in 六角括号, the number without 第 and without leading zeros
    assert ln.format_number("包政信", "supplement", 2026, 3) == "包政信补〔2026〕3号"
    assert ln.format_number("包政信", "reply", 2024, 12) == "包政信复〔2024〕12号"
    assert ln.format_number("包政信", "receipt", 2025, 1) == "包政信收〔2025〕1号"


@pytest.mark.parametrize("kind, char", [
    ("receipt", "收"), ("supplement", "补"), ("supplement_period", "补"),
    ("consultation", "征"), ("third_party_disclosure", "告"), ("extension", "延"),
    ("deferred", "延"), ("fee", "费"), ("clarification", "函"), ("reply", "复")])
def test_each_letter_kind_has_its_type_character(kind, char):
    assert ln.TYPE_CHARS[kind] == char
    assert ln.format_number("X", kind, 2026, 1) == f"X{char}〔2026〕1号"


def test_letters_with_the_same_type_character_share_a_sequence():
    assert ln.sequence_of("supplement") == ln.sequence_of("supplement_period") == "补"
    assert ln.sequence_of("extension") == ln.sequence_of("deferred") == "延"
    assert len({ln.sequence_of(k) for k in ("receipt", "supplement", "consultation", "fee",
                                            "reply", "clarification")}) == 6


def test_default_prefix_from_the_agency_name():
    assert ln.default_prefix("包场镇人民政府") == "包政信"
    assert ln.default_prefix("  新河县人民政府 ") == "新政信"
    assert ln.default_prefix("") == "政政信"  # never empty


@pytest.mark.parametrize("prefix", ["包政信", "包镇政办", "  包政信  ", "", "   ", "京" * 12])
def test_acceptable_prefixes(prefix):
    assert ln.check_prefix(prefix) is None


@pytest.mark.parametrize("prefix", [
    "包政信〔2026〕", "包政信号", "包政[信]", "包政（信）", "包政信3", "包 政信", "京" * 13])
def test_refused_prefixes(prefix):
    msg = ln.check_prefix(prefix)
    assert isinstance(msg, str) and msg
