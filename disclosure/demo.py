"""Demo data: agency BCZ (包场镇人民政府), one user per role, about 40 cases over 2025–2026.

Cases are made through the same services as real ones, each step dated on its own day (time is
an input), so every deadline, flag and history entry is what the system itself would produce.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from .domain.codes import ApplicantType, Channel
from .domain.replies import PLACEHOLDER, REPLY_TYPES
from .extensions import db
from .models import Agency, User
from .services import case_actions, cases, review, sweep, users
from .services.actors import Actor
from .services.calendar import add_workdays
from .services.review import catalogue, notices, replies
from .services.unit_of_work import unit_of_work
from .services.uploads import Upload
from .timeutil import today as real_today

AGENCY = ("BCZ", "包场镇人民政府")
DEMO_USERS = [  # username, display name, roles, password
    ("registrar", "王登记", ["registrar"], "Demo-registrar-2026"),
    ("handler", "李承办", ["handler"], "Demo-handler-2026"),
    ("reviewer", "赵审查", ["reviewer"], "Demo-reviewer-2026"),
    ("head", "陈主任", ["office_head"], "Demo-head-2026"),
    ("admin", "系统管理员", ["admin", "platform_admin"], "Demo-admin-2026"),
]

SUBJECTS = [
    "2023年某村道路拓宽工程的立项批复",
    "包场镇2024年度财政预算执行情况",
    "某地块征收补偿安置方案（海政发〔2024〕12号）",
    "2025年镇区河道整治工程招标文件及中标结果",
    "本人房屋所在区域的拆迁红线图",
    "镇卫生院2024年度采购合同",
    "2024年农村低保对象审批名单公示材料",
    "某企业环境影响评价批复文件",
    "镇政府2025年第3次常务会议纪要中关于老街改造的部分",
    "2024年度镇级土地出让收支情况",
]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴丽"]
ORGS = [("commercial_enterprise", "南通某建设有限公司"),
        ("research_institution", "某大学法学院研究中心"),
        ("social_welfare_org", "海门区某环保志愿者协会"), ("legal_service_org", "江苏某律师事务所"),
        ("other_org", "某村民委员会")]
ID_BASES = ["11010519491231002", "11010119880506001", "31010119900101003", "11010519751112002"]
CREDIT_BASES = ["91110000600037341", "91320684MA1MGRT42", "52320684MJ5637118", "31320000466007148"]


def _payload(rng: random.Random, i: int) -> dict:
    subject = SUBJECTS[i % len(SUBJECTS)]
    if i % 4 == 3:
        kind, name = ORGS[i % len(ORGS)]
        applicant = {"type": kind, "name": name, "credit_code": _valid_credit_code(i),
                     "contact_name": PEOPLE[i % len(PEOPLE)], "phone": f"0513-8{i:07d}"}
    else:
        applicant = {"type": ApplicantType.NATURAL_PERSON, "name": PEOPLE[i % len(PEOPLE)],
                     "id_type": "resident_id", "id_number": _valid_id(i),
                     "phone": f"139{rng.randrange(10**7, 10**8)}", "email": f"user{i}@example.cn",
                     "address": f"南通市海门区包场镇{i + 1}号"}
    return {"applicant": applicant, "subject": subject, "description": "",
            "delivery": {"form": "electronic", "method": "online"}}


def _valid_id(i: int) -> str:
    from stdnum.cn import ric
    base = ID_BASES[i % len(ID_BASES)]
    return base + ric.calc_check_digit(base + "0")  # stdnum expects a full-length number


def _valid_credit_code(i: int) -> str:
    from stdnum.cn import uscc
    base = CREDIT_BASES[i % len(CREDIT_BASES)]
    return base + uscc.calc_check_digit(base)


def _ensure_agency_and_users() -> tuple[Agency, dict[str, User], list[str]]:
    lines = []
    agency = db.session.execute(select(Agency).where(Agency.code == AGENCY[0])).scalar()
    if agency is None:
        agency = users.create_agency(*AGENCY)
    found = {}
    for username, display, roles, password in DEMO_USERS:
        user = db.session.execute(select(User).where(User.username == username)).scalar()
        if user is None:
            user = users.create_user(username, password, agency.code, roles, display)
        found[username] = user
        lines.append(f"  {username:<10} 密码 {password:<22} {display}（{', '.join(roles)}）")
    if agency.default_handler_id is None:  # new cases go to the demo handler (issue 15)
        with unit_of_work():
            agency.default_handler_id = found["handler"].id
    return agency, found, lines


# The county platform (issue 17): the district government at the root, its departments and
# towns below; a supervisor (主管部门) at the root; two more agencies with staff and cases so
# the comparison table has something to compare and a submission can be forwarded.
COUNTY = ("HMQ", "海门区人民政府")
BRANCHES = [("HMFG", "海门区发展和改革委员会"), ("HMJY", "海门区教育体育局"),
            ("HMZJ", "海门区住房和城乡建设局"), ("HMZR", "海门区自然资源和规划局"),
            ("HMST", "海门区生态环境局"), ("HMWJ", "海门区卫生健康委员会"),
            ("HMSC", "三厂街道办事处"), ("CLZ", "常乐镇人民政府"), ("YDZ", "余东镇人民政府"),
            ("ZYZ", "正余镇人民政府")]
SUPERVISOR = ("supervisor", "周督查", ["supervisor"], "Demo-supervisor-2026")
# agencies with their own demo staff (username prefix) and a few cases each
STAFFED = {"CLZ": "cl", "HMZJ": "zj"}
GUIDE = ("本机关政府信息公开指南：申请人可通过本平台在线提交申请，或到政务服务中心政府信息公开"
         "申请受理点当面提交；本机关自收到申请之日起 20 个工作日内答复，需要延长的，经政府信息"
         "公开工作机构负责人同意后可延长不超过 20 个工作日。")


def _agency(code: str, name: str, parent: Agency | None) -> Agency:
    agency = db.session.execute(select(Agency).where(Agency.code == code)).scalar()
    if agency is None:
        agency = users.create_agency(code, name)
    with unit_of_work():
        agency = db.session.get(Agency, agency.id)
        if parent is not None and agency.parent_id is None:
            agency.parent_id = parent.id
        agency.guide_text = agency.guide_text or GUIDE
    return agency


def _user(username, display, roles, password, agency) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar()
    return user or users.create_user(username, password, agency.code, roles, display)


def _county(home: Agency) -> tuple[list[str], dict[str, dict[str, User]]]:
    """The tree, the supervisor and the staffed agencies' accounts (idempotent)."""
    root = _agency(*COUNTY, None)
    _agency(home.code, home.name, root)
    lines = [f"  {SUPERVISOR[0]:<10} 密码 {SUPERVISOR[3]:<22} {SUPERVISOR[1]}（supervisor，"
             f"{root.name}）"]
    _user(*SUPERVISOR, root)
    staffed = {}
    for code, name in BRANCHES:
        agency = _agency(code, name, root)
        if code in STAFFED:
            prefix = STAFFED[code]
            people = {}
            for username, display, roles, password in DEMO_USERS[:4]:
                people[username] = _user(f"{prefix}-{username}", f"{name[:3]}{display}", roles,
                                         password, agency)
            staffed[code] = people
            lines.append(f"  {prefix}-registrar / {prefix}-handler / {prefix}-reviewer / "
                         f"{prefix}-head：{name}，密码与同角色的演示账户相同")
    return lines, staffed


def _at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour)).replace(tzinfo=timezone(timedelta(hours=8))) \
        .astimezone(timezone.utc)


def _reply(case, staff, rtype: str, day: date, release: bool = True) -> None:
    """Draft → review (item by item) → release, each by the right person on its day."""
    h, r = Actor.of(staff["handler"]), Actor.of(staff["reviewer"])
    # the handler fills in what the template leaves to them (an incomplete letter cannot be
    # submitted for review)
    letter = PLACEHOLDER.sub(FILLED.get(rtype, "见所附文件"), replies.default_letter(case, rtype))
    replies.draft_reply(case, rtype, letter, h, day)
    if REPLY_TYPES[rtype].documents:
        replies.add_document(case, Upload("相关文件.pdf", _pdf(case.tracking_no)), False, h, day)
    replies.submit_for_review(case, h, day)
    if not release:
        return
    review_day = min(add_workdays(day, 1), _TODAY[0])
    for item in replies.items_of(case):
        replies.decide(case, item.id, "approved", None, r, review_day, **review.seen(item))
    replies.release_reply(case, h, review_day)


def _send_notices(case, staff, day: date) -> None:
    """The reviewer approves the case's waiting notices (先审查、后公开), which sends them."""
    from .models import Notice
    r = Actor.of(staff["reviewer"])
    for n in db.session.execute(select(Notice).where(
            Notice.case_id == case.id, Notice.released_on.is_(None))).scalars().all():
        notices.decide(case, n.id, "approved", None, r, day, **review.seen(notices.item_of(n)))


FILLED = {
    "art36_1": ("包场镇人民政府网站 https://www.example.gov.cn/xxgk 政府信息公开专栏，"
                "或到镇政务服务中心查阅"),
    "art37": "第 3 页所列投标人联系人姓名和手机号属于个人信息，依据条例第十五条不予公开",
    "art36_5": "海门区自然资源和规划局，地址：海门区人民路 1 号，电话 0513-00000000",
}


def _pdf(label: str) -> bytes:
    return (b"%PDF-1.4\n% demo document " + label.encode()
            + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


_TODAY = [date.today()]
REPLY_CYCLE = ["art36_2", "art36_1", "art37", "art36_4", "art15", "art36_2", "art38", "art36_6",
               "art16_process", "art39_2"]


def _story(i: int, case, staff, received: date, today: date) -> None:
    """Move demo case i along a path that shows one feature of the statutory clock."""
    h, head = Actor.of(staff["handler"]), Actor.of(staff["head"])
    age = (today - received).days
    step = lambda n: add_workdays(received, n)  # noqa: E731
    kind = i % 10
    if kind == 1 and age > 10:  # 补正: requested, then supplied (older) or still awaited
        case_actions.request_supplement(case, "请写明所需信息的文号或形成时间", 15, h, step(3))
        if age > 20:  # the newest waits in the reviewer's notice queue
            _send_notices(case, staff, step(4))
        if age > 60:
            case_actions.receive_supplement(case, step(8), h, step(8))
    elif kind == 2 and age > 10:  # third-party consultation (ended for older cases)
        case_actions.start_consultation(case, "third_party", "南通某建设有限公司", h, step(5))
        _send_notices(case, staff, step(5))
        if age > 60:
            case_actions.end_consultation(case, h, step(12), on=step(12))
    elif kind == 4 and age > 25:  # extension approved by the office head
        case_actions.request_extension(case, 15, "需要调取历史档案并征求相关部门意见", h, step(15))
        case_actions.decide_extension(case, True, head, step(16))
        _send_notices(case, staff, step(16))
    elif kind == 8 and age <= 5:  # a fresh 补正 notice waiting in the reviewer's notice queue
        case_actions.request_supplement(case, "请写明所需会议纪要的召开时间或文号", 15, h,
                                   min(step(1), today))
    elif kind == 5 and age > 5:
        case_actions.withdraw(case, h, step(2), on=step(2), reason="申请人提交书面撤回申请")
        return
    elif kind == 7 and age > 10:  # fee per page, paid for older cases
        case_actions.notify_fee(case, "per_page", 120, h, step(4))
        _send_notices(case, staff, step(4))
        if age > 30:
            case_actions.record_fee_payment(case, h, step(6), on=step(6))
    if case.status in ("registered", "in_progress") and age > 60:
        _reply(case, staff, REPLY_CYCLE[i % len(REPLY_CYCLE)], min(step(12 + i % 6), today))
    elif case.status in ("registered", "in_progress") and kind in (3, 6) and age > 3:
        _reply(case, staff, "art36_2", today, release=False)  # waiting in the review queue


def _catalogue(agency, staff, today: date) -> None:
    h, r = Actor.of(staff["handler"]), Actor.of(staff["reviewer"])
    entries = [("包场镇村庄规划管理办法", "包政规〔2025〕1号", "normative_document",
                date(2025, 3, 10)),
               ("包场镇2025年度财政预算", None, "other", date(2025, 2, 20)),
               ("包场镇农村人居环境整治实施细则", "包政规〔2026〕2号", "normative_document",
                date(2026, 4, 8))]
    for n, (title, no, cat, issued) in enumerate(entries):
        e = catalogue.save_entry(None, agency.id, h, title=title, doc_number=no, category=cat,
                                 issued_on=issued, body=f"{title}\n\n第一条 为规范……（演示正文）")
        for item in catalogue.items_of(e):
            catalogue.decide(e, item.id, "approved", None, r, **review.seen(item))
        if n < 2:
            catalogue.publish(e, h, min(issued + timedelta(days=3), today))


def _branch_cases(staffed: dict[str, dict[str, User]], today: date) -> None:
    """A dozen cases in each staffed agency, through the same stories as the town's."""
    rng = random.Random(17)
    start = date(2025, 3, 3)
    span = (today - start).days - 40
    for n, (code, people) in enumerate(sorted(staffed.items())):
        agency = db.session.execute(select(Agency).where(Agency.code == code)).scalar_one()
        registrar = Actor.of(people["registrar"])
        for i in range(12):
            day = start + timedelta(days=int(span * i / 12) + n * 3)
            received = min(add_workdays(day - timedelta(days=1), 1), today)
            payload = _payload(rng, i + 5 * n)
            payload["subject"] = payload["subject"].replace(
                "包场镇", agency.name.removesuffix("人民政府"))
            case = cases.register_paper(agency, payload, Channel.IN_PERSON, received, registrar,
                                        received).case
            _story(i + n, case, people, received, today)
    # one online submission addressed to 包场镇 that belongs to 常乐镇: forward it (转办)
    payload = _payload(rng, 3)
    payload["subject"] = "常乐镇2025年农村道路提档升级工程计划"
    cases.submit_online(payload, agency_code=AGENCY[0], today=today,
                        at=_at(today, 9))


def load_demo(today: date | None = None) -> list[str]:
    """Create the demo agency, users and cases (skips cases if the agency already has any)."""
    today = today or real_today()
    _TODAY[0] = today
    agency, staff, logins = _ensure_agency_and_users()
    county_logins, staffed = _county(agency)
    lines = [f"演示机关：{agency.code} {agency.name}（上级：{COUNTY[1]}，共 "
             f"{len(BRANCHES) + 1} 个下级机关）", "演示账户："] + logins + county_logins
    from .models import Case
    if db.session.execute(select(Case.id).where(Case.agency_id == agency.id).limit(1)).first():
        return lines + ["演示案件已存在，未重复创建。"]
    _branch_cases(staffed, today)
    rng = random.Random(2026)
    registrar = Actor.of(staff["registrar"])
    start = date(2025, 1, 6)
    span = (today - start).days - 60
    for i in range(40):
        # 30 cases spread over the past, the last 10 within the last seven weeks (still open)
        day = (start + timedelta(days=int(span * i / 30)) if i < 30
               else today - timedelta(days=(40 - i) * 5))
        if i == 38:
            day = today - timedelta(days=2)  # received this week: its 补正 notice is in review
        received = add_workdays(day - timedelta(days=1), 1)
        received = min(received, today)
        payload = _payload(rng, i)
        if i % 3 == 0:
            sub = cases.submit_online(payload, agency_code=agency.code, today=received,
                                      at=_at(received))
            if i >= 38:  # the newest stay unconfirmed, so the dashboard shows them
                continue
            confirm_on = min(add_workdays(received, 1), today)
            cases.confirm_receipt(sub.case, confirm_on, registrar, confirm_on)
            case, received = sub.case, confirm_on
        else:
            channel = [Channel.IN_PERSON, Channel.MAIL_SIGNED, Channel.EMAIL, Channel.FAX][i % 4]
            case = cases.register_paper(agency, payload, channel, received, registrar,
                                        received).case
        _story(i, case, staff, received, today)
    _catalogue(agency, staff, today)
    report = sweep.run(today)
    return lines + [f"已创建 40 件演示案件和 3 条主动公开目录；巡检：逾期提醒 {report.overdue} 件、"
                    f"即将到期 {report.due_soon} 件、"
                    f"逾期未补正办结 {report.lapsed_supplement} 件。"]
