"""补正 online (issue 16): the applicant answers the 补正 notice; the clock restarts (R4.2)."""
from datetime import date

import pytest
from sqlalchemy import select

from disclosure.domain.workflow import WorkflowError
from disclosure.extensions import db
from disclosure.models import Outbox
from disclosure.services import case_actions, cases, uploads
from disclosure.services.actors import Actor
from disclosure.services.uploads import Upload
from tests.conftest import TEST_PDF, person_payload, send_notices

D = date


@pytest.fixture
def actors(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


def _asked(agency, actors, release=True):
    case = cases.register_paper(agency, person_payload(), "in_person", D(2024, 9, 27),
                                actors["registrar"], D(2024, 9, 27)).case
    case_actions.request_supplement(case, "请写明道路名称", None, actors["handler"], D(2024, 9, 30))
    if release:
        send_notices(case, D(2024, 9, 30))
    return case


def test_supplement_online_restarts_the_clock(agency, actors):
    case = _asked(agency, actors)
    assert case.due_on is None
    receipt = case_actions.submit_supplement(case, "  道路名称：某村村道  ", [], D(2024, 10, 9))
    assert receipt.received_on == D(2024, 10, 9) and receipt.status == "in_progress"
    assert case.supplement_received_on == D(2024, 10, 9)
    assert case.supplement_text == "道路名称：某村村道"
    assert case.clock_started_on == D(2024, 10, 9)
    assert case.due_on == D(2024, 11, 5)  # 20 working days; 2024-10-12 is a 调休 Saturday


def test_no_supplement_open_before_release_and_after_answer(agency, actors):
    case = _asked(agency, actors, release=False)
    with pytest.raises(WorkflowError) as exc:
        case_actions.submit_supplement(case, "答复", [], D(2024, 10, 9))
    assert exc.value.code == "no_supplement_open"
    send_notices(case, D(2024, 10, 8))
    case_actions.submit_supplement(case, "答复", [], D(2024, 10, 9))
    with pytest.raises(WorkflowError) as exc:
        case_actions.submit_supplement(case, "再次", [], D(2024, 10, 10))
    assert exc.value.code == "no_supplement_open"


def test_registered_case_without_supplement_is_refused(agency, actors):
    case = cases.register_paper(agency, person_payload(), "in_person", D(2024, 9, 27),
                                actors["registrar"], D(2024, 9, 27)).case
    with pytest.raises(WorkflowError) as exc:
        case_actions.submit_supplement(case, "答复", [], D(2024, 10, 9))
    assert exc.value.code == "no_supplement_open"


def test_text_or_files_required_and_limited(agency, actors):
    case = _asked(agency, actors)
    with pytest.raises(cases.ValidationFailed) as exc:
        case_actions.submit_supplement(case, "   ", [], D(2024, 10, 9))
    assert set(exc.value.errors) == {"text"}
    with pytest.raises(cases.ValidationFailed) as exc:
        case_actions.submit_supplement(case, "字" * 5001, [], D(2024, 10, 9))
    assert set(exc.value.errors) == {"text"}
    with pytest.raises(cases.ValidationFailed) as exc:
        case_actions.submit_supplement(case, "", [Upload("a.pdf", b"<html>")], D(2024, 10, 9))
    assert set(exc.value.errors) == {"files.0"}
    db.session.rollback()
    assert case.status == "awaiting_supplement" and case.supplement_received_on is None


def test_file_sniffed_and_stored_and_handler_told(agency, actors, staff):
    staff["handler"].email, staff["registrar"].email = "handler@example.cn", "reg@example.cn"
    db.session.commit()
    case = _asked(agency, actors)
    receipt = case_actions.submit_supplement(case, "", [Upload("道路.html", TEST_PDF)],
                                             D(2024, 10, 9))
    assert receipt.files == ["道路.pdf"]
    att = [a for a in case.attachments if a.kind == "supplement"]
    assert len(att) == 1 and att[0].content_type == "application/pdf"
    with open(uploads.path_of(att[0].stored_name), "rb") as fh:
        assert fh.read() == TEST_PDF
    mails = db.session.execute(
        select(Outbox).where(Outbox.subject.contains("在线提交补正"))).scalars().all()
    assert [m.recipient for m in mails] == ["handler@example.cn"]
    assert case.tracking_no in mails[0].subject and "2024-11-05" in mails[0].body
