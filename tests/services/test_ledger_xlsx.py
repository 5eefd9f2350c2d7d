"""docs/ledger.md "Excel 台账" — the Excel ledger: template, import (the JSONL rules, errors by
sheet, row and column) and export, through the services and the command line."""
import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import range_boundaries
from sqlalchemy import func, select

from disclosure.domain import codes
from disclosure.domain import ledger as dl
from disclosure.extensions import db
from disclosure.models import Appeal, Case, CasePause
from disclosure.services import ledger
from disclosure.services.ledger import xlsx
from tests.domain.test_ledger_parse import EXAMPLE

TODAY = date(2025, 6, 1)
CASES, EVENTS, APPEALS = xlsx.CASES, xlsx.EVENTS, xlsx.APPEALS
HEADINGS = {name: [c.heading for c in cols] for name, cols in xlsx.SHEET_COLUMNS.items()}
PERSON = {"申请人类型": "natural_person", "申请人姓名或名称": "李四", "提交方式": "in_person",
          "受理机关代码": "BCZ", "申请内容": "某文件"}


def count(model=Case) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def case_by(tracking_no: str) -> Case:
    return db.session.execute(select(Case).where(Case.tracking_no == tracking_no)).scalar_one()


def jsonl(*objs) -> str:
    return "\n".join(json.dumps(o, ensure_ascii=False) for o in objs)


def book(cases=(), events=(), appeals=(), headings=None, sheets=None) -> bytes:
    """A workbook as an office fills it in: rows as {heading: value} under the given headings
    (default: the template's)."""
    heads = {**HEADINGS, **(headings or {})}
    wb = Workbook()
    wb.remove(wb.active)
    rows = {CASES: cases, EVENTS: events, APPEALS: appeals}
    for name in sheets or (CASES, EVENTS, APPEALS):
        ws = wb.create_sheet(name)
        ws.append(heads[name])
        for row in rows[name]:
            ws.append([row.get(h) for h in heads[name]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def values(data: bytes) -> dict[str, list[tuple]]:
    """Every cell value of every sheet (what a reader sees, not the zip's bytes), each row as
    wide as the sheet's widest."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    out = {}
    for ws in wb:
        rows = list(ws.iter_rows(values_only=True))
        width = max(map(len, rows), default=0)
        out[ws.title] = [tuple(r) + (None,) * (width - len(r)) for r in rows]
    wb.close()
    return out


def rows_of(data: bytes, sheet: str) -> list[dict]:
    wb = load_workbook(io.BytesIO(data))
    rows = list(wb[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def where(result) -> list[tuple]:
    return [(e.sheet, e.line, e.column, e.code) for e in result.errors]


# -- the template --------------------------------------------------------------------------------
def _list_of(wb, dv) -> list[str]:
    """The codes a validation offers: its inline list, or the range on the hidden sheet."""
    source = dv.formula1
    if source.startswith('"'):
        assert len(source) <= 255  # Excel's limit on an inline list
        return source.strip('"').split(",")
    sheet, cells = source.rsplit("!", 1)
    assert sheet.strip("'") == xlsx.LISTS
    ws = wb[xlsx.LISTS]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


LISTS = {  # heading → the domain's codes, per sheet
    CASES: {"申请人类型": list(codes.ApplicantType), "证件类型": list(codes.IdType),
            "提交方式": list(codes.Channel), "信息提供形式": list(codes.DeliveryForm),
            "获取信息方式": list(codes.DeliveryMethod), "办理结果": list(codes.Outcome)},
    EVENTS: {"事件类型": list(dl.EVENT_TYPES), "征求意见对象": ["third_party", "agency"],
             "收费方式": list(codes.FeeMethod)},
    APPEALS: {"类型": list(codes.AppealKind), "结果": list(codes.AppealResult)},
}


def test_template_has_the_sheets_headings_and_code_lists(agency):
    wb = load_workbook(io.BytesIO(ledger.workbook_template()))
    assert wb.sheetnames == [CASES, EVENTS, APPEALS, "说明", xlsx.LISTS]
    assert wb[xlsx.LISTS].sheet_state == "hidden"
    for name in (CASES, EVENTS, APPEALS):
        ws = wb[name]
        assert [c.value for c in ws[1]] == HEADINGS[name]
        assert ws.max_row == 1 and ws.freeze_panes == "A2"
        assert all(ws.column_dimensions[chr(65 + i)].width >= 8
                   for i in range(len(HEADINGS[name])))
        lists = {}
        for dv in ws.data_validations.dataValidation:
            assert dv.type == "list" and dv.showErrorMessage
            [cells] = list(dv.sqref)
            first, top, last, bottom = range_boundaries(str(cells))
            assert first == last and top == 2 and bottom == 1048576  # the whole column
            lists[HEADINGS[name][first - 1]] = _list_of(wb, dv)
        expected = dict(LISTS[name])
        if name == CASES:
            expected["受理机关代码"] = ["BCZ"]  # the agencies of the database
        assert lists == {k: [str(c) for c in v] for k, v in expected.items()}
    # the outcome list is too long to be inline: it is on the hidden sheet
    outcome = next(dv for dv in wb[CASES].data_validations.dataValidation
                   if "办理结果" == HEADINGS[CASES][range_boundaries(str(dv.sqref))[0] - 1])
    assert outcome.formula1.startswith(f"'{xlsx.LISTS}'!")
    notes = [r for r in wb["说明"].iter_rows(values_only=True)]
    listed = {(r[0], r[1]) for r in notes if r[0] in HEADINGS and r[1]}
    assert {(n, h) for n, hs in HEADINGS.items() for h in hs} <= listed  # every column explained
    assert ("withheld.state_secret", "属于国家秘密") in {(r[2], r[3]) for r in notes}
    assert {r[0] for r in notes} >= set(dl.EVENT_TYPES)


# -- round trip ----------------------------------------------------------------------------------
def _generated(n: int) -> list[dict]:
    """``n`` valid ledger lines, received over 2023–2024, covering every event type, delivery
    dates (later, not yet), a new 补正 period, late acts, withdrawals, open consultations named by
    party, organisations, unconfirmed online submissions and appeals."""
    out = []
    for i in range(n):
        d0 = date(2023, 1, 2).toordinal() + 7 * (i % 90)  # a Monday

        def day(k: int) -> str:
            return date.fromordinal(d0 + k).isoformat()

        obj = {"tracking_no": f"T{i:05d}", "agency": "BCZ",
               "applicant": {"type": "natural_person", "name": f"申请人{i}"},
               "channel": "in_person", "received_on": day(0), "subject": f"某村第 {i} 号文件"}
        kind = i % 10
        if kind == 0:
            obj.update(EXAMPLE, tracking_no=f"T{i:05d}", received_on=day(0), events=[
                {"type": "supplement_requested", "on": day(1), "period_workdays": 15,
                 "items": "请写明文件名称\n及文号"},
                {"type": "supplement_received", "on": day(8)},
                {"type": "consultation_started", "on": day(10), "party": "third_party",
                 "party_name": "某建设有限公司"},
                {"type": "consultation_ended", "on": day(20)},
                {"type": "extension_approved", "on": day(30), "workdays": 20},
                {"type": "fee_notified", "on": day(31), "method": "per_page",
                 "amount_yuan": "700.50"},
                {"type": "fee_paid", "on": day(33)},
                {"type": "deferred_deadline_set", "on": day(34), "due_on": day(80)}],
                submitted_at=f"{day(-1)}T10:15:00+08:00", concluded_on=day(40),
                appeals=[{"kind": "reconsideration", "filed_on": day(50), "result": "upheld",
                          "decided_on": day(60)}])
        elif kind == 1:
            obj.update(events=[
                {"type": "supplement_requested", "on": day(1), "period_workdays": 10,
                 "delivered_on": day(4)},
                {"type": "supplement_period_extended", "on": day(5), "period_workdays": 20,
                 "reason": "申请人春节期间在外地"},
                {"type": "supplement_received", "on": day(12)}],
                outcome="disclosed", concluded_on=day(30))
        elif kind == 2:
            obj.update(events=[{"type": "supplement_requested", "on": day(2),
                                "delivered_on": None}])
        elif kind == 3:
            obj.update(events=[{"type": "withdrawn", "on": day(5)}])
        elif kind == 4:
            del obj["received_on"]
            obj.update(channel="online", submitted_at=f"{day(0)}T09:00:00.123456+08:00")
        elif kind == 5:
            obj.update(applicant={"type": "legal_service_org", "name": f"某律师事务所{i}",
                                  "credit_code": "91110000600037341L", "contact_name": "赵律师",
                                  "phone": "010-12345678"},
                       events=[
                           {"type": "consultation_started", "on": day(1), "party": "agency",
                            "party_name": "海门区自然资源局"},
                           {"type": "consultation_started", "on": day(2), "party": "third_party"},
                           {"type": "consultation_ended", "on": day(5), "party": "third_party"}],
                       appeals=[{"kind": "litigation_direct", "filed_on": day(6)},
                                {"kind": "litigation_after_reconsideration", "filed_on": day(7),
                                 "result": "corrected", "decided_on": day(9)}])
        elif kind == 6:
            obj.update(events=[{"type": "fee_notified", "on": day(3), "method": "per_case",
                                "amount_yuan": "100.00", "delivered_on": day(6)}],
                       outcome="other.fee_unpaid", concluded_on=day(40))
        elif kind == 7:  # a late 补正 notice (R8.1): history, flagged
            obj.update(events=[{"type": "supplement_requested", "on": day(20)},
                               {"type": "supplement_received", "on": day(22)}])
        elif kind == 8:  # no tracking number: one is generated
            del obj["tracking_no"]
            obj.update(delivery={"form": "paper", "method": "mail"},
                       applicant={"type": "natural_person", "name": f"王{i}", "id_type": "passport",
                                  "id_number": f"E{i:08d}", "address": "包场镇1号",
                                  "email": "a@example.cn"},
                       description="补充说明\n第二行")
        else:  # a late extension, a subject that looks like a formula
            obj.update(events=[{"type": "extension_approved", "on": day(40), "workdays": 5}],
                       subject="=HYPERLINK(\"x\")", submitted_at=f"{day(0)}T08:00:00+08:00")
        out.append(obj)
    return out


def test_export_import_export_gives_the_same_cells(agency, empty_app):
    n = 2000
    assert ledger.import_ledger(jsonl(*_generated(n)), today=TODAY).created == n
    first = ledger.export_workbook(as_of=TODAY)
    jsonl_first = list(ledger.export_ledger(as_of=TODAY))
    with empty_app.app_context():
        from disclosure.services.users import create_agency
        create_agency("BCZ", "包场镇人民政府")
        result = ledger.import_workbook(first, today=TODAY)
        assert result.ok, result.errors[:5]
        assert result.created == n and len(result.late) == n // 10 * 2
        second = ledger.export_workbook(as_of=TODAY)
        assert list(ledger.export_ledger(as_of=TODAY)) == jsonl_first
        again = ledger.import_workbook(second, today=TODAY)  # the same file twice: unchanged
        assert again.ok and (again.created, again.unchanged) == (0, n)
    cells = values(first)
    assert cells == values(second)
    # what the export holds: every event type, both delivery forms, derived columns
    events = cells[EVENTS][1:]
    assert {r[1] for r in events} == set(dl.EVENT_TYPES)
    assert xlsx.UNDELIVERED in {r[6] for r in events}
    assert len(cells[CASES]) == n + 1 and len(cells[APPEALS]) == n // 10 * 3 + 1
    heads = cells[CASES][0]
    assert heads[-len(dl.DERIVED_KEYS):] == tuple(
        c.heading for c in xlsx.DERIVED_COLUMNS)
    assert all(h.endswith("（系统计算）") for h in heads[-len(dl.DERIVED_KEYS):])
    row = dict(zip(heads, cells[CASES][1]))
    assert row["答复期限（系统计算）"] == datetime.fromisoformat(jsonl_first[0]["due_on"])
    assert row["提交时间"] == datetime(2023, 1, 1, 10, 15)  # an Excel date-time, office time
    unconfirmed = dict(zip(heads, cells[CASES][5]))
    assert unconfirmed["提交时间"] == "2023-01-30T09:00:00.123456+08:00"  # fractions: as text
    assert unconfirmed["收到申请日期"] is None
    formula = dict(zip(heads, cells[CASES][10]))
    assert formula["申请内容"] == "=HYPERLINK(\"x\")"  # text, never a formula


# -- reading cells -------------------------------------------------------------------------------
def test_excel_dates_text_dates_and_numbers_as_text(agency):
    data = book(
        cases=[
            {**PERSON, "序号": 1, "申请编号": "D-1", "收到申请日期": datetime(2024, 3, 5)},
            {**PERSON, "序号": 2, "申请编号": "D-2", "收到申请日期": "2024-03-05"},
            {**PERSON, "序号": "3", "申请编号": "D-3", "收到申请日期": "2024/3/5"},
            {**PERSON, "序号": 4.0, "申请编号": "D-4", "收到申请日期": " 2024年3月5日 ",
             "提交时间": "2024/3/4 9:30", "联系电话": 13800000000},
            {**PERSON, "序号": "A5", "申请编号": "D-5", "收到申请日期": date(2024, 3, 5),
             "提交时间": datetime(2024, 3, 4, 18, 0)},
        ],
        events=[
            {"案件序号": "1", "事件类型": "supplement_requested", "日期": "2024/3/6",
             "补正期限（工作日）": "15", "送达日期": "2024年3月8日"},
            {"案件序号": 2, "事件类型": "fee_notified", "日期": datetime(2024, 3, 6),
             "收费方式": "per_page", "收费金额（元）": 700.5, "送达日期": "未送达"},
            {"案件序号": 3.0, "事件类型": "extension_approved", "日期": "2024-3-7",
             "延长工作日数": 10.0},
            {"案件序号": 4, "事件类型": "fee_notified", "日期": "2024-03-06",
             "收费方式": "per_case", "收费金额（元）": "100"},
        ],
        appeals=[{"案件序号": "A5", "类型": "reconsideration", "提起日期": "2024年4月1日",
                  "结果": "upheld", "审结日期": datetime(2024, 5, 1)}])
    result = ledger.import_workbook(data, today=TODAY)
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 5
    assert {c.received_on for c in db.session.execute(select(Case)).scalars()} == {
        date(2024, 3, 5)}
    one, two, three, four, five = (case_by(f"D-{i}") for i in range(1, 6))
    assert (one.supplement_requested_on, one.supplement_period_workdays,
            one.supplement_delivered_on) == (date(2024, 3, 6), 15, date(2024, 3, 8))
    assert (two.fee_amount, two.fee_undelivered) == (Decimal("700.50"), True)
    assert (three.extension_workdays, three.extension_on) == (10, date(2024, 3, 7))
    assert four.fee_amount == Decimal("100.00") and four.phone == "13800000000"
    exported = {x["tracking_no"]: x for x in ledger.export_ledger(as_of=TODAY)}
    assert exported["D-4"]["submitted_at"] == "2024-03-04T09:30:00+08:00"
    assert exported["D-5"]["submitted_at"] == "2024-03-04T18:00:00+08:00"
    assert [(a.kind, a.result, a.decided_on) for a in five.appeals] == [
        ("reconsideration", "upheld", date(2024, 5, 1))]


def test_derived_columns_and_blank_rows_are_ignored(agency):
    ledger.import_ledger(jsonl(EXAMPLE), today=TODAY)
    data = ledger.export_workbook(as_of=TODAY)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[CASES]
    for cell in ws[2][len(HEADINGS[CASES]):]:
        cell.value = "随便写"  # derived: the import does not read them
    ws.append([])
    ws.append([None, "  "])  # blank and spaces only: skipped
    out = io.BytesIO()
    wb.save(out)
    result = ledger.import_workbook(out.getvalue(), today=TODAY)
    assert result.ok and (result.created, result.unchanged) == (0, 1)


def test_optional_columns_may_be_left_out(agency):
    heads = ["序号", "申请人类型", "申请人姓名或名称", "提交方式", "收到申请日期", "申请内容"]
    data = book(cases=[{**PERSON, "序号": 1, "收到申请日期": "2024-03-01"}],
                headings={CASES: heads, EVENTS: ["案件序号", "事件类型", "日期"],
                          APPEALS: ["案件序号", "类型", "提起日期"]})
    assert not ledger.import_workbook(data, today=TODAY).ok  # no agency: required
    result = ledger.import_workbook(data, today=TODAY, agency_code="BCZ")
    assert result.ok and result.created == 1
    assert case_by("BCZ-2024-000001").applicant_name == "李四"


# -- errors --------------------------------------------------------------------------------------
def test_errors_name_sheet_row_and_column_and_nothing_is_imported(agency):
    data = book(
        cases=[
            {**PERSON, "序号": 1, "收到申请日期": "2024-03-01"},  # row 2: fine
            {**PERSON, "序号": 2, "收到申请日期": "2024/13/45", "提交方式": "post"},  # row 3
            {**PERSON, "序号": 3, "收到申请日期": "2023-02-29"},  # row 4
            {**PERSON, "序号": 3, "收到申请日期": 45356, "证件类型": "resident_id",
             "证件号码": "110105194912310021"},  # row 5: duplicate key, a number for a date
        ],
        events=[
            {"案件序号": 1, "事件类型": "supplement_received", "日期": "2024-03-04"},  # row 2
            {"案件序号": 9, "事件类型": "withdrawn", "日期": "2024-03-04"},  # row 3
            {"案件序号": 1, "事件类型": "fee_paid", "日期": "2024-03-05",
             "收费金额（元）": 5},  # row 4
            {"事件类型": "withdrawn", "日期": "2024-03-05"},  # row 5: no case
            {"案件序号": 1, "事件类型": "extension_approved", "日期": "昨天",
             "延长工作日数": 30},  # row 6
        ],
        appeals=[{"案件序号": 1, "类型": "reconsideration", "提起日期": "2024-04-01",
                  "结果": "upheld"}])  # row 2: decided_on required
    result = ledger.import_workbook(data, today=TODAY)
    assert not result.ok and result.created == 0 and count() == 0
    assert where(result) == [
        (CASES, 3, "提交方式", "unknown_code"),
        (CASES, 3, "收到申请日期", "invalid_date"),
        (CASES, 4, "收到申请日期", "invalid_date"),
        (CASES, 5, "序号", "duplicate_key"),
        (CASES, 5, "证件号码", "bad_check_digit"),
        (CASES, 5, "收到申请日期", "invalid_date"),
        (EVENTS, 2, "", "supplement_without_request"),
        (EVENTS, 3, "案件序号", "unknown_case"),
        (EVENTS, 4, "", "fee_paid_without_notice"),
        (EVENTS, 4, "收费金额（元）", "unknown_field"),
        (EVENTS, 5, "案件序号", "required"),
        (EVENTS, 6, "日期", "invalid_date"),
        (EVENTS, 6, "延长工作日数", "extension_too_long"),
        (APPEALS, 2, "审结日期", "required"),
    ]
    shown = [str(e) for e in result.errors]
    assert shown[1] == "案件!第 3 行 收到申请日期：2024/13/45 不是真实存在的日期 (invalid_date)"
    assert "2023-02-29 不是真实存在的日期" in shown[2]
    assert shown[11].startswith("事件!第 6 行 日期：无法识别的日期：昨天（可写作 2024-03-05、")
    assert shown[5].startswith("案件!第 5 行 收到申请日期：应为日期，而不是 45356")
    assert shown[7] == "事件!第 3 行 案件序号：“案件”工作表中没有序号为 9 的案件 (unknown_case)"
    assert "事件类型 fee_paid 不填“收费金额（元）”" in shown[9]
    # a dry run lists the same errors
    assert where(ledger.import_workbook(data, today=TODAY, dry_run=True)) == where(result)


def test_database_errors_are_located_too(agency):
    ledger.import_ledger(jsonl({**EXAMPLE, "tracking_no": "OLD-1"}), today=TODAY)
    data = book(cases=[{**PERSON, "序号": 1, "申请编号": "OLD-1", "收到申请日期": "2024-03-01"},
                       {**PERSON, "序号": 2, "受理机关代码": "NOPE",
                        "收到申请日期": "2024-03-01"}])
    result = ledger.import_workbook(data, today=TODAY)
    assert where(result) == [(CASES, 2, "申请编号", "tracking_no_exists"),
                             (CASES, 3, "受理机关代码", "unknown_agency")]
    assert count() == 1


def test_a_missing_sheet_or_heading_is_an_error(agency):
    result = ledger.import_workbook(book(sheets=(CASES, APPEALS)), today=TODAY)
    assert where(result) == [(EVENTS, 0, "", "missing_sheet")]
    assert str(result.errors[0]) == "事件：缺少此工作表（工作表名须与模板一致） (missing_sheet)"
    heads = [h for h in HEADINGS[CASES] if h != "申请内容"] + ["备注", "备注", "收到申请日期"]
    result = ledger.import_workbook(
        book(cases=[{**PERSON, "序号": 1, "收到申请日期": "2024-03-01"}],
             headings={CASES: heads}), today=TODAY)
    assert where(result) == [(CASES, 1, "收到申请日期", "duplicate_column"),
                             (CASES, 1, "申请内容", "missing_column"),
                             (CASES, 1, "备注", "unknown_column"),
                             (CASES, 1, "备注", "unknown_column")]
    assert count() == 0
    # a column without a heading must be empty
    wb = load_workbook(io.BytesIO(book(cases=[{**PERSON, "序号": 1,
                                                "收到申请日期": "2024-03-01"}])))
    wb[CASES].cell(row=2, column=len(HEADINGS[CASES]) + 2, value="备注")
    out = io.BytesIO()
    wb.save(out)
    result = ledger.import_workbook(out.getvalue(), today=TODAY)
    assert where(result) == [(CASES, 2, "", "unknown_column")] and count() == 0


def test_headings_with_ascii_brackets_are_the_template_ones(agency):
    heads = [h.replace("（", "(").replace("）", ")") for h in HEADINGS[EVENTS]]
    data = book(cases=[{**PERSON, "序号": 1, "收到申请日期": "2024-03-01"}],
                events=[{"案件序号": 1, "事件类型": "supplement_requested",
                         "日期": "2024-03-04", "补正期限(工作日)": 10}],
                headings={EVENTS: heads})
    assert ledger.import_workbook(data, today=TODAY).ok
    assert count() == 1 and db.session.execute(
        select(Case.supplement_period_workdays)).scalar_one() == 10


def test_a_file_that_is_no_workbook(agency):
    for data, words in ((b"PK\x03\x04 not really a zip", "不是有效的 Excel 工作簿"),
                        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old", "Excel 97-2003"),
                        (jsonl(EXAMPLE).encode(), "不是有效的 Excel 工作簿")):
        with pytest.raises(ledger.LedgerFileError) as exc:
            ledger.import_workbook(data, today=TODAY)
        assert words in str(exc.value.message)
    zipped = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "不是工作簿")
    with pytest.raises(ledger.LedgerFileError):
        ledger.import_workbook(zipped.getvalue(), today=TODAY)
    assert ledger.is_workbook(b"PK\x03\x04", "x.jsonl") and ledger.is_workbook(b"{", "台账.xlsx")
    assert not ledger.is_workbook(b'{"agency"', "ledger.jsonl")
    assert count() == 0


# -- command line --------------------------------------------------------------------------------
def test_cli_template_export_and_import(app, agency, tmp_path):
    runner = app.test_cli_runner()
    template = runner.invoke(args=["ledger", "template"])
    assert template.exit_code == 0, template.output
    assert template.stdout_bytes.startswith(b"PK\x03\x04")
    assert load_workbook(io.BytesIO(template.stdout_bytes)).sheetnames[:4] == [
        CASES, EVENTS, APPEALS, "说明"]
    ledger.import_ledger(jsonl(EXAMPLE, {**EXAMPLE, "tracking_no": "OTHER"}), today=TODAY)
    out = runner.invoke(args=["ledger", "export", "--format", "xlsx", "--as-of", "2024-06-03",
                              "--agency", "BCZ", "--year", "2024"])
    assert out.exit_code == 0, out.output
    rows = rows_of(out.stdout_bytes, CASES)
    assert [r["申请编号"] for r in rows] == ["BCZ-2024-000017", "OTHER"]
    assert rows[0]["是否按期答复（系统计算）"] == "是"
    assert json.loads(runner.invoke(args=["ledger", "export"]).stdout.splitlines()[0])[
        "tracking_no"] == "BCZ-2024-000017"  # JSONL stays the default
    path = tmp_path / "台账.xlsx"
    path.write_bytes(out.stdout_bytes)
    again = runner.invoke(args=["ledger", "import", str(path), "--dry-run"])
    assert again.exit_code == 0 and "可新增 0 件，已存在且相同 2 件" in again.output


def test_cli_import_lists_errors_by_cell(app, agency, tmp_path):
    path = tmp_path / "ledger.bin"  # recognised by its content, whatever its name
    path.write_bytes(book(
        cases=[{**PERSON, "序号": 1, "收到申请日期": "2024-03-01"},
               {**PERSON, "序号": 2, "收到申请日期": "2024年2月30日"}],
        events=[{"案件序号": 1, "事件类型": "supplement_received", "日期": "2024-03-04"}]))
    result = app.test_cli_runner().invoke(args=["ledger", "import", str(path)])
    assert result.exit_code == 1
    assert "案件!第 3 行 收到申请日期：2024年2月30日 不是真实存在的日期 (invalid_date)" \
        in result.output
    assert "事件!第 2 行：收到补正之前没有发出补正告知（supplement_requested） " \
           "(supplement_without_request)" in result.output
    assert "共 2 处错误，未导入任何案件" in result.output and count() == 0


def test_cli_agency_option_dry_run_and_late_acts(app, agency, tmp_path):
    from disclosure.services.users import create_agency
    create_agency("HMQ", "海门区")
    path = tmp_path / "ledger.xlsx"
    late = {**PERSON, "序号": 1, "收到申请日期": "2025-03-03"}
    del late["受理机关代码"]
    path.write_bytes(book(cases=[late], events=[
        {"案件序号": 1, "事件类型": "supplement_requested", "日期": "2025-04-14"}]))
    runner = app.test_cli_runner()
    app.config["FIXED_TODAY"] = TODAY
    dry = runner.invoke(args=["ledger", "import", str(path), "--agency", "HMQ", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "可新增 1 件" in dry.output and count() == 0
    assert "案件!第 2 行: （编号待分配）: supplement_notice_late" in dry.output
    done = runner.invoke(args=["ledger", "import", str(path), "--agency", "HMQ"])
    assert done.exit_code == 0 and "新增 1 件" in done.output
    assert "案件!第 2 行: HMQ-2025-000001: supplement_notice_late" in done.output
    path.write_bytes(book(cases=[{**PERSON, "序号": 1, "收到申请日期": "2024-03-01"}]))
    mismatch = runner.invoke(args=["ledger", "import", str(path), "--agency", "HMQ"])
    assert mismatch.exit_code == 1 and "案件!第 2 行 受理机关代码：" in mismatch.output


def test_cli_refuses_a_broken_workbook(app, agency, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_text("这不是 Excel", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["ledger", "import", str(path)])
    assert result.exit_code == 1 and "不是有效的 Excel 工作簿" in result.output
    assert count() == count(CasePause) == count(Appeal) == 0


def test_the_documentation_names_every_column_and_code():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "ledger.md").read_text(encoding="utf-8")
    excel = doc[doc.index("## Excel 台账"):]
    for columns in (*xlsx.SHEET_COLUMNS.values(), xlsx.DERIVED_COLUMNS):
        for col in columns:
            assert col.heading in excel, col.heading
    for code in xlsx.WORKBOOK_CODES:
        assert f"`{code}`" in excel, code
