import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.accounts.models import RoleGrant, User
from gonghui.audit.models import AuditEvent
from gonghui.audit.services import audit_verify
from gonghui.orgs.models import Org


def test_template_import_export_round_trip(tree, tmp_path, capsys):
    template = tmp_path / "t.xlsx"
    call_command("template", "orgs", out=str(template))
    assert template.exists()
    out = tmp_path / "export.xlsx"
    call_command("export", "orgs", org="S1", out=str(out))
    capsys.readouterr()
    call_command("import", "orgs", str(out))
    assert "新建 0，更新 0，未变 3，拒绝 0" in capsys.readouterr().out


def test_import_exits_non_zero_and_prints_row_errors(tree, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("工会编码,工会名称,类型,上级工会编码\nN1,好工会,社区工会,S1\nN2,坏工会,不存在的类型,S1\n", encoding="gbk")
    with pytest.raises(SystemExit) as exc:
        call_command("import", "orgs", str(bad))
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert "第3行" in captured.err and "无效" in captured.err and "未写入任何数据" in captured.out
    assert not Org.objects.filter(code="N1").exists()
    call_command("import", "orgs", str(bad), mode="valid")
    assert Org.objects.filter(code="N1").exists()


def test_import_with_org_puts_parentless_rows_under_it(tree, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("工会编码,工会名称,类型\nN9,挂在G1下的分会,分会\n", encoding="utf-8")
    call_command("import", "orgs", str(f), org="G1")
    assert Org.objects.get(code="N9").parent == tree.grassroots


def test_import_dry_run_writes_nothing(tree, tmp_path, capsys):
    f = tmp_path / "t.csv"
    f.write_text("工会编码,工会名称,类型,上级工会编码\nN1,好工会,社区工会,S1\n", encoding="utf-8")
    call_command("import", "orgs", str(f), dry_run=True)
    assert "仅检查" in capsys.readouterr().out and not Org.objects.filter(code="N1").exists()


def test_a_broken_file_exits_2(tree, tmp_path):
    f = tmp_path / "t.xlsx"
    f.write_bytes(b"not a workbook")
    with pytest.raises(SystemExit) as exc:
        call_command("import", "orgs", str(f))
    assert exc.value.code == 2


def test_as_user_limits_the_cli_to_that_users_scope(tree, personas, tmp_path):
    with pytest.raises(CommandError, match="找不到工会编码"):
        call_command("export", "orgs", org="S2", out=str(tmp_path / "x.xlsx"), as_user="street_chair")
    call_command("export", "orgs", org="S1", out=str(tmp_path / "y.xlsx"), as_user="street_chair")
    assert AuditEvent.objects.filter(action="org.export", username="street_chair", source="cli").exists()


def test_unknown_kinds_are_explained(db):
    with pytest.raises(CommandError, match="不支持"):
        call_command("template", "nothing", out="/tmp/x.xlsx")


def test_createadmin_makes_the_first_administrator(db, monkeypatch, capsys):
    monkeypatch.setenv("GONGHUI_ADMIN_PASSWORD", "First#Admin2025")
    call_command("createadmin", username="root1", full_name="管理员", org_code="SZ", org_name="某市总工会", org_kind="city")
    user = User.objects.get(username="root1")
    assert RoleGrant.objects.get(user=user).org.code == "SZ" and user.check_password("First#Admin2025")
    with pytest.raises(CommandError, match="已有系统管理员"):
        call_command("createadmin", username="root2", full_name="二", org_code="SZ")


def test_createadmin_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("GONGHUI_ADMIN_PASSWORD", "weak")
    with pytest.raises(CommandError, match="10"):
        call_command("createadmin", username="root1", full_name="管理员", org_code="SZ", org_name="某市总工会")
    assert not User.objects.exists()


def test_demo_builds_a_realistic_database_with_an_intact_audit_chain(db, capsys):
    call_command("demo", no_serve=True)
    out = capsys.readouterr().out
    assert "qu_zhuxi" in out and "Demo@2025gh" in out
    assert Org.objects.filter(level=3).count() >= 30
    assert Org.objects.filter(level=4).exists() and Org.objects.filter(level=5).exists()
    assert User.objects.count() == 11  # 10 staff and one member login
    assert audit_verify().ok
    call_command("otp", "admin")
    assert re.fullmatch(r"\d{6}\n", capsys.readouterr().out)
    call_command("demo", no_serve=True)  # a second run leaves the demo as it is
    assert "已存在" in capsys.readouterr().out


def test_demo_refuses_a_real_database(tree):
    with pytest.raises(CommandError, match="正式数据"):
        call_command("demo", no_serve=True)


def test_otp_only_works_on_a_demo_database(personas):
    with pytest.raises(CommandError, match="演示数据库"):
        call_command("otp", "street_admin")
