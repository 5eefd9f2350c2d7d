"""Staff pages of the annual report, its exports, drill-down, statistics and appeals."""
from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from disclosure.extensions import db
from disclosure.models import Appeal, Case, Event, ReportYear
from disclosure.services import report as svc
from disclosure.services.actors import Actor
from disclosure.services.unit_of_work import unit_of_work
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, login
from tests.services.test_report import build_two_years, register

D = date


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


@pytest.fixture
def data(agency, who):
    return build_two_years(agency, who)


@pytest.fixture
def outsider(staff):
    """A registrar/handler of another agency, signed in on a fresh client."""
    create_agency("OTH", "另一镇人民政府")
    create_user("oth-staff", PASSWORD, "OTH", ["registrar", "handler", "office_head"], "外机关")


def _html(resp) -> str:
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def _no_inline_code(html: str) -> None:
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


# -- the report page ------------------------------------------------------------------------------
def test_report_page_balanced_with_green_checks_and_links(login_as, data):
    client = login_as("handler")
    resp = client.get("/staff/reports/annual", query_string={"year": 2024})
    html = _html(resp)
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    _no_inline_code(html)
    for heading in ("一、总体情况", "二、主动公开政府信息情况",
                    "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
                    "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
                    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"):
        assert heading in html
    assert 'id="checks-ok"' in html and 'id="checks-failed"' not in html
    assert "/static/report.css" in html
    assert "/staff/reports/annual/2024/cases?row=new&amp;col=natural_person&amp;agency=BCZ" in html
    assert "row=rate.reply_rate&amp;col=denominator" in html
    assert "row=table4.reconsideration&amp;col=upheld" in html
    assert "80.00%" in html and "87.50%" in html and "72.73%" in html
    assert "200.00" in html  # 信息处理费 collected
    assert "数据质量提示" in html  # the unconfirmed online submission


def test_zero_denominator_rate_is_a_dash(login_as, agency):
    html = _html(login_as("handler").get("/staff/reports/annual", query_string={"year": 2019}))
    rate = re.search(r'<tr id="rate-reply_rate">.*?</tr>', html, re.S).group(0)
    assert rate.endswith('<td class="num">—</td></tr>')


def test_failing_check_is_a_visible_red_error_with_its_numbers(login_as, data):
    with unit_of_work():
        db.session.execute(update(Case).where(Case.id == data["F"].id).values(outcome="typo"))
    html = _html(login_as("handler").get("/staff/reports/annual?year=2024"))
    block = re.search(r'<div class="checks-failed" role="alert" id="checks-failed">.*?</div>',
                      html, re.S)
    assert block and "results_total.total" in block.group(0) and "7 ≠ 8" in block.group(0)
    assert 'id="checks-ok"' not in html


def test_drill_down_lists_the_cases_behind_a_number(login_as, data):
    client = login_as("handler")
    html = _html(client.get("/staff/reports/annual/2024/cases",
                            query_string={"row": "new", "col": "natural_person"}))
    ids = {int(x) for x in re.findall(r'data-case-id="(\d+)"', html)}
    assert ids == {data[k].id for k in "FLMN"}
    assert data["F"].tracking_no in html and "共 <strong>4</strong>" in html
    got = client.get("/staff/reports/annual/2024/cases",
                     query_string={"row": "rate.timely_rate", "col": "numerator",
                                   "format": "json"}).json
    assert got["count"] == 7 and data["N"].id not in got["ids"]
    html = _html(client.get("/staff/reports/annual/2024/cases",
                            query_string={"row": "table4.litigation_direct", "col": "pending"}))
    assert f'data-appeal-id="{data["N"].appeals[0].id}"' in html
    assert client.get("/staff/reports/annual/2024/cases?row=bogus&col=total").status_code == 404


def test_every_number_on_the_page_matches_its_drill_down(login_as, data):
    client = login_as("handler")
    html = _html(client.get("/staff/reports/annual?year=2024&agency=BCZ"))
    links = re.findall(r'<a href="(/staff/reports/annual/2024/cases\?[^"]+)">([\d.]+)</a>', html)
    assert len(links) > 25 * 7
    for url, shown in links[:60] + links[-40:]:
        got = client.get(url.replace("&amp;", "&") + "&format=json").json
        if "collected_yuan" not in url:
            assert got["count"] == int(shown), url


def test_json_endpoint_is_the_contract(login_as, data):
    resp = login_as("handler").get("/staff/reports/annual/2024.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = json.loads(resp.get_data(as_text=True))
    assert body == json.loads(json.dumps(svc.to_json(svc.annual(2024, ["BCZ"]))))
    assert list(body) == ["year", "agencies", "table2", "table3", "table4", "rates", "fees",
                          "checks"]
    assert body["agencies"] == ["BCZ"]


def test_csv_and_xlsx_downloads(login_as, data):
    client = login_as("handler")
    resp = client.get("/staff/reports/annual/2024.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufefftable,row,column") and "table3,new,total" in text
    resp = client.get("/staff/reports/annual/2024.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb["年度报告"].merged_cells.ranges and "结转下年度" in str(
        [c.value for r in wb["年度报告"].iter_rows() for c in r])


def test_print_view_has_no_links_or_forms(login_as, data):
    html = _html(login_as("handler").get("/staff/reports/annual?year=2024&print=1"))
    assert 'class="report-print"' in html and "js-print" in html
    assert "/cases?row=" not in html and 'method="post" action="/staff/reports' not in html
    _no_inline_code(html)


# -- agency scope ---------------------------------------------------------------------------------
def test_staff_of_another_agency_cannot_read_this_agencys_report(client, data, outsider):
    assert login(client, "oth-staff").status_code == 302
    for url in ("/staff/reports/annual?year=2024&agency=BCZ",
                "/staff/reports/annual/2024.json?agency=BCZ",
                "/staff/reports/annual/2024.csv?agency=BCZ",
                "/staff/reports/annual/2024.xlsx?agency=BCZ",
                "/staff/reports/annual/2024/cases?row=new&col=total&agency=BCZ",
                "/staff/stats?year=2024&agency=BCZ"):
        assert client.get(url).status_code == 403, url
    own = client.get("/staff/reports/annual/2024.json").json
    assert own["agencies"] == ["OTH"] and own["table3"]["rows"]["new"]["total"] == 0
    ids = client.get("/staff/reports/annual/2024/cases?row=new&col=total&format=json").json["ids"]
    assert ids == []


def test_admin_reads_all_agencies_summed_or_one(client, data, outsider):
    # issue 12: every agency is read by a platform administrator, not an agency's own admin
    create_user("platform", PASSWORD, "BCZ", ["platform_admin"], "平台管理员")
    assert login(client, "platform").status_code == 302
    body = client.get("/staff/reports/annual/2024.json").json
    assert body["agencies"] == ["BCZ", "OTH"] and body["table3"]["rows"]["new"]["total"] == 8
    assert client.get("/staff/reports/annual/2024.json?agency=OTH").json["agencies"] == ["OTH"]
    assert client.get("/staff/reports/annual/2024.json?agency=NOPE").status_code == 404
    html = _html(client.get("/staff/reports/annual?year=2024"))
    assert "全部机关（汇总）" in html and "编辑文字和填报数据" not in html  # edits are per agency


# -- saving texts and figures ---------------------------------------------------------------------
FORM = {"agency": "BCZ", "narrative": "（一）主动公开\n本年度……", "problems": "人手不足",
        "other_matters": "无", "licensing_decisions": "12", "penalty_decisions": "0",
        "enforcement_decisions": "3", "fee_item_amount_10k": "1.25"}


def test_save_texts_and_figures(login_as, staff, data):
    client = login_as("office_head")
    resp = client.post("/staff/reports/annual/2024", data=FORM)
    assert resp.status_code == 302 and "agency=BCZ" in resp.headers["Location"]
    ry = db.session.execute(select(ReportYear)).scalar_one()
    assert (ry.year, ry.licensing_decisions, str(ry.fee_item_amount_10k)) == (2024, 12, "1.25")
    ev = db.session.execute(select(Event).where(Event.action == "report_year_saved")).scalar_one()
    assert ev.actor_id == staff["office_head"].id
    assert ev.data["changes"]["problems"]["after"] == "人手不足"
    html = _html(client.get("/staff/reports/annual?year=2024"))
    assert "人手不足" in html and "1.25" in html
    body = client.get("/staff/reports/annual/2024.json").json
    assert body["table2"]["licensing"] == {"decisions": 12}
    assert body["table2"]["fee_item"] == {"amount_10k_yuan": "1.25"}


def test_save_with_errors_keeps_the_input(login_as, agency):
    client = login_as("office_head")
    resp = client.post("/staff/reports/annual/2024", data={**FORM, "penalty_decisions": "很多"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "行政处罚处理决定数量须为不小于 0 的整数" in html
    assert 'value="很多"' in html and "人手不足" in html
    assert db.session.execute(select(ReportYear)).first() is None


def test_save_is_refused_for_another_agency(client, agency, outsider):
    assert login(client, "oth-staff").status_code == 302
    assert client.post("/staff/reports/annual/2024", data=FORM).status_code == 403
    assert db.session.execute(select(ReportYear)).first() is None


def test_save_needs_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_agency("BCZ", "包场镇人民政府")
        create_user("head", PASSWORD, "BCZ", ["office_head"], "主任")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "head", "password": PASSWORD, "csrf_token": token})
    assert client.post("/staff/reports/annual/2024", data=FORM).status_code == 400
    html = client.get("/staff/reports/annual?year=2024").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    resp = client.post("/staff/reports/annual/2024", data={**FORM, "csrf_token": token})
    assert resp.status_code == 302


# -- statistics -----------------------------------------------------------------------------------
def test_stats_dashboard_draws_svg_with_data_tables(login_as, data):
    resp = login_as("reviewer").get("/staff/stats", query_string={"year": 2024})
    html = _html(resp)
    _no_inline_code(html)
    assert html.count("<svg") == 5 and html.count('role="img"') == 5
    for table in ("data-flow", "data-outcome", "data-time", "data-timely", "data-type"):
        assert f'id="{table}"' in html
    flow = re.search(r'id="data-flow".*?</table>', html, re.S).group(0)
    assert re.search(r"合计</th><td class=\"num\">8</td><td class=\"num\">8</td>", flow)
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html


def test_stats_for_an_empty_year(login_as, agency):
    html = _html(login_as("handler").get("/staff/stats?year=2001"))
    assert html.count("<svg") == 5 and "—" in html


# -- appeals ---------------------------------------------------------------------------------------
def test_appeal_added_and_result_recorded_from_the_case_page(login_as, agency, who):
    case = register(agency, who, D(2024, 3, 1))
    client = login_as("office_head")  # issue 12: appeals are entered by the office head
    html = _html(client.get(f"/staff/cases/{case.id}"))
    assert "登记行政复议或行政诉讼" in html and f"/staff/cases/{case.id}/appeals" in html
    resp = client.post(f"/staff/cases/{case.id}/appeals",
                       data={"kind": "reconsideration", "filed_on": "2024-04-01",
                             "result": "pending"})
    assert resp.status_code == 302
    appeal = db.session.execute(select(Appeal)).scalar_one()
    assert (appeal.kind, appeal.filed_on, appeal.result) == ("reconsideration", D(2024, 4, 1),
                                                             "pending")
    resp = client.post(f"/staff/cases/{case.id}/appeals/{appeal.id}",
                       data={"result": "corrected", "decided_on": "2024-06-01"})
    assert resp.status_code == 302
    db.session.refresh(appeal)
    assert (appeal.result, appeal.decided_on) == ("corrected", D(2024, 6, 1))
    html = _html(client.get(f"/staff/cases/{case.id}"))
    assert "结果纠正" in html and "2024-06-01" in html
    t4 = client.get("/staff/reports/annual/2024.json").json["table4"]
    assert t4["reconsideration"]["corrected"] == 1


def test_appeal_with_errors_shows_them_and_keeps_the_input(login_as, agency, who):
    case = register(agency, who, D(2024, 3, 1))
    resp = login_as("office_head").post(f"/staff/cases/{case.id}/appeals",
                                        data={"kind": "litigation_direct",
                                              "filed_on": "2024-02-30"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "提起日期无效" in html and 'value="2024-02-30"' in html
    assert '<option value="litigation_direct" selected>' in html
    assert db.session.execute(select(Appeal)).first() is None


def test_appeals_on_another_agencys_case_are_404(client, agency, who, outsider):
    case = register(agency, who, D(2024, 3, 1))
    assert login(client, "oth-staff").status_code == 302
    resp = client.post(f"/staff/cases/{case.id}/appeals",
                       data={"kind": "reconsideration", "filed_on": "2024-04-01"})
    assert resp.status_code == 404
    resp = client.post(f"/staff/cases/{case.id}/appeals/1", data={"result": "upheld"})
    assert resp.status_code == 404
    assert db.session.execute(select(Appeal)).first() is None


def test_appeal_id_must_belong_to_the_case(login_as, agency, who):
    one, two = register(agency, who, D(2024, 3, 1)), register(agency, who, D(2024, 3, 2))
    client = login_as("office_head")
    client.post(f"/staff/cases/{one.id}/appeals",
                data={"kind": "reconsideration", "filed_on": "2024-04-01"})
    appeal = db.session.execute(select(Appeal)).scalar_one()
    resp = client.post(f"/staff/cases/{two.id}/appeals/{appeal.id}",
                       data={"result": "upheld", "decided_on": "2024-05-01"})
    assert resp.status_code == 404
