"""Issue 15 on the statistics page: the open cases past their deadline beside the rates, a link
to the case list filtered to them, and no green ("ok") rate while any exist — for the signed-in
user's agency only."""
from __future__ import annotations

import re
from datetime import date

import pytest

from disclosure.services import cases
from disclosure.services.actors import Actor
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, login, person_payload
from tests.services.test_report import register, release

D = date
TODAY = "2025-06-30"
GREEN = "#1a7f37"


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY)


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def _replied_2024(agency, who):
    for received, replied in ((D(2024, 3, 1), D(2024, 3, 15)), (D(2024, 9, 2), D(2024, 9, 20))):
        release(register(agency, who, received), "disclosed", replied, who)


@pytest.fixture
def late(agency, who):
    """Both 2024 rates at 100 %; two cases received in March 2025 still open on TODAY."""
    _replied_2024(agency, who)
    return [register(agency, who, D(2025, 3, 3)), register(agency, who, D(2025, 3, 10))]


def _page(client, year: int) -> str:
    resp = client.get("/staff/stats", query_string={"year": year})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "style=" not in html and "<style" not in html
    return html


def _tile(html: str, id_: str) -> str:
    return re.search(rf'<li id="{id_}"[^>]*>.*?</li>', html, re.S).group(0)


def test_overdue_beside_rates_at_100_percent_and_no_green(login_as, late):
    client = login_as("handler")
    html = _page(client, 2024)
    for key in ("reply_rate", "timely_rate"):
        tile = _tile(html, f"rate-{key}")
        assert "100.00%" in tile and 'class="warn"' in tile and 'data-tone="warn"' in tile
        assert "badge ok" not in tile
    assert "badge ok" not in html and GREEN not in html  # the monthly bars are drawn grey too
    now = _tile(html, "overdue-now")
    assert "<strong>2</strong>" in now and 'class="danger"' in now
    assert "件尚未办结且已超过答复期限" in now
    assert re.search(r'href="/staff/cases\?flag=overdue[^"]*"', now)
    end = _tile(html, "overdue-at-end")  # 2024 is over
    assert "<strong>0</strong>" in end
    caveat = re.search(r'<p class="alert" id="rates-caveat">(.*?)</p>', html, re.S).group(1)
    assert "以已办结的申请为基础计算" in caveat
    assert re.search(r"有 <a [^>]*flag=overdue[^>]*>2</a> 件申请尚未办结且已超过答复期限", caveat)
    # the link lists exactly those two cases
    cases = client.get(re.search(r'href="(/staff/cases\?flag=overdue[^"]*)"', now)
                       .group(1).replace("&amp;", "&")).get_data(as_text=True)
    for case in late:
        assert case.tracking_no in cases


def test_the_running_year_has_no_year_end_tile(login_as, late):
    html = _page(login_as("handler"), 2025)
    assert 'id="overdue-now"' in html and 'id="overdue-at-end"' not in html
    assert "<strong>2</strong>" in _tile(html, "overdue-now")


def test_nothing_overdue_the_rates_may_be_green(login_as, agency, who):
    _replied_2024(agency, who)
    html = _page(login_as("handler"), 2024)
    for key in ("reply_rate", "timely_rate"):
        tile = _tile(html, f"rate-{key}")
        assert 'data-tone="ok"' in tile and "badge ok" in tile and 'class="warn"' not in tile
    assert "<strong>0</strong>" in _tile(html, "overdue-now")
    assert 'id="rates-caveat"' not in html and GREEN in html


def test_another_agencys_overdue_cases_are_not_counted(app, late):
    other = create_agency("OTH", "另一镇人民政府")
    oth = Actor.of(create_user("oth-staff", PASSWORD, "OTH", ["registrar", "handler"], "外机关"))
    cases.register_paper(other, person_payload(agency="OTH"), "in_person", D(2025, 3, 3), oth,
                         D(2025, 3, 3))
    client = app.test_client()
    assert login(client, "oth-staff").status_code == 302
    html = _page(client, 2024)
    assert "<strong>1</strong>" in _tile(html, "overdue-now")
    assert client.get("/staff/stats?year=2024&agency=BCZ").status_code == 403
