"""The agency profile (issue 15, services.agency_profile): field checks in Chinese, who may edit
which agency, the default handler of the same agency only, the emblem checked by its bytes,
one audit event per save, and the cached read for the header and footer."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from disclosure import settings
from disclosure.domain.errors import ValidationFailed
from disclosure.extensions import db
from disclosure.models import Agency, Event
from disclosure.services import agency_profile as profile
from disclosure.services import uploads
from disclosure.services.actors import Actor
from disclosure.services.users import create_agency, create_user, set_roles
from tests.conftest import PASSWORD

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

GOOD = {"letter_prefix": "包政信", "address": "南通市海门区包场镇人民路 1 号",
        "phone": "0513-82345678", "office_hours": "工作日 8:30–12:00，13:30–17:30",
        "website_code": "3206840001", "icp_record": "苏ICP备05001234号-1",
        "default_handler_id": ""}


def events() -> list[Event]:
    return list(db.session.execute(select(Event).where(
        Event.action == "agency_profile_changed").order_by(Event.id)).scalars())


def admin_of(staff) -> Actor:
    return Actor.of(staff["admin"])


@pytest.fixture
def other(staff):
    """A second agency with a handler and an administrator of its own."""
    create_agency("OTH", "另一镇人民政府")
    return {"handler": create_user("oth_handler", PASSWORD, "OTH", ["handler"], "外机关承办人"),
            "admin": create_user("oth_admin", PASSWORD, "OTH", ["admin"], "外机关管理员")}


def test_save_stores_the_profile_and_audits_what_changed(staff, agency):
    changed = profile.save(agency, {**GOOD, "default_handler_id": str(staff["handler"].id),
                                    "website_code": "3206840001 "}, admin_of(staff))
    assert changed == ["address", "default_handler", "icp_record", "letter_prefix",
                       "office_hours", "phone", "website_code"]
    db.session.rollback()
    a = db.session.get(Agency, agency.id)
    assert (a.letter_prefix, a.phone, a.website_code, a.icp_record) == (
        "包政信", "0513-82345678", "3206840001", "苏ICP备05001234号-1")
    assert a.default_handler_id == staff["handler"].id
    [ev] = events()
    assert ev.actor_id == staff["admin"].id and ev.agency_id == agency.id
    assert ev.data["changes"]["phone"] == {"before": None, "after": "0513-82345678"}
    assert ev.data["changes"]["default_handler"] == {"before": None, "after": "handler"}


def test_saving_the_same_values_again_changes_nothing_and_writes_no_event(staff, agency):
    profile.save(agency, GOOD, admin_of(staff))
    assert profile.save(agency, GOOD, admin_of(staff)) == []
    assert len(events()) == 1


def test_clearing_a_field_stores_none(staff, agency):
    profile.save(agency, GOOD, admin_of(staff))
    profile.save(agency, {**GOOD, "phone": "   "}, admin_of(staff))
    db.session.rollback()
    assert db.session.get(Agency, agency.id).phone is None


@pytest.mark.parametrize("field, value, message", [
    ("letter_prefix", "包政信〔2026〕", "机关代字只写代字本身"),
    ("letter_prefix", "一二三四五六七八九十一二三", "机关代字不能超过 12 个字"),
    ("phone", "请打电话", "电话只写号码"),
    ("phone", "---", "电话只写号码"),
    ("website_code", "32068", "网站标识码为 10 位字母或数字"),
    ("icp_record", "ICP 12345", "备案号的格式不对"),
    ("address", "路" * 301, "地址不能超过 300 个字"),
    ("office_hours", "时" * 201, "办公时间不能超过 200 个字"),
])
def test_bad_fields_are_refused_with_a_chinese_field_error(staff, agency, field, value, message):
    with pytest.raises(ValidationFailed) as exc:
        profile.save(agency, {**GOOD, field: value}, admin_of(staff))
    assert set(exc.value.errors) == {field}
    assert message in exc.value.errors[field]
    db.session.rollback()
    assert db.session.get(Agency, agency.id).letter_prefix is None  # nothing saved
    assert events() == []


def test_default_handler_must_be_a_handler_of_the_same_agency(staff, agency, other):
    for bad in (other["handler"].id, staff["reviewer"].id, 999_999, "x", "-1", "9" * 30):
        with pytest.raises(ValidationFailed) as exc:
            profile.save(agency, {**GOOD, "default_handler_id": str(bad)}, admin_of(staff))
        assert exc.value.errors == {"default_handler_id": "默认承办人须为本机关的承办人"}, bad
    db.session.rollback()
    assert db.session.get(Agency, agency.id).default_handler_id is None


def test_a_deactivated_handler_cannot_become_the_default(staff, agency):
    from disclosure.services.users import set_active
    set_active(staff["handler"], False, admin_of(staff))
    with pytest.raises(ValidationFailed) as exc:
        profile.save(agency, {**GOOD, "default_handler_id": str(staff["handler"].id)},
                     admin_of(staff))
    assert "已停用" in exc.value.errors["default_handler_id"]


def test_an_agency_admin_edits_only_its_own_agency_a_platform_admin_any(staff, agency, other):
    oth = db.session.execute(select(Agency).where(Agency.code == "OTH")).scalar_one()
    assert profile.load(admin_of(staff), oth.id) is None
    assert profile.load(Actor.of(other["admin"]), agency.id) is None
    assert profile.load(Actor.of(staff["handler"]), agency.id) is None  # not an administrator
    assert profile.load(admin_of(staff), "nonsense") is None
    with pytest.raises(ValidationFailed) as exc:
        profile.save(oth, GOOD, admin_of(staff))
    assert set(exc.value.errors) == {"agency"}
    set_roles(staff["admin"], ["admin", "platform_admin"], Actor(None, "system"))
    platform = Actor.of(staff["admin"])
    assert profile.load(platform, oth.id).id == oth.id
    profile.save(oth, {**GOOD, "default_handler_id": str(other["handler"].id)}, platform)
    db.session.rollback()
    assert db.session.get(Agency, oth.id).default_handler_id == other["handler"].id


def test_handlers_of_lists_the_agency_handlers_only(staff, agency, other):
    assert [u.username for u in profile.handlers_of(agency)] == ["handler"]


# -- the emblem -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, content_type", [(PNG, "image/png"), (JPEG, "image/jpeg")])
def test_emblem_is_stored_under_a_random_name_and_audited(staff, agency, data, content_type):
    profile.save(agency, GOOD, admin_of(staff), emblem=uploads.Upload("徽标.html", data))
    db.session.rollback()
    a = db.session.get(Agency, agency.id)
    assert uploads.STORED_NAME.fullmatch(a.emblem_stored_name)
    assert a.emblem_content_type == content_type
    path, served_type = profile.emblem_file(a.id, a.emblem_stored_name)
    assert served_type == content_type
    with open(path, "rb") as fh:
        assert fh.read() == data
    change = events()[-1].data["changes"]["emblem"]
    assert change["after"] == a.emblem_stored_name and change["size"] == len(data)


@pytest.mark.parametrize("data, message", [
    (SVG, "徽标只接受 PNG 或 JPEG"),
    (b"%PDF-1.4\n", "徽标只接受 PNG 或 JPEG"),
    (b"\x89PNG\r\n\x1a\nnot a png at all", "徽标只接受 PNG 或 JPEG"),
    (PNG + b"\x00" * (200 * 1024), "徽标图片不能超过 200 KB"),
    (b"", "文件为空"),
])
def test_bad_emblems_are_refused(staff, agency, data, message):
    with pytest.raises(ValidationFailed) as exc:
        profile.save(agency, GOOD, admin_of(staff), emblem=uploads.Upload("logo.png", data))
    assert message in exc.value.errors["emblem"]
    db.session.rollback()
    assert db.session.get(Agency, agency.id).emblem_stored_name is None


def test_emblem_file_serves_only_the_current_emblem(staff, agency):
    profile.save(agency, GOOD, admin_of(staff), emblem=uploads.Upload("a.png", PNG))
    db.session.rollback()
    first = db.session.get(Agency, agency.id).emblem_stored_name
    stored = uploads.store(uploads.Upload("attachment.pdf", b"%PDF-1.4\nsecret"))
    assert profile.emblem_file(agency.id, stored.stored_name) is None  # an attachment: never
    assert profile.emblem_file(agency.id + 1, first) is None
    profile.save(agency, GOOD, admin_of(staff), emblem=uploads.Upload("b.jpg", JPEG))
    assert profile.emblem_file(agency.id, first) is None  # replaced
    profile.save(agency, GOOD, admin_of(staff), remove_emblem=True)
    db.session.rollback()
    a = db.session.get(Agency, agency.id)
    assert a.emblem_stored_name is None and a.emblem_content_type is None
    assert os.path.exists(uploads.path_of(first))  # earlier events still name the file


# -- the cached read for the header and footer ----------------------------------------------------

def count_queries(app):
    from sqlalchemy import event
    seen = []

    def before(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", before)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", before)


def test_public_identity_is_the_only_agency_or_the_platform(ctx, staff, agency):
    profile.save(agency, GOOD, admin_of(staff))
    one = profile.public_identity()
    assert one.name == "包场镇人民政府" and one.phone == "0513-82345678" and one.has_contact
    create_agency("OTH", "另一镇人民政府")  # saving (any unit of work) does not reset the cache,
    profile.forget()                         # a new request does
    several = profile.public_identity()
    assert several.agency_id is None and several.name is None and not several.has_contact
    ctx.config.update(PLATFORM_NAME="某市政府信息公开平台", PLATFORM_ICP_RECORD="苏ICP备1234号")
    profile.forget()
    platform = profile.public_identity()
    assert platform.name == "某市政府信息公开平台" and platform.icp_record == "苏ICP备1234号"


def test_the_identity_is_read_once_per_scope(ctx, staff, agency):
    profile.forget()
    seen, stop = count_queries(ctx)
    try:
        for _ in range(5):
            profile.public_identity()
            profile.header_identity(agency.id)
    finally:
        stop()
    assert len(seen) <= 2, seen
    with settings.opened(settings.current()):  # a new scope (request) reads afresh
        db.session.expire_all()
        assert profile.public_identity().name == "包场镇人民政府"


def test_header_identity_is_the_staff_members_agency(staff, agency, other):
    oth = db.session.execute(select(Agency).where(Agency.code == "OTH")).scalar_one()
    assert profile.header_identity(oth.id).name == "另一镇人民政府"
    assert profile.header_identity(agency.id).name == "包场镇人民政府"
    assert db.session.execute(select(func.count()).select_from(Agency)).scalar_one() == 2
