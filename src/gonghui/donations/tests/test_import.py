import datetime as dt
from decimal import Decimal

import pytest

from gonghui.donations import selectors, services
from gonghui.donations.models import Donation
from gonghui.donations.sheets import HEADERS, donations_export, donations_import, donations_template
from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id, write_roster

TODAY = dt.date.today()


@pytest.fixture
def setup(tree, personas):
    chair = actor_of(personas.grassroots_chair)
    drive = services.drive_create(actor=chair, org=tree.grassroots, name="抗震救灾爱心捐款", purpose="灾区",
                                  starts_on=TODAY - dt.timedelta(days=5), ends_on=TODAY + dt.timedelta(days=5))
    number = make_id()
    member = member_create(actor=chair, org=tree.branch, name="张三", id_number=number, joined_on=dt.date(2020, 1, 1))
    return chair, drive, member, number


def rows(drive, number):
    return [
        {"捐款活动": drive.name, "会员身份证号": number, "金额": "100", "捐款日期": TODAY.isoformat()},
        {"捐款活动": str(drive.pk), "单位或个人名称": "临江机械厂", "金额": "2,000.50", "捐款日期": TODAY.isoformat(), "方式": "转账"},
    ]


def test_it_imports_idempotently(setup, tree, tmp_path):
    chair, drive, member, number = setup
    path = write_roster(tmp_path / "d.xlsx", rows(drive, number), HEADERS)
    report = donations_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok and report.written and report.created == 2
    again = donations_import(actor=chair, path=path, org=tree.grassroots)
    assert again.ok and again.created == 0 and again.unchanged == 2
    assert selectors.drive_totals(chair, drive)["total"] == Decimal("2100.50")


@pytest.mark.parametrize("change, fragment", [
    ({"捐款活动": "不存在的活动"}, "找不到捐款活动"),
    ({"会员身份证号": "110105199003070018"}, "校验"),
    ({"会员身份证号": make_id()}, "找不到该身份证号的会员"),
    ({"金额": "-10"}, "金额应大于0"),
    ({"金额": "abc"}, "应为数字"),
    ({"捐款日期": "2000-01-01"}, "起止日期之内"),
    ({"单位或个人名称": "某单位"}, "只能填一项"),
    ({"备注": "=SUM(A1)"}, "公式"),
])
def test_a_bad_row_leaves_nothing_written(setup, tree, tmp_path, change, fragment):
    chair, drive, member, number = setup
    data = rows(drive, number)
    data[0].update(change)
    report = donations_import(actor=chair, path=write_roster(tmp_path / "d.xlsx", data, HEADERS), org=tree.grassroots)
    assert not report.written and any(fragment in m for _, m in report.errors), report.errors
    assert not Donation.objects.exists()


def test_bad_files_are_explained(setup, tree, tmp_path):
    chair, drive, member, number = setup
    empty = tmp_path / "e.xlsx"
    empty.write_bytes(b"")
    junk = tmp_path / "j.xlsx"
    junk.write_bytes(b"not a zip")
    other = write_roster(tmp_path / "o.xlsx", [{"姓名": "x"}], ["姓名", "金额"])
    for path in (empty, junk, other, tmp_path / "x.pdf"):
        if not path.exists():
            path.write_bytes(b"%PDF")
        report = donations_import(actor=chair, path=path, org=tree.grassroots)
        assert report.file_error and not report.written
    assert not Donation.objects.exists()


def test_a_sibling_cannot_import_into_the_drive(setup, tree, personas, tmp_path):
    chair, drive, member, number = setup
    path = write_roster(tmp_path / "d.xlsx", rows(drive, number), HEADERS)
    outsider = actor_of(personas.outsider)
    assert donations_import(actor=outsider, path=path, org=tree.grassroots).file_error
    report = donations_import(actor=outsider, path=path, org=tree.sibling_street)
    assert not report.written and any("找不到捐款活动" in m for _, m in report.errors)
    assert not Donation.objects.exists()


def test_template_and_export_carry_no_id_numbers(setup, tree, tmp_path):
    from python_calamine import CalamineWorkbook

    chair, drive, member, number = setup
    donations_import(actor=chair, path=write_roster(tmp_path / "d.xlsx", rows(drive, number), HEADERS), org=tree.grassroots)
    assert donations_template(tmp_path / "t.xlsx").exists()
    out = donations_export(actor=chair, org=tree.grassroots, path=tmp_path / "x.xlsx")
    cells = [str(c) for r in CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python() for c in r]
    assert "张三" in cells and "临江机械厂" in cells and not any(number in c or number[:10] in c for c in cells)


def test_the_cli_round_trip(setup, tree, tmp_path):
    from django.core.management import call_command

    chair, drive, member, number = setup
    call_command("template", "donations", "--out", str(tmp_path / "t.xlsx"))
    path = write_roster(tmp_path / "d.xlsx", rows(drive, number), HEADERS)
    call_command("import", "donations", str(path), "--org", "G1")
    assert Donation.objects.count() == 2
    call_command("export", "donations", "--org", "S1", "--subtree", "--out", str(tmp_path / "x.xlsx"))
    assert (tmp_path / "x.xlsx").exists()
