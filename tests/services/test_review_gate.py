"""先审查、后公开、一事一审: tests that try to break the gate (R6)."""
import threading
from datetime import date

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from disclosure.domain.codes import OUTCOME_LABELS
from disclosure.domain.replies import REPLY_TYPES
from disclosure.domain.workflow import WorkflowError
from disclosure.extensions import db
from disclosure.models import Event, Release, ReleaseItem, Review
from disclosure.services import applicant_view, case_actions
from disclosure.services.actors import Actor
from disclosure.services.cases import register_paper
from disclosure.services.review import replies
from disclosure.services.review import seen as review_seen
from disclosure.services.review import status_of as review_status
from disclosure.services.review.queue import queue
from disclosure.services.uploads import Upload
from tests.conftest import draft_complete, person_payload

D = date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def who(staff):
    return {k: Actor.of(u) for k, u in staff.items()}


@pytest.fixture
def drafted(agency, who):
    case = register_paper(agency, person_payload(), "in_person", D(2024, 9, 27), who["registrar"],
                          D(2024, 9, 27)).case
    replies.draft_reply(case, "art36_2", None, who["handler"], D(2024, 10, 8))
    replies.add_document(case, Upload("批复.pdf", PDF), False, who["handler"], D(2024, 10, 8))
    replies.add_document(case, Upload("附图.pdf", PDF + b"2"), False, who["handler"],
                         D(2024, 10, 8))
    replies.submit_for_review(case, who["handler"], D(2024, 10, 9))
    return case


def _items(case):
    return replies.items_of(case)


def test_release_without_review_is_refused(drafted, who):
    with pytest.raises(WorkflowError) as exc:
        replies.release_reply(drafted, who["handler"], D(2024, 10, 10))
    assert exc.value.code == "not_reviewed"
    assert drafted.status == "in_review" and drafted.outcome is None
    assert db.session.scalar(select(func.count()).select_from(Release)) == 0
    assert applicant_view.public_reply(drafted) is None


def test_full_journey_reject_replace_approve_release(drafted, who):
    letter, doc1, doc2 = _items(drafted)
    day = D(2024, 10, 10)
    replies.decide(drafted, letter.id, "approved", None, who["reviewer"], day,
                   **review_seen(letter))
    replies.decide(drafted, doc1.id, "approved", None, who["reviewer"], day, **review_seen(doc1))
    replies.decide(drafted, doc2.id, "rejected", "含个人信息，须删除处理", who["reviewer"], day,
                   **review_seen(doc2))
    assert drafted.status == "in_progress"  # back to drafting
    before = letter.current.number
    replies.replace_document(drafted, doc2.id, Upload("附图（删除处理）.pdf", PDF + b"3"),
                             who["handler"], day)
    replies.submit_for_review(drafted, who["handler"], day)
    replies.decide(drafted, doc2.id, "approved", None, who["reviewer"], day, **review_seen(doc2))
    # R6.1: the letter's package names the documents sent with it, so the replaced document
    # made a new letter version (same text) that needs its own approval
    assert letter.current.number == before + 1
    assert letter.current.text == letter.versions[before - 1].text
    with pytest.raises(WorkflowError) as exc:
        replies.release_reply(drafted, who["handler"], D(2024, 10, 11))
    assert exc.value.code == "not_reviewed"
    replies.decide(drafted, letter.id, "approved", None, who["reviewer"], day,
                   **review_seen(letter))
    replies.release_reply(drafted, who["handler"], D(2024, 10, 11))
    assert drafted.status == "replied" and drafted.outcome == "disclosed"
    assert drafted.concluded_on == D(2024, 10, 11) and drafted.timely is True
    reply = applicant_view.public_reply(drafted)
    assert reply["outcome_label"] == "予以公开" and "2024年9月27日" in reply["letter"]
    assert [d["name"] for d in reply["documents"]] == ["批复.pdf", "附图（删除处理）.pdf"]
    assert "含个人信息" not in str(reply)  # internal opinions never reach the applicant


def _events(case):
    return db.session.execute(select(Event).where(Event.case_id == case.id)
                              .order_by(Event.id)).scalars().all()


def test_a_rejection_waits_for_the_last_decision_of_the_round(drafted, who):
    """Issue 15: each item is decided on its own; the case goes back to drafting only with the
    decision on the last item, and every decision is one audit event."""
    letter, doc1, doc2 = _items(drafted)
    day = D(2024, 10, 10)
    before = len(_events(drafted))
    replies.decide(drafted, letter.id, "rejected", "法律依据写错", who["reviewer"], day,
                   **review_seen(letter))
    assert drafted.status == "in_review"  # the documents still await their own decisions
    replies.decide(drafted, doc1.id, "approved", None, who["reviewer"], day, **review_seen(doc1))
    assert drafted.status == "in_review"
    replies.decide(drafted, doc2.id, "approved", None, who["reviewer"], day, **review_seen(doc2))
    assert drafted.status == "in_progress"  # the round is over: back to drafting
    events = _events(drafted)[before:]
    assert [e.action for e in events] == ["review_item", "review_item", "return_to_drafting"]
    assert [(e.data["item_id"], e.data["decision"]) for e in events] == [
        (letter.id, "rejected"), (doc1.id, "approved"), (doc2.id, "approved")]
    assert [e.after_status for e in events] == ["in_review", "in_review", "in_progress"]
    assert events[-1].data["returned"] == [{"item_id": letter.id, "item": letter.title,
                                            "version_id": letter.current.id}]
    # the approvals stand, bound to their versions: only the letter needs a new version
    assert review_status(doc1) == review_status(doc2) == "approved"
    assert review_status(letter) == "rejected"


def test_a_round_of_approvals_stays_in_review(drafted, who):
    day = D(2024, 10, 10)
    for item in _items(drafted):
        replies.decide(drafted, item.id, "approved", None, who["reviewer"], day,
                       **review_seen(item))
    assert drafted.status == "in_review"
    assert [e.action for e in _events(drafted)[-3:]] == ["review_item"] * 3


def test_a_rejected_version_is_not_decided_again_within_the_round(drafted, who):
    letter, doc1, _doc2 = _items(drafted)
    day = D(2024, 10, 10)
    replies.decide(drafted, doc1.id, "rejected", "须删除处理", who["reviewer"], day,
                   **review_seen(doc1))
    for decision, reason in (("approved", None), ("rejected", "再退一次")):
        with pytest.raises(WorkflowError) as exc:
            replies.decide(drafted, doc1.id, decision, reason, who["reviewer"], day,
                           **review_seen(doc1))
        assert exc.value.code == "already_rejected"
    assert drafted.status == "in_review"
    with pytest.raises(WorkflowError):  # nor is anything released while the round is open
        replies.release_reply(drafted, who["handler"], day)


def test_previous_approvals_count_in_the_next_round(drafted, who):
    """After a resubmission the round covers the current versions: an unchanged approved
    document is decided already; the new versions end the round."""
    letter, doc1, doc2 = _items(drafted)
    day = D(2024, 10, 10)
    replies.decide(drafted, doc2.id, "rejected", "须删除处理", who["reviewer"], day,
                   **review_seen(doc2))
    replies.decide(drafted, doc1.id, "approved", None, who["reviewer"], day, **review_seen(doc1))
    replies.decide(drafted, letter.id, "approved", None, who["reviewer"], day,
                   **review_seen(letter))
    assert drafted.status == "in_progress"
    replies.replace_document(drafted, doc2.id, Upload("附图2.pdf", PDF + b"r"), who["handler"],
                             day)
    replies.submit_for_review(drafted, who["handler"], day)
    replies.decide(drafted, doc2.id, "approved", None, who["reviewer"], day, **review_seen(doc2))
    assert drafted.status == "in_review"  # the letter (new package) is still pending
    replies.decide(drafted, letter.id, "rejected", "文字须改", who["reviewer"], day,
                   **review_seen(letter))
    assert drafted.status == "in_progress"
    assert _events(drafted)[-1].data["returned"][0]["item_id"] == letter.id


def test_a_referral_still_pauses_within_a_round(drafted, who):
    letter, doc1, doc2 = _items(drafted)
    day = D(2024, 10, 10)
    replies.decide(drafted, letter.id, "rejected", "须改", who["reviewer"], day,
                   **review_seen(letter))
    replies.decide(drafted, doc1.id, "referred", "报保密行政管理部门确定", who["reviewer"], day,
                   **review_seen(doc1))
    assert drafted.status == "paused" and drafted.pauses[-1].end_on is None
    assert _events(drafted)[-1].action == "refer_review"
    # the authority answered; the rejected letter cannot go back to review unchanged …
    case_actions.end_consultation(drafted, who["handler"], day)
    with pytest.raises(WorkflowError) as refused:
        replies.submit_for_review(drafted, who["handler"], day)
    assert refused.value.code == "rejected_unchanged"
    # … once changed, the new letter version and the documents still undecided are reviewed
    replies.draft_reply(drafted, replies.reply_of(drafted).reply_type,
                        letter.current.text + "\n（已按审查意见修改）", who["handler"], day)
    replies.submit_for_review(drafted, who["handler"], day)
    assert [r.item.id for r in queue(who["reviewer"], day)] == [letter.id, doc1.id, doc2.id]
    for item in (letter, doc1):
        replies.decide(drafted, item.id, "approved", None, who["reviewer"], day,
                       **review_seen(item))
        assert drafted.status == "in_review"
    replies.decide(drafted, doc2.id, "rejected", "须删除处理", who["reviewer"], day,
                   **review_seen(doc2))
    assert drafted.status == "in_progress"  # the last decision ends the round: returned


def test_change_after_approval_needs_new_review(drafted, who):
    letter, doc1, doc2 = _items(drafted)
    day = D(2024, 10, 10)
    replies.decide(drafted, letter.id, "approved", None, who["reviewer"], day,
                   **review_seen(letter))
    replies.decide(drafted, doc1.id, "approved", None, who["reviewer"], day, **review_seen(doc1))
    # the handler cannot edit while the case is in review
    with pytest.raises(WorkflowError):
        replies.draft_reply(drafted, "art36_2", "改过的文字", who["handler"], day)
    replies.decide(drafted, doc2.id, "rejected", "须删除处理", who["reviewer"], day,
                   **review_seen(doc2))
    # back in drafting, the handler also edits the approved letter: a new, unreviewed version
    before = letter.current.number
    replies.draft_reply(drafted, "art36_2", "改过的文字", who["handler"], day)
    replies.replace_document(drafted, doc2.id, Upload("附图2.pdf", PDF + b"9"), who["handler"], day)
    replies.submit_for_review(drafted, who["handler"], day)
    replies.decide(drafted, doc2.id, "approved", None, who["reviewer"], day, **review_seen(doc2))
    with pytest.raises(WorkflowError) as exc:
        replies.release_reply(drafted, who["handler"], day)
    assert "政府信息公开申请答复告知书" in exc.value.message
    assert drafted.status == "in_review" and drafted.concluded_on is None
    assert letter.current.number == before + 2  # the new text, then the replaced document


def test_reviewer_cannot_approve_own_draft(drafted, staff, who):
    from disclosure.services.users import set_roles
    set_roles(staff["handler"], ["handler", "reviewer"], who["admin"])
    letter = _items(drafted)[0]
    with pytest.raises(WorkflowError) as exc:
        replies.decide(drafted, letter.id, "approved", None, Actor.of(staff["handler"]),
                       D(2024, 10, 10), **review_seen(letter))
    assert exc.value.code == "own_draft"


def test_database_refuses_release_without_review(drafted):
    letter = _items(drafted)[0]
    v = letter.current
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Release).values(
            item_id=letter.id, version_id=v.id, sha256=v.sha256, review_id=999999,
            review_decision="approved", released_on=D(2024, 10, 10),
            released_at=func.now()))
        db.session.flush()
    db.session.rollback()


def test_database_refuses_release_on_rejected_review(drafted, who):
    letter = _items(drafted)[0]
    replies.decide(drafted, letter.id, "rejected", "不行", who["reviewer"], D(2024, 10, 10),
                   **review_seen(letter))
    rev = db.session.scalars(select(Review)).one()
    v = letter.current
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Release).values(
            item_id=letter.id, version_id=v.id, sha256=v.sha256, review_id=rev.id,
            review_decision="rejected", released_on=D(2024, 10, 10), released_at=func.now()))
        db.session.flush()
    db.session.rollback()


def test_database_refuses_review_by_drafter(drafted, who):
    letter = _items(drafted)[0]
    v = letter.current
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Review).values(
            version_id=v.id, sha256=v.sha256, reviewer_id=v.drafter_id, drafter_id=v.drafter_id,
            decision="approved", reason="", decided_at=func.now()))
        db.session.flush()
    db.session.rollback()


def test_database_refuses_second_approval(drafted, who, staff):
    letter = _items(drafted)[0]
    replies.decide(drafted, letter.id, "approved", None, who["reviewer"], D(2024, 10, 10),
                   **review_seen(letter))
    v = letter.current
    with pytest.raises(IntegrityError):
        db.session.execute(insert(Review).values(
            version_id=v.id, sha256=v.sha256, reviewer_id=staff["office_head"].id,
            drafter_id=v.drafter_id, decision="approved", reason="", decided_at=func.now()))
        db.session.flush()
    db.session.rollback()


def test_two_reviewers_approving_at_once_one_wins(app, drafted, staff):
    from disclosure.services.users import create_user
    second = create_user("reviewer2", "Test-password-2026", "BCZ", ["reviewer"])
    case_id, item_id = drafted.id, _items(drafted)[0].id
    ids = [staff["reviewer"].id, second.id]
    barrier = threading.Barrier(2)
    results = []

    def approve(user_id):
        with app.app_context():
            from disclosure.models import Case, User
            user = db.session.get(User, user_id)
            case = db.session.get(Case, case_id)
            barrier.wait()
            try:
                replies.decide(case, item_id, "approved", None, Actor.of(user), D(2024, 10, 10),
                               **review_seen(db.session.get(ReleaseItem, item_id)))
                results.append("ok")
            except WorkflowError as exc:
                results.append(exc.code)
            except Exception as exc:  # surfaced by the assertion below
                results.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    [t.start() for t in threads]
    [t.join() for t in threads]
    db.session.rollback()  # end this thread's read snapshot
    approvals = db.session.scalar(
        select(func.count()).select_from(Review).where(Review.decision == "approved"))
    assert approvals == 1, results
    assert sorted(results) == ["already_approved", "ok"]


def test_referral_pauses_the_clock(drafted, who):
    letter = _items(drafted)[0]
    replies.decide(drafted, letter.id, "referred", "涉及是否属于国家秘密，报保密行政管理部门确定",
                   who["reviewer"], D(2024, 10, 10), **review_seen(letter))
    assert drafted.status == "paused"
    assert drafted.pauses[-1].kind == "agency"


def test_triggers_keep_events_append_only(drafted):
    with pytest.raises(Exception):
        db.session.execute(text("UPDATE event SET action = 'x'"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(Exception):
        db.session.execute(text("DELETE FROM event"))
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("reply_type", sorted(REPLY_TYPES))
def test_every_reply_type_releases_with_its_outcome(agency, who, reply_type):
    case = register_paper(agency, person_payload(), "in_person", D(2024, 9, 27), who["registrar"],
                          D(2024, 9, 27)).case
    draft_complete(case, reply_type, who["handler"], D(2024, 10, 8))
    replies.submit_for_review(case, who["handler"], D(2024, 10, 8))
    for item in _items(case):
        replies.decide(case, item.id, "approved", None, who["reviewer"], D(2024, 10, 9),
                       **review_seen(item))
    replies.release_reply(case, who["handler"], D(2024, 10, 9))
    rt = REPLY_TYPES[reply_type]
    assert case.status == "replied" and case.outcome == rt.outcome
    reply = applicant_view.public_reply(case)
    assert reply["outcome_label"] == OUTCOME_LABELS[rt.outcome]
    assert rt.basis in reply["letter"] and "行政复议" in reply["letter"]
