"""Canonical codes of docs/codes.md — stored as given, shown by their Chinese label.

These values are part of the public contract (ledger, API, annual report JSON): never rename.
Labels are marked with ``N_`` (still the plain Chinese ``str``) so the web layer can show them
in the reader's language (``|t``); the API, the ledger and official documents keep the Chinese.
"""
from __future__ import annotations

from enum import StrEnum

from .text import N_


class ApplicantType(StrEnum):
    NATURAL_PERSON = "natural_person"
    COMMERCIAL_ENTERPRISE = "commercial_enterprise"
    RESEARCH_INSTITUTION = "research_institution"
    SOCIAL_WELFARE_ORG = "social_welfare_org"
    LEGAL_SERVICE_ORG = "legal_service_org"
    OTHER_ORG = "other_org"


APPLICANT_TYPE_LABELS = {
    ApplicantType.NATURAL_PERSON: N_("自然人"),
    ApplicantType.COMMERCIAL_ENTERPRISE: N_("商业企业"),
    ApplicantType.RESEARCH_INSTITUTION: N_("科研机构"),
    ApplicantType.SOCIAL_WELFARE_ORG: N_("社会公益组织"),
    ApplicantType.LEGAL_SERVICE_ORG: N_("法律服务机构"),
    ApplicantType.OTHER_ORG: N_("其他"),
}


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident"
    OTHER = "other"


ID_TYPE_LABELS = {
    IdType.RESIDENT_ID: N_("居民身份证"),
    IdType.PASSPORT: N_("护照"),
    IdType.HK_MACAO_PERMIT: N_("港澳居民来往内地通行证"),
    IdType.TAIWAN_PERMIT: N_("台湾居民来往大陆通行证"),
    IdType.FOREIGN_PERMANENT_RESIDENT: N_("外国人永久居留身份证"),
    IdType.OTHER: N_("其他证件"),
}


class Channel(StrEnum):
    IN_PERSON = "in_person"
    MAIL_SIGNED = "mail_signed"
    MAIL_ORDINARY = "mail_ordinary"
    ONLINE = "online"
    FAX = "fax"
    EMAIL = "email"
    ORAL = "oral"


CHANNEL_LABELS = {
    Channel.IN_PERSON: N_("当面提交"),
    Channel.MAIL_SIGNED: N_("邮寄（需签收：挂号、EMS 等）"),
    Channel.MAIL_ORDINARY: N_("平常信函"),
    Channel.ONLINE: N_("互联网（本系统在线申请）"),
    Channel.FAX: N_("传真"),
    Channel.EMAIL: N_("电子邮件（互联网渠道，第三十一条第三项）"),
    Channel.ORAL: N_("口头提出（工作人员代为填写，第二十九条）"),
}

# 条例第三十一条: which day counts as 收到申请之日 for each channel (shown on the register form).
CHANNEL_RECEIPT_RULES = {
    Channel.IN_PERSON: N_("当面提交的，以提交之日为收到申请之日"),
    Channel.MAIL_SIGNED: N_("以邮寄方式提交需签收的，以行政机关签收之日为收到申请之日"),
    Channel.MAIL_ORDINARY: N_("以平常信函等无需签收的邮寄方式提交的，"
                              "以与申请人确认之日为收到申请之日"),
    Channel.ONLINE: N_("通过互联网渠道提交的，以双方确认之日为收到申请之日"),
    Channel.FAX: N_("以传真方式提交的，以双方确认之日为收到申请之日"),
    # e-mail is an internet channel (第三十一条第三项): like online, the day both sides confirmed
    Channel.EMAIL: N_("以电子邮件等互联网渠道提交的，"
                      "以双方确认之日（工作人员确认收到之日）为收到申请之日"),
    # 第二十九条: staff write up an oral application; the applicant confirms (signs) it
    Channel.ORAL: N_("口头提出、由工作人员代为填写的，以申请人确认（签字）之日为收到申请之日"),
}


class Outcome(StrEnum):
    DISCLOSED = "disclosed"
    PARTIALLY_DISCLOSED = "partially_disclosed"
    WITHHELD_STATE_SECRET = "withheld.state_secret"
    WITHHELD_PROHIBITED_BY_LAW = "withheld.prohibited_by_law"
    WITHHELD_SECURITY_STABILITY = "withheld.security_stability"
    WITHHELD_THIRD_PARTY_RIGHTS = "withheld.third_party_rights"
    WITHHELD_INTERNAL_AFFAIRS = "withheld.internal_affairs"
    WITHHELD_PROCESS_INFORMATION = "withheld.process_information"
    WITHHELD_ENFORCEMENT_FILE = "withheld.enforcement_file"
    WITHHELD_ADMINISTRATIVE_QUERY = "withheld.administrative_query"
    UNAVAILABLE_NOT_HELD = "unavailable.not_held"
    UNAVAILABLE_NEEDS_CREATION = "unavailable.needs_creation"
    UNAVAILABLE_UNCLEAR_AFTER_SUPPLEMENT = "unavailable.unclear_after_supplement"
    NOT_PROCESSED_PETITION = "not_processed.petition"
    NOT_PROCESSED_REPEAT = "not_processed.repeat"
    NOT_PROCESSED_PUBLICATION = "not_processed.publication"
    NOT_PROCESSED_EXCESSIVE = "not_processed.excessive"
    NOT_PROCESSED_CONFIRM_OR_REISSUE = "not_processed.confirm_or_reissue"
    OTHER_NO_SUPPLEMENT = "other.no_supplement"
    OTHER_FEE_UNPAID = "other.fee_unpaid"
    OTHER_OTHER = "other.other"


# (row, label) exactly as in table 三 of the annual report. The labels are marked because staff
# pages show them as a case's outcome; the report itself is rendered untranslated (official).
OUTCOME_ROWS = {
    Outcome.DISCLOSED: ("（一）", N_("予以公开")),
    Outcome.PARTIALLY_DISCLOSED: ("（二）", N_("部分公开")),
    Outcome.WITHHELD_STATE_SECRET: ("（三）1", N_("属于国家秘密")),
    Outcome.WITHHELD_PROHIBITED_BY_LAW: ("（三）2", N_("其他法律行政法规禁止公开")),
    Outcome.WITHHELD_SECURITY_STABILITY: ("（三）3", N_("危及“三安全一稳定”")),
    Outcome.WITHHELD_THIRD_PARTY_RIGHTS: ("（三）4", N_("保护第三方合法权益")),
    Outcome.WITHHELD_INTERNAL_AFFAIRS: ("（三）5", N_("属于三类内部事务信息")),
    Outcome.WITHHELD_PROCESS_INFORMATION: ("（三）6", N_("属于四类过程性信息")),
    Outcome.WITHHELD_ENFORCEMENT_FILE: ("（三）7", N_("属于行政执法案卷")),
    Outcome.WITHHELD_ADMINISTRATIVE_QUERY: ("（三）8", N_("属于行政查询事项")),
    Outcome.UNAVAILABLE_NOT_HELD: ("（四）1", N_("本机关不掌握相关政府信息")),
    Outcome.UNAVAILABLE_NEEDS_CREATION: ("（四）2", N_("没有现成信息需要另行制作")),
    Outcome.UNAVAILABLE_UNCLEAR_AFTER_SUPPLEMENT: ("（四）3", N_("补正后申请内容仍不明确")),
    Outcome.NOT_PROCESSED_PETITION: ("（五）1", N_("信访举报投诉类申请")),
    Outcome.NOT_PROCESSED_REPEAT: ("（五）2", N_("重复申请")),
    Outcome.NOT_PROCESSED_PUBLICATION: ("（五）3", N_("要求提供公开出版物")),
    Outcome.NOT_PROCESSED_EXCESSIVE: ("（五）4", N_("无正当理由大量反复申请")),
    Outcome.NOT_PROCESSED_CONFIRM_OR_REISSUE: ("（五）5",
                                               N_("要求行政机关确认或重新出具已获取信息")),
    Outcome.OTHER_NO_SUPPLEMENT: ("（六）1", N_("申请人无正当理由逾期不补正、"
                                              "行政机关不再处理其政府信息公开申请")),
    Outcome.OTHER_FEE_UNPAID: ("（六）2", N_("申请人逾期未按收费通知要求缴纳费用、"
                                           "行政机关不再处理其政府信息公开申请")),
    Outcome.OTHER_OTHER: ("（六）3", N_("其他（如申请人撤回申请）")),
}

OUTCOME_LABELS = {code: label for code, (_row, label) in OUTCOME_ROWS.items()}

# Set only by the deadline sweep (codes.md): never offered to staff as a manual choice.
SWEEP_OUTCOMES = frozenset({Outcome.OTHER_NO_SUPPLEMENT, Outcome.OTHER_FEE_UNPAID})


class Status(StrEnum):
    SUBMITTED = "submitted"
    REGISTERED = "registered"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    IN_REVIEW = "in_review"
    REPLIED = "replied"
    WITHDRAWN = "withdrawn"
    ABANDONED = "abandoned"


STATUS_LABELS = {
    Status.SUBMITTED: N_("已提交，待确认收到"),
    Status.REGISTERED: N_("已登记受理"),
    Status.AWAITING_SUPPLEMENT: N_("待申请人补正"),
    Status.IN_PROGRESS: N_("办理中"),
    Status.PAUSED: N_("征求意见/缴费中（暂停计时）"),
    Status.IN_REVIEW: N_("答复保密审查中"),
    Status.REPLIED: N_("已答复"),
    Status.WITHDRAWN: N_("已撤回"),
    Status.ABANDONED: N_("已终止办理"),
}

CONCLUDED_STATUSES = frozenset({Status.REPLIED, Status.WITHDRAWN, Status.ABANDONED})


class DeliveryForm(StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"


DELIVERY_FORM_LABELS = {DeliveryForm.PAPER: N_("纸质"), DeliveryForm.ELECTRONIC: N_("电子")}


class DeliveryMethod(StrEnum):
    ONLINE = "online"
    EMAIL = "email"
    MAIL = "mail"
    PICKUP = "pickup"


DELIVERY_METHOD_LABELS = {
    DeliveryMethod.ONLINE: N_("在线查看"),
    DeliveryMethod.EMAIL: N_("电子邮件"),
    DeliveryMethod.MAIL: N_("邮寄"),
    DeliveryMethod.PICKUP: N_("当面领取"),
}


class PauseKind(StrEnum):
    THIRD_PARTY = "third_party"
    AGENCY = "agency"
    FEE = "fee"


PAUSE_KIND_LABELS = {
    PauseKind.THIRD_PARTY: N_("征求第三方意见"),
    PauseKind.AGENCY: N_("征求其他行政机关意见"),
    PauseKind.FEE: N_("缴纳信息处理费"),
}


class FeeMethod(StrEnum):
    PER_CASE = "per_case"
    PER_PAGE = "per_page"


FEE_METHOD_LABELS = {FeeMethod.PER_CASE: N_("按件计收"), FeeMethod.PER_PAGE: N_("按量计收")}


class Role(StrEnum):
    REGISTRAR = "registrar"
    HANDLER = "handler"
    REVIEWER = "reviewer"
    OFFICE_HEAD = "office_head"
    ADMIN = "admin"  # administers its own agency (users, calendar view, ledger) — never others
    PLATFORM_ADMIN = "platform_admin"  # runs the installation; sees every agency, cannot review
    # 主管部门 (条例第三条, issue 17): reads the agencies below its own in the tree — never
    # beside or above — compares them, issues 督办 and the aggregate report; never acts on a case.
    SUPERVISOR = "supervisor"


ROLE_LABELS = {
    Role.REGISTRAR: N_("登记员"),
    Role.HANDLER: N_("承办人"),
    Role.REVIEWER: N_("保密审查员"),
    Role.OFFICE_HEAD: N_("政府信息公开工作机构负责人"),
    Role.ADMIN: N_("管理员"),
    Role.PLATFORM_ADMIN: N_("平台管理员"),
    Role.SUPERVISOR: N_("主管部门（政务公开监督）"),
}

# R6.4 and issue 12: a platform administrator sees every agency, so may not also decide what
# any one of them releases.
INCOMPATIBLE_ROLES = frozenset({(Role.PLATFORM_ADMIN, Role.REVIEWER),
                                (Role.SUPERVISOR, Role.REVIEWER)})


class AppealKind(StrEnum):
    RECONSIDERATION = "reconsideration"
    LITIGATION_DIRECT = "litigation_direct"
    LITIGATION_AFTER_RECONSIDERATION = "litigation_after_reconsideration"


class AppealResult(StrEnum):
    UPHELD = "upheld"
    CORRECTED = "corrected"
    OTHER = "other"
    PENDING = "pending"


class CatalogueCategory(StrEnum):
    REGULATION = "regulation"
    NORMATIVE_DOCUMENT = "normative_document"
    LICENSING = "licensing"
    PENALTY = "penalty"
    ENFORCEMENT = "enforcement"
    FEE_ITEM = "fee_item"
    ANNUAL_REPORT = "annual_report"  # 条例第四十九条: 政府信息公开工作年度报告
    OTHER = "other"
