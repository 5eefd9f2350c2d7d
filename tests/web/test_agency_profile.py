"""The agency profile page (issue 15): the administrator edits its own agency (a platform
administrator any), errors beside their fields with the input kept, the emblem served publicly
with its own type, and the header and footer showing the profile."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Agency, Event
from disclosure.services.actors import SYSTEM_ACTOR
from disclosure.services.users import create_agency, create_user, set_roles
from tests.conftest import PASSWORD, client_anon, client_for, login

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
FORM = {"letter_prefix": "包政信", "address": "南通市海门区包场镇人民路 1 号",
        "phone": "0513-82345678", "office_hours": "工作日 8:30–17:30",
        "website_code": "3206840001", "icp_record": "苏ICP备05001234号-1",
        "default_handler_id": ""}


def bcz() -> Agency:
    return db.session.execute(select(Agency).where(Agency.code == "BCZ")).scalar_one()


def url(agency: Agency) -> str:
    return f"/admin/agencies/{agency.id}/profile"


@pytest.fixture
def other(staff):
    oth = create_agency("OTH", "另一镇人民政府")
    create_user("oth_handler", PASSWORD, "OTH", ["handler"], "外机关承办人")
    return oth


def test_admin_edits_its_agency_profile(login_as, staff):
    client = login_as("admin")
    html = client.get(url(bcz())).get_data(as_text=True)
    assert "机关信息" in html and 'name="letter_prefix"' in html
    assert "包政信" in html  # the suggested prefix (包场镇 → 包政信)
    assert f'<option value="{staff["handler"].id}">handler-name</option>' in html
    resp = client.post(url(bcz()), data={**FORM, "default_handler_id": str(staff["handler"].id)})
    assert resp.status_code == 302
    db.session.rollback()
    a = bcz()
    assert a.phone == "0513-82345678" and a.default_handler_id == staff["handler"].id
    [ev] = db.session.execute(select(Event).where(
        Event.action == "agency_profile_changed")).scalars().all()
    assert ev.actor_id == staff["admin"].id
    html = client.get(url(bcz())).get_data(as_text=True)
    assert "机关信息已保存" in html and 'value="0513-82345678"' in html
    assert f'<option selected value="{staff["handler"].id}">' in html


def test_errors_are_shown_beside_their_fields_and_the_input_is_kept(login_as, staff):
    client = login_as("admin")
    resp = client.post(url(bcz()), data={**FORM, "phone": "请来电", "website_code": "12",
                                         "address": "<script>alert(1)</script>"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert re.search(r'id="phone-error"[^>]*>[^<]*电话只写号码', html)
    assert re.search(r'id="website_code-error"[^>]*>[^<]*网站标识码为 10 位', html)
    assert 'value="请来电"' in html and 'value="12"' in html
    assert 'value="苏ICP备05001234号-1"' in html
    assert "&lt;script&gt;" in html and "<script>alert(1)" not in html
    db.session.rollback()
    assert bcz().phone is None


def test_another_agencys_handler_is_refused_as_default_handler(login_as, staff, other):
    from disclosure.models import User
    stranger = db.session.execute(select(User).where(User.username == "oth_handler")).scalar_one()
    client = login_as("admin")
    resp = client.post(url(bcz()), data={**FORM, "default_handler_id": str(stranger.id)})
    assert resp.status_code == 400
    assert re.search(r'id="default_handler_id-error"[^>]*>[^<]*默认承办人须为本机关的承办人',
                     resp.get_data(as_text=True))
    db.session.rollback()
    assert bcz().default_handler_id is None


def test_an_agency_admin_cannot_see_another_agencys_profile(login_as, staff, other):
    client = login_as("admin")
    assert client.get(url(other)).status_code == 404
    assert client.post(url(other), data=FORM).status_code == 404
    assert client.get("/admin/agencies/999999/profile").status_code == 404
    assert client.get("/admin/profile").headers["Location"].endswith(url(bcz()))
    html = client.get("/admin/agencies").get_data(as_text=True)
    assert url(bcz()) in html and url(other) not in html


def test_a_platform_admin_edits_any_agency(login_as, staff, other):
    set_roles(staff["admin"], ["admin", "platform_admin"], SYSTEM_ACTOR)
    client = login_as("admin")
    assert url(other) in client.get("/admin/agencies").get_data(as_text=True)
    assert client.post(url(other), data={**FORM, "phone": "0513-1"}).status_code == 302
    db.session.rollback()
    assert db.session.get(Agency, other.id).phone == "0513-1"


@pytest.mark.parametrize("role", ["handler", "registrar", "reviewer"])
def test_staff_who_are_not_admins_are_refused(login_as, staff, role):
    assert login_as(role).get(url(bcz())).status_code == 403


def test_emblem_upload_and_public_serving(app, login_as, staff):
    client = login_as("admin")
    resp = client.post(url(bcz()), data={**FORM, "emblem": (io.BytesIO(PNG), "logo.html")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    db.session.rollback()
    stored = bcz().emblem_stored_name
    emblem_url = f"/agency/{bcz().id}/emblem/{stored}"
    anonymous = app.test_client()
    with anonymous.get(emblem_url) as resp:
        assert resp.status_code == 200 and resp.data == PNG
        assert resp.mimetype == "image/png"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        cache = resp.headers["Cache-Control"]
        assert "public" in cache and "immutable" in cache and "no-store" not in cache
    assert emblem_url in anonymous.get("/").get_data(as_text=True)  # the header shows it
    assert anonymous.get(f"/agency/{bcz().id}/emblem/{'0' * 32}.png").status_code == 404
    assert anonymous.get(f"/agency/{bcz().id}/emblem/..%2Fconfig.py").status_code == 404
    assert anonymous.get(f"/agency/{bcz().id + 1}/emblem/{stored}").status_code == 404


def test_an_svg_emblem_is_refused_and_nothing_stored(login_as, staff):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    resp = login_as("admin").post(url(bcz()), data={**FORM, "emblem": (io.BytesIO(svg), "a.svg")},
                                  content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "徽标只接受 PNG 或 JPEG" in resp.get_data(as_text=True)
    assert 'value="0513-82345678"' in resp.get_data(as_text=True)
    db.session.rollback()
    assert bcz().emblem_stored_name is None and bcz().phone is None


def test_an_attachment_is_never_served_as_an_emblem(app, staff):
    from disclosure.services import uploads
    stored = uploads.store(uploads.Upload("id.pdf", b"%PDF-1.4\nsecret"))
    resp = app.test_client().get(f"/agency/{bcz().id}/emblem/{stored.stored_name}")
    assert resp.status_code == 404


# -- header and footer ----------------------------------------------------------------------------

def footer_of(html: str) -> str:
    return html[html.index('<footer class="site">'):]


def header_of(html: str) -> str:
    return html[html.index('<header class="site">'):html.index("</header>")]


def test_one_agency_install_shows_the_agency_and_its_contact_to_the_public(app, login_as, staff):
    login_as("admin").post(url(bcz()), data=FORM)
    html = app.test_client().get("/").get_data(as_text=True)
    assert "包场镇人民政府" in header_of(html)
    footer = footer_of(html)
    for text in ("南通市海门区包场镇人民路 1 号", "0513-82345678", "工作日 8:30–17:30",
                 "3206840001", "苏ICP备05001234号-1", "https://beian.miit.gov.cn/"):
        assert text in footer, text
    assert "依据《中华人民共和国政府信息公开条例》办理" in footer


def test_without_a_profile_the_footer_has_no_contact_block(app, staff):
    html = app.test_client().get("/").get_data(as_text=True)
    assert "<address" not in html and "包场镇人民政府" in header_of(html)


def test_several_agencies_show_the_platform_to_the_public_and_staff_their_own(
        app, staff, other):
    # Each request in its own app context (as in production): the profile is read per request.
    admin = client_for(app, "admin")
    assert admin.post(url(bcz()), data=FORM).status_code == 302
    anonymous = client_anon(app)
    html = anonymous.get("/").get_data(as_text=True)
    assert "政府信息公开申请办理系统" in header_of(html)
    assert "包场镇人民政府" not in header_of(html) and "0513-82345678" not in footer_of(html)
    staff_html = admin.get("/staff/").get_data(as_text=True)
    assert "包场镇人民政府" in header_of(staff_html)
    app.config.update(PLATFORM_NAME="海门区政府信息公开平台",
                      PLATFORM_ICP_RECORD="苏ICP备12345678号")
    html = anonymous.get("/").get_data(as_text=True)
    assert "海门区政府信息公开平台" in header_of(html)
    assert "苏ICP备12345678号" in footer_of(html)


def test_staff_of_another_agency_see_their_own_agency_in_the_header(app, staff, other):
    create_user("oth_admin", PASSWORD, "OTH", ["admin"], "外机关管理员")
    client = app.test_client()
    assert login(client, "oth_admin").status_code == 302
    html = client.get("/admin/agencies").get_data(as_text=True)
    assert "另一镇人民政府" in header_of(html)
