"""The phrasing language is the sandbox: a template can only print the facts it is given."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.summary.phrasing import Fact, parse, render
from gonghui.summary.registry import PHRASES, count, money, yoy

FACTS = {"households": count(23, "/assistance/records/?occasion=new_year"), "per_household": money(500), "total": money(11500)}
NAMES = frozenset({"households", "per_household", "total", "yoy"})


def text(runs):
    return "".join(r["text"] for r in runs)


def test_it_fills_facts_and_keeps_their_links():
    runs = render(parse("对{households}户困难职工进行慰问，每户发放{per_household}，共计{total}。", NAMES), FACTS, prefix="a")
    assert text(runs) == "对23户困难职工进行慰问，每户发放500元，共计11500元。"
    fig = runs[1]
    assert fig == {"text": "23", "fact": "a.households", "link": "/assistance/records/?occasion=new_year"}


def test_it_drops_an_optional_segment_whose_fact_has_no_value():
    nodes = parse("慰问{households}户[，{yoy}]。", NAMES)
    assert text(render(nodes, {**FACTS, "yoy": yoy(23, None)}, prefix="a")) == "慰问23户。"
    assert text(render(nodes, {**FACTS, "yoy": yoy(23, 20, "户")}, prefix="a")) == "慰问23户，同比增加3户（15%）。"


def test_it_drops_the_sentence_when_a_required_fact_is_missing():
    assert render(parse("慰问{households}户。", NAMES), {"households": count(0)}, prefix="a") is None


def test_it_nests_optional_segments_and_writes_literal_brackets():
    nodes = parse("共{total}[（其中[每户{per_household}]）][[注]]{{x}}", NAMES)
    assert text(render(nodes, {"total": money(100), "per_household": Fact("", None)}, prefix="a")) == "共100元（其中）[注]{x}"


@pytest.mark.parametrize("template, message", [
    ("{org.name}", "不是有效的数据项名称"),
    ("{__class__}", "不是有效的数据项名称"),
    ("{households.__init__.__globals__}", "不是有效的数据项名称"),
    ("{ total|safe }", "不是有效的数据项名称"),
    ("{secret}", "不是这句话可用的数据项"),
    ("{% debug %}", "不是有效的数据项名称"),
    ("{{7*7}", "没有对应的“{”"),
    ("慰问[{households}户", "“[”没有对应的“]”"),
    ("慰问{households}户]", "“]”没有对应的“[”"),
    ("慰问{households", "没有对应的“}”"),
    ("x" * 1001, "不能超过1000个字符"),
])
def test_it_refuses_a_template_that_reaches_for_anything_else(template, message):
    with pytest.raises(ValidationError) as exc:
        parse(template, NAMES)
    assert message in exc.value.messages[0]


def test_a_django_or_jinja_tag_is_printed_as_text_not_run():
    nodes = parse("{{ settings.SECRET_KEY }}{{% load static %}}", NAMES)
    assert text(render(nodes, FACTS, prefix="a")) == "{ settings.SECRET_KEY }{% load static %}"


def test_every_shipped_default_parses_against_its_own_facts():
    assert len(PHRASES) > 30
    for phrase in PHRASES.values():
        parse(phrase.default, frozenset(phrase.fields))


def test_a_sentence_whose_figures_are_all_empty_leaves_no_frame_behind():
    from gonghui.summary.registry import text as word

    nodes = parse("{period}办理会员[转入{a}人，][退会{b}人，]会籍信息及时更新。", frozenset({"period", "a", "b"}))
    assert render(nodes, {"period": word("2025年"), "a": count(0), "b": count(0)}, prefix="m") is None
    assert text(render(nodes, {"period": word("2025年"), "a": count(0), "b": count(2)}, prefix="m")) == \
        "2025年办理会员退会2人，会籍信息及时更新。"
    # the same for any phrase: required words with only empty figures say nothing
    festival = parse("{festival}期间慰问会员[{people}人次][，共计{total}]。", frozenset({"festival", "people", "total"}))
    assert render(festival, {"festival": word("春节"), "people": count(0), "total": money(0)}, prefix="b") is None


def test_a_sentence_made_only_of_words_is_still_written():
    from gonghui.summary.registry import text as word

    nodes = parse("力争入会率达到{target}[，{extra}]。", frozenset({"target", "extra"}))
    assert text(render(nodes, {"target": word("90%"), "extra": word("")}, prefix="p")) == "力争入会率达到90%。"


def test_a_comparison_gives_a_percentage_only_where_the_base_makes_it_meaningful():
    assert yoy(11, 1, "户").text == "同比增加10户"  # not 1000%
    assert yoy(Decimal("579900"), Decimal("1000"), is_money=True).text == "同比增加578900元"
    assert yoy(23, 20, "户").text == "同比增加3户（15%）"
    assert yoy(5, 4, "人").text == "同比增加1人"  # a base of 4 is too small for a percentage
    assert yoy(30, 12, "户").text == "同比增加18户"  # +150%: the figures speak for themselves
    assert yoy(Decimal("12000"), Decimal("10000"), is_money=True).text == "同比增加2000元（20%）"
    assert yoy(3, 3, "户").text == "与上年同期持平"
    assert not yoy(10, 0, "户").present and not yoy(10, None, "户").present
