from datetime import date

from sqlalchemy import text

from disclosure.extensions import db
from disclosure.services import integrity
from disclosure.services.actors import Actor
from disclosure.services.cases import register_paper
from disclosure.services.review import replies
from disclosure.services.review import seen as review_seen
from tests.conftest import person_payload


def _released_case(agency, staff):
    who = {k: Actor.of(u) for k, u in staff.items()}
    case = register_paper(agency, person_payload(), "in_person", date(2024, 9, 27),
                          who["registrar"], date(2024, 9, 27)).case
    replies.draft_reply(case, "art36_4", None, who["handler"], date(2024, 10, 8))
    replies.submit_for_review(case, who["handler"], date(2024, 10, 8))
    letter = replies.items_of(case)[0]
    replies.decide(case, letter.id, "approved", None, who["reviewer"], date(2024, 10, 9),
                   **review_seen(letter))
    replies.release_reply(case, who["handler"], date(2024, 10, 9))
    return case, letter


def test_check_is_clean_then_reports_a_tampered_release(app, agency, staff):
    case, letter = _released_case(agency, staff)
    assert integrity.run() == []
    runner = app.test_cli_runner()
    assert runner.invoke(args=["check"]).exit_code == 0
    db.session.execute(text("UPDATE item_version SET text = text || '（篡改）' WHERE id = :v"),
                       {"v": letter.current.id})
    db.session.commit()
    problems = integrity.run()
    assert [p.rule for p in problems] == ["release.tampered"]
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1 and "release.tampered" in result.output


def test_check_reports_status_not_matching_history(agency, staff):
    case, _ = _released_case(agency, staff)
    db.session.execute(text("UPDATE case_file SET status = 'in_progress' WHERE id = :c"),
                       {"c": case.id})
    db.session.commit()
    rules = {p.rule for p in integrity.run()}
    assert "history.status" in rules
