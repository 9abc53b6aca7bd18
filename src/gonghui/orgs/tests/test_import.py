import pytest
import xlsxwriter

from gonghui.audit.models import AuditEvent
from gonghui.core.validators import uscc_check_char
from gonghui.orgs.models import Org
from gonghui.orgs.sheets import HEADERS, orgs_export, orgs_import, orgs_template
from gonghui.testing.factories import actor_of

BODY = "81330108MA2B3C4D5"
GOOD_USCC = BODY + uscc_check_char(BODY)
BAD_USCC = GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")


def write_xlsx(path, rows, headers=HEADERS, title=None, formulas=()):
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("数据")
    start = 0
    if title:
        ws.merge_range(0, 0, 0, len(headers) - 1, title)
        start = 1
    for i, h in enumerate(headers):
        ws.write_string(start, i, h)
    for r, row in enumerate(rows, start=start + 1):
        for c, value in enumerate(row):
            if (r, c) in formulas:
                ws.write_formula(r, c, value, None, "计算结果")
            elif value is not None:
                ws.write(r, c, value)
    book.close()
    return path


def row(code, name, kind="企业工会", parent="S1", uscc="", employees=50, **extra):
    values = {"工会编码": code, "工会名称": name, "类型": kind, "上级工会编码": parent, "统一社会信用代码": uscc, "职工人数": employees}
    values.update(extra)
    return [values.get(h) for h in HEADERS]


@pytest.fixture
def chair(personas):
    return actor_of(personas.street_chair)


def test_it_imports_a_tree_in_any_row_order(tree, chair, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [
        row("N1-01", "新企业一车间分会", kind="分会", parent="N1"),
        row("N1", "新企业工会", uscc=GOOD_USCC, 成立日期="2020-05-01", 设立女职工委员会="是"),
    ])
    report = orgs_import(actor=chair, path=path)
    assert report.ok and report.written and report.created == 2
    branch = Org.objects.get(code="N1-01")
    assert branch.parent.code == "N1" and branch.parent.parent == tree.street
    assert Org.objects.get(code="N1").has_women_committee
    assert AuditEvent.objects.filter(action="org.import").exists()


def test_it_changes_nothing_when_the_same_file_is_imported_again(tree, chair, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [row("N1", "新企业工会", uscc=GOOD_USCC)])
    orgs_import(actor=chair, path=path)
    events = AuditEvent.objects.count()
    report = orgs_import(actor=chair, path=path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert AuditEvent.objects.filter(action="org.update").count() == 0
    assert AuditEvent.objects.count() == events + 1  # only the import summary


def test_it_updates_in_place_from_a_corrected_file(tree, chair, tmp_path):
    orgs_import(actor=chair, path=write_xlsx(tmp_path / "a.xlsx", [row("N1", "新企业工会", employees=50)]))
    report = orgs_import(actor=chair, path=write_xlsx(tmp_path / "b.xlsx", [row("N1", "新企业工会", employees=75)]))
    assert report.updated == 1 and Org.objects.get(code="N1").employee_count == 75


def test_it_writes_nothing_when_any_row_is_wrong(tree, chair, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [
        row("N1", "好的工会"),
        row("N2", "校验位错", uscc=BAD_USCC),
        row("N3", "上级不存在", parent="NOPE"),
        row("N1", "重复编码"),
        row("N4", "", employees=10),
        row("N5", "类型错", kind="公司"),
        row("N6", "人数错", employees="很多"),
        row("N7", "下级", kind="分会", parent="N2"),
        row("N8", "日期错", 成立日期="2023-02-30"),
    ])
    report = orgs_import(actor=chair, path=path)
    assert not report.written
    assert not Org.objects.filter(code__in=["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]).exists()
    messages = dict(report.errors)
    assert "校验位不符" in messages[3]
    assert "找不到上级工会编码“NOPE”" in messages[4]
    assert "与第2行重复" in messages[5]
    assert "“工会名称”不能为空" in messages[6]
    assert "“类型”的值“公司”无效" in messages[7]
    assert "应为整数" in messages[8]
    assert "所在的行有错误" in messages[9]
    assert "不存在" in messages[10]


def test_it_imports_only_the_valid_rows_when_asked(tree, chair, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [row("N1", "好的工会"), row("N2", "校验位错", uscc=BAD_USCC)])
    report = orgs_import(actor=chair, path=path, mode="valid")
    assert report.written and report.created == 1 and report.rejected == 1
    assert Org.objects.filter(code="N1").exists() and not Org.objects.filter(code="N2").exists()


def test_it_checks_without_writing_on_a_dry_run(tree, chair, tmp_path):
    report = orgs_import(actor=chair, path=write_xlsx(tmp_path / "t.xlsx", [row("N1", "好的工会")]), dry_run=True)
    assert report.created == 1 and not report.written and not Org.objects.filter(code="N1").exists()


def test_it_refuses_cycles_inside_the_file(tree, chair, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [
        row("A1", "甲", kind="分会", parent="A2"),
        row("A2", "乙", kind="分会", parent="A1"),
        row("A3", "丙", kind="分会", parent="A3"),
    ])
    report = orgs_import(actor=chair, path=path)
    text = " ".join(m for _, m in report.errors)
    assert "循环" in text and "自己的编码" in text and not report.written


def test_it_refuses_formula_cells_in_text_fields(tree, chair, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [row("N1", '=HYPERLINK("http://x","点我")')], formulas={(1, 1)})
    report = orgs_import(actor=chair, path=path)
    assert "是公式" in report.errors[0][1] and not report.written


def test_it_refuses_text_that_looks_like_a_formula(tree, chair, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(",".join(HEADERS) + "\nN1,=cmd|' /C calc'!A0,,企业工会,S1\n", encoding="utf-8")
    report = orgs_import(actor=chair, path=path)
    assert "看起来是公式" in report.errors[0][1]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_it_reads_csv_in_the_encodings_excel_writes(tree, chair, tmp_path, encoding):
    path = tmp_path / "t.csv"
    path.write_bytes((",".join(HEADERS) + "\nN1,望湖社区工会,,社区工会,S1\n").encode(encoding))
    report = orgs_import(actor=chair, path=path)
    assert report.ok and Org.objects.get(code="N1").name == "望湖社区工会"


def test_it_skips_a_merged_title_row_above_the_headers(tree, chair, tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [row("N1", "新企业工会")], title="2025年组织架构表")
    assert orgs_import(actor=chair, path=path).created == 1


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "空的"),
        (b"PK\x03\x04broken zip", "无法读取"),
        ("\n".join(["工会名称,类型", "甲,企业工会"]).encode(), "缺少必需的列：工会编码"),
        ("随便写点什么".encode("utf-16"), "没有找到表头行"),
        (b"\x81\x30\xff\xff\xfe\x80" * 10, "编码"),
    ],
)
def test_it_explains_files_it_cannot_use(tree, chair, tmp_path, content, message):
    suffix = ".xlsx" if content.startswith(b"PK") else ".csv"
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(content)
    report = orgs_import(actor=chair, path=path)
    assert message in report.file_error and not report.written


def test_it_refuses_an_unknown_file_type(tree, chair, tmp_path):
    path = tmp_path / "t.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert "不支持" in orgs_import(actor=chair, path=path).file_error


def test_it_refuses_rows_outside_the_actors_subtree(tree, personas, tmp_path):
    actor = actor_of(personas.outsider)  # chair of S2
    path = write_xlsx(tmp_path / "t.xlsx", [row("N1", "越权新建", parent="S1"), row("G1", "改别人的工会", parent="S2")])
    report = orgs_import(actor=actor, path=path)
    text = " ".join(m for _, m in report.errors)
    assert "找不到上级工会编码“S1”" in text and "管辖范围以外" in text
    assert Org.objects.get(code="G1").name == "临江精机工会"


def test_it_refuses_a_long_cell(tree, chair, tmp_path):
    report = orgs_import(actor=chair, path=write_xlsx(tmp_path / "t.xlsx", [row("N1", "长" * 10_000)]))
    assert "最多100个字" in report.errors[0][1]


def test_it_exports_a_file_that_reimports_unchanged(tree, personas, tmp_path):
    actor = actor_of(personas.street_chair)
    out = orgs_export(actor=actor, root=tree.street, path=tmp_path / "out.xlsx")
    assert AuditEvent.objects.filter(action="org.export").exists()
    report = orgs_import(actor=actor_of(personas.district_admin), path=out)
    assert report.ok and report.unchanged == 3 and report.created == 0 and report.updated == 0


def test_it_neutralizes_formula_like_text_in_exports(tree, personas, tmp_path):
    from python_calamine import CalamineWorkbook

    from gonghui.orgs import services

    services.org_update(actor=actor_of(personas.street_chair), org=tree.grassroots, address="=1+1 路")
    out = orgs_export(actor=actor_of(personas.street_chair), root=tree.street, path=tmp_path / "out.xlsx")
    cells = [c for r in CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python() for c in r]
    assert "'=1+1 路" in cells


def test_it_writes_a_template_with_an_example_and_explanations(tmp_path):
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(orgs_template(tmp_path / "t.xlsx")))
    assert wb.sheet_names == ["数据", "职工之家评定", "填写说明"]
    data = wb.get_sheet_by_index(0).to_python()
    assert data[0][0] == "工会编码*" and not any(any(row) for row in data[1:])  # the example is no row of the data
    explained = wb.get_sheet_by_name("填写说明").to_python()
    assert ["工会编码", "必填", "JN-GH-001"] in [row[:3] for row in explained]


def test_a_refused_import_is_audited_as_a_failure(tree, chair, tmp_path):
    orgs_import(actor=chair, path=write_xlsx(tmp_path / "t.xlsx", [row("N2", "校验位错", uscc=BAD_USCC)]))
    event = AuditEvent.objects.get(action="org.import")
    assert event.result == "failure" and "1行错误" in event.message


def test_a_scoped_user_can_reimport_their_own_export(tree, personas, tmp_path):
    actor = actor_of(personas.grassroots_chair)
    out = orgs_export(actor=actor, root=tree.grassroots, path=tmp_path / "out.xlsx")
    report = orgs_import(actor=actor, path=out)
    assert report.ok and report.unchanged == 2


def test_it_finds_formulas_on_the_first_sheet_even_when_it_is_not_sheet1(tree, chair, tmp_path):
    import zipfile

    src = write_xlsx(tmp_path / "t.xlsx", [row("N1", '=CONCAT("a","b")')], formulas={(1, 1)})
    # Rename the worksheet part and point the workbook's relationship at the new name.
    renamed = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(renamed, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            name = item.filename.replace("worksheets/sheet1.xml", "worksheets/data.xml")
            if item.filename in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"worksheets/sheet1.xml", b"worksheets/data.xml")
            zout.writestr(name, data)
    report = orgs_import(actor=chair, path=renamed)
    assert report.errors and "是公式" in report.errors[0][1]
