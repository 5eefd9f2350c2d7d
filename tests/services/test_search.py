"""Issue 17, 条例第四十四条: the search over public texts (docs/search.md) — on SQLite (FTS5
trigram) and PostgreSQL (pg_trgm) alike: run this file with and without TEST_DATABASE_URL."""
from datetime import date

import pytest
from sqlalchemy import func, select, text

from disclosure.cli.search import search_cli
from disclosure.extensions import db
from disclosure.models import SearchDoc
from disclosure.services import search
from disclosure.services.actors import Actor
from disclosure.services.cases import register_paper
from disclosure.services.review import catalogue, replies
from disclosure.services.review import seen as review_seen
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, draft_complete, person_payload

D = date
BUDGET = "包场镇2025年财政预算执行情况"
PLANNING = "村庄规划管理办法"


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def publish_entry(who, title, body="正文", day=D(2026, 3, 10), doc_number=None,
                  category="normative_document", index=True):
    """An entry through the gate (drafted, approved, published), then indexed."""
    entry = catalogue.save_entry(None, who["handler"].agency_id, who["handler"], title=title,
                                 doc_number=doc_number, category=category, issued_on=day,
                                 body=body)
    for item in catalogue.items_of(entry):
        catalogue.decide(entry, item.id, "approved", None, who["reviewer"], **review_seen(item))
    catalogue.publish(entry, who["handler"], day)
    if index:
        search.index_catalogue_entry(entry)
    return entry


def released_case(agency, who, subject="2023年某村道路拓宽工程的立项批复", index=True,
                  day=D(2024, 10, 9), **payload):
    """A case whose reply went through the gate and was released, then indexed."""
    case = register_paper(agency, person_payload(subject=subject, **payload), "in_person",
                          D(2024, 9, 27), who["registrar"], D(2024, 9, 27)).case
    draft_complete(case, "art36_2", who["handler"], D(2024, 10, 8))
    replies.submit_for_review(case, who["handler"], D(2024, 10, 8))
    for item in replies.items_of(case):
        replies.decide(case, item.id, "approved", None, who["reviewer"], day,
                       **review_seen(item))
    replies.release_reply(case, who["handler"], day)
    if index:
        search.index_reply(case)
    return case


def titles(hits):
    return [h.title for h in hits]


@pytest.fixture
def two(who):
    budget = publish_entry(who, BUDGET, "一、收入情况。二、支出情况。", day=D(2026, 1, 5),
                           doc_number="包政发〔2026〕1号")
    planning = publish_entry(who, PLANNING, "第一条 为加强村庄规划管理，制定本办法。",
                             day=D(2026, 2, 5))
    return budget, planning


@pytest.mark.parametrize("query,expected", [
    ("预算", [BUDGET]),                 # two characters: below the trigram, still found
    ("财政预算", [BUDGET]),
    ("规划 管理", [PLANNING]),           # every term, in any order
    ("管理　规划", [PLANNING]),          # a full-width space separates terms too
    ("2025", [BUDGET]),
    ("25", [BUDGET]),
    ("规划 预算", []),                   # AND, not OR
    ("办法", [PLANNING]),
    ("制定本办法", [PLANNING]),           # in the body
    ("包政发〔2026〕1号", [BUDGET]),       # the 文号
    ("镇", [BUDGET]),
    ("不存在的内容", []),
])
def test_chinese_queries(two, query, expected):
    assert titles(search.search(query)) == expected
    assert search.count(query) == len(expected)


@pytest.mark.parametrize("query", ["%", "_", "%%", "\\", "预%算", "预_算", "财政%", "_预算"])
def test_wildcards_in_the_query_are_literal(two, query):
    assert search.search(query) == []


def test_percent_and_underscore_match_themselves(who):
    publish_entry(who, "完成率达到50%的项目", day=D(2026, 1, 1))
    publish_entry(who, "完成率达到500的项目", day=D(2026, 1, 2))
    publish_entry(who, "文件名a_b清单", day=D(2026, 1, 3))
    publish_entry(who, "文件名axb清单", day=D(2026, 1, 4))
    publish_entry(who, "路径C:\\temp说明", day=D(2026, 1, 5))
    assert titles(search.search("50%")) == ["完成率达到50%的项目"]
    assert titles(search.search("0%")) == ["完成率达到50%的项目"]
    assert titles(search.search("a_b")) == ["文件名a_b清单"]
    assert titles(search.search("_b")) == ["文件名a_b清单"]
    assert titles(search.search(":\\t")) == ["路径C:\\temp说明"]


def test_latin_text_is_case_insensitive(who):
    publish_entry(who, "Budget Report 2026", "Annual SUMMARY of spending", day=D(2026, 1, 1))
    for q in ("budget", "BUDGET", "Bu", "summary", "report budget", "b", "sUmMaRy"):
        assert titles(search.search(q)) == ["Budget Report 2026"], q


def test_odd_input_never_fails(two):
    for q in ('"', '""', "'", "*", "OR", "AND NOT", "NEAR(", ")", "^预算", "预算*", "a:b",
              "title:预算", "{title}", "\x00预算", "预\x00算", "😀", "\u200b", "-", "+预算",
              "x" * 10_000, "预 " * 500, "", "   ", None):
        assert isinstance(search.search(q), list)
        assert isinstance(search.similar(q), list)
        assert isinstance(search.count(q), int)
    assert titles(search.search("^预算")) == []
    assert titles(search.search("\x00预算")) == [BUDGET]  # a control character is a separator


def test_query_length_and_terms_are_capped():
    long = "预算 " * 100
    assert len(search.terms_of(long)) == 1  # the same term once
    many = " ".join(f"t{i}" for i in range(50))
    assert len(search.terms_of(many)) == search.TERMS_MAX
    assert len("".join(search.terms_of("字" * 5000))) == search.QUERY_MAX
    assert len(search.grams_of("字甲乙丙丁" * 1000)) <= search.GRAMS_MAX


def test_title_hits_rank_first_then_the_newest(who):
    publish_entry(who, "某项工作方案", "其中涉及财政预算安排", day=D(2026, 3, 1))   # body only
    publish_entry(who, "财政预算公开说明（旧）", day=D(2025, 1, 1))
    publish_entry(who, "财政预算公开说明（新）", day=D(2026, 2, 1))
    publish_entry(who, "财政预算公开说明 年度", "财政", day=D(2024, 1, 1))
    assert titles(search.search("财政预算")) == [
        "财政预算公开说明（新）", "财政预算公开说明（旧）", "财政预算公开说明 年度", "某项工作方案"]
    # two terms in the title outrank one, whatever the date
    assert titles(search.search("财政预算 年度"))[0] == "财政预算公开说明 年度"
    assert [h.score for h in search.search("财政预算")] == [1, 1, 1, 0]
    assert titles(search.search("财政预算", limit=2, offset=1)) == [
        "财政预算公开说明（旧）", "财政预算公开说明 年度"]


def test_a_draft_is_never_indexed_and_the_index_shows_the_released_text(who):
    draft = catalogue.save_entry(None, who["handler"].agency_id, who["handler"],
                                 title="尚未发布的草稿标题", doc_number=None, category="other",
                                 issued_on=D(2026, 1, 1), body="草稿正文")
    search.index_catalogue_entry(draft)
    assert search.search("草稿") == [] and db.session.scalar(
        select(func.count()).select_from(SearchDoc)) == 0
    entry = publish_entry(who, "已发布的标题", "已发布的正文")
    # an edit of the published entry is a draft until reviewed and published again
    catalogue.save_entry(entry, entry.agency_id, who["handler"], title="篡改后的标题",
                         doc_number="假文号", category="other", issued_on=D(2026, 1, 1),
                         body="未经审查的正文")
    search.index_catalogue_entry(entry)
    assert search.search("篡改") == search.search("假文号") == search.search("未经审查") == []
    assert titles(search.search("已发布的正文")) == ["已发布的标题"]


def test_repealed_entries_stay_found(who):
    entry = publish_entry(who, PLANNING, day=D(2026, 1, 1))
    catalogue.repeal(entry, D(2026, 6, 1), who["handler"])
    for item in catalogue.items_of(entry):
        if catalogue.review.status_of(item) != "approved":
            catalogue.decide(entry, item.id, "approved", None, who["reviewer"],
                             **review_seen(item))
    catalogue.publish(entry, who["handler"], D(2026, 6, 2))
    search.index_catalogue_entry(entry)
    assert titles(search.search("规划")) == [PLANNING]


def test_a_reply_is_indexed_without_the_applicants_personal_data(agency, who):
    case = released_case(agency, who, subject="张三家门前道路的拓宽批复")
    doc = db.session.execute(select(SearchDoc).where(SearchDoc.kind == "reply")).scalar_one()
    assert (doc.ref_id, doc.agency_id, doc.published_on) == (case.id, case.agency_id,
                                                             D(2024, 10, 9))
    assert doc.title == "××家门前道路的拓宽批复"
    everything = doc.title + doc.body
    for personal in ("张三", "11010519491231002X", "13800000000", "a@example.cn", "包场镇1号",
                     case.tracking_no):
        assert personal not in everything, personal
    assert "道路的拓宽批复" in doc.body and "行政复议" in doc.body  # the letter itself
    assert titles(search.search("拓宽批复", kinds=("reply",))) == ["××家门前道路的拓宽批复"]
    assert search.search("张三") == [] and search.search("13800000000") == []


def test_scrub_takes_the_salutation_and_identifiers_out(agency, who):
    case = register_paper(agency, person_payload(), "in_person", D(2024, 9, 27),
                          who["registrar"], D(2024, 9, 27)).case
    letter = (f"政府信息公开申请答复告知书\n\n张三先生：\n\n本机关于2024年9月27日收到您提交的"
              f"政府信息公开申请（申请编号：{case.tracking_no}），您申请公开“某事”。\n"
              "经审查，现答复如下：予以公开。\n联系人李四，电话 13911112222，"
              "邮箱 li.si@example.com，身份证 320623199001011234。\n包场镇人民政府")
    out = search.scrub(letter, case)
    assert "张三" not in out and "先生：" not in out and case.tracking_no not in out
    assert "申请编号" not in out
    for other in ("13911112222", "li.si@example.com", "320623199001011234"):
        assert other not in out
    assert "经审查，现答复如下：予以公开。" in out and "包场镇人民政府" in out
    assert out.startswith("政府信息公开申请答复告知书")


def test_an_unreleased_reply_is_not_indexed(agency, who):
    case = register_paper(agency, person_payload(), "in_person", D(2024, 9, 27),
                          who["registrar"], D(2024, 9, 27)).case
    draft_complete(case, "art36_2", who["handler"], D(2024, 10, 8))
    search.index_reply(case)
    assert db.session.scalar(select(func.count()).select_from(SearchDoc)) == 0


def test_kinds_and_agencies_filter(agency, who, two):
    case = released_case(agency, who, subject="财政预算执行情况的说明")
    other = create_agency("HZ", "海门区人民政府")
    hz = {"handler": Actor.of(create_user("hz-handler", PASSWORD, "HZ", ["handler"], "海门承办人")),
          "reviewer": Actor.of(create_user("hz-reviewer", PASSWORD, "HZ", ["reviewer"],
                                           "海门审查员"))}
    publish_entry(hz, "海门财政预算报告", day=D(2026, 4, 1))
    assert {h.kind for h in search.search("财政预算")} == {"catalogue", "reply"}
    assert [h.ref_id for h in search.search("财政预算", kinds=("reply",))] == [case.id]
    assert titles(search.search("财政预算", agency_ids=[other.id])) == ["海门财政预算报告"]
    assert len(search.search("财政预算", agency_ids=[agency.id])) == 2
    assert search.search("财政预算", kinds=("nonsense",)) == []


def test_similar_finds_titles_like_a_subject(agency, who, two):
    released_case(agency, who, subject="包场镇2024年财政预算执行情况")
    hits = search.similar("请公开包场镇2025年财政预算执行情况的文件")
    assert titles(hits) == [BUDGET, "包场镇2024年财政预算执行情况"]
    assert hits[0].score > hits[1].score
    assert titles(search.similar("本村的村庄规划")) == [PLANNING]
    assert titles(search.similar("2025年财政预算", kinds=("catalogue",))) == [BUDGET]
    assert search.similar("申请公开政府信息") == []  # filler only
    assert search.similar("某村道路拓宽工程") == []
    assert search.similar_count("包场镇财政预算执行", kinds=("reply",)) == 1
    cid = search.similar("包场镇2024年财政预算执行情况", kinds=("reply",))[0].ref_id
    assert search.similar("包场镇2024年财政预算执行情况", kinds=("reply",),
                          exclude=[("reply", cid)]) == []


def test_reindex_all_rebuilds_from_the_database(agency, who):
    publish_entry(who, BUDGET, index=False)
    publish_entry(who, PLANNING, index=False)
    released_case(agency, who, index=False)
    catalogue.save_entry(None, agency.id, who["handler"], title="草稿财政预算", doc_number=None,
                         category="other", issued_on=D(2026, 1, 1), body="x")
    search.unindex("catalogue", 10_000)  # nothing there: nothing happens
    db.session.execute(text("DELETE FROM search_doc"))  # whatever the hooks did
    assert search.reindex_all() == {"catalogue": 2, "reply": 1}
    assert titles(search.search("财政预算")) == [BUDGET]
    assert titles(search.search("立项批复")) == ["2023年某村道路拓宽工程的立项批复"]
    assert search.reindex_all() == {"catalogue": 2, "reply": 1}  # again: the same, no duplicates
    assert db.session.scalar(select(func.count()).select_from(SearchDoc)) == 3
    assert titles(search.search("预算")) == [BUDGET]


def test_the_cli_reindexes(app, agency, who):
    publish_entry(who, BUDGET, index=False)
    result = app.test_cli_runner().invoke(search_cli, ["reindex"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    db.session.rollback()
    assert titles(search.search("预算")) == [BUDGET]


def test_the_index_is_used(two):
    """Terms of three or more characters are answered by the full-text index."""
    dialect = db.session.get_bind().dialect.name
    stmt = select(SearchDoc.id).where(search._term_filter(["财政预算"]))
    sql = str(stmt.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True}))
    if dialect == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(r[0] for r in db.session.execute(text("EXPLAIN " + sql)))
        assert "ix_search_doc_trgm" in plan, plan
    else:
        plan = " ".join(str(r) for r in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "VIRTUAL TABLE INDEX" in plan and "search_fts" in plan, plan
    db.session.rollback()


# -- through the gate: these need the hooks in services/review (docs/search.md) ------------------

def test_publishing_an_entry_indexes_it(who):
    publish_entry(who, BUDGET, index=False)
    assert titles(search.search("预算")) == [BUDGET]


def test_releasing_a_reply_indexes_it(agency, who):
    released_case(agency, who, subject="某村道路拓宽工程的立项批复", index=False)
    assert titles(search.search("立项批复")) == ["某村道路拓宽工程的立项批复"]
