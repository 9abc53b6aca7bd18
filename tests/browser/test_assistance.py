"""Hardship assistance in a real browser: a chair sends 元旦春节送温暖 to every 深度困难
household of the union in one batch, checks the batch and its records, and opens the
printable 签收表 (masked ID numbers, the amount, a signature column and the total).
"""

import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from gonghui.assistance.models import AssistanceBatch, AssistanceRecord, DibaoLine
from gonghui.assistance.tests.factories import household

pytestmark = pytest.mark.browser

DEEP = ("王建国", "李秀英", "张卫东")


def assert_no_browser_errors(page) -> None:
    """No JS exception, CSP violation or other console error since the page opened."""
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)


def test_it_sends_a_new_year_batch_and_prints_the_sign_sheet(page, personas, tree, log_in, shot):
    deep = [household(tree.grassroots, name=name, tier="deep", status="assisting") for name in DEEP]
    household(tree.grassroots, name="赵相对", tier="relative", status="assisting")  # not 深度困难
    household(tree.grassroots, name="钱脱困", tier="deep", status="closed")  # no longer under management
    household(tree.sibling_grassroots, name="孙外单位", tier="deep", status="assisting")  # another union

    log_in(page, "grassroots_chair")
    page.goto("/assistance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("困难职工档案")
    table = page.get_by_test_id("household-table")
    for name in (*DEEP, "赵相对", "钱脱困"):
        expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(table).not_to_contain_text("孙外单位")
    shot(page, "archives")

    page.get_by_role("link", name="批量发放").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("批量发放（送温暖、慰问）")
    page.get_by_label("批次名称").fill("2026年元旦春节送温暖")
    expect(page.get_by_label("工会编码")).to_have_value("G1")
    page.get_by_label("按类别选择").select_option(label="深度困难")
    page.get_by_label("发放日期").fill("2026-01-20")
    page.get_by_label("帮扶类型").select_option(label="元旦春节送温暖")
    page.get_by_label("现金（元）").fill("500")
    page.get_by_label("经办人").fill("工会干事")
    shot(page, "batch-form")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(r"/assistance/batches/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("2026年元旦春节送温暖")
    expect(page.get_by_role("alert").filter(has_text="已生成3条帮扶记录")).to_be_visible()
    expect(page.get_by_test_id("batch-total")).to_have_text("1,500")
    expect(page.locator(".page-purpose")).to_contain_text("3 户，合计 1,500 元")
    rows = page.get_by_test_id("batch-table").locator("tbody tr")
    expect(rows).to_have_count(3)
    for h in deep:
        row = rows.filter(has_text=h.head.name)
        expect(row).to_contain_text(h.head.id_masked)
        expect(row).to_contain_text("500")
    for other in ("赵相对", "钱脱困", "孙外单位"):
        expect(page.get_by_test_id("batch-table")).not_to_contain_text(other)
    expect(page.get_by_text(deep[0].head.id_number)).to_have_count(0)
    shot(page, "batch")

    batch = AssistanceBatch.objects.get()
    records = AssistanceRecord.objects.filter(batch=batch)
    assert records.count() == 3 and {r.household_id for r in records} == {h.pk for h in deep}
    assert records.aggregate(s=Sum("cash"))["s"] == Decimal("1500")

    page.goto("/assistance/records/?occasion=new_year")
    expect(page.get_by_test_id("record-totals")).to_contain_text("3 笔")
    expect(page.get_by_test_id("record-totals")).to_contain_text("共 1,500 元")
    expect(page.get_by_test_id("record-table").locator("tbody tr")).to_have_count(3)
    shot(page, "records")

    page.get_by_role("link", name=re.compile("2026年元旦春节送温暖")).click()
    expect(page).to_have_url(re.compile(rf"/assistance/batches/{batch.pk}/$"))
    page.get_by_role("link", name="签收表").click()
    expect(page).to_have_url(re.compile(rf"/assistance/batches/{batch.pk}/sign-sheet/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("临江精机工会2026年元旦春节送温暖签收表")
    sheet = page.get_by_test_id("sign-table")
    headers = sheet.locator("thead th")
    expect(headers).to_contain_text(["序号", "姓名", "身份证号", "所属工会", "现金（元）", "物品", "签名", "日期"])
    body_rows = sheet.locator("tbody tr")
    expect(body_rows).to_have_count(3)
    for h in deep:
        row = body_rows.filter(has_text=h.head.name)
        expect(row).to_have_count(1)
        expect(row.locator("td.mono")).to_have_text(h.head.id_masked)
        expect(row.locator("td.num").first).to_have_text("500")  # cash; no goods in this batch
        expect(row.locator("td.sign")).to_have_text("")  # left blank for the signature
    expect(sheet.locator("tfoot")).to_contain_text("合计")
    expect(sheet.locator("tfoot td.num").first).to_have_text("1,500")
    expect(sheet.locator("tfoot")).to_contain_text("现金与物品合计 1,500 元")
    expect(page.locator(".meta")).to_contain_text("共 3 户，现金 1,500 元，物品折价 0 元，合计 1,500 元")
    content = page.content()
    for h in deep:
        assert h.head.id_number not in content
    # The print stylesheet is applied (CSP allows only same-origin styles).
    assert page.locator("td.sign").first.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    shot(page, "sign-sheet")
    assert_no_browser_errors(page)


def test_a_chair_looks_up_the_dibao_lines_and_sets_the_union_region(page, personas, tree, log_in, shot):
    # the shipped sample lines come from a data migration, which the live server's flush removes
    for year, amount in ((2024, "1155"), (2025, "1185")):
        DibaoLine.objects.update_or_create(region_code="330100", year=year, defaults={
            "region_name": "杭州市", "monthly_amount": Decimal(amount), "is_sample": True, "note": "示例数据，请核实"})
    DibaoLine.objects.update_or_create(region_code="340100", year=2025, defaults={"region_name": "合肥市", "monthly_amount": Decimal("910")})
    log_in(page, "grassroots_chair")
    page.goto("/assistance/")
    page.get_by_role("link", name="低保标准").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("低保标准")
    table = page.get_by_test_id("dibao-table")
    hangzhou = table.locator("tbody tr").filter(has_text="杭州市").filter(has_text="2025")
    expect(hangzhou).to_contain_text("1,185")
    expect(hangzhou.get_by_test_id("sample-badge")).to_have_text("示例")
    expect(page.get_by_role("link", name="新增低保标准")).to_have_count(0)  # only the top administrator edits
    shot(page, "dibao-lines")

    page.get_by_role("link", name="本工会低保地区").click()
    expect(page.get_by_test_id("current-region")).to_contain_text("还没有设置低保地区")
    page.get_by_label("低保地区").select_option(label="杭州市（330100）")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").filter(has_text="已将“临江精机工会”的低保地区设为杭州市（330100）")).to_be_visible()
    expect(page.get_by_test_id("current-region")).to_contain_text("杭州市（330100）")
    expect(page.get_by_test_id("region-table")).to_contain_text("临江精机工会")
    shot(page, "region-set")
    assert_no_browser_errors(page)
