"""Reply types by the 条例's own cases and the one outcome code each maps to (codes.md).

Only ``label`` is UI text (marked ``N_``); ``basis``, ``decision`` and ``REMEDY`` go into the
official reply letter, which is Chinese whatever the reader's language, so they are not marked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .codes import Outcome as O
from .text import N_


@dataclass(frozen=True)
class ReplyType:
    code: str
    label: str        # what the handler chooses (N_: shown in the staff UI, translated there)
    outcome: str      # report row (codes.md)
    basis: str        # legal basis quoted in the letter
    decision: str     # the decision sentence of the letter
    documents: bool   # whether documents are normally released with it


REPLY_TYPES = {t.code: t for t in [
    ReplyType("art36_1", N_("已主动公开，告知获取方式和途径（第三十六条第一项）"), O.DISCLOSED,
              "《中华人民共和国政府信息公开条例》第三十六条第（一）项",
              "您申请的信息已经主动公开，获取该政府信息的方式、途径为："
              "〔请承办人写明公开的网址或查阅地点〕。", True),
    ReplyType("art36_2", N_("予以公开（第三十六条第二项）"), O.DISCLOSED,
              "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
              "您申请的信息属于可以公开的政府信息，现予以公开（见附件）。", True),
    ReplyType("art37", N_("部分公开，区分处理（第三十七条）"), O.PARTIALLY_DISCLOSED,
              "《中华人民共和国政府信息公开条例》第三十七条",
              "您申请的信息中含有不应当公开的内容，但能够作区分处理，"
              "现向您提供可以公开的内容（见附件）。不予公开的内容及理由："
              "〔请承办人写明不予公开的部分及其依据〕", True),
    ReplyType("art14_secret", N_("不予公开：属于国家秘密（第十四条）"), O.WITHHELD_STATE_SECRET,
              "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项",
              "您申请的信息属于国家秘密，依法不予公开。", False),
    ReplyType("art14_law", N_("不予公开：其他法律行政法规禁止公开（第十四条）"),
              O.WITHHELD_PROHIBITED_BY_LAW,
              "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项",
              "您申请的信息属于法律、行政法规禁止公开的政府信息，依法不予公开。", False),
    ReplyType("art14_stability", N_("不予公开：危及“三安全一稳定”（第十四条）"),
              O.WITHHELD_SECURITY_STABILITY,
              "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项",
              "您申请的信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，"
              "依法不予公开。", False),
    ReplyType("art15", N_("不予公开：保护第三方合法权益（第十五条）"),
              O.WITHHELD_THIRD_PARTY_RIGHTS,
              "《中华人民共和国政府信息公开条例》第十五条、第三十六条第（三）项",
              "您申请的信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害，"
              "依法不予公开。", False),
    ReplyType("art16_internal", N_("不予公开：三类内部事务信息（第十六条第一款）"),
              O.WITHHELD_INTERNAL_AFFAIRS,
              "《中华人民共和国政府信息公开条例》第十六条第一款、第三十六条第（三）项",
              "您申请的信息属于行政机关的内部事务信息，依法可以不予公开。", False),
    ReplyType("art16_process", N_("不予公开：四类过程性信息（第十六条第二款）"),
              O.WITHHELD_PROCESS_INFORMATION,
              "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项",
              "您申请的信息属于行政机关在履行行政管理职能过程中形成的过程性信息，"
              "依法可以不予公开。", False),
    ReplyType("art16_enforcement", N_("不予公开：行政执法案卷（第十六条第二款）"),
              O.WITHHELD_ENFORCEMENT_FILE,
              "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项",
              "您申请的信息属于行政执法案卷信息，依法可以不予公开。", False),
    ReplyType("art36_7", N_("不予公开：行政查询事项（第三十六条第七项）"),
              O.WITHHELD_ADMINISTRATIVE_QUERY,
              "《中华人民共和国政府信息公开条例》第三十六条第（七）项",
              "您申请的信息属于有关法律、行政法规规定了专门查询途径的行政查询事项，"
              "请按相应途径办理。", False),
    ReplyType("art36_4", N_("无法提供：本机关不掌握（第三十六条第四项）"), O.UNAVAILABLE_NOT_HELD,
              "《中华人民共和国政府信息公开条例》第三十六条第（四）项",
              "经检索查找，本机关未制作或获取您申请的政府信息，该政府信息不存在。", False),
    ReplyType("art36_5", N_("无法提供：不属于本机关负责公开（第三十六条第五项）"),
              O.UNAVAILABLE_NOT_HELD,
              "《中华人民共和国政府信息公开条例》第三十六条第（五）项",
              "您申请的信息不属于本机关负责公开。负责公开该政府信息的行政机关为："
              "〔请承办人写明机关名称、地址和联系电话〕。", False),
    ReplyType("art38", N_("无法提供：没有现成信息，需另行制作（第三十八条）"),
              O.UNAVAILABLE_NEEDS_CREATION,
              "《中华人民共和国政府信息公开条例》第三十八条",
              "您申请的信息需要本机关对现有政府信息进行加工、分析，本机关可以不予提供。", False),
    ReplyType("art30_unclear", N_("无法提供：补正后申请内容仍不明确（第三十条）"),
              O.UNAVAILABLE_UNCLEAR_AFTER_SUPPLEMENT,
              "《中华人民共和国政府信息公开条例》第三十条",
              "经补正后，您的申请内容仍不明确，本机关无法确定您所申请的政府信息。", False),
    ReplyType("art39_1", N_("不予处理：信访、投诉、举报类申请（第三十九条第一款）"),
              O.NOT_PROCESSED_PETITION,
              "《中华人民共和国政府信息公开条例》第三十九条第一款",
              "您以政府信息公开申请的形式进行信访、投诉、举报等活动，"
              "本机关告知您通过相应渠道提出。", False),
    ReplyType("art36_6", N_("不予处理：重复申请（第三十六条第六项）"), O.NOT_PROCESSED_REPEAT,
              "《中华人民共和国政府信息公开条例》第三十六条第（六）项",
              "本机关已就您申请公开的政府信息作出过答复，您重复申请公开相同的政府信息，"
              "本机关不予重复处理。", False),
    ReplyType("art39_2", N_("不予处理：要求提供公开出版物（第三十九条第二款）"),
              O.NOT_PROCESSED_PUBLICATION,
              "《中华人民共和国政府信息公开条例》第三十九条第二款",
              "您要求提供的是政府公报、报刊、书籍等公开出版物，本机关告知您获取的途径。", False),
    ReplyType("art35", N_("不予处理：无正当理由大量反复申请（第三十五条）"),
              O.NOT_PROCESSED_EXCESSIVE,
              "《中华人民共和国政府信息公开条例》第三十五条",
              "您申请公开政府信息的数量、频次明显超过合理范围，且未说明理由或者理由不合理，"
              "本机关不予处理。", False),
    ReplyType("confirm_reissue", N_("不予处理：要求确认或重新出具已获取信息"),
              O.NOT_PROCESSED_CONFIRM_OR_REISSUE,
              "《中华人民共和国政府信息公开条例》第三十九条",
              "您要求本机关确认或者重新出具已获取的信息，"
              "不属于政府信息公开申请的处理范围。", False),
]}

# 条例第五十一条: 复议、诉讼 — and the complaint route (投诉、举报), which has no time limit.
REMEDY = ("如对本答复不服，可以自收到本答复之日起 60 日内依法申请行政复议，"
          "或者自收到本答复之日起 6 个月内依法提起行政诉讼；"
          "也可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报。")
# The remedy clauses of letters written before (kept in their stored text, recognised by the PDF).
EARLIER_REMEDIES = ("如对本答复不服，可以自收到本答复之日起 60 日内依法申请行政复议，"
                    "或者自收到本答复之日起 6 个月内依法提起行政诉讼。",)


PLACEHOLDER = re.compile(r"〔请[^〕]*〕")
# A way to obtain information already published (第三十六条第一项): an address on the web or a
# place, named as such in the letter.
WAY_TO_OBTAIN = re.compile(r"https?://|www\.|网址|网站|地址|查阅地点|公报")


def letter_problems(reply_type: str, text: str, documents: int) -> list[str]:
    """Why a reply letter is not ready for review (issue 13): an unfilled template placeholder;
    予以公开 / 部分公开 without a document; 已主动公开 without a way to obtain it. The letters
    of 第三十六条第五项 carry a placeholder for the agency that holds the information."""
    problems = []
    if PLACEHOLDER.search(text or ""):
        problems.append(N_("答复告知书中还有待承办人填写的内容（方括号标出的部分），请填写后再提交审查"))
    rt = REPLY_TYPES.get(reply_type)
    if rt is not None and rt.documents:
        if reply_type == "art36_1":
            if documents == 0 and not WAY_TO_OBTAIN.search(text or ""):
                problems.append(N_("已主动公开的，须写明获取该信息的方式和途径（网址或查阅地点）"))
        elif documents == 0:
            problems.append(N_("予以公开或部分公开的答复须附上提供的政府信息（至少一个文件）"))
    return problems
