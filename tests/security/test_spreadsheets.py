"""Crafted spreadsheets against every way in: the web import pages (run by the worker), the
CLI and the reader itself. None may crash the process that asked, write anything, or answer
in anything but Chinese.

The probes are real: `test_the_far_cell_probe_kills_an_unguarded_reader` shows that the
same file aborts calamine when it is read without the guard.
"""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.test import override_settings

from gonghui.exchange import files
from gonghui.exchange.models import ImportJob
from gonghui.exchange.sheet_read import Limits, read_table_isolated
from gonghui.exchange.sheets import SheetError, read_table
from gonghui.members.models import Member
from gonghui.members.sheets import HEADERS as MEMBER_HEADERS
from gonghui.orgs.models import Org
from gonghui.orgs.sheets import HEADERS as ORG_HEADERS
from gonghui.testing import crafted
from gonghui.testing.members import make_id

ORG_ROW = ["W1", "网页导入工会", "", "社区工会", "S1"]


def _member_row():
    values = {"姓名": "张三", "身份证号": make_id(), "性别": "男", "入会时间": "2020-05-01", "所属工会编码": "B1"}
    return [values.get(h, "") for h in MEMBER_HEADERS]


PROBES = {
    "far_cell": lambda p, h, v: crafted.far_cell(p, h, v),
    "far_cell_declared": lambda p, h, v: crafted.far_cell(p, h, v, declared="A1:XFD1048576"),
    "far_cell_behind_a_lying_dimension": lambda p, h, v: crafted.far_cell(p, h, v, declared="A1:E2"),
    "far_column": lambda p, h, v: crafted.far_cell(p, h, v, ref="XFD3"),
    "cells_without_references": lambda p, h, v: crafted.far_cell_unreferenced(p, h, v),
    "zip_bomb": lambda p, h, v: crafted.zip_bomb(p, h, v, megabytes=48),
    "dtd_in_sheet": lambda p, h, v: crafted.with_dtd(p, h, v),
    "dtd_in_workbook": lambda p, h, v: crafted.with_dtd(p, h, v, where="workbook"),
    "text_named_xlsx": lambda p, h, v: crafted.impostor(p, "text"),
    "png_named_xlsx": lambda p, h, v: crafted.impostor(p, "png"),
    "truncated_zip": lambda p, h, v: crafted.impostor(p, "truncated"),
    "empty_zip": lambda p, h, v: crafted.impostor(p, "empty_zip"),
}
MESSAGES = {
    "far_cell": "行数超过", "far_cell_declared": "行数超过", "far_cell_behind_a_lying_dimension": "行数超过",
    "far_column": "列数超过", "cells_without_references": "列数超过", "zip_bomb": "压缩炸弹",
    "dtd_in_sheet": "DTD", "dtd_in_workbook": "DTD",
}


def _probe(tmp_path, name, headers=ORG_HEADERS, values=ORG_ROW):
    return PROBES[name](tmp_path / f"{name}.xlsx", headers, values)


@pytest.mark.parametrize("name", sorted(PROBES))
def test_it_refuses_each_probe_with_a_chinese_message(tmp_path, name):
    with pytest.raises(SheetError) as refused:
        read_table(_probe(tmp_path, name), expected_headers=ORG_HEADERS)
    message = str(refused.value)
    assert MESSAGES.get(name, "无法读取") in message
    assert message.isascii() is False and "Traceback" not in message and "panicked" not in message


def test_the_far_cell_probe_kills_an_unguarded_reader(tmp_path):
    """Without the checks the same 2 KB file aborts the process that reads it (here a
    child with a 2 GiB address space, so the machine stays safe)."""
    path = _probe(tmp_path, "far_cell_behind_a_lying_dimension")
    assert path.stat().st_size < 4096
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30));"
        "from python_calamine import CalamineWorkbook;"
        f"CalamineWorkbook.from_path({str(path)!r}).get_sheet_by_index(0).to_python()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert done.returncode != 0


def test_a_file_over_the_memory_limit_fails_alone(tmp_path):
    """What the checks cannot see before reading (here: a grid just under the cell cap,
    read with a child allowed too little memory) ends the child, not us."""
    path = tmp_path / "big.csv"
    path.write_text("工会编码,工会名称\n" + "X1,测试测试测试测试测试测试测试测试\n" * 200_000, encoding="utf-8")
    with pytest.raises(SheetError) as refused:
        read_table_isolated(path, expected_headers=["工会编码"], limits=Limits(memory_mb=80))
    assert "内存或时间" in str(refused.value)


def test_formulas_are_found_and_refused_per_cell(tree, operator, tmp_path):
    from gonghui.orgs.sheets import orgs_import

    path = crafted.with_formula(tmp_path / "f.xlsx", ORG_HEADERS, ORG_ROW)
    assert read_table(path, expected_headers=ORG_HEADERS).formulas == {(2, 0)}
    report = orgs_import(actor=operator, path=path)
    assert report.errors and "公式" in report.errors[0][1] and not Org.objects.filter(code="W1").exists()


@pytest.mark.parametrize("name", ["far_cell", "zip_bomb", "dtd_in_sheet", "png_named_xlsx"])
def test_the_cli_says_why_in_chinese_and_exits_2(tree, tmp_path, capsys, name):
    with pytest.raises(SystemExit) as ended:
        call_command("import", "orgs", str(_probe(tmp_path, name)))
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("文件无法导入：") and "Traceback" not in err
    assert not Org.objects.filter(code="W1").exists()


def _upload(client, url, path, capture, **data):
    with path.open("rb") as fh, capture(execute=True):
        response = client.post(url, {"file": fh, **data})
    return response


@pytest.mark.parametrize("name", ["far_cell", "zip_bomb", "dtd_in_workbook"])
def test_a_chair_posting_a_probe_to_the_tree_import_gets_a_failed_check(tree, personas, login, tmp_path, name,
                                                                        django_capture_on_commit_callbacks):
    client = login(personas.street_chair)
    response = _upload(client, "/imports/orgs/", _probe(tmp_path, name), django_capture_on_commit_callbacks, org_code="S1")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.state == "done" and MESSAGES[name] in job.file_error
    page = client.get(f"/imports/orgs/{job.pk}/").content.decode()
    assert MESSAGES[name] in page
    # The file could never be imported: it is gone at once.
    assert files.stashed_path(job.token) is None
    # …and the next, good file goes through.
    good = crafted.plain(tmp_path / "good.xlsx", ORG_HEADERS, ORG_ROW)
    _upload(client, "/imports/orgs/", good, django_capture_on_commit_callbacks, org_code="S1")
    check = ImportJob.objects.latest("id")
    assert check.state == "done" and not check.file_error and check.created == 1


def test_a_branch_head_posting_a_probe_to_the_roster_import_gets_a_failed_check(tree, personas, login, tmp_path,
                                                                                django_capture_on_commit_callbacks):
    client = login(personas.branch_lead)
    probe = _probe(tmp_path, "far_cell", MEMBER_HEADERS, _member_row())
    _upload(client, "/members/import/", probe, django_capture_on_commit_callbacks, org_code="B1")
    job = ImportJob.objects.get()
    assert job.state == "done" and "行数超过" in job.file_error and Member.objects.count() == 0


@override_settings(GONGHUI_MAX_UPLOAD_MB=1)
@pytest.mark.parametrize("url", ["/imports/orgs/", "/members/import/", "/imports/donations/"])
def test_an_upload_over_the_cap_is_refused_before_it_is_stored(tree, personas, login, tmp_path, url):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (1024 * 1024 + 10))
    before = set(files.work_dir("uploads").iterdir())
    response = login(personas.district_admin).post(url, {"file": big.open("rb"), "org_code": "G1"}, follow=True)
    assert "文件超过1MB，未上传" in response.content.decode()
    assert set(files.work_dir("uploads").iterdir()) == before and ImportJob.objects.count() == 0


@override_settings(GONGHUI_MAX_UPLOAD_MB=1)
def test_a_file_under_the_cap_is_taken(tree, personas, login, tmp_path, django_capture_on_commit_callbacks):
    path = crafted.plain(tmp_path / "ok.xlsx", ORG_HEADERS, ORG_ROW)
    _upload(login(personas.street_chair), "/imports/orgs/", path, django_capture_on_commit_callbacks, org_code="S1")
    assert ImportJob.objects.get().state == "done"
