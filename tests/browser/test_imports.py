"""Spreadsheet imports in a real browser (issue 11): a template's example never becomes a
member, and an all-or-nothing import refused for one bad row says so — in the import list
too, not a bare 已完成 — and imports the good rows with one click.

Imports run as background jobs; under the test settings the task backend runs them
inline once the request's transaction commits, so a job page usually shows the result
straight away and otherwise polls (htmx, every second) until it does.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from gonghui.exchange.sheets import EXAMPLE_ROW, XlsxWriter
from gonghui.members.models import Member
from gonghui.members.sheets import COLUMNS as MEMBER_COLUMNS
from gonghui.orgs.models import Org
from gonghui.orgs.sheets import HEADERS as ORG_HEADERS
from gonghui.testing.members import make_id, write_roster

pytestmark = pytest.mark.browser

JOB_TIMEOUT_MS = 20_000  # the import runs inside the upload request; 2 busy cores can be slow
HEADER_ONLY = "文件中只有表头，没有数据行。"


def assert_no_browser_errors(page) -> None:
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)


def upload(page, start: str, path) -> None:
    page.goto(start)
    page.locator("#file").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()
    expect(page).to_have_url(re.compile(rf"{start}\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"检查文件：{path.name}")


def last_years_template(path, rows: list[dict]):
    """A copy of a template from before the fix: the example as its second row (written
    the way the old template wrote it), then the union's own rows."""
    out = XlsxWriter(path)
    ws = out.sheet("数据", MEMBER_COLUMNS)
    for n, values in enumerate([{c.key: c.example for c in MEMBER_COLUMNS}, *rows], start=1):
        out.write_row(ws, n, MEMBER_COLUMNS, values)
    out.close()
    return path


def test_the_templates_example_never_becomes_a_member(page, personas, tree, log_in, shot, tmp_path):
    log_in(page, "grassroots_chair")
    page.goto("/members/import/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板").click()
    template = tmp_path / "会员名册导入模板.xlsx"
    download.value.save_as(template)

    # Uploaded as downloaded: nothing to import, and the page says why.
    upload(page, "/members/import/", template)
    expect(page.get_by_test_id("job-outcome")).to_have_text(f"出错：{HEADER_ONLY}", timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("confirm-import")).to_have_count(0)
    shot(page, "template-unchanged")

    # Last year's copy still has 张三 on row 2; the union added two real members below.
    real = [{"name": "李梅", "id_number": make_id(dt.date(1990, 3, 7), male=False), "joined_on": dt.date(2021, 4, 1)},
            {"name": "王强", "id_number": make_id(dt.date(1984, 9, 9)), "joined_on": dt.date(2019, 7, 1)}]
    old = last_years_template(tmp_path / "去年的名册.xlsx", real)
    upload(page, "/members/import/", old)
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.get_by_role("row").filter(has_text="第2行")).to_contain_text(EXAMPLE_ROW)
    expect(page.get_by_test_id("job-outcome")).to_contain_text("检查完成：可导入2行，1行有错误")
    shot(page, "example-row-refused")

    page.get_by_test_id("confirm-import").click()  # all or nothing (the box for valid rows left unticked)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"导入会员：{old.name}")
    expect(page.get_by_test_id("job-outcome")).to_contain_text("未导入：1行有错误（全部正确才导入）", timeout=JOB_TIMEOUT_MS)
    assert Member.objects.count() == 0

    page.get_by_role("button", name="只导入正确的行（2行）").click()
    expect(page.get_by_text("导入完成")).to_contain_text("新登记 2 人", timeout=JOB_TIMEOUT_MS)
    shot(page, "good-rows-imported")
    assert sorted(Member.objects.values_list("name", flat=True)) == ["李梅", "王强"]

    page.goto("/members/import/")
    recent = page.locator(".list-group-item")
    expect(recent.filter(has_text="已导入2行，跳过1行有错误")).to_have_count(1)
    expect(recent.filter(has_text="未导入：1行有错误（全部正确才导入）")).to_have_count(1)
    expect(recent.filter(has_text="检查完成：可导入2行，1行有错误")).to_have_count(1)
    expect(recent.filter(has_text=f"出错：{HEADER_ONLY}")).to_have_count(1)
    expect(recent.filter(has_text="已完成")).to_have_count(0)
    shot(page, "recent-imports")
    assert_no_browser_errors(page)


def test_a_refused_import_takes_the_good_rows_with_one_click(page, personas, tree, log_in, shot, tmp_path):
    rows = [
        {"工会编码": "S1-G10", "工会名称": "临江物流有限公司工会委员会", "类型": "企业工会", "上级工会编码": "S1"},
        {"工会编码": "S1-G11", "工会名称": "临江食品有限公司工会委员会", "类型": "企业工会", "上级工会编码": "S1"},
        {"工会编码": "S1-G12", "工会名称": "临江纺织有限公司工会委员会", "类型": "纺织厂", "上级工会编码": "S1"},
    ]
    path = write_roster(tmp_path / "新建工会.xlsx", rows, ORG_HEADERS)
    log_in(page, "street_chair")
    upload(page, "/imports/orgs/", path)
    expect(page.get_by_test_id("job-outcome")).to_contain_text("检查完成：可导入2行，1行有错误", timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("import-errors").get_by_role("row").filter(has_text="第4行")).to_contain_text("“类型”的值“纺织厂”无效")

    expect(page.get_by_label("全部正确才导入", exact=False)).to_be_checked()
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"导入组织架构：{path.name}")
    expect(page.get_by_test_id("job-outcome")).to_have_text("未导入：1行有错误（全部正确才导入）。没有导入任何数据。",
                                                           timeout=JOB_TIMEOUT_MS)
    retry = page.get_by_role("button", name="只导入正确的行（2行）")
    expect(retry).to_be_visible()
    shot(page, "refused")
    assert not Org.objects.filter(code__startswith="S1-G1").exists()

    retry.click()
    expect(page.get_by_text("导入完成")).to_contain_text("新增 2 条", timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_text("导入完成")).to_contain_text("跳过有错误的 1 行")
    shot(page, "good-rows-imported")
    assert sorted(Org.objects.filter(code__startswith="S1-G1").values_list("code", flat=True)) == ["S1-G10", "S1-G11"]
    assert all(o.parent_id == tree.street.pk for o in Org.objects.filter(code__startswith="S1-G1"))

    page.get_by_role("link", name="返回导入").click()
    recent = page.get_by_test_id("recent-imports")
    expect(recent).to_contain_text("已导入2行，跳过1行有错误")
    expect(recent).to_contain_text("未导入：1行有错误（全部正确才导入）")
    expect(recent).not_to_contain_text("已完成")
    shot(page, "recent-imports")
    assert_no_browser_errors(page)
