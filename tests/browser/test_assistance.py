"""Hardship assistance in a real browser: a chair previews and confirms a 元旦春节送温暖 batch
(nothing written before the confirmation, which is refused if anything changed since the
preview), records receipt for many households at once, and prints the 签收表 to A4 PDF in
both orientations (pages, subtotals and the total read back with poppler).
"""

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import expect

from gonghui.assistance import selectors, services
from gonghui.assistance.choices import Step
from gonghui.assistance.models import AssistanceBatch, AssistanceRecord, DibaoLine
from gonghui.assistance.tests.factories import SYSTEM, household
from gonghui.core.formats import yuan

pytestmark = pytest.mark.browser

# 27 heads, no name inside another (the tests find rows by name)
BATCH_NAMES = ("王建国", "李秀英", "张卫东", "刘桂芬", "陈志强", "杨春梅", "黄海涛", "赵玉兰", "吴国庆", "周淑珍",
               "徐立新", "孙晓燕", "马俊杰", "朱美玲", "胡德华", "郭永强", "何丽娟", "高建军", "林秋菊", "罗宏伟",
               "郑金凤", "梁志明", "谢晓东", "宋雨欣", "唐文博", "许浩然", "韩佳琪")
# 45 heads for the printed 签收表, with long names that must not wrap one character a line
SHEET_NAMES = BATCH_NAMES + ("欧阳子轩", "诸葛明", "司马相如意", "爱新觉罗·启星", "阿依古丽·买买提", "冯春", "邓超",
                             "曹丽", "彭辉", "曾欣", "肖雪", "田宁", "董楠", "袁帆", "潘倩", "于梅", "蒋莉", "蔡燕")


def assert_no_browser_errors(page) -> None:
    """No JS exception, CSP violation or other console error since the page opened."""
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)


def test_it_previews_confirms_and_signs_off_a_new_year_batch(page, personas, tree, log_in, shot):
    """27 households ticked with 全选, previewed (nothing written), one closed by a colleague
    before the confirmation (refused with the difference), 26 confirmed — 9,880 元 — and
    signed off in two rounds with a running 已签 x/26."""
    homes = [household(tree.grassroots if i % 3 else tree.branch, name=name, tier="deep", status="assisting")
             for i, name in enumerate(BATCH_NAMES)]
    for h in homes[:2]:
        services.household_verify(actor=SYSTEM, household=h)  # the others are overdue for the yearly verification
    household(tree.grassroots, name="钱脱困", tier="deep", status="closed")  # no longer under management
    household(tree.sibling_grassroots, name="孙外单位", tier="deep", status="assisting")  # another union

    log_in(page, "grassroots_chair")
    page.goto("/assistance/records/")
    page.get_by_role("link", name="批量发放").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("批量发放（送温暖、慰问）")
    page.get_by_label("批次名称").fill("2026年元旦春节送温暖")
    expect(page.get_by_label("工会编码")).to_have_value("G1")
    page.get_by_label("发放日期").fill("2026-01-20")
    page.get_by_label("帮扶类型").select_option(label="元旦春节送温暖")
    page.get_by_label("现金（元）").fill("300")
    page.get_by_label("物品", exact=True).fill("米面油")
    page.get_by_label("数量", exact=True).fill("1")
    page.get_by_label("单位", exact=True).fill("份")
    page.get_by_label("物品价值（元）").fill("80")
    page.get_by_label("经办人").fill("工会干事")

    chooser = page.get_by_test_id("household-chooser")
    for name in BATCH_NAMES:
        expect(chooser.locator("tr").filter(has_text=name)).to_contain_text("一车间分会" if BATCH_NAMES.index(name) % 3 == 0
                                                                             else "临江精机工会")
    expect(chooser).not_to_contain_text("钱脱困")
    expect(chooser).not_to_contain_text("孙外单位")
    chooser.get_by_label("全选").check()
    expect(chooser.locator('input[name="households"]:checked')).to_have_count(27)
    expect(chooser.locator('[data-check-count="households"]')).to_have_text("已选 27 户")
    chooser.get_by_label(BATCH_NAMES[5]).uncheck()
    expect(chooser.locator('[data-check-count="households"]')).to_have_text("已选 26 户")
    assert chooser.get_by_label("全选").evaluate("e => e.indeterminate")
    chooser.get_by_label(BATCH_NAMES[5]).check()
    shot(page, "chooser")
    page.get_by_role("button", name="预览").click()

    expect(page.get_by_test_id("plan-summary")).to_have_text(
        "预览：27户，每户380元，合计10,260元（现金8,100元，物品折价2,160元）")
    expect(page.get_by_test_id("batch-plan").locator("tbody tr")).to_have_count(27)
    warnings = page.get_by_test_id("plan-warnings")
    expect(warnings.locator("li")).to_have_count(25)
    expect(warnings).to_contain_text(f"{BATCH_NAMES[2]}：档案逾期未年度核实（最近核实：2023年3月1日）")
    expect(warnings).not_to_contain_text(BATCH_NAMES[0])
    assert not AssistanceBatch.objects.exists() and not AssistanceRecord.objects.exists()
    shot(page, "preview")

    # A colleague closes one archive before the confirmation.
    closed = homes[7]
    services.household_transition(actor=SYSTEM, household=closed, step=Step.CLOSE, on=dt.date(2026, 1, 2), reason="再就业")
    page.get_by_test_id("batch-confirm").click()
    changes = page.get_by_test_id("plan-changes")
    expect(changes).to_contain_text("本次未发放")
    expect(changes).to_contain_text(f"{closed.head.name}（临江精机工会）：档案状态由“帮扶中”变为“脱困”")
    refusal = f"“{closed.head.name}”的档案状态为“脱困”，不在帮扶范围内。"
    expect(page.get_by_test_id("household-chooser").get_by_role("alert")).to_have_text(refusal)
    expect(page.get_by_test_id("batch-plan").locator("tr.table-danger")).to_contain_text(refusal)
    expect(page.get_by_test_id("batch-confirm")).to_have_count(0)
    assert not AssistanceRecord.objects.exists()
    shot(page, "changed")
    page.get_by_test_id("household-chooser").get_by_label(closed.head.name).uncheck()
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_test_id("plan-summary")).to_contain_text("预览：26户，每户380元，合计9,880元")
    page.get_by_test_id("batch-confirm").click()

    expect(page).to_have_url(re.compile(r"/assistance/batches/\d+/$"))
    expect(page.get_by_role("alert").filter(has_text="已发放：2026年元旦春节送温暖，26户")).to_be_visible()
    expect(page.get_by_test_id("batch-total")).to_have_text("9,880")
    batch = AssistanceBatch.objects.get()
    assert batch.records.count() == 26 and sum(r.total for r in batch.records.all()) == Decimal("9880")
    assert not batch.records.filter(household=closed).exists()

    table = page.get_by_test_id("batch-table")
    expect(page.get_by_test_id("signed-count")).to_have_text("已签 0/26")
    table.get_by_label("全选未签收").check()
    late = [n for n in BATCH_NAMES if n != closed.head.name][-2:]
    for name in late:
        table.get_by_label(name).uncheck()
    expect(page.locator('[data-check-count="records"]')).to_have_text("已选 24 户")
    page.get_by_label("签收日期").fill("2026-01-22")
    page.get_by_test_id("sign-selected").click()
    expect(page.get_by_role("alert").filter(has_text="已登记24户签收")).to_be_visible()
    expect(page.get_by_test_id("signed-count")).to_have_text("已签 24/26")
    for name in late:
        expect(table.locator("tr").filter(has_text=name)).to_contain_text("未签收")
    shot(page, "signed-24")
    table.get_by_label("全选未签收").check()
    expect(table.locator('input[name="records"]:checked')).to_have_count(2)
    page.get_by_label("签收日期").fill("2026-01-25")
    page.get_by_test_id("sign-selected").click()
    expect(page.get_by_test_id("signed-count")).to_have_text("已签 26/26")
    expect(table.get_by_label("全选未签收")).to_have_count(0)
    signed_on = sorted(set(batch.records.values_list("signed_on", flat=True)))
    assert signed_on == [dt.date(2026, 1, 22), dt.date(2026, 1, 25)]
    assert_no_browser_errors(page)


def read_pdf(path: Path) -> tuple[int, tuple[float, float], list[str]]:
    """Page count, page size in points and the text of each page (pdfinfo, pdftotext)."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups())
    texts = [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True, text=True,
                            check=True).stdout for n in range(1, pages + 1)]
    return pages, (width, height), texts


def test_the_sign_sheet_prints_on_a4_pages_with_subtotals(page, personas, tree, log_in, shot, tmp_path):
    """45 households printed to PDF, A4 portrait and landscape: ≥ 20 whole rows a full page,
    each page's 本页小计 equal to its own rows, 合计 and the signature block only on the last
    page, 第X页 共Y页 on each."""
    homes = [household(tree.branch if i % 4 == 0 else tree.grassroots, name=name) for i, name in enumerate(SHEET_NAMES)]
    batch = services.batch_create(actor=SYSTEM, org=tree.grassroots, title="2026年元旦春节送温暖", on=dt.date(2026, 1, 20),
                                  occasion="new_year", households=homes, cash="300", funding="own",
                                  goods=[{"item": "米面油", "quantity": "1", "unit": "份", "value": "80"}])
    # two corrected payments, so the pages do not all add up alike
    for name, cash in (("欧阳子轩", "500"), ("诸葛明", "120")):
        record = batch.records.get(member__name=name)
        services.record_correct(actor=SYSTEM, record=record, reason="金额有误", on=record.on, occasion="new_year", funding="own",
                                cash=cash)
    amounts = {r.member.name: r.total for r in selectors.batch_rows(batch)}
    grand = sum(amounts.values())
    assert len(amounts) == 45 and grand == Decimal(43 * 380 + 500 + 120)

    log_in(page, "grassroots_chair")
    page.goto(f"/assistance/batches/{batch.pk}/")
    page.get_by_role("link", name="签收表").click()
    for orientation, per_page, size in (("A4 纵向", 25, (595, 842)), ("A4 横向", 20, (842, 595))):
        if orientation != "A4 纵向":  # portrait is what the batch page's link opens
            page.get_by_role("navigation", name="签收表").get_by_role("link", name=orientation).click()
            expect(page.get_by_role("navigation", name="签收表").get_by_text(orientation, exact=True)).to_have_attribute(
                "aria-current", "page")
        pictures = shot(page, f"sheet-{size[0]}").parent
        path = tmp_path / f"sign-sheet-{size[0]}x{size[1]}.pdf"
        page.pdf(path=str(path), prefer_css_page_size=True)
        count, (width, height), texts = read_pdf(path)
        expected = -(-45 // per_page)
        assert count == expected, f"{orientation}: {count} pages"
        assert (round(width), round(height)) == size
        seen = []
        for number, text in enumerate(texts, start=1):
            names = [n for n in SHEET_NAMES if n in text]  # whole names: none is cut one character a line
            ids = re.findall(r"\d{6}\*{8}\d{3}[\dX]", text)
            rows = per_page if number < count else 45 - per_page * (count - 1)
            assert len(names) == len(ids) == rows, f"{orientation} page {number}: {len(names)} names, {len(ids)} ID numbers"
            assert per_page >= 20
            assert f"第{number}页 共{count}页" in text
            subtotal = re.search(r"本页小计（(\d+) 户）.*?本页共 ([\d,.]+) 元", text, re.S)
            assert subtotal, f"{orientation} page {number} has no 本页小计"
            assert int(subtotal.group(1)) == rows
            assert Decimal(subtotal.group(2).replace(",", "")) == sum(amounts[n] for n in names)
            last = number == count
            assert ("合计" in text) == last and (f"共 {yuan(grand)} 元" in text) == last
            assert ("经办人" in text) == last and ("工会（盖章）" in text) == last
            seen += names
        assert sorted(seen) == sorted(SHEET_NAMES)
        # The server decides the page breaks, so each sheet must hold a full page of rows and,
        # on the last, the total and signatures: the room left under a full page's subtotal
        # must take what the last page adds there (else a full last page would lose it).
        page.emulate_media(media="print")
        room, needed = page.evaluate("""() => {
            const sheets = [...document.querySelectorAll('section.sheet')];
            const below = el => el.getBoundingClientRect().bottom;
            const first = sheets[0], last = sheets[sheets.length - 1];
            const sub = s => s.querySelector('[data-testid=page-subtotal]');
            const room = first.querySelector('.page-no').getBoundingClientRect().top - below(sub(first));
            const needed = below(last.querySelector('[data-testid=signatures]')) - below(sub(last));
            return [room, needed];
        }""")
        page.emulate_media(media="null")  # page.pdf() prints with the print media unless told otherwise
        assert room >= needed, f"{orientation}: {room:.0f}px under a full page, {needed:.0f}px needed"
        # a picture of the first page, to look at
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(path),
                        str(pictures / f"sign-sheet-{connection.vendor}-{size[0]}x{size[1]}")], check=True)
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
