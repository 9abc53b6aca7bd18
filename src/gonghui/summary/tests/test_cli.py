"""`gonghui summary` and `gonghui stats`: their shared checks of the period, the union,
the actor and the output file, each refused with a Chinese message."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEvent


@pytest.fixture(params=["summary", "stats"])
def command(request):
    return request.param


def out_file(command, tmp_path):
    return tmp_path / ("总结.md" if command == "summary" else "统计.xlsx")


def test_it_writes_the_file_and_audits_the_export(command, tree, tmp_path):
    out = out_file(command, tmp_path)
    call_command(command, "--org", "G1", "--period", "2025", "--out", str(out))
    assert out.exists() and out.stat().st_size > 0
    assert AuditEvent.objects.filter(action="summary.export").count() == 1
    if command == "stats":
        assert CalamineWorkbook.from_path(str(out)).sheet_names


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2025Q5"], "期间"),
    (["--org", "NOPE"], "找不到工会编码“NOPE”"),
    (["--as", "nobody"], "找不到可用的账号“nobody”"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(command, tree, tmp_path, args, message):
    out = out_file(command, tmp_path)
    options = {"--org": "G1", "--period": "2025", "--out": str(out)}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError, match=message):
        call_command(command, *[part for pair in options.items() for part in pair])
    assert not out.exists() and not AuditEvent.objects.filter(action="summary.export").exists()


def test_a_missing_output_directory_is_named(command, tree, tmp_path):
    out = tmp_path / "没有这个目录" / out_file(command, tmp_path).name
    with pytest.raises(CommandError, match="输出目录不存在"):
        call_command(command, "--org", "G1", "--period", "2025", "--out", str(out))


def test_a_wrong_file_type_is_refused(command, tree, tmp_path):
    with pytest.raises(CommandError, match="扩展名"):
        call_command(command, "--org", "G1", "--period", "2025", "--out", str(tmp_path / "x.pdf"))


def test_another_unions_chair_cannot_export_it(command, tree, personas, tmp_path):
    out = out_file(command, tmp_path)
    with pytest.raises(CommandError, match="不在管辖范围内"):
        call_command(command, "--org", "G1", "--period", "2025", "--out", str(out), "--as", "outsider")
    assert not out.exists()
