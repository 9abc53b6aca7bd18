"""Grouped sentences (issue 12, item 9): many small records of one kind become one sentence
with a count and two or three named examples; few records, or one that stands out, keep
their own sentence. Cash and goods are always stated apart. See docs/architecture.md,
"Grouped sentences"."""

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.access.actor import Actor
from gonghui.assistance.choices import Funding, Occasion
from gonghui.assistance.services import record_create
from gonghui.assistance.tests.factories import household
from gonghui.benefits.services import benefit_create
from gonghui.donations.services import donation_record, drive_create
from gonghui.members.services import member_create
from gonghui.summary.assemble import changed_figures, generate, refresh_figures
from gonghui.summary.document import plain_text
from gonghui.summary.lint import lint
from gonghui.summary.periods import parse_period
from gonghui.summary.registry import examples, split_for_grouping
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id

pytestmark = pytest.mark.django_db
D = dt.date
OP = Actor.system()
TODAY = D(2026, 1, 10)
_seq = iter(range(1, 10_000))


def _member(org, name=None):
    n = next(_seq)
    return member_create(actor=OP, org=org, name=name or f"会员{n}", id_number=make_id(D(1970, 1, 1) + dt.timedelta(days=n)),
                         joined_on=D(2020, 1, 1))


def _festival(org, festival, on, people, *, form="goods", amount=200, approver=None):
    """`people` members given festival care; cash for a festival breaks the rules' 只发实物, so
    it needs an `approver` (a user allowed to approve) and a reason."""
    for _ in range(people):
        benefit_create(actor=approver or OP, member=_member(org), kind="festival", festival=festival, on=on, form=form,
                       amount=Decimal(amount), goods="米面油" if form == "goods" else "", override_reason="经工会委员会研究同意")


def _gen(org, period="2025", subtree=False):
    return generate(actor=OP, org=org, period=parse_period(period), subtree=subtree, today=TODAY)


def _text(org, period="2025", subtree=False):
    return plain_text(_gen(org, period, subtree).document)


# --- the rule itself --------------------------------------------------------------------------


def test_it_lists_fewer_than_three_and_groups_from_three():
    assert split_for_grouping([5, 4], int) == ([5, 4], [])
    assert split_for_grouping([5, 4, 3], int) == ([], [5, 4, 3])


def test_it_keeps_a_standout_apart_only_when_three_are_left_to_group():
    assert split_for_grouping([20, 3, 2, 1], int) == ([20], [3, 2, 1])
    assert split_for_grouping([20, 3, 2], int) == ([20, 3, 2], [])  # two left: all listed


def test_it_names_at_most_three_and_ends_with_deng():
    assert examples(["春节", "端午节", "中秋节", "国庆节"]).text == "春节、端午节、中秋节等"
    assert examples(["金秋助学", "抗洪救灾"], quoted=True).text == "“金秋助学”“抗洪救灾”等"
    assert not examples([]).present and not examples(["", " "]).present


# --- festivals (benefits) -----------------------------------------------------------------------


def test_it_groups_three_festivals_into_one_sentence(tree):
    _festival(tree.grassroots, "chunjie", D(2025, 1, 20), 2)
    _festival(tree.grassroots, "duanwu", D(2025, 5, 28), 2)
    _festival(tree.grassroots, "zhongqiu", D(2025, 9, 30), 2, amount=300)
    text = _text(tree.grassroots)
    assert "在春节、端午节、中秋节等3个节日，及时为会员发放节日慰问品，共慰问会员6人次，共计1400元" in text
    assert "春节期间" not in text and "中秋节期间" not in text


def test_it_lists_two_festivals_one_by_one(tree):
    _festival(tree.grassroots, "chunjie", D(2025, 1, 20), 2)
    _festival(tree.grassroots, "zhongqiu", D(2025, 9, 30), 1, amount=300)
    text = _text(tree.grassroots)
    assert "春节期间，为会员发放节日慰问品2人次，共计400元" in text
    assert "中秋节期间，为会员发放节日慰问品1人次，共计300元" in text
    assert "等2个节日" not in text


def test_it_keeps_a_festival_with_most_of_the_people_in_its_own_sentence(tree):
    _festival(tree.grassroots, "chunjie", D(2025, 1, 20), 4)
    _festival(tree.grassroots, "duanwu", D(2025, 5, 28), 1)
    _festival(tree.grassroots, "zhongqiu", D(2025, 9, 30), 1)
    _festival(tree.grassroots, "guoqing", D(2025, 9, 28), 1)
    text = _text(tree.grassroots)
    assert "春节期间，为会员发放节日慰问品4人次，共计800元" in text
    assert "在端午节、中秋节、国庆节等3个节日，及时为会员发放节日慰问品，共慰问会员3人次，共计600元" in text


def test_it_states_cash_and_goods_apart_in_a_mixed_festival(tree, personas):
    _festival(tree.grassroots, "chunjie", D(2025, 1, 20), 2, form="cash", amount=200, approver=actor_of(personas.grassroots_chair))
    _festival(tree.grassroots, "chunjie", D(2025, 1, 21), 1, amount=300)
    text = _text(tree.grassroots)
    assert "春节期间，为会员发放节日慰问金和慰问品3人次，其中慰问金2人次、共计400元，慰问品1人次、折合300元" in text
    assert "共计700元" not in text.split("春节期间")[1].split("\n")[0]


def test_it_states_cash_and_goods_apart_in_a_grouped_sentence(tree, personas):
    _festival(tree.grassroots, "chunjie", D(2025, 1, 20), 1, form="cash", amount=500, approver=actor_of(personas.grassroots_chair))
    _festival(tree.grassroots, "duanwu", D(2025, 5, 28), 1)
    _festival(tree.grassroots, "zhongqiu", D(2025, 9, 30), 1)
    text = _text(tree.grassroots)
    assert "在春节、端午节、中秋节等3个节日，及时为会员发放节日慰问金和慰问品，共慰问会员3人次，其中慰问金500元、慰问品折合400元" in text


def test_it_writes_no_festival_sentence_without_festival_records(tree):
    benefit_create(actor=OP, member=_member(tree.grassroots), kind="birthday", on=D(2025, 6, 1), form="cash", amount=Decimal(200))
    text = _text(tree.grassroots)
    assert "为过生日的会员送上生日祝福和慰问1人次，共计200元" in text
    for t in (text, _text(tree.sibling_grassroots)):
        assert "期间，为会员发放节日" not in t and "个节日" not in t and "benefits.festival" not in str(_gen(tree.grassroots).facts)


def test_it_never_counts_another_unions_festivals(tree):
    for org in (tree.grassroots, tree.sibling_grassroots):
        _festival(org, "chunjie", D(2025, 1, 20), 1)
        _festival(org, "duanwu", D(2025, 5, 28), 1)
        _festival(org, "zhongqiu", D(2025, 9, 30), 1)
    _festival(tree.sibling_grassroots, "guoqing", D(2025, 9, 28), 5)
    facts = _gen(tree.grassroots).facts
    assert facts["benefits.festivals.people"]["value"] == "3"
    assert "org=G1" in facts["benefits.festivals.people"]["link"]
    assert "国庆" not in _text(tree.grassroots)


def test_it_keeps_a_grouped_figure_refreshable(tree):
    _festival(tree.grassroots, "chunjie", D(2025, 1, 20), 1)
    _festival(tree.grassroots, "duanwu", D(2025, 5, 28), 1)
    _festival(tree.grassroots, "zhongqiu", D(2025, 9, 30), 1)
    first = _gen(tree.grassroots)
    assert "benefits.festivals.people" in first.facts and "benefits.festivals.count" in first.facts
    _festival(tree.grassroots, "chunjie", D(2025, 1, 21), 1)
    _festival(tree.grassroots, "duanwu", D(2025, 5, 29), 1)
    now = _gen(tree.grassroots).facts
    changed = {c["key"]: c for c in changed_figures(first.facts, now)}
    assert changed["benefits.festivals.people"]["old"] == "3" and changed["benefits.festivals.people"]["new"] == "5"
    doc, n = refresh_figures(first.document, now)
    assert n >= 2 and "共慰问会员5人次，共计1000元" in plain_text(doc)


def test_it_writes_grouped_sentences_that_pass_the_lint(tree, personas):
    _festival(tree.grassroots, "chunjie", D(2025, 1, 20), 1, form="cash", amount=500, approver=actor_of(personas.grassroots_chair))
    _festival(tree.grassroots, "chunjie", D(2025, 1, 20), 1)
    _festival(tree.grassroots, "duanwu", D(2025, 5, 28), 2)
    _festival(tree.grassroots, "zhongqiu", D(2025, 9, 30), 1)
    for name in ("甲", "乙", "丙"):
        _drive(tree.grassroots, name, D(2025, 3, 1), [100])
    doc = _gen(tree.grassroots).document
    mine = ("benefits.festival", "donations.drive")
    keys = {p["key"] for part in doc["parts"] for s in part["sections"] for p in s["items"]}
    assert "benefits.festivals" in keys and "donations.drives" in keys
    assert [str(f) for f in lint(doc) if f.key.startswith(mine)] == []


# --- donation drives ------------------------------------------------------------------------------


def _drive(org, name, on, gifts, *, members=None):
    drive = drive_create(actor=OP, org=org, name=name, purpose="帮助困难群众", starts_on=on, ends_on=on + dt.timedelta(days=10))
    for i, amount in enumerate(gifts):
        donor = members[i] if members else _member(org)
        donation_record(actor=OP, drive=drive, member=donor, kind="member", amount=Decimal(amount), on=on)
    return drive


def test_it_groups_many_small_drives_naming_the_largest(tree):
    people = [_member(tree.grassroots) for _ in range(3)]
    _drive(tree.grassroots, "春节送温暖", D(2025, 1, 5), [100, 100], members=people)
    _drive(tree.grassroots, "金秋助学", D(2025, 8, 20), [200, 100, 100], members=people)
    _drive(tree.grassroots, "抗洪救灾", D(2025, 7, 10), [300], members=people)
    _drive(tree.grassroots, "慈善一日捐", D(2025, 9, 10), [50], members=people)
    text = _text(tree.grassroots)
    # the three largest named, in the order they were held; each donor counted once
    assert "2025年先后组织开展“春节送温暖”“抗洪救灾”“金秋助学”等4次爱心捐款活动，组织3名会员职工捐款共计950元" in text
    assert "在“慈善一日捐”活动中" not in text


def test_it_lists_two_drives_one_by_one(tree):
    _drive(tree.grassroots, "金秋助学", D(2025, 8, 20), [200])
    _drive(tree.grassroots, "抗洪救灾", D(2025, 7, 10), [300])
    text = _text(tree.grassroots)
    assert "在“金秋助学”活动中" in text and "在“抗洪救灾”活动中" in text and "次爱心捐款活动" not in text


def test_it_keeps_a_large_drive_in_its_own_sentence(tree):
    _drive(tree.grassroots, "抗洪救灾", D(2025, 7, 10), [3000])
    _drive(tree.grassroots, "春节送温暖", D(2025, 1, 5), [100])
    _drive(tree.grassroots, "金秋助学", D(2025, 8, 20), [100])
    _drive(tree.grassroots, "慈善一日捐", D(2025, 9, 10), [50])
    text = _text(tree.grassroots)
    assert "在“抗洪救灾”活动中，组织1名会员职工捐款共计3000元" in text
    assert "先后组织开展“春节送温暖”“金秋助学”“慈善一日捐”等3次爱心捐款活动，组织3名会员职工捐款共计250元" in text


def test_it_never_groups_another_unions_drives(tree):
    for name in ("甲", "乙", "丙"):
        _drive(tree.sibling_grassroots, name, D(2025, 3, 1), [100])
    _drive(tree.grassroots, "金秋助学", D(2025, 8, 20), [200])
    text = _text(tree.grassroots)
    assert "在“金秋助学”活动中" in text and "次爱心捐款活动" not in text and "“甲”" not in text


# --- assistance rounds --------------------------------------------------------------------------------


def _help(org, name, on, occasion=Occasion.FESTIVAL, cash=300):
    h = household(org, name=name, tier="deep", status="assisting", on=D(2024, 1, 2))
    return record_create(actor=OP, household=h, on=on, occasion=occasion, cash=Decimal(cash), funding=Funding.OWN)


def test_it_names_the_festivals_of_several_rounds(tree):
    _help(tree.grassroots, "甲", D(2025, 1, 20))  # before 春节 (and 元宵节): the nearest festival names the round
    _help(tree.grassroots, "乙", D(2025, 6, 1))  # 端午节
    text = _text(tree.grassroots)
    assert "在春节、端午节等节日期间，慰问困难职工2户，每户发放慰问金300元，共计600元" in text


def test_it_keeps_one_round_as_before(tree):
    _help(tree.grassroots, "甲", D(2025, 9, 25))
    _help(tree.grassroots, "乙", D(2025, 9, 28))
    assert "在国庆节、中秋节前，慰问困难职工2户，每户发放慰问金300元，共计600元" in _text(tree.grassroots)


def test_it_does_not_name_festivals_for_illness(tree):
    _help(tree.grassroots, "甲", D(2025, 1, 20), Occasion.SICK)
    _help(tree.grassroots, "乙", D(2025, 9, 28), Occasion.SICK)
    text = _text(tree.grassroots)
    assert "探望慰问生病住院职工2人" in text and "等节日期间" not in text
