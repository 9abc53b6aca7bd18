"""The work summary in a real browser: a chair generates the year's draft, rewrites a
sentence around a figure (the figure stays a link to its records), accepts a suggested
problem, moves a part, saves a named version and downloads the .docx."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import expect

from gonghui.assistance.choices import Funding, Occasion
from gonghui.assistance.services import record_create
from gonghui.assistance.tests.factories import household
from gonghui.core.actor import Actor
from gonghui.summary.models import SummaryDraft

pytestmark = pytest.mark.browser


def test_it_generates_edits_saves_and_exports_a_summary(page, personas, tree, log_in, shot):
    year = dt.date.today().year
    for name in ("王建国", "李秀英"):
        h = household(tree.grassroots, name=name, tier="deep", status="assisting")
        record_create(actor=Actor.system(), household=h, on=dt.date(year, 1, 10), occasion=Occasion.NEW_YEAR,
                      cash=Decimal(600), funding=Funding.OWN)

    log_in(page, "grassroots_chair")
    page.goto("/summary/")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作总结")
    page.get_by_role("button", name=f"{year}年全年").click()
    expect(page.locator("#id_period")).to_have_value(str(year))
    page.get_by_role("button", name="生成初稿").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"临江精机工会{year}年工作总结")
    editor = page.locator("#summary-editor")
    expect(editor).to_contain_text("对2户困难职工进行慰问，每户发放600元，共计1200元")
    figure = editor.locator('.fig[data-fact="assistance.occasion.new_year.households"]')
    expect(figure).to_have_attribute("href", "/assistance/records/?org=G1&subtree=1&standing=1&occasion=new_year"
                                     f"&start={year}-01-01&end={year}-12-31")
    shot(page, "draft")

    # rewrite the words before the figure; the figure itself stays as it is
    sentence = figure.locator("xpath=..")
    sentence.evaluate("""el => { el.firstChild.textContent = el.firstChild.textContent.replace('开展元旦春节送温暖活动，对', '走访了'); }""")
    sentence.click()
    page.keyboard.press("End")
    page.keyboard.type("大家很受鼓舞。")
    assert page.problems == [], "typing:\n" + "\n".join(page.problems)
    page.locator(".doc-suggestion").first.get_by_role("button", name="采纳", exact=True).click()
    expect(page.locator("[data-role=problems] .doc-para")).to_have_count(1)
    assert page.problems == [], "accept:\n" + "\n".join(page.problems)
    first_part = editor.locator(".doc-part").first
    part_key = first_part.get_attribute("data-key")
    first_part.get_by_role("button", name="下移").click()
    expect(editor.locator(".doc-part").nth(1)).to_have_attribute("data-key", part_key)
    expect(editor.locator(".doc-part").first.locator(".doc-h1 .num")).to_have_text("一、")
    page.get_by_test_id("add-part").click()
    new_part = editor.locator(".doc-part").last
    new_part.locator("[data-role=part-title]").fill("丰富职工文化生活")
    new_part.locator(".doc-para .doc-text").first.fill("举办迎新春职工联欢会，近200名职工参加。")
    expect(new_part.locator(".doc-h1 .num")).to_have_text("三、")
    assert page.problems == [], "while editing:\n" + "\n".join(page.problems)
    page.get_by_label("版本名称").fill("主席审阅稿")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存为第2版“主席审阅稿”")
    expect(page.get_by_test_id("versions")).to_contain_text("第2版 主席审阅稿")
    expect(editor).to_contain_text("走访了2户困难职工进行慰问")
    expect(editor).to_contain_text("大家很受鼓舞。")
    expect(editor.locator('.fig[data-fact="assistance.occasion.new_year.households"]')).to_have_count(1)
    shot(page, "saved")

    assert page.problems == [], "after save:\n" + "\n".join(page.problems)
    page.get_by_test_id("check").click()
    expect(page.get_by_test_id("no-changes")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_test_id("export-docx").click()
    data = Path(info.value.path()).read_bytes()
    paragraphs = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == f"临江精机工会{year}年工作总结"
    body = "\n".join(paragraphs)
    assert "走访了2户困难职工进行慰问，每户发放600元，共计1200元" in body and "大家很受鼓舞。" in body
    assert "存在问题" in body
    assert "三、丰富职工文化生活" in body and "举办迎新春职工联欢会，近200名职工参加。" in body
    version = SummaryDraft.objects.get().latest
    assert version.number == 2 and version.name == "主席审阅稿"
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)
