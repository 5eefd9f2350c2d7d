"""Issue 15: each role lands on its own queue; the case page offers only valid next steps;
handlers are assigned at registration / confirmation and reassigned by the head; irreversible
steps (withdraw, release) go through a confirmation page that says what will happen."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from disclosure.extensions import db
from disclosure.models import Agency, Case, Event
from disclosure.services import assignment, case_actions, cases
from disclosure.services.actors import Actor
from disclosure.services.review import replies, seen
from disclosure.services.users import create_agency, create_user
from tests.conftest import PASSWORD, client_for, draft_complete, person_payload

TODAY = date(2024, 10, 8)


@pytest.fixture
def app(make_app):
    return make_app(FIXED_TODAY=TODAY.isoformat())


@pytest.fixture
def people(staff):
    """The five roles of BCZ plus a second handler, the first one the agency's default."""
    second = create_user("handler2", PASSWORD, "BCZ", ["handler"], "第二承办人")
    agency = db.session.get(Agency, staff["handler"].agency_id)
    agency.default_handler_id = staff["handler"].id
    db.session.commit()
    return {**staff, "handler2": second}


def paper(people, received=date(2024, 9, 27), **kw):
    return cases.register_paper(people["registrar"].agency, person_payload(), "in_person",
                                received, Actor.of(people["registrar"]), TODAY, **kw).case


def events(action: str) -> list[Event]:
    db.session.rollback()
    return db.session.execute(select(Event).where(Event.action == action)).scalars().all()


def page(client, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:400]
    return resp.get_data(as_text=True)


# -- assignment --------------------------------------------------------------------------------

def test_registration_assigns_the_default_handler_or_the_one_chosen(people):
    assert paper(people).handler_id == people["handler"].id
    assert paper(people, handler_id=str(people["handler2"].id)).handler_id == \
        people["handler2"].id
    assert paper(people, handler_id="").handler_id is None  # "not yet"


def test_a_handler_of_another_agency_or_a_non_handler_is_refused(people):
    create_agency("OTH", "另一机关")
    foreign = create_user("foreign", PASSWORD, "OTH", ["handler"], "外机关承办人")
    for bad in (foreign.id, people["reviewer"].id, "abc", 999999):
        with pytest.raises(Exception) as exc:
            paper(people, handler_id=str(bad))
        assert getattr(exc.value, "errors", {}).get("handler_id"), bad
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Case)).scalar_one() == 0


def test_confirming_an_online_submission_assigns_a_handler_over_http(app, people):
    sub = cases.submit_online(person_payload(), today=TODAY)
    reg = client_for(app, "registrar")
    html = page(reg, f"/staff/cases/{sub.case.id}")
    assert 'name="handler_id"' in html and f'selected value="{people["handler"].id}"' in html
    resp = reg.post(f"/staff/cases/{sub.case.id}/confirm",
                    data={"received_on": "2024-10-08", "handler_id": str(people["handler2"].id)})
    assert resp.status_code == 302
    db.session.rollback()
    case = db.session.get(Case, sub.case.id)
    assert case.status == "registered" and case.handler_id == people["handler2"].id
    [ev] = events("confirm_receipt")
    assert ev.data["handler_id"] == people["handler2"].id


def test_the_head_reassigns_with_one_audited_event_the_handler_cannot(app, people):
    case = paper(people)
    handler = client_for(app, "handler")
    resp = handler.post(f"/staff/cases/{case.id}/assign",
                        data={"handler_id": str(people["handler2"].id)})
    assert resp.status_code == 403
    head = client_for(app, "office_head")
    html = page(head, f"/staff/cases/{case.id}")
    assert 'action="/staff/cases/%d/assign"' % case.id in html
    resp = head.post(f"/staff/cases/{case.id}/assign",
                     data={"handler_id": str(people["handler2"].id)})
    assert resp.status_code == 302
    [ev] = events("assign_handler")
    assert ev.data["handler_id"] == people["handler2"].id
    assert ev.data["previous_handler_id"] == people["handler"].id
    # a reviewer's id is refused with a field error, the case keeps its handler
    resp = head.post(f"/staff/cases/{case.id}/assign",
                     data={"handler_id": str(people["reviewer"].id)})
    assert resp.status_code == 400 and "请选择本机关的承办人" in resp.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Case, case.id).handler_id == people["handler2"].id


# -- each role's queue ----------------------------------------------------------------------------

def test_each_role_lands_on_its_own_queue(app, people):
    online = cases.submit_online(person_payload(subject="在线申请的文件"), today=TODAY).case
    mine = paper(people)  # the default handler's
    overdue = paper(people, received=date(2024, 8, 1), handler_id="")  # nobody's, overdue
    case_actions.request_extension(mine, 10, "需要调取档案", Actor.of(people["handler"]), TODAY)
    preview = cases.preview(db.session.get(Case, mine.id), TODAY, extension_workdays=10,
                            extension_on=TODAY).due_on

    reg = page(client_for(app, "registrar"), "/staff/")
    assert 'id="queue-confirm"' in reg and online.tracking_no in reg
    assert 'id="queue-mine"' not in reg

    hand = page(client_for(app, "handler"), "/staff/")
    mine_table = hand.split('id="queue-mine"')[1].split("</table>")[0]
    assert mine.tracking_no in mine_table and overdue.tracking_no not in mine_table
    assert "<td>起草答复</td>" in mine_table  # the next step, named
    assert page(client_for(app, "handler2"), "/staff/").count(mine.tracking_no) == 0

    head = page(client_for(app, "office_head"), "/staff/")
    approvals = head.split('id="queue-approvals"')[1].split("</table>")[0]
    assert mine.tracking_no in approvals and f'{preview.year}年' in approvals
    assert f"{preview.month}月{preview.day}日" in approvals
    overdue_table = head.split('id="queue-overdue"')[1].split("</table>")[0]
    assert overdue.tracking_no in overdue_table and "超期" in overdue_table
    assert overdue.tracking_no in head.split('id="queue-unassigned"')[1].split("</table>")[0]

    admin = page(client_for(app, "admin"), "/staff/")
    assert 'id="q-admin"' in admin and "个有效账号" in admin


def test_the_reviewer_queue_lists_items_with_days_left(app, people):
    case = paper(people)
    h = Actor.of(people["handler"])
    draft_complete(case, "art14_secret", h, TODAY)
    replies.submit_for_review(case, h, TODAY)
    html = page(client_for(app, "reviewer"), "/staff/")
    table = html.split('id="queue-review"')[1].split("</table>")[0]
    assert case.tracking_no in table and "政府信息公开申请答复告知书" in table


def test_queues_never_show_another_agencys_cases(app, people):
    create_agency("OTH", "另一机关")
    create_user("oth_reg", PASSWORD, "OTH", ["registrar", "handler", "office_head"], "外")
    online = cases.submit_online(person_payload(), today=TODAY).case
    mine = paper(people, received=date(2024, 8, 1))
    html = page(client_for(app, "oth_reg"), "/staff/")
    assert online.tracking_no not in html and mine.tracking_no not in html


# -- the case page and its confirmations ----------------------------------------------------------

def test_a_new_case_shows_the_next_steps_and_hides_rare_ones(app, people):
    case = paper(people)
    html = page(client_for(app, "handler"), f"/staff/cases/{case.id}")
    steps = html.split('id="next-steps"')[1].split("</section>\n<div")[0]
    assert "开始征求意见" in steps and "发出补正告知" in steps
    more = steps.split('class="more"')[1]
    assert "申请人撤回申请" in more and "发出收费通知" in more
    assert "收到补正材料" not in steps and "已缴纳信息处理费" not in steps  # not valid now
    assert "批准延期答复" not in html  # not the handler's


def test_withdrawal_needs_the_confirmation_page_and_a_reason(app, people):
    case = paper(people)
    h = client_for(app, "handler")
    # a bare POST (a stale form, a forged request) shows the confirmation; nothing changes
    resp = h.post(f"/staff/cases/{case.id}/act/withdraw", data={"on": "2024-10-08"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "确认撤回并办结" in html and 'name="confirmed"' in html
    assert '办结日 <time datetime="2024-10-08">2024年10月8日</time>，按期' in html
    db.session.rollback()
    assert db.session.get(Case, case.id).status == "registered"
    # confirmed without a reason: the same page, the error, the date kept
    resp = h.post(f"/staff/cases/{case.id}/act/withdraw",
                  data={"on": "2024-10-08", "confirmed": "1", "reason": " "})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "请填写撤回方式及说明" in html
    assert 'value="2024-10-08"' in html
    db.session.rollback()
    assert db.session.get(Case, case.id).status == "registered"
    resp = h.post(f"/staff/cases/{case.id}/act/withdraw",
                  data={"on": "2024-10-08", "confirmed": "1", "reason": "申请人书面撤回"})
    assert resp.status_code == 302
    [ev] = events("withdraw")
    assert ev.data["reason"] == "申请人书面撤回" and ev.after_status == "withdrawn"


def test_confirmation_pages_are_refused_where_the_step_is(app, people):
    case = paper(people)
    rev = client_for(app, "reviewer")
    assert rev.get(f"/staff/cases/{case.id}/confirm/withdraw").status_code == 403
    h = client_for(app, "handler")
    assert h.get(f"/staff/cases/{case.id}/confirm/release_reply").status_code == 409
    assert h.get(f"/staff/cases/{case.id}/confirm/register").status_code == 404
    create_agency("OTH", "另一机关")
    create_user("oth_h", PASSWORD, "OTH", ["handler"], "外")
    other = client_for(app, "oth_h")
    assert other.get(f"/staff/cases/{case.id}/confirm/withdraw").status_code == 404


def test_release_confirmation_says_what_leaves_and_whether_it_is_late(app, people):
    late = paper(people, received=date(2024, 8, 1))
    h, r = Actor.of(people["handler"]), Actor.of(people["reviewer"])
    draft_complete(late, "art14_secret", h, TODAY)
    replies.submit_for_review(late, h, TODAY)
    hc = client_for(app, "handler")
    assert 'id="release-waiting"' in page(hc, f"/staff/cases/{late.id}")
    for item in replies.items_of(late):
        replies.decide(late, item.id, "approved", None, r, TODAY, **seen(item))
    html = page(hc, f"/staff/cases/{late.id}")
    assert 'id="release-reply"' in html and "发出答复并办结…" in html
    conf = page(hc, f"/staff/cases/{late.id}/confirm/release_reply")
    assert '答复将发送给申请人，案件办结；办结日 <time datetime="2024-10-08">' in conf
    assert "</time>，逾期" in conf
    assert "将计为未按期答复" in conf and 'name="confirmed" value="1"' in conf
    assert hc.post(f"/staff/cases/{late.id}/reply/release",
                   data={"confirmed": "1"}).status_code == 302
    db.session.rollback()
    assert db.session.get(Case, late.id).status == "replied"


def test_assign_service_refuses_a_concluded_case(people):
    case = paper(people)
    case_actions.withdraw(case, Actor.of(people["handler"]), TODAY, reason="书面撤回")
    with pytest.raises(Exception) as exc:
        assignment.assign(case, people["handler2"].id, Actor.of(people["office_head"]), TODAY)
    assert getattr(exc.value, "code", "") == "invalid_state"


def test_the_registration_form_names_the_handler_and_keeps_a_bad_choice_as_an_error(app, people):
    from tests.web.test_staff import FORM, multipart
    reg = client_for(app, "registrar")
    html = page(reg, "/staff/register")
    assert f'selected value="{people["handler"].id}"' in html
    data = {**FORM, "channel": "in_person", "received_on": "2024-10-08",
            "handler_id": str(people["reviewer"].id)}
    resp = reg.post("/staff/register", **multipart(data))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "请选择本机关的承办人" in html
    assert "2023年某村道路拓宽工程的立项批复" in html  # what was typed is kept
    data["handler_id"] = str(people["handler2"].id)
    assert reg.post("/staff/register", **multipart(data)).status_code == 302
    db.session.rollback()
    assert db.session.execute(select(Case.handler_id)).scalar_one() == people["handler2"].id


def test_publishing_goes_through_a_confirmation_page(app, people):
    from disclosure.models import CatalogueEntry
    from disclosure.services.review import catalogue
    h, r = Actor.of(people["handler"]), Actor.of(people["reviewer"])
    entry = catalogue.save_entry(None, people["handler"].agency_id, h, title="镇村规划公告",
                                 doc_number=None, category=next(iter(catalogue.CATEGORY_LABELS)),
                                 issued_on=TODAY, body="正文")
    hc = client_for(app, "handler")
    html = page(hc, f"/staff/catalogue/{entry.id}")
    assert 'id="publish-waiting"' in html and 'id="publish-entry"' not in html
    for item in catalogue.items_of(entry):
        catalogue.decide(entry, item.id, "approved", None, r, **seen(item))
    html = page(hc, f"/staff/catalogue/{entry.id}")
    assert f'href="/staff/catalogue/{entry.id}/publish"' in html
    conf = page(hc, f"/staff/catalogue/{entry.id}/publish")
    assert "将在主动公开目录中发布" in conf and "已同意" in conf and 'name="confirmed"' in conf
    db.session.rollback()
    assert db.session.get(CatalogueEntry, entry.id).published_on is None  # a GET changes nothing
    assert hc.post(f"/staff/catalogue/{entry.id}/publish",
                   data={"confirmed": "1"}).status_code == 302
    db.session.rollback()
    assert db.session.get(CatalogueEntry, entry.id).published_on == TODAY


def test_assignment_attacks_over_http(app, people):
    """Another agency's head cannot reach the case (404); our head cannot name another
    agency's handler (400); a stale confirmation after the case was concluded is refused."""
    case = paper(people)
    create_agency("OTH", "另一机关")
    foreign = create_user("oth_head", PASSWORD, "OTH", ["office_head", "handler"], "外")
    other = client_for(app, "oth_head")
    assert other.post(f"/staff/cases/{case.id}/assign",
                      data={"handler_id": str(foreign.id)}).status_code == 404
    head = client_for(app, "office_head")
    resp = head.post(f"/staff/cases/{case.id}/assign", data={"handler_id": str(foreign.id)})
    assert resp.status_code == 400
    reg = client_for(app, "registrar")
    online = cases.submit_online(person_payload(), today=TODAY).case
    reg.post(f"/staff/cases/{online.id}/confirm",
             data={"received_on": "2024-10-08", "handler_id": str(foreign.id)})
    db.session.rollback()
    assert db.session.get(Case, online.id).status == "submitted"  # refused as a whole
    assert db.session.get(Case, case.id).handler_id == people["handler"].id
    h = client_for(app, "handler")
    form = {"on": "2024-10-08", "confirmed": "1", "reason": "书面撤回"}
    assert h.post(f"/staff/cases/{case.id}/act/withdraw", data=form).status_code == 302
    # the same confirmation posted again (a second tab, a double click) changes nothing
    assert h.post(f"/staff/cases/{case.id}/act/withdraw", data=form).status_code == 409
    assert h.get(f"/staff/cases/{case.id}/confirm/withdraw").status_code == 409
    assert len(events("withdraw")) == 1


def test_save_and_submit_in_one_step_or_nothing(app, people):
    case = paper(people)
    h = client_for(app, "handler")
    resp = h.post(f"/staff/cases/{case.id}/reply",
                  data={"reply_type": "art36_4", "letter": "", "then": "submit"})
    assert resp.status_code == 302
    db.session.rollback()
    assert db.session.get(Case, case.id).status == "in_review"
    assert [e.action for e in events("draft_reply")] == ["draft_reply"]
    assert len(events("submit_for_review")) == 1
    # a reply that cannot go to review (予以公开 without its document): nothing saved, shown why
    other = paper(people)
    resp = h.post(f"/staff/cases/{other.id}/reply",
                  data={"reply_type": "art36_2", "letter": "", "then": "submit"})
    assert resp.status_code == 409
    db.session.rollback()
    assert db.session.get(Case, other.id).status == "registered"
    assert len(events("draft_reply")) == 1


def test_a_confirmation_without_the_handler_field_gives_the_default_handler(app, people):
    """An older form (or a script) that does not send handler_id: the agency's default, not
    "nobody" — only an explicit empty choice leaves the case unassigned."""
    sub = cases.submit_online(person_payload(), today=TODAY)
    reg = client_for(app, "registrar")
    assert reg.post(f"/staff/cases/{sub.case.id}/confirm",
                    data={"received_on": "2024-10-08"}).status_code == 302
    db.session.rollback()
    assert db.session.get(Case, sub.case.id).handler_id == people["handler"].id
