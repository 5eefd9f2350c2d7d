"""补正 online (issue 16): the status page form and POST /api/v1/applications/{no}/supplements."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Attachment, Case, Outbox
from disclosure.services import case_actions, cases
from disclosure.services.actors import Actor
from tests.conftest import TEST_PDF, person_payload, send_notices

D = date
TODAY = "2024-10-09"


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY)


@pytest.fixture
def asked(agency, staff):
    """A case received 2024-09-27 whose 补正 notice (2024-09-30) is released: (number, code)."""
    staff["handler"].email = "handler@example.cn"
    db.session.commit()
    sub = cases.register_paper(agency, person_payload(), "in_person", D(2024, 9, 27),
                               Actor.of(staff["registrar"]), D(2024, 9, 27))
    case_actions.request_supplement(sub.case, "请写明道路名称", None, Actor.of(staff["handler"]),
                               D(2024, 9, 30))
    send_notices(sub.case, D(2024, 9, 30))
    return sub.case.tracking_no, sub.query_code


def _case(no) -> Case:
    db.session.rollback()
    return db.session.execute(select(Case).where(Case.tracking_no == no)).scalar_one()


def api(client, no, code, **kw):
    headers = {"X-Query-Code": code} if code is not None else {}
    return client.post(f"/api/v1/applications/{no}/supplements", headers=headers, **kw)


# -- status page -----------------------------------------------------------------------------------

def test_status_page_shows_items_due_date_and_form(client, asked):
    no, code = asked
    html = client.post("/status",
                       data={"tracking_no": no, "query_code": code}).get_data(as_text=True)
    assert "请写明道路名称" in html and 'action="/status/supplement"' in html
    assert 'enctype="multipart/form-data"' in html and 'name="files"' in html
    assert f'name="tracking_no" value="{no}"' in html


def test_status_page_supplement_with_file_restarts_clock(client, asked):
    no, code = asked
    resp = client.post("/status/supplement", content_type="multipart/form-data", data={
        "tracking_no": no, "query_code": code, "text": "道路名称：某村村道",
        "files": (io.BytesIO(TEST_PDF), "补正.html")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "已收到您的补正材料，答复期限自今日起重新计算（条例第三十条）" in html
    assert "2024-10-09" in html and "补正.pdf" in html
    case = _case(no)
    assert case.status == "in_progress" and case.supplement_received_on == D(2024, 10, 9)
    assert case.due_on == D(2024, 11, 5)  # 2024-10-12 is a 调休 Saturday
    att = db.session.execute(select(Attachment).where(Attachment.kind == "supplement")).scalar_one()
    assert att.content_type == "application/pdf" and att.filename == "补正.pdf"
    mail = db.session.execute(
        select(Outbox).where(Outbox.recipient == "handler@example.cn")).scalar_one()
    assert no in mail.subject


def test_status_page_error_keeps_text(client, asked):
    no, code = asked
    resp = client.post("/status/supplement", content_type="multipart/form-data", data={
        "tracking_no": no, "query_code": code, "text": "我的说明<b>",
        "files": (io.BytesIO(b"MZ not a pdf"), "a.exe")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "我的说明&lt;b&gt;</textarea>" in html
    assert "文件类型不支持" in html
    assert _case(no).status == "awaiting_supplement"


def test_status_page_wrong_code_is_404(client, asked):
    no, _code = asked
    resp = client.post("/status/supplement", data={"tracking_no": no, "query_code": "WRONGCODE1",
                                                   "text": "x"})
    assert resp.status_code == 404
    assert _case(no).status == "awaiting_supplement"


# -- API -------------------------------------------------------------------------------------------

def test_api_json_supplement_201(client, asked):
    no, code = asked
    resp = api(client, no, code, json={"text": "道路名称：某村村道"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.get_json() == {"received_on": "2024-10-09", "status": "in_progress"}
    assert _case(no).due_on == D(2024, 11, 5)
    again = api(client, no, code, json={"text": "再次"})
    assert again.status_code == 409


def test_api_multipart_with_files(client, asked):
    no, code = asked
    resp = api(client, no, code, content_type="multipart/form-data",
               data={"files": [(io.BytesIO(TEST_PDF), "a.pdf"),
                               (io.BytesIO(TEST_PDF + b"2"), "b.pdf")]})
    assert resp.status_code == 201
    assert len(db.session.execute(select(Attachment).where(
        Attachment.kind == "supplement")).scalars().all()) == 2


def test_api_409_before_notice_released(client, agency, staff):
    sub = cases.register_paper(agency, person_payload(), "in_person", D(2024, 9, 27),
                               Actor.of(staff["registrar"]), D(2024, 9, 27))
    case_actions.request_supplement(sub.case, "请写明道路名称", None, Actor.of(staff["handler"]),
                               D(2024, 9, 30))
    resp = api(client, sub.case.tracking_no, sub.query_code, json={"text": "x"})
    assert resp.status_code == 409 and resp.get_json()["status"] == 409


def test_api_404_wrong_missing_code_unknown_number(client, asked):
    no, _code = asked
    for r in (api(client, no, "WRONGCODE1", json={"text": "x"}),
              api(client, no, None, json={"text": "x"}),
              api(client, "BCZ-2024-999999", _code, json={"text": "x"})):
        assert r.status_code == 404 and r.get_json() == {"error": "未找到该申请", "status": 404}
    assert _case(no).status == "awaiting_supplement"


def test_api_400_415_413(client, asked, app):
    no, code = asked
    resp = api(client, no, code, json={"text": "  "})
    assert resp.status_code == 400 and set(resp.get_json()["errors"]) == {"text"}
    resp = api(client, no, code, json={"text": 5})
    assert resp.status_code == 400 and "text" in resp.get_json()["errors"]
    resp = api(client, no, code, json=["x"])
    assert resp.status_code == 400
    resp = api(client, no, code, data="text=x", content_type="text/plain")
    assert resp.status_code == 415
    big = b"x" * (app.config["API_MAX_JSON_BYTES"] + 1)
    resp = api(client, no, code, data=big, content_type="application/json")
    assert resp.status_code == 413
    assert _case(no).status == "awaiting_supplement"


def test_openapi_lists_the_supplements_endpoint(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/applications/{tracking_no}/supplements"]["post"]
    assert {"201", "400", "404", "409", "413", "415"} <= set(op["responses"])
    assert set(op["requestBody"]["content"]) == {"multipart/form-data", "application/json"}


def test_supplement_section_in_english_has_no_chinese_left(client, asked):
    from tests.web.test_english_public import chinese_in
    no, code = asked
    client.set_cookie("lang", "en")
    opened = client.post("/status", data={"tracking_no": no, "query_code": code})
    failed = client.post("/status/supplement",
                         data={"tracking_no": no, "query_code": code, "text": ""})
    assert failed.status_code == 400
    done = client.post("/status/supplement", content_type="multipart/form-data", data={
        "tracking_no": no, "query_code": code, "text": "Road name",
        "files": (io.BytesIO(TEST_PDF), "road.pdf")})
    assert done.status_code == 200
    assert "Submit supplement" in opened.get_data(as_text=True)
    assert "We have received your supplement" in done.get_data(as_text=True)
    for resp in (opened, failed, done):
        html = resp.get_data(as_text=True)
        # the agency name is user data (Chinese in this fixture)
        assert [t for t in chinese_in(html) if "包场镇" not in t] == [], html
