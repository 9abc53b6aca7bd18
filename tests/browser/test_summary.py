"""The work summary in a real browser: a chair generates the year's draft, rewrites a
sentence around a figure (the figure stays a link to its records), accepts a suggested
problem, moves a part, saves a named version and downloads the .docx."""

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import expect

from gonghui.access.actor import Actor
from gonghui.assistance.choices import Funding, Occasion
from gonghui.assistance.services import record_create
from gonghui.assistance.tests.factories import household
from gonghui.summary.document import blocks
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
    expect(editor).to_contain_text("对2户困难职工进行慰问，每户发放慰问金600元，共计1200元")
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
    expect(page.locator("[data-role=problems] .doc-para .num")).to_have_text("（一）")  # a problem is always numbered
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
    assert "走访了2户困难职工进行慰问，每户发放慰问金600元，共计1200元" in body and "大家很受鼓舞。" in body
    assert "存在问题" in body
    assert "三、丰富职工文化生活" in body and "举办迎新春职工联欢会，近200名职工参加。" in body
    version = SummaryDraft.objects.get().latest
    assert version.number == 2 and version.name == "主席审阅稿"
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)


def _draft_with_records(tree, year):
    h = household(tree.grassroots, name="王建国", tier="deep", status="assisting")
    record_create(actor=Actor.system(), household=h, on=dt.date(year, 1, 10), occasion=Occasion.NEW_YEAR,
                  cash=Decimal(600), funding=Funding.OWN)
    from gonghui.summary.services import summary_create

    return summary_create(actor=Actor.system(), org=tree.grassroots, period=str(year), subtree=True)


def test_a_refused_save_keeps_the_edits_and_leaving_asks_first(page, personas, tree, log_in, shot):
    year = dt.date.today().year
    draft = _draft_with_records(tree, year)
    log_in(page, "grassroots_chair")
    page.goto(f"/summary/{draft.pk}/")
    editor = page.locator("#summary-editor")
    # the page numbers as the export does (summary/document.py blocks)
    shown = [n for n in editor.locator(".num").all_text_contents() if n]
    assert shown == [b.number for b in blocks(draft.latest.document) if b.number]
    assert "（一）" in shown, shown
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    opening = editor.locator("[data-role=opening] .doc-text").first
    opening.click()
    page.keyboard.press("End")
    page.keyboard.type("全体会员共同努力。")

    # no version name: refused in the page, nothing sent, nothing lost
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator("[data-role=name-error]")).to_have_text("请为这个版本起个名字，如“主席审阅稿”。")
    expect(page.get_by_label("版本名称")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(opening).to_contain_text("全体会员共同努力。")
    assert page.evaluate("window.sameDocument") is True
    shot(page, "no-name")

    # refused by the server (an empty title): the reason is shown, the page stays as it is
    title = editor.locator("[data-role=title]")
    title.fill("")
    page.get_by_label("版本名称").fill("主席审阅稿")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator("[data-role=save-errors]")).to_contain_text("标题不能为空。")
    expect(page.locator("[data-role=name-error]")).to_be_hidden()
    expect(opening).to_contain_text("全体会员共同努力。")
    assert page.evaluate("window.sameDocument") is True
    assert draft.versions.count() == 1
    shot(page, "server-refused")

    # leaving by a link with unsaved edits asks first; staying keeps them
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.get_by_test_id("versions").get_by_role("link", name="第1版 系统生成初稿").click()
    assert dialogs == ["beforeunload"]
    assert page.evaluate("window.sameDocument") is True
    expect(opening).to_contain_text("全体会员共同努力。")

    title.fill(f"临江精机工会{year}年工作总结")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存为第2版“主席审阅稿”")
    assert dialogs == ["beforeunload"], "saving must not ask about leaving"
    expect(page.locator("[data-role=opening] .doc-text").first).to_contain_text("全体会员共同努力。")
    version = SummaryDraft.objects.get().latest
    assert version.number == 2 and "全体会员共同努力。" in "".join(r["text"] for r in version.document["opening"][0]["runs"])

    # nothing changed since the save: links just leave
    page.get_by_test_id("versions").get_by_role("link", name="第1版 系统生成初稿").click()
    expect(page).to_have_url(re.compile(r"\?v=1$"))
    assert dialogs == ["beforeunload"]
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)


def test_a_period_shortcut_drafts_that_period_and_a_second_draft_is_offered_the_first(page, personas, tree, log_in, shot):
    year = dt.date.today().year
    log_in(page, "grassroots_chair")
    page.goto("/summary/")
    page.get_by_role("button", name=f"{year}年下半年", exact=True).click()
    expect(page.locator("#id_period")).to_have_value(f"{year}H2")
    expect(page.get_by_role("button", name=f"{year}年下半年", exact=True)).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="生成初稿").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"临江精机工会{year}年下半年工作总结")
    first = SummaryDraft.objects.get()
    assert first.period == f"{year}H2"

    # the same union and period again: the existing draft is offered, none is made
    page.goto("/summary/")
    page.get_by_role("button", name=f"{year}年下半年", exact=True).click()
    page.get_by_role("button", name="生成初稿").click()
    warning = page.get_by_test_id("existing-draft")
    expect(warning).to_contain_text(f"临江精机工会{year}年下半年已经起草过工作总结")
    expect(warning.get_by_role("link", name=f"临江精机工会{year}年下半年工作总结")).to_have_attribute("href", f"/summary/{first.pk}/")
    assert SummaryDraft.objects.count() == 1
    shot(page, "existing")
    warning.get_by_role("link", name="打开已有的总结").click()
    expect(page).to_have_url(re.compile(rf"/summary/{first.pk}/$"))

    # asked for deliberately, a second one is made
    page.goto("/summary/")
    page.get_by_role("button", name=f"{year}年下半年", exact=True).click()
    page.get_by_role("button", name="生成初稿").click()
    page.get_by_role("button", name="仍然新建一份").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"临江精机工会{year}年下半年工作总结")
    assert SummaryDraft.objects.count() == 2

    # the statistics page has the same shortcuts
    page.goto("/summary/stats/")
    page.get_by_role("button", name=f"{year}年第三季度", exact=True).click()
    expect(page.locator("#id_period")).to_have_value(f"{year}Q3")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#id_period")).to_have_value(f"{year}Q3")
    expect(page.get_by_text(f"{year}年第三季度（")).to_be_visible()
    assert page.problems == [], "the browser reported:\n" + "\n".join(page.problems)
