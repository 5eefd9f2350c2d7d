""""已经公开了吗" (条例第四十四条, issue 17): the apply form's GET /apply/similar — published
catalogue entries only — and the public catalogue's search box."""
import re
from datetime import date

import pytest

from disclosure.extensions import db
from disclosure.services import search
from disclosure.services.actors import Actor
from disclosure.services.review import catalogue
from disclosure.services.users import create_agency
from tests.services.test_search import BUDGET, PLANNING, publish_entry, released_case

D = date


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


@pytest.fixture
def entries(who):
    budget = publish_entry(who, BUDGET, "一、收入情况。", day=D(2026, 1, 5),
                           doc_number="包政发〔2026〕1号")
    planning = publish_entry(who, PLANNING, "第一条 为加强村庄规划管理，制定本办法。",
                             day=D(2026, 2, 5))
    return budget, planning


def similar(client, q):
    return client.get("/apply/similar", query_string={"q": q} if q is not None else None)


def test_published_entries_like_the_subject(client, entries):
    budget, _planning = entries
    resp = similar(client, "请公开包场镇2025年财政预算执行情况")
    assert resp.status_code == 200 and resp.is_json
    [hit] = resp.get_json()
    assert hit == {"title": BUDGET, "doc_number": "包政发〔2026〕1号", "issued_on": "2026-01-05",
                   "published_on": "2026-01-05", "repealed": False,
                   "url": f"/catalogue/{budget.id}"}
    assert client.get(hit["url"]).status_code == 200
    assert [h["title"] for h in similar(client, "村庄规划").get_json()] == [PLANNING]
    assert [h["title"] for h in similar(client, "预算").get_json()] == [BUDGET]


def test_never_a_draft_nor_a_reply(client, agency, who, entries):
    catalogue.save_entry(None, agency.id, who["handler"], title="草稿：2025年财政预算调整方案",
                         doc_number=None, category="other", issued_on=D(2026, 1, 1), body="x")
    released_case(agency, who, subject="包场镇2025年财政预算执行情况")
    titles = [h["title"] for h in similar(client, "2025年财政预算").get_json()]
    assert titles == [BUDGET]
    # even a stale index row of an entry that is not published is not shown
    draft = db.session.execute(db.select(catalogue.CatalogueEntry).where(
        catalogue.CatalogueEntry.published_on.is_(None))).scalar_one()
    search._upsert("catalogue", draft.id, draft.agency_id, draft.title, "", None)
    db.session.commit()
    assert [h["title"] for h in similar(client, "2025年财政预算").get_json()] == [BUDGET]


def test_at_most_five(client, who):
    for i in range(8):
        publish_entry(who, f"第{i}批村庄规划管理办法", day=D(2026, 1, 1 + i))
    assert len(similar(client, "村庄规划管理办法").get_json()) == 5


@pytest.mark.parametrize("q", [None, "", " ", "预", "  预  ", "a"])
def test_short_input_is_an_empty_list(client, entries, q):
    resp = similar(client, q)
    assert resp.status_code == 200 and resp.get_json() == []


def test_long_input_is_a_field_error(client, entries):
    resp = similar(client, "预" * 201)
    assert resp.status_code == 400 and "q" in resp.get_json()["errors"]
    assert similar(client, "预" * 200).status_code == 200


@pytest.mark.parametrize("q", ["%%", "__", "%预算%", "预_算", '"预算"', "预算 OR 规划", "NEAR(预算",
                               "\\\\", "😀😀", "<script>alert(1)</script>",
                               "' OR 1=1 --", "title:预算", "＊＊"])
def test_odd_input_is_answered(client, entries, q):
    resp = similar(client, q)
    assert resp.status_code == 200 and isinstance(resp.get_json(), list)
    if "%" in q or "_" in q:
        assert resp.get_json() == [] or all("预算" in h["title"] for h in resp.get_json())


def test_a_nul_byte_is_refused_like_everywhere(client, entries):
    assert similar(client, "预\x00算").status_code == 400  # security.py, before any query


def test_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIMILAR_RATE_LIMIT="3/minute")
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
    client = app.test_client()
    assert [similar(client, "预算").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_form_has_the_box_hidden_and_no_inline_script(client, agency):
    html = client.get("/apply").get_data(as_text=True)
    live = re.search(r'<div id="similar-live"[^>]*>', html).group(0)
    assert 'aria-live="polite"' in live and 'data-url="/apply/similar"' in live
    assert re.search(r'<section id="similar"[^>]*\bhidden\b', html)
    assert "可能已经公开" in html
    assert re.findall(r"<script[^>]*>", html) and all(
        "src=" in tag for tag in re.findall(r"<script[^>]*>", html))  # CSP: no inline script
    assert not re.search(r"\son[a-z]+=", html)  # nor inline handlers


# -- the public catalogue's search box -------------------------------------------------------------

def _titles(html):
    return re.findall(r'<a href="/catalogue/\d+">([^<]+)</a>', html)


def test_catalogue_search(client, agency, who, entries):
    catalogue.save_entry(None, agency.id, who["handler"], title="草稿村庄规划", doc_number=None,
                         category="other", issued_on=D(2026, 1, 1), body="x")
    released_case(agency, who, subject="村庄规划管理办法的制定依据")
    get = lambda **q: client.get("/catalogue", query_string=q)  # noqa: E731
    assert _titles(get(q="规划 管理").get_data(as_text=True)) == [PLANNING]
    assert _titles(get(q="制定本办法").get_data(as_text=True)) == [PLANNING]  # the text
    assert _titles(get(q="包政发〔2026〕1号").get_data(as_text=True)) == [BUDGET]  # the 文号
    assert _titles(get(q="预算").get_data(as_text=True)) == [BUDGET]
    assert _titles(get(q="").get_data(as_text=True)) == [PLANNING, BUDGET]  # everything
    assert _titles(get(q="规划", category="penalty").get_data(as_text=True)) == []
    assert _titles(get(q="规划", category="normative_document").get_data(as_text=True)) == [
        PLANNING]
    for q in ("%", "_", "预%", "x" * 5000, '"', "NEAR(", "\\"):
        resp = get(q=q)
        assert resp.status_code == 200 and _titles(resp.get_data(as_text=True)) == []
    assert get(q="规划", page="99999999999999999999").status_code == 200
    assert "共 1 条" in get(q="规划").get_data(as_text=True)
    assert search.count("规划", kinds=("reply",)) == 1  # the reply is indexed, never listed here
