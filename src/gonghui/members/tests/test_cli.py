import pytest
from django.core.management import call_command

from gonghui.members.models import Member
from gonghui.members.sheets import members_import, members_template
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id, write_roster


def test_the_template_unchanged_imports_nothing(tree, personas, tmp_path):
    # Its data sheet has no example row (the example is on 填写说明): nothing to import.
    report = members_import(actor=actor_of(personas.grassroots_chair), path=members_template(tmp_path / "t.xlsx"), org=tree.grassroots, dry_run=True)
    assert report.file_error == "文件中只有表头，没有数据行。" and report.created == 0


def test_import_members_prints_counts_and_exits_by_result(tree, tmp_path, capsys):
    good = write_roster(tmp_path / "good.xlsx", [{"姓名": "张三", "身份证号": make_id(), "入会时间": "2020-01-01"}])
    call_command("import", "members", str(good), org="G1")
    assert "新建 1，更新 0，未变 0，拒绝 0" in capsys.readouterr().out
    bad = write_roster(tmp_path / "bad.xlsx", [{"姓名": "李四", "身份证号": "110105199003070018", "入会时间": "2020-01-01"}])
    with pytest.raises(SystemExit) as exc:
        call_command("import", "members", str(bad), org="G1")
    assert exc.value.code == 1 and "校验位不符" in capsys.readouterr().err
    call_command("import", "members", str(bad), org="G1", mode="valid")  # nothing valid, but exit 0
    assert Member.objects.count() == 1


def test_export_members_of_a_subtree(tree, tmp_path, capsys):
    from python_calamine import CalamineWorkbook

    write = write_roster(tmp_path / "r.xlsx", [{"姓名": "张三", "身份证号": make_id(), "入会时间": "2020-01-01", "所属工会编码": "B1"}])
    call_command("import", "members", str(write), org="G1")
    out = tmp_path / "out.xlsx"
    call_command("export", "members", org="G1", out=str(out))
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert len(rows) == 1  # without --subtree: only G1's own members (张三 is in B1)
    call_command("export", "members", org="G1", subtree=True, out=str(out))
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[1][0] == "张三"


def test_template_members(tmp_path):
    call_command("template", "members", out=str(tmp_path / "t.xlsx"))
    assert (tmp_path / "t.xlsx").exists()
