"""OpenAPI 3 description of the public API (served at /api/v1/openapi.json)."""
from __future__ import annotations

from ..domain import codes

_str = {"type": "string"}
_nstr = {"type": ["string", "null"]}
_errors = {"type": "object", "properties": {"errors": {"type": "object",
           "additionalProperties": {"type": "string"}}}, "required": ["errors"]}
_error = {"type": "object", "properties": {"error": _str, "status": {"type": "integer"}}}


def _enum(e) -> dict:
    return {"type": "string", "enum": [m.value for m in e]}


def document() -> dict:
    applicant = {"type": "object", "required": ["type", "name", "phone"], "properties": {
        "type": _enum(codes.ApplicantType), "name": _str, "id_type": _enum(codes.IdType),
        "id_number": _str, "credit_code": _str, "legal_representative": _str,
        "contact_name": _str, "phone": _str, "email": _str, "address": _str,
        "assistance": {"type": "string", "maxLength": 500}}}  # 条例第四十三条
    submit = {"type": "object", "required": ["agency", "applicant", "subject", "delivery"],
              "properties": {
                  "agency": _str, "applicant": applicant,
                  "subject": {"type": "string", "maxLength": 500},
                  "description": _str, "idempotency_key": {
                      "type": "string", "maxLength": 128,
                      "description": "幂等键：同一机关、同一幂等键、同一申请内容重复提交时"
                                     "返回首次结果；内容不同则返回 409"},
                  "delivery": {"type": "object", "required": ["form", "method"], "properties": {
                      "form": _enum(codes.DeliveryForm), "method": _enum(codes.DeliveryMethod)}}}}
    created = {"type": "object",
               "required": ["tracking_no", "query_code", "status", "submitted_at"],
               "properties": {"tracking_no": _str, "query_code": _str, "status": _str,
                              "submitted_at": {"type": "string", "format": "date-time"}}}
    history = {"type": "array", "items": {"type": "object", "properties": {
        "on": {"type": "string", "format": "date"}, "event": _str, "label": _str}}}
    reply = {"type": ["object", "null"], "properties": {
        "outcome": _str, "outcome_label": _str, "replied_on": _str, "letter": _str,
        "documents": {"type": "array", "items": {"type": "object", "properties": {
            "name": _str, "url": _str}}}}}
    case_properties = {
        "tracking_no": _str, "status": _enum(codes.Status), "status_label": _str,
        "submitted_at": _nstr, "received_on": _nstr, "due_on": _nstr,
        "due_provisional": {"type": "boolean"}, "paused": {"type": "boolean"},
        "due_explanation": {"type": "array", "items": _str}, "history": history, "reply": reply,
        # the applicant's own periods (docs/rules.md R8.2): known once the notice reached them
        "supplement_due_on": _nstr, "fee_due_on": _nstr,
        "period_provisional": {"type": "boolean"}}
    case = {"type": "object", "required": ["tracking_no", "status", "history", "reply"],
            "properties": case_properties}

    # 补正 online (issue 16): text, files, or both
    supplement_text = {"type": "string", "maxLength": 5000, "description": "补正内容"}
    supplement_form = {"type": "object", "properties": {
        "text": supplement_text,
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "补正材料（PDF、JPG、PNG、OFD）"}}}
    supplement_json = {"type": "object", "properties": {"text": supplement_text}}
    supplement_received = {"type": "object", "required": ["received_on", "status"], "properties": {
        "received_on": {"type": "string", "format": "date"}, "status": _enum(codes.Status)}}

    def resp(desc, schema):
        return {"description": desc, "content": {"application/json": {"schema": schema}}}

    return {
        "openapi": "3.1.0",
        "info": {"title": "政府信息公开申请 API", "version": "1"},
        "paths": {
            "/api/v1/applications": {"post": {
                "summary": "提交政府信息公开申请",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": submit}}},
                "responses": {"201": resp("已提交；以同一幂等键重复提交同一申请时，"
                                          "返回首次提交的结果", created),
                              "400": resp("字段错误", _errors),
                              "409": resp("幂等键已用于内容不同的另一份申请", _error),
                              "413": resp("请求过大", _error), "415": resp("非 JSON", _error),
                              "429": resp("请求过于频繁", _error)}}},
            "/api/v1/applications/{tracking_no}": {"get": {
                "summary": "查询申请办理进度",
                "parameters": [
                    {"name": "tracking_no", "in": "path", "required": True, "schema": _str},
                    {"name": "X-Query-Code", "in": "header", "required": True, "schema": _str}],
                "responses": {"200": resp("办理进度", case), "400": resp("请求含无效字符", _error),
                              "404": resp("未找到", _error),
                              "429": resp("请求过于频繁", _error)}}},
            "/api/v1/applications/{tracking_no}/documents/{release_id}": {"get": {
                "summary": "下载已公开的答复文书或文件（仅限申请人）",
                "parameters": [
                    {"name": "tracking_no", "in": "path", "required": True, "schema": _str},
                    {"name": "release_id", "in": "path", "required": True,
                     "schema": {"type": "integer", "minimum": 1}},
                    {"name": "X-Query-Code", "in": "header", "required": True, "schema": _str}],
                "responses": {"200": {"description": "文件（以附件形式下载）",
                                      "content": {"application/octet-stream": {
                                          "schema": {"type": "string",
                                                     "contentMediaType":
                                                         "application/octet-stream"}}}},
                              "404": resp("未找到（编号、查询码或文件任一不符）", _error),
                              "429": resp("请求过于频繁", _error)}}},
            "/api/v1/applications/{tracking_no}/supplements": {"post": {
                "summary": "提交补正材料（答复期限自收到之日起重新计算，条例第三十条）",
                "parameters": [
                    {"name": "tracking_no", "in": "path", "required": True, "schema": _str},
                    {"name": "X-Query-Code", "in": "header", "required": True, "schema": _str}],
                "requestBody": {"required": True, "content": {
                    "multipart/form-data": {"schema": supplement_form},
                    "application/json": {"schema": supplement_json}}},
                "responses": {"201": resp("已收到补正材料", supplement_received),
                              "400": resp("字段错误", _errors), "404": resp("未找到", _error),
                              "409": resp("该申请目前没有待提交的补正", _error),
                              "413": resp("请求过大", _error),
                              "415": resp("不支持的 Content-Type", _error),
                              "429": resp("请求过于频繁", _error)}}},
            # a lost query code (issue 16): the same 202 whether or not the number exists
            "/api/v1/applications/{tracking_no}/query-code": {"post": {
                "summary": "补发查询码（新的查询码发送至预留的电子邮箱或手机号码，原查询码失效）",
                "parameters": [
                    {"name": "tracking_no", "in": "path", "required": True,
                     "schema": {"type": "string", "maxLength": 64}}],
                "responses": {"202": resp("已受理（申请编号是否存在，答复均相同）", {
                                  "type": "object", "required": ["message"],
                                  "properties": {"message": _str}}),
                              "400": resp("申请编号格式不正确或请求含无效字符", _error),
                              "429": resp("请求过于频繁", _error)}}},
            "/api/v1/openapi.json": {"get": {
                "summary": "本 API 的 OpenAPI 描述",
                "responses": {"200": resp("OpenAPI 3.1 文档", {"type": "object"})}}},
        },
    }
