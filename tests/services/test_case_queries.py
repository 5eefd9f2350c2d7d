"""The staff case list (services.case_queries.list_cases) against the naive query it replaces.

list_cases reads the page as a deferred join, in two parts for a nullable sort column (the cases
with a value, then NULLS LAST), with a redundant ``due_on >= from`` seek predicate, and caps the
count. None of that may change a single page: every test here compares the page with the
plain ``count(*)`` + ``ORDER BY col NULLS LAST, id LIMIT/OFFSET`` query of the previous version
(kept below as the reference), on generated cases with NULLs and ties. Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL.
"""
from __future__ import annotations

import itertools
import random
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select

from disclosure.domain.deadlines import ClockFacts, Pause, compute_deadline
from disclosure.domain.workdays import WorkCalendar
from disclosure.extensions import db
from disclosure.models import Case
from disclosure.services import case_queries as cq
from disclosure.services.actors import Actor
from disclosure.services.calendar import get_calendar
from disclosure.services.case_queries import CaseFilter, list_cases
from disclosure.services.users import create_agency
from tests.conftest import PASSWORD, login

STATUSES = ("submitted", "registered", "in_progress", "paused", "in_review",
            "awaiting_supplement", "replied", "withdrawn")
CHANNELS = ("online", "in_person", "email")
TYPES = ("natural_person", "commercial_enterprise")
TODAY = date(2024, 3, 1)
FROM = date(2024, 1, 15)  # the start date most filters use: cases on both sides of it


# -- the reference: the list as it was (count everything, one ORDER BY … NULLS LAST) ----------
def naive(actor: Actor, f: CaseFilter) -> cq.CasePage:
    total = db.session.execute(cq._scoped(select(func.count(Case.id)), actor, f)).scalar_one()
    pages = max(1, -(-total // f.per_page))
    page = min(max(1, f.page), pages)
    col = cq.SORTS.get(f.sort, Case.received_on)
    order = col.desc() if f.descending else col.asc()
    tie = Case.id.desc() if f.descending else Case.id.asc()
    stmt = cq._scoped(select(Case), actor, f).order_by(order.nulls_last(), tie) \
        .limit(f.per_page).offset((page - 1) * f.per_page)
    return cq.CasePage(list(db.session.execute(stmt).scalars()), total, page, pages)


def same_page(actor: Actor, f: CaseFilter) -> cq.CasePage:
    """list_cases(actor, f), asserted identical to the reference (the count may be capped)."""
    want = naive(actor, f)
    got = list_cases(actor, f)
    label = f"{actor.agency_id if not actor.is_admin else 'admin'} {f}"
    assert [c.id for c in got.items] == [c.id for c in want.items], label
    assert got.page == want.page, label
    if got.capped:
        assert got.total == (got.page + cq.COUNT_AHEAD_PAGES) * f.per_page < want.total, label
        assert got.pages == got.page + cq.COUNT_AHEAD_PAGES < want.pages, label
    else:
        assert (got.total, got.pages) == (want.total, want.pages), label
    db.session.expire_all()
    return got


# -- generated cases ------------------------------------------------------------------------
def _row(i: int, agency_id: int, status: str, received: date | None, due: date | None,
         rng: random.Random, **extra) -> dict:
    channel = "online" if received is None else rng.choice(CHANNELS)
    submitted = None
    if channel == "online":  # a few online cases share one submission time (ties)
        day = (received or TODAY) - timedelta(days=rng.randrange(0, 2))
        submitted = datetime(day.year, day.month, day.day, 9, rng.choice((0, 0, 30)),
                             tzinfo=timezone.utc)
    row = dict(agency_id=agency_id, tracking_no=f"T-{agency_id}-{i:05d}", channel=channel,
               status=status, applicant_type=rng.choice(TYPES),
               applicant_name=rng.choice(("张三", "李四", "Wang Wu")),
               subject=rng.choice(("道路", "规划", "预算")) + f"信息{i}", received_on=received,
               due_on=due, submitted_at=submitted, extension_workdays=0, due_provisional=False,
               concluded_by_sweep=False, created_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
    row.update(extra)
    return row


def seed_cases(agency_ids: list[int], n: int, seed: int = 3) -> None:
    """n cases over the agencies: received around FROM with few distinct dates (ties), due
    dates on or after receipt (never before it: the premise of the seek predicate) with ties,
    and NULLs — unconfirmed online submissions (no receipt, no due date) and cases waiting for
    a 补正 (received, no due date)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        status = rng.choice(STATUSES)
        if status == "submitted":
            received = due = None
        else:
            received = FROM + timedelta(days=rng.randrange(-40, 40, 3))
            due = None if status == "awaiting_supplement" or rng.random() < 0.08 else \
                received + timedelta(days=rng.choice((0, 7, 14, 28, 29, 35)))
        rows.append(_row(i, rng.choice(agency_ids), status, received, due, rng))
    db.session.execute(insert(Case), rows)
    db.session.commit()


@pytest.fixture
def world(ctx):
    ids = [create_agency(code, f"{code} 机关").id for code in ("BCZ", "HMQ", "NTS")]
    seed_cases(ids, 360)
    admin = Actor(1, "admin", frozenset({"platform_admin"}), ids[0])
    staff = [Actor(2 + k, "handler", frozenset({"handler"}), a) for k, a in enumerate(ids)]
    return {"agencies": ids, "admin": admin, "staff": staff}


FILTERS = [
    {},
    {"status": ["replied"]},
    {"status": ["registered", "in_progress", "paused"]},
    {"status": ["submitted"]},
    {"status": ["awaiting_supplement"]},
    {"received_from": FROM},
    {"received_to": FROM},
    {"received_from": FROM, "received_to": FROM + timedelta(days=20)},
    {"status": ["replied"], "received_from": FROM, "received_to": date(2024, 12, 31)},
    {"status": ["replied", "awaiting_supplement"], "received_from": FROM},
    {"channel": "online"},
    {"channel": "email", "applicant_type": "commercial_enterprise"},
    {"q": "道路"},
    {"q": "wang"},
    {"q": "T-"},
    {"flag": "overdue"},
    {"flag": "due_soon", "soon_until": TODAY + timedelta(days=10)},
    {"flag": "overdue", "received_from": FROM},
]
SORTS = ("received_on", "due_on", "tracking_no", "submitted_at", "status", "no_such_column")


def test_every_filter_sort_direction_and_page_matches_the_naive_query(world):
    rng = random.Random(11)
    actors = [world["admin"], *world["staff"]]
    checked = capped = 0
    for filters, sort, descending in itertools.product(FILTERS, SORTS, (False, True)):
        actor = rng.choice(actors)
        agency = rng.choice([None, *world["agencies"]]) if actor.is_admin else None
        f = CaseFilter(today=TODAY, sort=sort, descending=descending, per_page=rng.choice((4, 7)),
                       agency_id=agency, **filters)
        last = naive(actor, f).pages
        for page in sorted({1, 2, last // 2, last - 1, last, last + 1, rng.randrange(1, last + 2)}):
            got = same_page(actor, replace(f, page=max(1, page)))
            checked += 1
            capped += got.capped
    assert checked > 800 and capped > 100  # both the exact and the capped count were exercised


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # world is read only
@given(data=st.data())
def test_random_lists_match_the_naive_query(world, data):
    actor = data.draw(st.sampled_from([world["admin"], *world["staff"]]))
    some_day = st.dates(FROM - timedelta(days=45), FROM + timedelta(days=45))
    f = CaseFilter(
        status=data.draw(st.lists(st.sampled_from(STATUSES), max_size=3, unique=True)),
        channel=data.draw(st.sampled_from([None, *CHANNELS])),
        applicant_type=data.draw(st.sampled_from([None, *TYPES])),
        received_from=data.draw(st.none() | some_day),
        received_to=data.draw(st.none() | some_day),
        flag=data.draw(st.sampled_from([None, "overdue", "due_soon"])), today=TODAY,
        soon_until=TODAY + timedelta(days=5),
        sort=data.draw(st.sampled_from(SORTS)), descending=data.draw(st.booleans()),
        page=data.draw(st.integers(1, 40)), per_page=data.draw(st.integers(1, 12)))
    same_page(actor, f)


# -- keyset paging: next / previous links seek from a row ----------------------------------------
def _same_as_offset(actor: Actor, f: CaseFilter, got: cq.CasePage, label: str) -> None:
    want = naive(actor, replace(f, page=got.page, after=None, before=None))
    assert [c.id for c in got.items] == [c.id for c in want.items], label
    if got.capped:
        assert got.total == (got.page + cq.COUNT_AHEAD_PAGES) * f.per_page < want.total, label
    else:
        assert (got.total, got.pages) == (want.total, want.pages), label
    assert (got.next_cursor is None) == (got.page >= want.pages), label
    assert (got.prev_cursor is None) == (got.page == 1), label


def walk(actor: Actor, f: CaseFilter) -> int:
    """Every page by next links from the first, then back by previous links from the last; each
    compared with the OFFSET page of that number. Cursors go through their text (the link)."""
    label = f"{actor.agency_id if not actor.is_admin else 'admin'} {f}"
    got, seen = list_cases(actor, replace(f, page=1)), 1
    _same_as_offset(actor, f, got, label)
    while got.next_cursor:
        after = cq.parse_cursor(f, got.next_cursor)
        assert after is not None, got.next_cursor
        got = list_cases(actor, replace(f, page=got.page + 1, after=after))
        assert got.page == seen + 1, label
        seen += 1
        _same_as_offset(actor, f, got, label)
        db.session.expire_all()
    while got.prev_cursor:
        before = cq.parse_cursor(f, got.prev_cursor)
        assert before is not None, got.prev_cursor
        got = list_cases(actor, replace(f, page=got.page - 1, before=before))
        assert got.page == seen - 1, label
        seen -= 1
        _same_as_offset(actor, f, got, label)
        db.session.expire_all()
    assert got.page == 1, label
    return seen


def test_next_and_previous_links_walk_the_offset_pages(world):
    rng = random.Random(13)
    walked = 0
    for filters, sort, descending in itertools.product(FILTERS, SORTS, (False, True)):
        for actor in (world["admin"], rng.choice(world["staff"])):
            f = CaseFilter(today=TODAY, sort=sort, descending=descending,
                           per_page=rng.choice((9, 16, 23)), **filters)
            walk(actor, f)
            walked += 1
    assert walked == len(FILTERS) * len(SORTS) * 2 * 2


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("per_page", [1, 2, 3, 5, 7, 22])
@pytest.mark.parametrize("who", ["admin", "handler"])
def test_keyset_pages_across_the_nulls_last_boundary(boundary, who, per_page, descending):
    for status, sort in itertools.product(([], ["replied"]), ("due_on", "received_on")):
        for start in (FROM, None):
            f = CaseFilter(status=status, received_from=start, sort=sort, descending=descending,
                           per_page=per_page)
            walk(boundary[who], f)


def test_a_cursor_of_another_sort_or_malformed_is_ignored(world):
    f = CaseFilter(today=TODAY, sort="due_on", descending=True, per_page=5)
    first = list_cases(world["admin"], f)
    assert first.next_cursor.startswith("due_on.d.")
    for other in (replace(f, descending=False), replace(f, sort="received_on"),
                  replace(f, sort="tracking_no")):
        assert cq.parse_cursor(other, first.next_cursor) is None
    for text in ("", "x", "due_on.d.1", "due_on.d.-1.2024-01-01", "due_on.d.1.2024-02-30",
                 "due_on.d.1." + "9" * 300, "submitted_at.d.1.x", "status.d.1.",
                 "tracking_no.d.99999999999999999999.T"):
        assert cq.parse_cursor(f, text) is None, text
        assert cq.parse_cursor(replace(f, sort=text.split(".")[0]), text) is None, text
    # a cursor past the end (the row is gone): the page of that number, by OFFSET
    gone = cq.Cursor(None, 0)
    got = list_cases(world["admin"], replace(f, page=3, after=gone))
    want = naive(world["admin"], replace(f, page=3))
    assert [c.id for c in got.items] == [c.id for c in want.items]


# -- the NULLS LAST tail of the due-date sort with a start date ---------------------------------
@pytest.fixture
def boundary(ctx):
    """One agency: 15 cases received from FROM on with due dates (ties of 3 and 2), 7 received
    from FROM on without one (waiting for a 补正), and, outside the filter, cases received
    before FROM whose due dates fall before, on and after it (and one without)."""
    a = create_agency("BCZ", "包场镇人民政府").id
    rng = random.Random(5)
    rows, i = [], itertools.count()
    dues = [0, 0, 0, 1, 2, 2, 5, 9, 9, 13, 20, 21, 30, 31, 60]
    for k, d in enumerate(dues):  # due dates FROM + d (ties), received on or before them
        received = FROM + timedelta(days=min(k % 4, d))
        rows.append(_row(next(i), a, "replied", received, FROM + timedelta(days=d), rng))
    for k in range(7):
        rows.append(_row(next(i), a, "awaiting_supplement" if k % 2 else "replied",
                         FROM + timedelta(days=k), None, rng))
    for d in (-30, -1, 0, 0, 3, 25):  # received before FROM: due dates around it
        rows.append(_row(next(i), a, "replied", FROM - timedelta(days=10),
                         FROM + timedelta(days=d), rng))
    rows.append(_row(next(i), a, "replied", FROM - timedelta(days=3), None, rng))
    rng.shuffle(rows)  # ids not in due-date order
    for row in rows:
        db.session.execute(insert(Case), [row])
    db.session.commit()
    return {"admin": Actor(1, "admin", frozenset({"platform_admin"}), a),
            "handler": Actor(2, "handler", frozenset({"handler"}), a)}


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 5, 7, 22, 50])
@pytest.mark.parametrize("who", ["admin", "handler"])
def test_due_date_pages_across_the_nulls_last_boundary(boundary, who, per_page, descending):
    actor = boundary[who]
    straddles = past = False
    for status in ([], ["replied"]):
        f = CaseFilter(status=status, received_from=FROM, received_to=date(2024, 12, 31),
                       sort="due_on", descending=descending, per_page=per_page)
        n = naive(actor, f)
        assert n.total == (22 if not status else 19)
        for page in range(1, n.pages + 2):
            got = same_page(actor, replace(f, page=page))
            dues = [c.due_on for c in got.items]
            valued = [d for d in dues if d is not None]
            assert dues == valued + [None] * (len(dues) - len(valued))  # NULLs last
            assert valued == sorted(valued, reverse=descending)
            assert all(d >= FROM for d in valued)
            straddles |= bool(valued) and None in dues
            past |= not valued and (page - 1) * per_page > 15
    if 15 % per_page:  # (3, 5: a page ends exactly at the last due date, the next starts the NULLs)
        assert straddles  # some page holds the last due dates and the first NULLs
    if per_page < 7:
        assert past  # and some page starts inside the NULLs (the head is counted)


def test_due_date_sort_without_a_start_date_keeps_the_earlier_due_dates(boundary):
    for descending in (False, True):
        f = CaseFilter(sort="due_on", descending=descending, per_page=6)
        for page in range(1, 7):
            same_page(boundary["handler"], replace(f, page=page))


# -- the capped count ---------------------------------------------------------------------------
def test_count_is_capped_ten_pages_ahead(world):
    handler = world["staff"][0]
    everything = naive(handler, CaseFilter(per_page=5)).total
    assert everything > 60
    first = same_page(handler, CaseFilter(per_page=5))
    assert first.capped and (first.total, first.pages) == (55, 11)
    # near the end the count is exact again, and a page past the end shows the last page
    pages = -(-everything // 5)
    near_end = same_page(handler, CaseFilter(per_page=5, page=pages - 10))
    assert not near_end.capped and near_end.total == everything and near_end.pages == pages
    beyond = same_page(handler, CaseFilter(per_page=5, page=pages + 3))
    assert not beyond.capped and beyond.page == pages


def test_the_cap_is_one_more_than_ten_pages_ahead(ctx):
    a = create_agency("BCZ", "包场镇人民政府").id
    handler = Actor(2, "handler", frozenset({"handler"}), a)
    rng = random.Random(2)
    rows = [_row(i, a, "replied", FROM, FROM + timedelta(days=i % 3), rng) for i in range(34)]
    db.session.execute(insert(Case), rows[:33])
    db.session.commit()
    exact = same_page(handler, CaseFilter(per_page=3))  # exactly (1 + 10) × 3 cases
    assert not exact.capped and (exact.total, exact.pages) == (33, 11)
    db.session.execute(insert(Case), rows[33:])
    db.session.commit()
    more = same_page(handler, CaseFilter(per_page=3))
    assert more.capped and (more.total, more.pages) == (33, 11)
    assert not same_page(handler, CaseFilter(per_page=3, page=2)).capped


def test_capped_list_says_more_than_and_offers_the_next_page(make_app):
    app = make_app(CASES_PER_PAGE=3, FIXED_TODAY=TODAY.isoformat())
    with app.app_context():
        from disclosure.services.users import create_user
        a = create_agency("BCZ", "包场镇人民政府").id
        create_user("handler", PASSWORD, "BCZ", ["handler"])
        rng = random.Random(1)
        db.session.execute(insert(Case), [
            _row(i, a, "replied", FROM, FROM + timedelta(days=i % 5), rng) for i in range(40)])
        db.session.commit()
    # requests outside the app context above (Flask-Babel keeps the locale on the app context)
    client = app.test_client()
    assert login(client, "handler").status_code == 302
    html = client.get("/staff/cases", query_string={"sort": "due_on", "dir": "asc"}) \
        .get_data(as_text=True)
    assert "超过 33 件" in html and "共 40 件" not in html
    assert "第 1 页（共超过 11 页）" in html
    assert re.search(r'<a href="/staff/cases\?[^"]*page=2[^"]*">下一页</a>', html)
    # page 3 counts up to (3 + 10) × 3 + 1 = 40: still "more than 39"; page 4 counts all
    page3 = client.get("/staff/cases", query_string={"page": 3}).get_data(as_text=True)
    assert "超过 39 件" in page3 and "第 3 页（共超过 13 页）" in page3 and "page=4" in page3
    page4 = client.get("/staff/cases", query_string={"page": 4}).get_data(as_text=True)
    assert "共 40 件" in page4 and "第 4 / 14 页" in page4 and "page=5" in page4
    last = client.get("/staff/cases", query_string={"page": 14}).get_data(as_text=True)
    assert "第 14 / 14 页" in last and "下一页" not in last
    client.set_cookie("lang", "en")
    english = client.get("/staff/cases").get_data(as_text=True)
    assert "more than 33" in english and "of more than 11" in english


# -- the premise of the seek predicate: a due date is never before the receipt date -------------
CAL = WorkCalendar()
days = st.dates(date(2023, 1, 1), date(2025, 6, 30))


@settings(max_examples=300, deadline=None)
@given(received=days, gaps=st.lists(st.integers(0, 60), min_size=6, max_size=6),
       supplement=st.booleans(), pause=st.sampled_from([None, "third_party", "fee"]),
       closed=st.booleans(), extension=st.sampled_from([0, 10, 20]), defer=st.integers(-5, 30),
       concluded=st.booleans())
def test_a_due_date_is_never_before_the_receipt_date(received, gaps, supplement, pause, closed,
                                                      extension, defer, concluded):
    asked = received + timedelta(days=gaps[0]) if supplement else None
    supplied = asked + timedelta(days=gaps[1]) if supplement else None
    start = (supplied or received) + timedelta(days=gaps[2])
    pauses = (Pause(pause, start, start + timedelta(days=gaps[3]) if closed else None),) \
        if pause == "third_party" else ()
    fee = dict(fee_notified_on=start, fee_paid_on=start + timedelta(days=gaps[3]) if closed
               else None) if pause == "fee" else {}
    end = received + timedelta(days=sum(gaps)) if concluded else None
    facts = ClockFacts(received, supplement_requested_on=asked,
                       supplement_period_workdays=15 if asked else None,
                       supplement_received_on=supplied, pauses=pauses,
                       extension_workdays=extension, concluded_on=end, **fee)
    today = received + timedelta(days=gaps[4] + gaps[5])
    dl = compute_deadline(facts, CAL, today, explain=False)
    assert dl.due_on is None or dl.due_on > received
    if dl.due_on is not None and defer > 0:  # a deferred date must be later (set_deferred_deadline)
        later = compute_deadline(replace(facts, deferred_due_on=dl.due_on + timedelta(days=defer)),
                                 CAL, today, explain=False)
        assert later.due_on > received


# -- issue 15: timing, flags, the handler filter, the export ------------------------------------
def test_timing_counts_working_days_on_the_calendar():
    from types import SimpleNamespace
    today, soon = date(2024, 4, 1), date(2024, 4, 7)  # 清明 4–6 April off, Sunday 7 April worked

    def case(status="in_progress", due=None, **over):
        values = dict(status=status, due_on=due, due_provisional=False, concluded_on=None,
                      timely=None, late_acts="")
        values.update(over)
        return SimpleNamespace(**values)

    t = cq.timing(case(due=date(2024, 4, 8)), CAL, today, soon)
    assert (t.days_left, t.overdue_workdays, t.flags) == (4, None, ())  # not 5 weekdays
    t = cq.timing(case(due=date(2024, 4, 3)), CAL, today, soon)
    assert (t.days_left, t.flags) == (2, ("due_soon",))
    t = cq.timing(case(due=date(2024, 4, 7)), CAL, today, soon)
    assert (t.days_left, t.flags) == (3, ("due_soon",))
    assert cq.timing(case(due=today), CAL, today, soon).days_left == 0
    t = cq.timing(case(due=date(2024, 3, 25)), CAL, today, soon)
    assert (t.days_left, t.overdue_workdays, t.flags) == (None, 5, ("overdue",))
    # due Friday, today Saturday: overdue, by no working day yet
    t = cq.timing(case(due=date(2024, 3, 29)), CAL, date(2024, 3, 30), soon)
    assert (t.overdue_workdays, t.flags) == (0, ("overdue",))
    # the clock stopped or not started: no count, stored flags only
    for status in ("awaiting_supplement", "submitted"):
        t = cq.timing(case(status, date(2024, 3, 25), late_acts="fee_notice_late"), CAL, today)
        assert (t.days_left, t.overdue_workdays, t.flags) == (None, None, ("late_acts",))
    t = cq.timing(case("replied", date(2024, 3, 22), concluded_on=date(2024, 3, 28),
                       timely=False, due_provisional=True), CAL, today, soon)
    assert (t.concluded_on, t.timely, t.days_left, t.flags) == (date(2024, 3, 28), False, None,
                                                                ())
    t = cq.timing(case(due=date(2024, 4, 30), due_provisional=True), CAL, today, soon)
    assert (t.days_left, t.flags) == (21, ("provisional",))  # 28 April (Sunday) worked
    # without today (a list built without a date) nothing is counted
    assert cq.timing(case(due=date(2024, 3, 25)), None, None).flags == ()


@pytest.fixture
def handled(world):
    """The world's cases, some handled by one handler of each agency."""
    from disclosure.services.users import create_user
    codes = ("BCZ", "HMQ", "NTS")
    users = [create_user(f"h-{c}", PASSWORD, c, ["handler"], f"{c} 承办人") for c in codes]
    by_agency = {u.agency_id: u.id for u in users}
    cases = db.session.execute(select(Case).order_by(Case.id)).scalars().all()
    for i, case in enumerate(cases):
        if i % 3:
            case.handler_id = by_agency[case.agency_id]
    db.session.commit()
    return {**world, "users": users}


def test_handler_filter_never_reaches_another_agency(handled):
    bcz_actor = handled["staff"][0]
    mine, other = handled["users"][0], handled["users"][1]
    me = Actor(mine.id, "h", frozenset({"handler"}), mine.agency_id)
    assert me.agency_id == bcz_actor.agency_id
    ids = {str(mine.id): mine.id, "mine": mine.id, "none": None}
    for value, handler_id in ids.items():
        got = same_page(me, CaseFilter(handler=value, per_page=500))
        assert got.total > 10
        assert all(c.handler_id == handler_id and c.agency_id == me.agency_id
                   for c in got.items), value
    # another agency's handler, an unknown id, "mine" for an actor without an account: nothing
    for actor, value in ((me, str(other.id)), (me, "987654"), (world_actor(None, me), "mine")):
        assert same_page(actor, CaseFilter(handler=value)).total == 0, value
    # a platform administrator sees every agency, so may filter on any agency's handler
    admin = handled["admin"]
    got = same_page(admin, CaseFilter(handler=str(other.id), per_page=500))
    assert got.total > 10 and {c.agency_id for c in got.items} == {other.agency_id}
    assert [name for _id, name in cq.handler_choices(me)] == ["BCZ 承办人"]
    assert len(cq.handler_choices(admin)) == 3
    assert cq.handler_choices(admin, other.agency_id) == [(other.id, "HMQ 承办人")]


def world_actor(user_id, like: Actor) -> Actor:
    return Actor(user_id, "system", like.roles, like.agency_id)


@pytest.mark.parametrize("filters", [{}, {"status": ["replied", "in_progress"]},
                                     {"flag": "overdue"}, {"q": "道路"},
                                     {"received_from": FROM, "handler": "none"}])
@pytest.mark.parametrize("sort", ["due_on", "tracking_no", "received_on"])
def test_export_is_every_page_of_the_list_in_its_order(handled, filters, sort):
    from disclosure.services import case_export
    for actor in (handled["admin"], handled["staff"][1]):
        for descending in (False, True):
            f = CaseFilter(today=TODAY, sort=sort, descending=descending, per_page=9, **filters)
            listed, page = [], 1
            while True:
                got = list_cases(actor, replace(f, page=page))
                listed += [c.tracking_no for c in got.items]
                if page >= got.pages:
                    break
                page += 1
            export = case_export.build(actor, replace(f, page=3), TODAY)
            assert [row[0] for row in export.rows] == listed
            assert not export.truncated and export.note is None
            if not actor.is_admin:
                assert all(no.startswith(f"T-{actor.agency_id}-") for no in listed)


def test_list_rows_carry_the_handler_and_the_timing(handled):
    actor = handled["staff"][0]
    page = list_cases(actor, CaseFilter(today=TODAY, soon_until=TODAY + timedelta(days=4),
                                        per_page=40))
    assert [r.case for r in page.rows] == page.items
    cal = get_calendar()
    for r in page.rows:
        assert r.timing == cq.timing(r.case, cal, TODAY, TODAY + timedelta(days=4))
        assert (r.case.handler.display_name if r.case.handler_id else None) in (None,
                                                                               "BCZ 承办人")
    assert any("overdue" in r.timing.flags for r in page.rows)
