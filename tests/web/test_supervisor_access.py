"""Attacks by a supervisor (主管部门, issue 17): it reads the agencies below its own — never beside
or above — and acts on nothing. A supervisor-only account opens a subtree case page read-only,
every POST action on it is refused and changes nothing, it manages no users, and the case list,
statistics and report pages show its subtree only."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import Appeal, Case, Event, ReleaseItem, User
from disclosure.services import agency_tree
from disclosure.services.actors import Actor
from disclosure.services.review import replies
from disclosure.services.users import create_user
from tests.conftest import PASSWORD, client_for, draft_complete
from tests.services.test_report import REPLY_FOR, online, register
from tests.services.test_supervision import build_county

TODAY = "2025-06-30"
D = __import__("datetime").date


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY)


@pytest.fixture
def county(app):
    """build_county, plus in AAA: a reply in review (``rev``), an online submission not yet
    confirmed (``web``)."""
    with app.app_context():
        data = build_county()
        ag, who = data["agency"], data["who"]["AAA"]
        rev = register(ag["AAA"], who, D(2025, 6, 2))
        draft_complete(rev, REPLY_FOR["disclosed"], who["handler"], D(2025, 6, 3))
        replies.submit_for_review(rev, who["handler"], D(2025, 6, 3))
        web = online(ag["AAA"], who, D(2025, 6, 27), None)
        ids = {k: c.id for k, c in data["case"].items()} | {"rev": rev.id, "web": web.id}
        ids["item"] = replies.items_of(rev)[0].id
        return {"case": ids, "agency": {k: a.id for k, a in ag.items()}}


def _snapshot(app, case_id: int) -> tuple:
    """Everything an action could change: the case's columns, its events, items, appeals."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        cols = tuple(getattr(case, c.key) for c in Case.__table__.columns)
        n = lambda model, col: db.session.execute(  # noqa: E731
            select(func.count()).select_from(model).where(col == case_id)).scalar_one()
        events = db.session.execute(select(func.count()).select_from(Event)).scalar_one()
        return cols, events, n(ReleaseItem, ReleaseItem.case_id), n(Appeal, Appeal.case_id)


# -- seeing: below, never beside or above ----------------------------------------------------------
def test_supervisor_reads_below_never_beside_or_above(app, county):
    sup, sup_b = client_for(app, "sup"), client_for(app, "sup-b")
    c = county["case"]
    for key in ("c0", "a1", "b1", "x1", "rev"):
        assert sup.get(f"/staff/cases/{c[key]}").status_code == 200, key
    assert sup.get(f"/staff/cases/{c['o1']}").status_code == 404          # beside: another tree
    for key in ("b1", "x1"):
        assert sup_b.get(f"/staff/cases/{c[key]}").status_code == 200, key
    assert sup_b.get(f"/staff/cases/{c['a1']}").status_code == 404        # sibling
    assert sup_b.get(f"/staff/cases/{c['c0']}").status_code == 404        # parent


def test_the_case_page_has_no_action_for_a_supervisor(app, county):
    sup = client_for(app, "sup")
    for key in ("a3", "rev", "web", "a1"):
        html = sup.get(f"/staff/cases/{county['case'][key]}").get_data(as_text=True)
        forms = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]*)"', html)
        assert [f for f in forms if "/logout" not in f] == [], (key, forms)


def _attacks(c: dict) -> list[tuple[str, dict]]:
    rev, web, a3 = c["rev"], c["web"], c["a3"]
    return [
        (f"/staff/cases/{a3}/act/withdraw", {"confirmed": "1", "on": TODAY, "reason": "撤回"}),
        (f"/staff/cases/{a3}/act/request_extension", {"workdays": "10", "reason": "量大"}),
        (f"/staff/cases/{a3}/act/request_supplement", {"items": "写明名称",
                                                        "period_workdays": "15"}),
        (f"/staff/cases/{a3}/assign", {"handler_id": "1"}),
        (f"/staff/cases/{web}/confirm", {"received_on": TODAY}),
        (f"/staff/cases/{a3}/reply", {"reply_type": "art36_2", "letter_text": "答复"}),
        (f"/staff/cases/{rev}/reply/submit", {}),
        (f"/staff/cases/{rev}/reply/items/{c['item']}/decide", {"decision": "approved"}),
        (f"/staff/cases/{rev}/reply/sign-off", {}),
        (f"/staff/cases/{rev}/reply/release", {}),
        (f"/staff/cases/{a3}/appeals", {"kind": "reconsideration", "filed_on": TODAY}),
        (f"/staff/cases/{a3}/query-code", {}),
    ]


@pytest.mark.parametrize("index", range(12))
def test_every_action_on_a_visible_case_is_refused_and_changes_nothing(app, county, index):
    url, data = _attacks(county["case"])[index]
    case_id = int(re.search(r"/cases/(\d+)/", url).group(1))
    sup = client_for(app, "sup")  # signed in first: the sign-in is an event of its own
    before = _snapshot(app, case_id)
    resp = sup.post(url, data=data)
    # refused: 403/404 (or 400/409 from a form the page never offered); /confirm answers every
    # refusal with a redirect and an error message, so it is judged by what changed (nothing)
    assert resp.status_code in (302, 400, 403, 404, 409), (url, resp.status_code)
    if resp.status_code == 302:
        assert url.endswith("/confirm"), url
    assert _snapshot(app, case_id) == before, url


def test_a_supervisor_who_is_also_staff_acts_only_on_its_own_agency(app, county):
    with app.app_context():
        create_user("sup-handler", PASSWORD, "CTY", ["supervisor", "handler", "office_head"],
                    "县办兼承办")
    client = client_for(app, "sup-handler")
    a3 = county["case"]["a3"]
    before = _snapshot(app, a3)
    for url, data in _attacks(county["case"])[:4]:
        assert client.post(url, data=data).status_code in (400, 403, 404, 409), url
    assert _snapshot(app, a3) == before


# -- people: no management of the agencies below ------------------------------------------------
def test_supervisor_manages_no_users(app, county):
    sup = client_for(app, "sup")
    with app.app_context():
        target = db.session.execute(select(User).where(User.username == "aaa-handler")).scalar_one()
        tid, roles = target.id, sorted(target.roles)
    assert sup.get("/admin/users").status_code == 403
    assert sup.get(f"/admin/users/{tid}").status_code == 403
    assert sup.post(f"/admin/users/{tid}", data={"roles": ["admin"]}).status_code == 403
    assert sup.post(f"/admin/users/{tid}/active", data={"active": "0"}).status_code == 403
    assert sup.post("/admin/users", data={"username": "x-new", "password": PASSWORD + "x!",
                                          "agency": "AAA", "roles": ["handler"]}).status_code == 403
    assert sup.get(f"/admin/agencies/{county['agency']['AAA']}/profile").status_code == 403
    with app.app_context():
        user = db.session.get(User, tid)
        assert sorted(user.roles) == roles and user.active
        assert db.session.execute(select(User).where(User.username == "x-new")).scalar() is None


def test_an_administrator_who_supervises_manages_its_own_agency_only(app, county):
    """An agency administrator who is also a supervisor (a county office doing both): the
    supervisor's reach is reading cases, not managing the agencies below."""
    with app.app_context():
        create_user("cty-admin", PASSWORD, "CTY", ["admin", "supervisor"], "县办管理员")
        tid = db.session.execute(select(User.id).where(User.username == "aaa-handler")).scalar()
    client = client_for(app, "cty-admin")
    assert client.get(f"/admin/users/{tid}").status_code == 404
    assert client.post(f"/admin/users/{tid}/active", data={"active": "0"}).status_code == 404
    resp = client.get(f"/admin/agencies/{county['agency']['AAA']}/profile")
    assert resp.status_code == 404
    with app.app_context():
        assert db.session.get(User, tid).active


def test_an_administrator_who_supervises_creates_no_user_below(app, county):
    with app.app_context():
        create_user("cty-admin", PASSWORD, "CTY", ["admin", "supervisor"], "县办管理员")
    client = client_for(app, "cty-admin")
    client.post("/admin/users", data={"username": "planted", "password": "Kx9-vQ2!mZp4-Lr8",
                                      "display_name": "植入", "agency": "AAA",
                                      "roles": ["handler"]})
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "planted")).scalar() \
            is None


# -- lists and figures: the subtree only ---------------------------------------------------------
def test_case_list_stats_and_report_show_the_subtree_only(app, county):
    sup_b = client_for(app, "sup-b")
    html = sup_b.get("/staff/cases?per_page=200").get_data(as_text=True)
    listed = set(re.findall(r"(\w{3})-20\d\d-\d{6}", html))
    assert listed == {"BBB", "BBC"}, listed
    stats = sup_b.get("/staff/stats?year=2024")
    assert stats.status_code == 200
    options = re.findall(r'<option value="(\w+)"', stats.get_data(as_text=True))
    assert set(options) == {"BBB", "BBC"}
    assert sup_b.get("/staff/stats?year=2024&agency=AAA").status_code == 403
    assert sup_b.get("/staff/stats?year=2024&agency=CTY").status_code == 403
    assert sup_b.get("/staff/reports/annual?year=2024&agency=CTY").status_code == 403
    body = sup_b.get("/staff/reports/annual/2024.json").json
    assert body["agencies"] == ["BBB", "BBC"]
    drill = sup_b.get("/staff/reports/annual/2024/cases?row=new&col=total&format=json").json
    with app.app_context():
        agencies = {db.session.get(Case, i).agency_id for i in drill["ids"]}
    assert agencies <= {county["agency"]["BBB"], county["agency"]["BBC"]}
    assert sup_b.get("/staff/due-changes?year=2024").status_code == 200


def test_moving_an_agency_out_of_the_subtree_ends_the_supervisors_view(app, county):
    sup = client_for(app, "sup")
    x1 = county["case"]["x1"]
    assert sup.get(f"/staff/cases/{x1}").status_code == 200
    with app.app_context():
        agency_tree.set_parent(county["agency"]["BBC"], str(county["agency"]["OTH"]),
                               Actor(None, "系统"))
    assert sup.get(f"/staff/cases/{x1}").status_code == 404
