"""Issue 11 on the server side: a refused save answers the editor without losing its edits,
a second draft of the same period is offered the first, the numbering never skips the
（一） level, titles break where the words allow, and money has one unit per document."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from gonghui.access.actor import Actor
from gonghui.assistance.choices import Funding, Occasion
from gonghui.assistance.services import record_create
from gonghui.assistance.tests.factories import household
from gonghui.summary.document import blocks, figure_text, in_yuan, plain_text, text_em, title_lines
from gonghui.summary.models import SummaryDraft
from gonghui.summary.services import summary_create

JSON = {"HTTP_ACCEPT": "application/json"}


def para(key: str, text: str) -> dict:
    return {"key": key, "runs": [{"text": text}]}


def doc_with(parts=(), problems=(), plans=()) -> dict:
    return {"title": "临江精机工会2026年工作总结", "opening": [], "parts": list(parts), "problems": list(problems),
            "plans": list(plans), "signature": {}}


def numbered(doc) -> list[str]:
    return [b.full_text for b in blocks(doc) if b.kind in ("h1", "h2", "item")]


# --- numbering ------------------------------------------------------------------------------


def test_items_straight_under_a_part_take_the_second_level():
    doc = doc_with(parts=[{"key": "a", "title": "帮扶", "sections": [
        {"key": "s", "title": "", "items": [para("1", "甲。"), para("2", "乙。"), para("3", " ")], "tables": []}]}])
    assert numbered(doc) == ["一、帮扶", "（一）甲。", "（二）乙。"]


def test_a_lone_paragraph_under_a_part_stays_unnumbered():
    doc = doc_with(parts=[{"key": "a", "title": "帮扶", "sections": [
        {"key": "s", "title": "", "items": [para("1", "甲。")], "tables": []}]}])
    assert numbered(doc) == ["一、帮扶", "甲。"]


def test_items_and_titled_sections_of_one_part_count_on_together():
    doc = doc_with(parts=[{"key": "a", "title": "帮扶", "sections": [
        {"key": "s", "title": "", "items": [para("1", "甲。")], "tables": []},
        {"key": "t", "title": "金秋助学", "items": [para("2", "乙。"), para("3", "丙。")], "tables": []}]}])
    assert numbered(doc) == ["一、帮扶", "（一）甲。", "（二）金秋助学", "1.乙。", "2.丙。"]


def test_every_problem_and_plan_is_numbered_even_alone():
    doc = doc_with(problems=[para("p", "帮扶资金来源单一。")], plans=[para("n", "拓宽资金来源。"), para("m", "建档。")])
    assert numbered(doc) == ["一、存在问题", "（一）帮扶资金来源单一。", "二、下一步工作计划", "（一）拓宽资金来源。",
                             "（二）建档。"]
    assert "（一）帮扶资金来源单一。" in plain_text(doc)


# --- the title ------------------------------------------------------------------------------


@pytest.mark.parametrize("title, lines", [
    ("临江精机工会2026年工作总结", ["临江精机工会2026年工作总结"]),
    ("临江精机股份有限公司工会委员会2026年工作总结", ["临江精机股份有限公司工会委员会", "2026年工作总结"]),
    ("浙江省杭州市滨江区临江街道总工会2026年下半年工作总结", ["浙江省杭州市滨江区临江街道总工会", "2026年下半年工作总结"]),
    ("滨江区总工会临江街道工会委员会2026年上半年工作总结", ["滨江区总工会临江街道工会委员会", "2026年上半年工作总结"]),
    ("临江街道总工会临江精机股份有限公司工会委员会2026年工作总结",
     ["临江街道总工会临江精机股份有限公司", "工会委员会2026年工作总结"]),
])
def test_a_long_title_breaks_between_whole_words(title, lines):
    assert title_lines(title) == lines
    assert all(text_em(line) <= 20 for line in lines)


def test_a_title_without_known_words_still_fits_and_keeps_numbers_whole():
    title = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯12345678"
    lines = title_lines(title)
    assert "".join(lines) == title and all(text_em(line) <= 20 for line in lines)
    assert sum("12345678" in line for line in lines) == 1


# --- money ----------------------------------------------------------------------------------


def test_figures_saved_in_wan_yuan_are_written_in_yuan():
    assert figure_text("12.3456万元") == "123456元"
    assert figure_text("同比增加10万元（25%）") == "同比增加100000元（25%）"
    assert figure_text("600元") == "600元"
    doc = doc_with(parts=[{"key": "a", "title": "帮扶", "sections": [{"key": "s", "title": "", "tables": [], "items": [
        {"key": "i", "runs": [{"text": "共计"}, {"text": "48.6万元", "fact": "x.total"}, {"text": "，另筹5万元。"}]}]}]}])
    assert "共计486000元，另筹5万元。" in plain_text(doc)  # the user's own words are theirs
    assert in_yuan(doc)["parts"][0]["sections"][0]["items"][0]["runs"][1] == {"text": "486000元", "fact": "x.total"}


@pytest.mark.django_db
def test_a_summary_writes_every_amount_in_yuan(tree):
    year = dt.date.today().year
    for name, cash in (("王建国", 600), ("李秀英", 150000)):
        h = household(tree.grassroots, name=name, tier="deep", status="assisting")
        record_create(actor=Actor.system(), household=h, on=dt.date(year, 1, 10), occasion=Occasion.NEW_YEAR,
                      cash=Decimal(cash), funding=Funding.OWN)
    draft = summary_create(actor=Actor.system(), org=tree.grassroots, period=str(year), subtree=True)
    text = plain_text(draft.latest.document)
    assert "150600元" in text and "万元" not in text


# --- saving from the editor ----------------------------------------------------------------


@pytest.fixture
def draft(tree):
    year = dt.date.today().year
    h = household(tree.grassroots, name="王建国", tier="deep", status="assisting")
    record_create(actor=Actor.system(), household=h, on=dt.date(year, 1, 10), occasion=Occasion.NEW_YEAR,
                  cash=Decimal(600), funding=Funding.OWN)
    return summary_create(actor=Actor.system(), org=tree.grassroots, period=str(year), subtree=True)


def edited(draft) -> dict:
    doc = json.loads(json.dumps(draft.latest.document))
    doc["opening"][0]["runs"].append({"text": "全体会员共同努力。"})
    return doc


@pytest.mark.django_db
def test_the_editor_hears_why_a_save_was_refused_and_nothing_is_saved(login, personas, draft):
    client = login(personas.grassroots_chair)
    r = client.post(f"/summary/{draft.pk}/", {"name": "", "document": json.dumps(edited(draft)), "base": 1}, **JSON)
    assert r.status_code == 200 and r.json() == {"ok": False, "errors": {"name": ["请为这个版本起个名字，如“主席审阅稿”。"]}}
    doc = edited(draft)
    doc["title"] = " "
    r = client.post(f"/summary/{draft.pk}/", {"name": "审阅稿", "document": json.dumps(doc), "base": 1}, **JSON)
    assert r.json() == {"ok": False, "errors": {"__all__": ["标题不能为空。"]}}
    assert draft.versions.count() == 1


@pytest.mark.django_db
def test_the_editor_saves_and_is_told_where_to_go(login, personas, draft):
    client = login(personas.grassroots_chair)
    r = client.post(f"/summary/{draft.pk}/", {"name": "审阅稿", "document": json.dumps(edited(draft)), "base": 1}, **JSON)
    assert r.json() == {"ok": True, "url": f"/summary/{draft.pk}/", "number": 2}
    assert "已保存为第2版“审阅稿”" in client.get(r.json()["url"]).content.decode()


@pytest.mark.django_db
def test_a_document_too_deep_to_parse_is_still_refused_at_the_edge(login, personas, draft):
    client = login(personas.grassroots_chair)
    deep = "[" * 40 + "]" * 40
    r = client.post(f"/summary/{draft.pk}/", {"name": "审阅稿", "document": deep}, **JSON)
    assert r.status_code == 400 and "嵌套层数过多" in r.json()["errors"]["__all__"][0]
    assert client.post(f"/summary/{draft.pk}/", {"name": "审阅稿", "document": deep}).status_code == 400
    assert draft.versions.count() == 1


@pytest.mark.django_db
def test_without_the_script_a_refused_save_comes_back_with_the_edits(login, personas, draft):
    client = login(personas.grassroots_chair)
    page = client.post(f"/summary/{draft.pk}/", {"name": "", "document": json.dumps(edited(draft)), "base": 1}).content.decode()
    assert "请为这个版本起个名字" in page
    assert "全体会员共同努力。" in page and 'data-unsaved="1"' in page
    assert draft.versions.count() == 1


# --- a second draft of the same period ----------------------------------------------------


@pytest.mark.django_db
def test_a_second_draft_of_the_same_period_is_offered_the_first(login, personas, tree):
    client = login(personas.grassroots_chair)
    first = client.post("/summary/", {"org": "", "period": "2025h2", "subtree": "on"})
    assert first.status_code == 302
    existing = SummaryDraft.objects.get()
    page = client.post("/summary/", {"org": "", "period": "2025H2", "subtree": ""}).content.decode()
    assert "临江精机工会2025年下半年已经起草过工作总结" in page and f'href="/summary/{existing.pk}/"' in page
    assert SummaryDraft.objects.count() == 1
    assert client.post("/summary/", {"org": "", "period": "2025", "subtree": "on"}).status_code == 302  # another period
    again = client.post("/summary/", {"org": "", "period": "2025H2", "subtree": "on", "again": "1"})
    assert again.status_code == 302 and SummaryDraft.objects.filter(period="2025H2").count() == 2
