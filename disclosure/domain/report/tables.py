"""The annual report's layout keys and verbatim labels: the six sections, tables 二, 三 and 四.

Keys are the codes the JSON and CSV carry (codes.md); labels are the official texts of the
State Council format (国办公开办函〔2021〕30号), never translated in the report itself.
"""
from __future__ import annotations

from ..codes import APPLICANT_TYPE_LABELS, AppealKind, AppealResult, ApplicantType, Outcome

SECTIONS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项")
NARRATIVE_PARTS = ("主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障")

# -- table 三: columns and rows ----------------------------------------------------------------
TYPE_COLUMNS = tuple(t.value for t in ApplicantType)
COLUMNS = (*TYPE_COLUMNS, "total")
COLUMN_LABELS = {**{k.value: v for k, v in APPLICANT_TYPE_LABELS.items()}, "total": "总计"}
ORG_GROUP_LABEL = "法人或其他组织"
APPLICANT_HEADER = "申请人情况"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

RESULT_ROWS = tuple(o.value for o in Outcome)
ROW_KEYS = ("new", "carried_over", *RESULT_ROWS, "total", "carried_forward")
RESULTS_LABEL = "三、本年度办理结果"
# (group label, [(row key, leaf label)]) — a group with one unlabelled row spans both label columns
RESULT_GROUPS: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...] = (
    ("（一）予以公开", (("disclosed", None),)),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", (("partially_disclosed", None),)),
    ("（三）不予公开", (
        ("withheld.state_secret", "1.属于国家秘密"),
        ("withheld.prohibited_by_law", "2.其他法律行政法规禁止公开"),
        ("withheld.security_stability", "3.危及“三安全一稳定”"),
        ("withheld.third_party_rights", "4.保护第三方合法权益"),
        ("withheld.internal_affairs", "5.属于三类内部事务信息"),
        ("withheld.process_information", "6.属于四类过程性信息"),
        ("withheld.enforcement_file", "7.属于行政执法案卷"),
        ("withheld.administrative_query", "8.属于行政查询事项"))),
    ("（四）无法提供", (
        ("unavailable.not_held", "1.本机关不掌握相关政府信息"),
        ("unavailable.needs_creation", "2.没有现成信息需要另行制作"),
        ("unavailable.unclear_after_supplement", "3.补正后申请内容仍不明确"))),
    ("（五）不予处理", (
        ("not_processed.petition", "1.信访举报投诉类申请"),
        ("not_processed.repeat", "2.重复申请"),
        ("not_processed.publication", "3.要求提供公开出版物"),
        ("not_processed.excessive", "4.无正当理由大量反复申请"),
        ("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"))),
    ("（六）其他处理", (
        ("other.no_supplement", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("other.fee_unpaid",
         "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other.other", "3.其他"))),
    ("（七）总计", (("total", None),)),
)
ROW_LABELS = {"new": "一、本年新收政府信息公开申请数量",
              "carried_over": "二、上年结转政府信息公开申请数量",
              **{k: leaf or group for group, rows in RESULT_GROUPS for k, leaf in rows},
              "carried_forward": "四、结转下年度继续办理"}
OUTCOME_GROUPS = {"disclosed": "予以公开", "partially_disclosed": "部分公开",
                  "withheld": "不予公开", "unavailable": "无法提供", "not_processed": "不予处理",
                  "other": "其他处理"}


def outcome_group(outcome: str | None) -> str:
    return (outcome or "").split(".")[0]


# -- table 二 and table 四 ----------------------------------------------------------------------
CATALOGUE_COLUMNS = {"issued": "本年制发件数", "repealed": "本年废止件数",
                     "in_force": "现行有效件数"}
TABLE2_BLOCKS = (  # (article, {column key: label}, [(row key, label)])
    ("第二十条第（一）项", CATALOGUE_COLUMNS,
     (("regulation", "规章"), ("normative_document", "行政规范性文件"))),
    ("第二十条第（五）项", {"decisions": "本年处理决定数量"}, (("licensing", "行政许可"),)),
    ("第二十条第（六）项", {"decisions": "本年处理决定数量"},
     (("penalty", "行政处罚"), ("enforcement", "行政强制"))),
    ("第二十条第（八）项", {"amount_10k_yuan": "本年收费金额（单位：万元）"},
     (("fee_item", "行政事业性收费"),)),
)
TABLE2_CONTENT_HEADER = "信息内容"
APPEAL_KINDS = tuple(k.value for k in AppealKind)
APPEAL_RESULTS = (*(r.value for r in AppealResult), "total")
APPEAL_RESULT_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
                        "pending": "尚未审结", "total": "总计"}
APPEAL_KIND_LABELS = {"reconsideration": "行政复议", "litigation_direct": "未经复议直接起诉",
                      "litigation_after_reconsideration": "复议后起诉"}
LITIGATION_LABEL = "行政诉讼"
