"""转办 through HTTP (issue 17): the page says what happens, bad input keeps what was typed,
the case leaves the sending agency and lands in the receiving agency's confirmation queue."""
from datetime import date

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Case
from disclosure.services import cases
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, client_for, person_payload


@pytest.fixture
def setup(app, staff):
    town = create_agency("XQZ", "西桥镇人民政府")
    for r in ("registrar", "handler"):
        create_user(f"x-{r}", PASSWORD, "XQZ", [r], f"西桥{r}")
    create_agency("OTH", "另一个机关")
    case = cases.submit_online(person_payload(), today=date(2026, 3, 2)).case
    db.session.commit()
    return town.id, case.id


def test_forward_page_keeps_input_on_error_then_forwards(app, setup):
    town_id, case_id = setup
    reg = client_for(app, "registrar")
    page = reg.get(f"/staff/cases/{case_id}")
    assert f"/staff/cases/{case_id}/forward" in page.get_data(as_text=True)
    form = reg.get(f"/staff/cases/{case_id}/forward")
    assert form.status_code == 200 and "西桥镇人民政府" in form.get_data(as_text=True)
    bad = reg.post(f"/staff/cases/{case_id}/forward", data={"to_agency": "", "reason": "我的理由"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "请选择接收转办的机关" in body and "我的理由" in body
    bad = reg.post(f"/staff/cases/{case_id}/forward", data={"to_agency": "x' OR 1=1", "reason": ""})
    assert bad.status_code == 400
    ok = reg.post(f"/staff/cases/{case_id}/forward",
                  data={"to_agency": str(town_id), "reason": "村庄规划由西桥镇编制"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/staff/")
    assert reg.get(f"/staff/cases/{case_id}").status_code == 404  # no longer ours
    assert reg.post(f"/staff/cases/{case_id}/forward",
                    data={"to_agency": str(town_id), "reason": "再转"}).status_code == 404
    x = client_for(app, "x-registrar")
    dash = x.get("/staff/").get_data(as_text=True)
    number = db.session.get(Case, case_id).tracking_no
    assert number in dash  # in the receiving registrar's confirmation queue
    page = x.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "包场镇人民政府转来" in page and "村庄规划由西桥镇编制" in page


def test_who_may_not_forward(app, setup):
    town_id, case_id = setup
    h = client_for(app, "handler")
    assert h.get(f"/staff/cases/{case_id}/forward").status_code == 403
    assert h.post(f"/staff/cases/{case_id}/forward",
                  data={"to_agency": str(town_id), "reason": "x"}).status_code == 403
    other = client_for(app, "x-registrar")  # another agency's registrar: not theirs to forward
    assert other.post(f"/staff/cases/{case_id}/forward",
                      data={"to_agency": str(town_id), "reason": "x"}).status_code == 404
    db.session.rollback()
    assert db.session.execute(select(Case.agency_id).where(Case.id == case_id)).scalar() != town_id
