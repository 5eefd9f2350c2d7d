"""The supervisor's pages (issue 17): the comparison table, its drill-down (every number links
to exactly as many cases), issuing a 督办 from the overdue list, the supervised agency's inbox
and its one written reply; bad input gives Chinese errors with the input kept, never a 500."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import SupervisionNotice
from tests.conftest import client_anon, client_for
from tests.services.test_supervision import build_county

TODAY = "2025-06-30"


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY)


@pytest.fixture
def county(app):
    with app.app_context():
        data = build_county()
        ids = {k: (c.id, c.tracking_no) for k, c in data["case"].items()}
        agencies = {k: a.id for k, a in data["agency"].items()}
    return {"case": ids, "agency": agencies}


def _html(resp, status=200) -> str:
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    return resp.get_data(as_text=True)


def _notices(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(SupervisionNotice)).scalar_one()


def test_comparison_table_every_number_matches_its_list(app, county):
    sup = client_for(app, "sup")
    html = _html(sup.get("/supervision/?year=2024"))
    assert "下级机关办理情况对比" in html and 'id="total-row"' in html
    assert "邻县人民政府" not in html  # beside the subtree
    rows = re.findall(r'<tr data-agency="(\w*)"', html)
    assert rows == ["CTY", "AAA", "BBB", "BBC", ""]
    links = re.findall(r'<a href="(/supervision/cases\?[^"]+)" data-figure="([\w.]+)">([^<]+)</a>',
                       html)
    assert len(links) == 5 * 15
    checked = 0
    for url, fig, shown in links:
        if fig == "times":
            continue  # a median / p90: its list is the n cases, checked below
        listed = _html(sup.get(url.replace("&amp;", "&")))
        count = int(re.search(r'id="drill-count">[^<]*<strong>(\d+)</strong>', listed).group(1))
        rows = len(re.findall(r'data-(?:case|appeal)-id="', listed))
        assert count == int(shown) == rows, (url, shown, count, rows)
        checked += 1
    assert checked == 5 * 13
    # the p90 cell names its n; its list has n cases
    times = re.findall(r'<a href="([^"]+)" data-figure="times">[^<]+</a> <small>\((\d+) 件\)',
                       html)
    assert len(times) == 5
    for url, n in times:
        listed = _html(sup.get(url.replace("&amp;", "&")))
        assert len(re.findall(r'data-case-id="', listed)) == int(n), url


def test_year_picker_and_bad_arguments(app, county):
    sup = client_for(app, "sup")
    assert "2025 年" in _html(sup.get("/supervision/"))  # this year by default
    for url in ("/supervision/?year=abc", "/supervision/?year=1800",
                "/supervision/cases?year=2024&figure=bogus",
                "/supervision/cases?year=2024&figure=received&agency=OTH",
                "/supervision/cases?year=2024&figure=received&agency=%00",
                "/supervision/notices/abc", "/supervision/notices/999999"):
        assert sup.get(url).status_code in (400, 404), url  # NUL: refused app-wide (400)


def test_only_the_overdue_list_of_an_agency_below_offers_a_notice(app, county):
    sup = client_for(app, "sup")
    html = _html(sup.get("/supervision/cases?year=2024&figure=overdue&agency=AAA"))
    assert 'id="notice-form"' in html and html.count('name="case_id"') == 2
    for url in ("/supervision/cases?year=2024&figure=overdue",               # the total row
                "/supervision/cases?year=2024&figure=received&agency=AAA",   # not overdue
                "/supervision/cases?year=2024&figure=overdue&agency=CTY"):   # its own agency
        assert 'id="notice-form"' not in _html(sup.get(url)), url


def _post(client, county, agency="AAA", cases=("a3", "a4"), **over):
    data = {"agency": str(county["agency"].get(agency, agency)), "year": "2024",
            "title": "关于加快办理超期申请的督办通知", "body": "请于7月15日前办结并书面说明原因。",
            "reply_by": "2025-07-15",
            "case_id": [str(county["case"][k][0]) if k in county["case"] else k for k in cases]}
    data.update(over)
    return client.post("/supervision/notices", data=data)


def test_issue_reply_and_see_the_reply(app, county):
    sup = client_for(app, "sup")
    resp = _post(sup, county)
    assert resp.status_code == 302
    url = resp.headers["Location"]
    html = _html(sup.get(url))
    assert county["case"]["a3"][1] in html and county["case"]["a4"][1] in html
    assert "尚未答复" in html and 'id="reply-form"' not in html  # the supervisor cannot answer
    assert "关于加快办理超期申请的督办通知" in _html(sup.get("/supervision/notices"))
    head = client_for(app, "aaa-office_head")
    inbox = _html(head.get("/supervision/inbox"))
    assert "待答复" in inbox and "关于加快办理超期申请的督办通知" in inbox
    page = _html(head.get(url))
    assert 'id="reply-form"' in page
    bad = _html(head.post(url + "/reply", data={"reply_text": "  "}), 400)
    assert "请填写书面答复" in bad
    assert head.post(url + "/reply", data={"reply_text": "已办结，超期原因……"}).status_code == 302
    again = _html(head.post(url + "/reply", data={"reply_text": "改一下"}), 409)
    assert "答复不能修改" in again and "已办结，超期原因……" in again
    seen = _html(sup.get(url))
    assert "已办结，超期原因……" in seen and "2025-06-30" in seen and "改一下" not in seen
    assert "已答复" in _html(client_for(app, "aaa-admin").get("/supervision/inbox"))


def test_bad_input_keeps_what_was_typed(app, county):
    sup = client_for(app, "sup")
    html = _html(_post(sup, county, title="", reply_by="2025-02-30", body="请办结。"), 400)
    assert "请填写督办事项标题" in html and "日期无效" in html
    assert "请办结。" in html and 'value="2025-02-30"' in html
    html = _html(_post(sup, county, cases=("a3",), reply_by="2025-06-01"), 400)
    assert "不能早于今天" in html
    picked = re.findall(r'name="case_id" value="(\d+)"[^>]*checked', html)
    assert picked == [str(county["case"]["a3"][0])]
    html = _html(_post(sup, county, cases=("b4",)), 400)  # another agency's overdue case
    assert "不是该机关当前超期未办结的案件" in html
    html = _html(_post(sup, county, cases=("abc", "a3")), 400)
    assert "所选案件无效" in html
    html = _html(_post(sup, county, cases=()), 400)
    assert "请至少选择" in html
    assert _notices(app) == 0


@pytest.mark.parametrize("agency", ["OTH", "CTY", "abc", "", "99999999", "-3"])
def test_a_notice_to_an_agency_outside_is_refused(app, county, agency):
    sup = client_for(app, "sup")
    cases = ("o2",) if agency == "OTH" else ("a3",)
    assert _post(sup, county, agency=agency, cases=cases).status_code == 403
    assert _notices(app) == 0


def test_who_reaches_which_page(app, county):
    sup = client_for(app, "sup")
    assert _post(sup, county).status_code == 302
    with app.app_context():
        nid = db.session.execute(select(SupervisionNotice.id)).scalar_one()
    handler = client_for(app, "aaa-handler")
    for url in ("/supervision/", "/supervision/cases?year=2024&figure=received",
                "/supervision/inbox", "/supervision/notices"):
        assert handler.get(url).status_code == 403, url
    assert handler.get(f"/supervision/notices/{nid}").status_code == 403
    head = client_for(app, "aaa-office_head")
    for url in ("/supervision/", "/supervision/notices"):
        assert head.get(url).status_code == 403
    other_head = client_for(app, "bbb-office_head")
    assert other_head.get(f"/supervision/notices/{nid}").status_code == 404
    assert other_head.post(f"/supervision/notices/{nid}/reply",
                           data={"reply_text": "x"}).status_code == 404
    assert sup.post(f"/supervision/notices/{nid}/reply",
                    data={"reply_text": "x"}).status_code == 403
    assert client_for(app, "sup-b").get(f"/supervision/notices/{nid}").status_code == 404
    assert client_anon(app).get("/supervision/").status_code == 302
    with app.app_context():
        assert db.session.get(SupervisionNotice, nid).reply_text is None


# -- the aggregate annual report, every format --------------------------------------------------
def test_supervisor_reads_the_aggregate_report_in_every_format(app, county):
    import io
    import json

    from openpyxl import load_workbook

    from disclosure.services import report as rsvc
    sup = client_for(app, "sup")
    with app.app_context():
        expected = json.loads(json.dumps(rsvc.to_json(rsvc.annual(2024, ["CTY", "AAA", "BBB",
                                                                          "BBC"]))))
    html = _html(sup.get("/staff/reports/annual?year=2024"))
    assert 'id="checks-ok"' in html and 'id="checks-failed"' not in html
    assert re.search(r'<option value="" selected>本机关及下级机关（汇总）</option>', html)
    assert "邻县人民政府" not in html.split('id="agency"')[1].split("</select>")[0]
    printed = _html(sup.get("/staff/reports/annual?year=2024&print=1"))
    assert 'class="report-print"' in printed and 'id="checks-failed"' not in printed
    body = sup.get("/staff/reports/annual/2024.json").json
    assert body == expected and body["agencies"] == ["AAA", "BBB", "BBC", "CTY"]
    assert all(c["ok"] for c in body["checks"])
    text = sup.get("/staff/reports/annual/2024.csv").get_data(as_text=True)
    new_total = expected["table3"]["rows"]["new"]["total"]
    assert re.search(rf"^table3,new,total,[^,\n]*,[^,\n]*,{new_total}$", text, re.M)
    wb = load_workbook(io.BytesIO(sup.get("/staff/reports/annual/2024.xlsx").data))
    checks = [r for r in wb["校验与比率"].iter_rows(values_only=True) if r and r[1] in ("通过",
                                                                                    "不通过")]
    assert checks and all(r[1] == "通过" for r in checks)
    # its drill-down: every listed case of the subtree, none of the agency beside it
    got = sup.get("/staff/reports/annual/2024/cases?row=new&col=total&format=json").json
    assert got["count"] == new_total
    stats = _html(sup.get("/staff/stats?year=2024"))
    assert '<option value="" selected>本机关及下级机关（汇总）</option>' in stats
    # one agency of the subtree, and none beside it
    assert sup.get("/staff/reports/annual/2024.json?agency=BBC").json["agencies"] == ["BBC"]
    assert sup.get("/staff/reports/annual/2024.json?agency=OTH").status_code == 403
