import datetime as dt

from gonghui.access.permissions import Role
from gonghui.audit.models import AuditEvent
from gonghui.benefits.models import BenefitRecord
from gonghui.benefits.sheets import HEADERS, benefits_export, benefits_import, benefits_template
from gonghui.benefits.tests.conftest import YEAR
from gonghui.testing.factories import actor_of, staff
from gonghui.testing.members import write_roster


def rows_file(tmp_path, rows, name="b.xlsx", headers=HEADERS):
    return write_roster(tmp_path / name, rows, headers)


def row(member, **extra):
    values = {"身份证号": member.id_number, "姓名": member.name, "慰问类别": "节日慰问", "节日": "春节", "发放日期": f"{YEAR}-01-20",
              "形式": "实物", "金额（元）": "500", "物品/说明": "大米"}
    values.update(extra)
    return values


def test_it_imports_all_or_nothing_and_idempotently(tree, chair, anhui, add_member, tmp_path):
    a, b = add_member("王芳"), add_member("李四", female=False, org=tree.branch)
    path = rows_file(tmp_path, [row(a), row(b, **{"慰问类别": "生日慰问", "节日": "", "金额（元）": "300"})])
    report = benefits_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok and report.written and report.created == 2
    again = benefits_import(actor=chair, path=path, org=tree.grassroots)
    assert again.ok and again.created == 0 and again.unchanged == 2
    assert BenefitRecord.objects.count() == 2
    out = benefits_export(actor=chair, queryset=BenefitRecord.objects.all(), path=tmp_path / "out.xlsx")[1]
    assert out == 2 and AuditEvent.objects.filter(action="benefit.export").exists()
    assert benefits_template(tmp_path / "t.xlsx").exists()


def test_bad_files_leave_nothing_written(tree, chair, anhui, add_member, personas, tmp_path):
    a = add_member("王芳")
    b = add_member("赵六", pays_dues=False)
    other = add_member("钱七", org=tree.sibling_grassroots)
    cases = [
        ([row(a), row(a, **{"身份证号": "110105199003070018"})], "校验"),
        ([row(a), row(a, **{"姓名": "王芬"})], "姓名“王芬”与该身份证号"),
        ([row(a), row(other)], "不在“临江精机工会”之下"),
        ([row(a), row(a, **{"金额（元）": "2000", "节日": "中秋"})], "全年累计将达2,500元"),
        ([row(a, **{"形式": "现金"})], "只能发放实物"),
        ([row(b)], "未按时缴纳会费"),
        ([row(a, **{"慰问类别": "生病住院慰问", "节日": ""})], "病情"),
        ([row(a, **{"慰问类别": "发红包"})], "慰问类别"),
        ([row(a, **{"发放日期": "2025-02-30"})], "不存在"),
        ([row(a), row(a)], "重复"),
        ([row(a, **{"金额（元）": "=1+1"})], "公式"),
    ]
    for i, (rows, fragment) in enumerate(cases):
        report = benefits_import(actor=chair, path=rows_file(tmp_path, rows, f"c{i}.xlsx"), org=tree.grassroots)
        text = report.file_error + " ".join(m for _, m in report.errors)
        assert not report.written and fragment in text, (fragment, text)
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert "空" in benefits_import(actor=chair, path=tmp_path / "empty.xlsx", org=tree.grassroots).file_error
    wrong = rows_file(tmp_path, [{"甲": 1}], "wrong.xlsx", headers=["甲", "乙"])
    assert benefits_import(actor=chair, path=wrong, org=tree.grassroots).file_error
    assert "管辖范围" in benefits_import(actor=chair, path=rows_file(tmp_path, [row(other)], "o.xlsx"), org=tree.sibling_grassroots).file_error
    assert not BenefitRecord.objects.exists()


def test_valid_mode_and_overrides_in_import(tree, chair, anhui, add_member, tmp_path):
    a, b = add_member("王芳"), add_member("李四", female=False)
    rows = [row(a), row(b, **{"形式": "现金"})]
    report = benefits_import(actor=chair, path=rows_file(tmp_path, rows), org=tree.grassroots, mode="valid")
    assert report.written and report.created == 1 and report.rejected == 1
    officer = actor_of(staff(tree.grassroots, Role.OFFICER, username="officer"))
    rows = [row(b, **{"形式": "现金", "超标准说明": "偏远无法配送"})]
    assert not benefits_import(actor=officer, path=rows_file(tmp_path, rows, "o.xlsx"), org=tree.grassroots).written
    report = benefits_import(actor=chair, path=rows_file(tmp_path, rows, "c.xlsx"), org=tree.grassroots)
    assert report.written and BenefitRecord.objects.get(member=b).override_reason == "偏远无法配送"
    assert AuditEvent.objects.filter(action="benefit.override").exists()


def test_dates_outside_a_year_do_not_add_up(tree, chair, anhui, add_member, tmp_path):
    a = add_member("王芳")
    rows = [row(a, **{"金额（元）": "2000"}), row(a, **{"金额（元）": "2000", "发放日期": f"{YEAR - 1}-01-20"})]
    assert benefits_import(actor=chair, path=rows_file(tmp_path, rows), org=tree.grassroots).written
    assert dt.date(YEAR - 1, 1, 20) in set(BenefitRecord.objects.values_list("on", flat=True))
