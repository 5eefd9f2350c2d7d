"""Demo data: agency BCZ (包场镇人民政府), one user per role, about 40 cases over 2025–2026.

Cases are made through the same services as real ones, each step dated on its own day (time is
an input), so every deadline, flag and history entry is what the system itself would produce.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from .domain.codes import ApplicantType, Channel
from .extensions import db
from .models import Agency, User
from .services import cases, users
from .services.actors import Actor
from .services.calendar import add_workdays
from .timeutil import today as real_today

AGENCY = ("BCZ", "包场镇人民政府")
DEMO_USERS = [  # username, display name, roles, password
    ("registrar", "王登记", ["registrar"], "Demo-registrar-2026"),
    ("handler", "李承办", ["handler"], "Demo-handler-2026"),
    ("reviewer", "赵审查", ["reviewer"], "Demo-reviewer-2026"),
    ("head", "陈主任", ["office_head"], "Demo-head-2026"),
    ("admin", "系统管理员", ["admin"], "Demo-admin-2026"),
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
ORGS = [("commercial_enterprise", "南通某建设有限公司"), ("research_institution", "某大学法学院研究中心"),
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
    return agency, found, lines


def _at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour)).replace(tzinfo=timezone(timedelta(hours=8))) \
        .astimezone(timezone.utc)


def load_demo(today: date | None = None) -> list[str]:
    """Create the demo agency, users and cases (skips cases if the agency already has any)."""
    today = today or real_today()
    agency, staff, logins = _ensure_agency_and_users()
    lines = [f"演示机关：{agency.code} {agency.name}", "演示账户："] + logins
    from .models import Case
    if db.session.execute(select(Case.id).where(Case.agency_id == agency.id).limit(1)).first():
        return lines + ["演示案件已存在，未重复创建。"]
    rng = random.Random(2026)
    registrar = Actor.of(staff["registrar"])
    start = date(2025, 1, 6)
    span = (today - start).days
    made = 0
    for i in range(40):
        received = start + timedelta(days=int(span * i / 40))
        received = add_workdays(received - timedelta(days=1), 1)  # a working day
        if received > today:
            received = today
        payload = _payload(rng, i)
        if i % 3 == 0:
            sub = cases.submit_online(payload, agency_code=agency.code, today=received, at=_at(received))
            if i < 38:  # the last ones stay unconfirmed, so the dashboard shows them
                confirm_on = min(add_workdays(received, 1), today)
                cases.confirm_receipt(sub.case, confirm_on, registrar, confirm_on)
        else:
            channel = [Channel.IN_PERSON, Channel.MAIL_SIGNED, Channel.EMAIL, Channel.FAX][i % 4]
            cases.register_paper(agency, payload, channel, received, registrar, received)
        made += 1
    return lines + [f"已创建 {made} 件演示案件。"]
