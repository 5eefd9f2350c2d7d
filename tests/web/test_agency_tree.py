"""The agency tree (issue 17): a platform administrator creates an agency under a parent and
moves one under another; self-parent and cycles are refused with a Chinese error; the page shows
the tree indented; the profile form edits the 政府信息公开指南; the user admin offers the
supervisor role and refuses supervisor + reviewer."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from disclosure.domain.errors import ValidationFailed
from disclosure.extensions import db
from disclosure.models import Agency, Event, User
from disclosure.services import agency_tree
from disclosure.services.actors import Actor
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, client_for


@pytest.fixture
def tree(ctx):
    """CTY ─ AAA ─ AA2; BBB at the top. ``root``: a platform administrator."""
    ag = {code: create_agency(code, name) for code, name in (
        ("CTY", "某县人民政府"), ("AAA", "县教育局"), ("AA2", "县教育局下属中心"),
        ("BBB", "某镇人民政府"))}
    agency_tree.set_parent(ag["AAA"].id, str(ag["CTY"].id))
    agency_tree.set_parent(ag["AA2"].id, str(ag["AAA"].id))
    create_user("root", PASSWORD, "CTY", ["platform_admin"], "平台管理员")
    create_user("cty-admin", PASSWORD, "CTY", ["admin"], "县管理员")
    return {k: a.id for k, a in ag.items()}


def _parent(code: str) -> str | None:
    db.session.rollback()
    agency = db.session.execute(select(Agency).where(Agency.code == code)).scalar_one()
    return db.session.get(Agency, agency.parent_id).code if agency.parent_id else None


def test_ordered_puts_children_under_their_parent(tree):
    nodes = agency_tree.ordered(agency_tree.all_agencies())
    assert [(n.agency.code, n.depth) for n in nodes] == [
        ("BBB", 0), ("CTY", 0), ("AAA", 1), ("AA2", 2)]


def test_service_refuses_self_and_cycles(tree):
    for target in ("AAA", "AA2"):  # itself, its own child
        with pytest.raises(ValidationFailed) as exc:
            agency_tree.set_parent(tree["AAA"], str(tree[target]))
        assert exc.value.errors["parent"] in ("机关不能以自身为上级机关",
                                               "不能把机关放到它自己的下级机关之下（会形成循环）")
    with pytest.raises(ValidationFailed):
        agency_tree.set_parent(tree["CTY"], str(tree["AA2"]))  # a grandchild
    for bad in ("abc", "999999", "-1", "1.5"):
        with pytest.raises(ValidationFailed):
            agency_tree.set_parent(tree["AAA"], bad)
    with pytest.raises(ValidationFailed):  # only a platform administrator
        agency_tree.set_parent(tree["BBB"], str(tree["CTY"]), Actor(5, "x", frozenset({"admin"})))
    assert _parent("AAA") == "CTY" and _parent("CTY") is None
    assert agency_tree.set_parent(tree["BBB"], str(tree["CTY"])) is True
    assert agency_tree.set_parent(tree["BBB"], str(tree["CTY"])) is False  # no change: no event
    assert agency_tree.set_parent(tree["BBB"], "") is True and _parent("BBB") is None
    moves = db.session.execute(select(Event).where(Event.action == "agency_parent_changed")
                               .order_by(Event.id)).scalars().all()
    assert [(e.data["before"], e.data["after"]) for e in moves[-2:]] == [(None, "CTY"),
                                                                         ("CTY", None)]


def test_page_shows_the_tree_and_creates_under_a_parent(app, tree):
    root = client_for(app, "root")
    html = root.get("/admin/agencies").get_data(as_text=True)
    rows = re.findall(r'<tr data-agency="(\w+)" data-depth="(\d)">', html)
    assert rows == [("BBB", "0"), ("CTY", "0"), ("AAA", "1"), ("AA2", "2")]
    assert "└ 县教育局下属中心" in html
    resp = root.post("/admin/agencies", data={"code": "twn", "name": "某乡人民政府",
                                              "parent": str(tree["CTY"])})
    assert resp.status_code == 302
    assert _parent("TWN") == "CTY"


def test_page_refuses_cycles_with_a_chinese_error(app, tree):
    root = client_for(app, "root")
    resp = root.post(f"/admin/agencies/{tree['CTY']}/parent", data={"parent": str(tree["AA2"])})
    assert resp.status_code == 400
    assert "会形成循环" in resp.get_data(as_text=True)
    resp = root.post(f"/admin/agencies/{tree['AAA']}/parent", data={"parent": str(tree["AAA"])})
    assert resp.status_code == 400 and "不能以自身为上级机关" in resp.get_data(as_text=True)
    assert root.post("/admin/agencies/999999/parent", data={"parent": ""}).status_code == 404
    resp = root.post("/admin/agencies", data={"code": "X1", "name": "某机关", "parent": "zz"})
    assert resp.status_code == 400 and "上级机关不存在" in resp.get_data(as_text=True)
    assert 'value="某机关"' in resp.get_data(as_text=True)  # the input stays
    assert _parent("CTY") is None and _parent("AAA") == "CTY"
    assert root.post(f"/admin/agencies/{tree['AAA']}/parent",
                     data={"parent": str(tree["BBB"])}).status_code == 302
    assert _parent("AAA") == "BBB"


def test_an_agency_admin_moves_nothing(app, tree):
    admin = client_for(app, "cty-admin")
    html = admin.get("/admin/agencies").get_data(as_text=True)
    assert "/parent" not in html
    assert admin.post(f"/admin/agencies/{tree['CTY']}/parent",
                      data={"parent": str(tree["BBB"])}).status_code == 403
    assert _parent("CTY") is None


def test_profile_edits_the_guide_text(app, tree):
    admin = client_for(app, "cty-admin")
    url = f"/admin/agencies/{tree['CTY']}/profile"
    assert 'name="guide_text"' in admin.get(url).get_data(as_text=True)
    guide = "一、主动公开\n\n二、依申请公开：请向县政府办公室提出。"
    assert admin.post(url, data={"guide_text": guide}).status_code == 302
    db.session.rollback()
    assert db.session.get(Agency, tree["CTY"]).guide_text == guide
    assert guide.splitlines()[2] in admin.get(url).get_data(as_text=True)
    resp = admin.post(url, data={"guide_text": "长" * 20001})
    assert resp.status_code == 400 and "不能超过 20000 个字" in resp.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Agency, tree["CTY"]).guide_text == guide


def test_user_admin_offers_the_supervisor_role(app, tree):
    root = client_for(app, "root")
    html = root.get("/admin/users").get_data(as_text=True)
    assert 'value="supervisor"' in html
    resp = root.post("/admin/users", data={"username": "sup", "display_name": "县政务公开办",
                                           "password": "Kx9-vQ2!mZp4-Lr8", "agency": "CTY",
                                           "roles": ["supervisor"]})
    assert resp.status_code == 302
    resp = root.post("/admin/users", data={"username": "sup2", "display_name": "兼审查",
                                           "password": "Kx9-vQ2!mZp4-Lr8", "agency": "CTY",
                                           "roles": ["supervisor", "reviewer"]})
    assert resp.status_code == 400
    db.session.rollback()
    assert db.session.execute(select(User).where(User.username == "sup")).scalar().roles == {
        "supervisor"}
    assert db.session.execute(select(User).where(User.username == "sup2")).scalar() is None
