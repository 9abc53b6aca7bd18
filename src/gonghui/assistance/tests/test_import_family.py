"""The hardship workbook's 家庭成员 sheet: template, import (checked with the archives,
idempotent, scoped) and export (in import format, so that export → import round-trips)."""

import dataclasses
import datetime as dt
import zipfile

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from gonghui.access.permissions import Role
from gonghui.assistance import services, sheets
from gonghui.assistance.models import FamilyMember, Household
from gonghui.assistance.tests.factories import SYSTEM, household, member
from gonghui.audit.models import AuditEvent
from gonghui.testing.factories import actor_of, staff
from gonghui.testing.members import make_id

H = [c.header for c in sheets.HARDSHIP_COLUMNS]
F = [c.header for c in sheets.FAMILY_COLUMNS]
FAMILY_ERROR = "“家庭成员”工作表："
SPOUSE_ID = make_id(dt.date(1988, 3, 2), male=False)
CHILD_ID = make_id(dt.date(2012, 9, 1))


def write_book(path, households, family, *, family_sheet=sheets.FAMILY_SHEET):
    """A workbook like the template: 困难职工档案, then the family sheet (None: no such sheet)."""
    book = xlsxwriter.Workbook(str(path))
    for name, headers, rows in ((sheets.HARDSHIP_SHEET, H, households), (family_sheet, F, family)):
        if name is None:
            continue
        ws = book.add_worksheet(name)
        for c, h in enumerate(headers):
            ws.write_string(0, c, h)
        for r, row in enumerate(rows, start=1):
            for c, h in enumerate(headers):
                value = row.get(h)
                if isinstance(value, int | float):
                    ws.write_number(r, c, value)
                elif value is not None:
                    ws.write_string(r, c, str(value))
    book.close()
    return path


def household_row(m, **kw):
    return {"户主身份证号": m.id_number, "户主姓名": m.name, "申请日期": "2025-01-05", "致困原因": "疾病、子女上学", "家庭人口": 3,
            "家庭年收入": 24000, "刚性支出": 6000, "残疾情况": "", **kw}


def family_rows(m):
    return [
        {"户主身份证号": m.id_number, "户主姓名": m.name, "与户主关系": "配偶", "姓名": "李芳", "身份证号": SPOUSE_ID,
         "年收入": 12000, "就学/就业情况": "灵活就业", "健康状况": "慢性病", "残疾情况": "肢体残疾三级"},
        {"户主身份证号": m.id_number, "与户主关系": "子女", "姓名": "张小明", "就学/就业情况": "在读小学", "健康状况": "健康"},
    ]


def family_of(h):
    return sorted((p.relation, p.name, p.id_number, p.income, p.school_or_work, p.health, p.disability) for p in h.family.all())


@pytest.fixture
def officer(tree):
    """工会干事: assistance.sensitive, but not member.reveal."""
    return staff(tree.grassroots, Role.OFFICER, username="officer_fam")


@pytest.fixture
def finance(tree):
    return staff(tree.grassroots, Role.FINANCE, username="finance_fam")


# --- template ------------------------------------------------------------------------------


def test_the_template_has_a_family_sheet_with_a_relation_dropdown_and_explains_it(tmp_path):
    path = sheets.hardship_template(tmp_path / "t.xlsx")
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == ["困难职工档案", "家庭成员", "填写说明"]
    header, *rest = wb.get_sheet_by_name("家庭成员").to_python()
    assert header[:4] == ["户主身份证号*", "户主姓名", "与户主关系*", "姓名*"] and "残疾情况" in header
    assert not any(any(row) for row in rest)  # the examples are on 填写说明, never a row of the data
    family_table = [row[:3] for row in wb.get_sheet_by_name("填写说明").to_python()]
    family_table = family_table[family_table.index(["“家庭成员”工作表", "", ""]):]
    assert ["户主身份证号", "必填", sheets.EXAMPLE_ID] in family_table and ["与户主关系", "必填", "配偶"] in family_table
    assert "残疾情况" in wb.get_sheet_by_index(0).to_python()[0]
    explained = "\n".join(str(c) for row in wb.get_sheet_by_name("填写说明").to_python() for c in row)
    for text in ("“家庭成员”工作表", "与户主关系", "可选值：配偶、子女", "就学/就业情况", "不会删除"):
        assert text in explained, text
    with zipfile.ZipFile(path) as zf:
        family_xml = zf.read("xl/worksheets/sheet2.xml").decode()
    assert "<dataValidation" in family_xml and "配偶,子女,父母" in family_xml


# --- import ----------------------------------------------------------------------------------


def test_it_imports_family_members_with_their_archives_idempotently(tree, tmp_path):
    a, b = member(tree.grassroots, "张三"), member(tree.grassroots, "王五")
    path = write_book(tmp_path / "h.xlsx", [household_row(a, 残疾情况="视力残疾二级"), household_row(b)], family_rows(a))
    report = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert (report.created, report.updated, report.unchanged, report.errors) == (4, 0, 0, [])
    assert report.written and report.total == 4
    home = Household.objects.get(head=a)
    assert home.disability == "视力残疾二级"
    assert family_of(home) == [
        ("child", "张小明", "", "", "在读小学", "健康", ""),
        ("spouse", "李芳", SPOUSE_ID, "12000.00", "灵活就业", "慢性病", "肢体残疾三级"),
    ]
    spouse = home.family.get(relation="spouse")
    assert spouse.id_masked == SPOUSE_ID[:6] + "********" + SPOUSE_ID[-4:]
    summary = AuditEvent.objects.filter(action="hardship.import").latest("seq")
    assert "家庭成员新建2" in summary.message

    events = AuditEvent.objects.count()
    again = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 4, [])
    assert FamilyMember.objects.count() == 2 and Household.objects.count() == 2
    assert AuditEvent.objects.count() == events + 1  # only the import summary
    assert not AuditEvent.objects.filter(action="hardship.family", seq__gt=summary.seq).exists()


def test_a_corrected_file_updates_family_members_in_place(tree, tmp_path):
    a = member(tree.grassroots, "张三")
    rows = family_rows(a)
    sheets.hardship_import(actor=SYSTEM, org=tree.grassroots, path=write_book(tmp_path / "1.xlsx", [household_row(a)], rows))
    ids = dict(FamilyMember.objects.values_list("name", "pk"))
    rows[0].update({"年收入": 15000, "残疾情况": ""})  # matched by ID number
    rows[1].update({"身份证号": CHILD_ID, "健康状况": "哮喘"})  # no number on file yet: matched by relation and name
    report = sheets.hardship_import(actor=SYSTEM, org=tree.grassroots, path=write_book(tmp_path / "2.xlsx", [household_row(a)], rows))
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 2, 1, [])
    assert dict(FamilyMember.objects.values_list("name", "pk")) == ids
    spouse, child = FamilyMember.objects.get(pk=ids["李芳"]), FamilyMember.objects.get(pk=ids["张小明"])
    assert (spouse.income, spouse.disability) == ("15000.00", "")
    assert (child.id_number, child.health) == (CHILD_ID, "哮喘")
    assert AuditEvent.objects.filter(action="hardship.family", message__contains="修改家庭成员").count() == 2
    # A blank 身份证号 matches by relation and name and keeps the number on file.
    rows[1]["身份证号"] = ""
    again = sheets.hardship_import(actor=SYSTEM, org=tree.grassroots, path=write_book(tmp_path / "3.xlsx", [household_row(a)], rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert FamilyMember.objects.get(pk=ids["张小明"]).id_number == CHILD_ID


def test_family_members_absent_from_the_file_are_kept(tree, tmp_path):
    h = household(tree.grassroots, name="张三")
    kept = services.family_member_add(actor=SYSTEM, household=h, relation="parent", name="张老汉", health="高血压")
    row = {"户主身份证号": h.head.id_number, "与户主关系": "配偶", "姓名": "李芳"}
    report = sheets.hardship_import(actor=SYSTEM, org=tree.grassroots,
                                    path=write_book(tmp_path / "g.xlsx", [household_row(h.head)], [row]))
    assert report.errors == [] and report.written
    assert set(h.family.values_list("name", flat=True)) == {"张老汉", "李芳"}
    assert FamilyMember.objects.get(pk=kept.pk).health == "高血压"


def test_a_family_row_may_name_an_archive_already_on_file(tree, tmp_path):
    h = household(tree.grassroots, name="张三")
    other = member(tree.grassroots, "王五")
    path = write_book(tmp_path / "f.xlsx", [household_row(other)], [{"户主身份证号": h.head.id_number, "户主姓名": "张三",
                                                                     "与户主关系": "配偶", "姓名": "李芳"}])
    report = sheets.hardship_import(actor=SYSTEM, org=tree.grassroots, path=path)
    assert (report.created, report.errors) == (2, [])
    assert list(h.family.values_list("name", flat=True)) == ["李芳"]


@pytest.mark.parametrize(("change", "message"), [
    ({"户主身份证号": "110105199003070018"}, "“户主身份证号”有误"),
    ({"户主身份证号": make_id(dt.date(1970, 1, 1))}, "找不到该户主的困难职工档案"),
    ({"户主姓名": "别人"}, "户主姓名与会员名册不一致"),
    ({"身份证号": "110105199205120028"}, "“身份证号”有误"),
    ({"与户主关系": "表哥"}, "“与户主关系”的值“表哥”无效，应为：配偶、子女"),
    ({"姓名": ""}, "“姓名”不能为空"),
    ({"姓名": "长" * 51}, "“姓名”最多50个字"),
    ({"健康状况": "病" * 501}, "“健康状况”最多500个字"),
    ({"年收入": "很多"}, "“年收入”应为数字"),
    ({"年收入": -5}, "“年收入”应为不小于0的金额"),
    ({"姓名": "李芳", "身份证号": SPOUSE_ID, "与户主关系": "配偶"}, "与本工作表第2行重复"),
    ({"身份证号": SPOUSE_ID}, "与本工作表第2行重复"),
    ({"身份证号": "=HYPERLINK(1)"}, "公式"),
])
def test_a_bad_family_row_writes_nothing(tree, tmp_path, change, message):
    a = member(tree.grassroots, "张三")
    rows = family_rows(a)
    rows[1].update(change)
    path = write_book(tmp_path / "h.xlsx", [household_row(a)], rows)
    report = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert [n for n, _ in report.errors] == [3], report.errors
    assert report.errors[0][1].startswith(FAMILY_ERROR) and message in report.errors[0][1], report.errors
    assert report.rejected == 1 and not report.written
    assert not Household.objects.exists() and not FamilyMember.objects.exists()
    assert AuditEvent.objects.filter(action="hardship.import", result="failure").exists()


def test_a_formula_in_the_family_sheet_is_refused(tree, tmp_path):
    a = member(tree.grassroots, "张三")
    path = tmp_path / "h.xlsx"
    book = xlsxwriter.Workbook(str(path))  # the two sheets of write_book, with a formula for the spouse's income
    for name, headers, rows in ((sheets.HARDSHIP_SHEET, H, [household_row(a)]), (sheets.FAMILY_SHEET, F, family_rows(a))):
        ws = book.add_worksheet(name)
        for c, h in enumerate(headers):
            ws.write_string(0, c, h)
            for r, row in enumerate(rows, start=1):
                if row.get(h) is not None:
                    ws.write(r, c, row[h])
    ws.write_formula(1, F.index("年收入"), "=1000*12", None, 12000)
    book.close()
    report = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert [n for n, _ in report.errors] == [2] and "“年收入”是公式" in report.errors[0][1], report.errors
    assert not FamilyMember.objects.exists()


def test_errors_of_both_sheets_name_their_sheet_and_count_separately(tree, tmp_path):
    a, b = member(tree.grassroots, "张三"), member(tree.grassroots, "王五")
    rows = family_rows(a) + [{"户主身份证号": b.id_number, "与户主关系": "子女", "姓名": "王小"}]
    rows[0]["年收入"] = "很多"  # family row 2
    path = write_book(tmp_path / "h.xlsx", [household_row(a, 家庭人口=0), household_row(b, 户主姓名="别人")], rows)
    report = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots)
    by_sheet = [(n, e.split("：", 1)[0]) for n, e in report.errors]
    assert by_sheet == [(2, "“困难职工档案”工作表"), (3, "“困难职工档案”工作表"), (2, "“家庭成员”工作表"),
                        (3, "“家庭成员”工作表"), (4, "“家庭成员”工作表")], report.errors
    assert "户主在“困难职工档案”工作表中的行有错误" in report.errors[3][1]
    assert report.rejected == 5 and not Household.objects.exists()
    # --mode valid writes the good rows only: here none of either sheet is good
    valid = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots, mode="valid")
    assert valid.written and (valid.created, valid.rejected) == (0, 5)


def test_mode_valid_skips_the_family_of_a_refused_archive(tree, tmp_path):
    a, b = member(tree.grassroots, "张三"), member(tree.grassroots, "王五")
    rows = family_rows(a) + [{"户主身份证号": b.id_number, "与户主关系": "子女", "姓名": "王小"}]
    path = write_book(tmp_path / "h.xlsx", [household_row(a), household_row(b, 家庭人口=0)], rows)
    report = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots, mode="valid")
    assert report.written and report.created == 3 and report.rejected == 2
    assert set(FamilyMember.objects.values_list("name", flat=True)) == {"李芳", "张小明"}


def test_a_head_of_another_union_is_not_found_and_nothing_leaks(tree, tmp_path, personas):
    theirs = household(tree.sibling_grassroots, name="外人")
    services.family_member_add(actor=SYSTEM, household=theirs, relation="spouse", name="外人配偶")
    mine = member(tree.grassroots, "张三")
    chair = actor_of(personas.grassroots_chair)
    unknown = make_id(dt.date(1971, 2, 2))
    messages = []
    for head in (theirs.head.id_number, unknown):
        rows = [{"户主身份证号": head, "与户主关系": "配偶", "姓名": "某人"}]
        report = sheets.hardship_import(actor=chair, org=tree.grassroots,
                                        path=write_book(tmp_path / f"{head}.xlsx", [household_row(mine)], rows))
        assert not report.written and [n for n, _ in report.errors] == [2], report.errors
        messages.append(report.errors[0][1])
    assert messages[0] == messages[1] and "找不到该户主的困难职工档案" in messages[0]
    assert "外人" not in messages[0] and tree.sibling_grassroots.name not in messages[0]
    assert list(theirs.family.values_list("name", flat=True)) == ["外人配偶"]
    assert not Household.objects.filter(head=mine).exists()


def test_a_dry_run_writes_nothing(tree, tmp_path):
    a = member(tree.grassroots, "张三")
    path = write_book(tmp_path / "h.xlsx", [household_row(a)], family_rows(a))
    events = AuditEvent.objects.count()
    report = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots, dry_run=True)
    assert report.ok and report.dry_run and not report.written and report.total == 3
    assert not Household.objects.exists() and not FamilyMember.objects.exists()
    assert AuditEvent.objects.count() == events
    # …and a dry run of a file with a bad family row reports it
    rows = family_rows(a)
    rows[0]["与户主关系"] = "表哥"
    bad = sheets.hardship_import(actor=SYSTEM, path=write_book(tmp_path / "b.xlsx", [household_row(a)], rows),
                                 org=tree.grassroots, dry_run=True)
    assert [n for n, _ in bad.errors] == [2] and not FamilyMember.objects.exists()


def test_a_role_without_sensitive_access_may_not_import_family_members(tree, tmp_path, personas):
    a = member(tree.grassroots, "张三")
    chair = actor_of(personas.grassroots_chair)
    blind = dataclasses.replace(chair, perms=chair.perms - {"assistance.sensitive"})
    report = sheets.hardship_import(actor=blind, org=tree.grassroots,
                                    path=write_book(tmp_path / "h.xlsx", [household_row(a)], family_rows(a)))
    assert report.file_error.startswith(FAMILY_ERROR) and "敏感信息" in report.file_error
    assert not Household.objects.exists()


def test_files_without_a_family_sheet_import_as_before(tree, tmp_path):
    a = member(tree.grassroots, "张三")
    path = write_book(tmp_path / "h.xlsx", [household_row(a, 家庭人口=0)], [], family_sheet=None)
    report = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert report.errors and not report.errors[0][1].startswith("“")  # one sheet: no sheet name
    empty = write_book(tmp_path / "e.xlsx", [household_row(a)], [])  # a family sheet with its header only
    report = sheets.hardship_import(actor=SYSTEM, path=empty, org=tree.grassroots)
    assert (report.created, report.errors) == (1, [])


# --- export ----------------------------------------------------------------------------------


def _grid(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def _seed(tree):
    h = household(tree.grassroots, name="张三", disability="视力残疾二级")
    services.family_member_add(actor=SYSTEM, household=h, relation="spouse", name="李芳", id_number=SPOUSE_ID, income="12000",
                               school_or_work="灵活就业", health="慢性病", disability="肢体残疾三级")
    services.family_member_add(actor=SYSTEM, household=h, relation="child", name="张小明", school_or_work="在读小学")
    household(tree.grassroots, name="王五")  # no family
    return h


def test_export_then_import_into_an_empty_union_reproduces_the_family(tree, tmp_path, personas):
    h = _seed(tree)
    expected = {hh.head_id: (hh.disability, family_of(hh)) for hh in Household.objects.all()}
    path = sheets.hardship_export(actor=actor_of(personas.grassroots_chair), org=tree.grassroots, path=tmp_path / "out.xlsx")
    family = _grid(path, "家庭成员")
    assert family[0][:4] == ["户主身份证号*", "户主姓名", "与户主关系*", "姓名*"] and len(family) == 3
    assert family[1][:5] == [h.head.id_number, "张三", "配偶", "李芳", SPOUSE_ID]

    # Exported as is, it imports back unchanged.
    again = sheets.hardship_import(actor=actor_of(personas.grassroots_chair), org=tree.grassroots, path=path)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 4, [])

    # Into a union without archives: the same households, disability and family members.
    Household.objects.all().delete()
    assert not FamilyMember.objects.exists()
    report = sheets.hardship_import(actor=actor_of(personas.grassroots_chair), org=tree.grassroots, path=path)
    assert (report.created, report.errors) == (4, [])
    assert {hh.head_id: (hh.disability, family_of(hh)) for hh in Household.objects.all()} == expected
    assert expected[h.head_id][0] == "视力残疾二级" and len(expected[h.head_id][1]) == 2


def test_the_family_export_follows_the_sensitive_and_reveal_permissions(tree, tmp_path, personas, officer, finance):
    h = _seed(tree)
    masked_spouse = h.family.get(relation="spouse").id_masked
    for user, sensitive, reveal in ((personas.grassroots_chair, True, True), (officer, True, False), (finance, False, False)):
        path = sheets.hardship_export(actor=actor_of(user), org=tree.grassroots, path=tmp_path / f"{user.username}.xlsx")
        family = _grid(path, "家庭成员")
        text = str(family) + str(_grid(path, "困难职工档案"))
        if not sensitive:
            assert len(family) == 1 and "李芳" not in text and "肢体残疾" not in text and "视力残疾" not in text
        else:
            assert len(family) == 3 and "肢体残疾三级" in text and "视力残疾二级" in text
            assert (SPOUSE_ID in text) == reveal and (masked_spouse in text) == (not reveal)
        notes = str(_grid(path, "填写说明"))
        assert ("未导出（无权限）" in notes) == (not sensitive)
    assert AuditEvent.objects.filter(action="hardship.export", message__contains="家庭成员2人").count() == 2
