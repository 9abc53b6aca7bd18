"""Figures at the edges: records on a period's first and last day count, the day after
does not; a subtree's figure is its own plus its branches'; empty parts are left out."""

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.access.actor import Actor
from gonghui.assistance.choices import Funding, Occasion
from gonghui.assistance.services import record_create
from gonghui.assistance.tests.factories import household
from gonghui.summary.assemble import generate
from gonghui.summary.document import plain_text
from gonghui.summary.periods import parse_period

pytestmark = pytest.mark.django_db
D = dt.date
OP = Actor.system()


def _give(org, name, on, cash):
    h = household(org, name=name, tier="deep", status="assisting", on=D(2024, 1, 2))
    return record_create(actor=OP, household=h, on=on, occasion=Occasion.TEMPORARY, cash=Decimal(cash), funding=Funding.OWN)


def _facts(org, period, subtree=True):
    return generate(actor=OP, org=org, period=parse_period(period), subtree=subtree, today=D(2026, 1, 1)).facts


def test_it_counts_the_first_and_last_day_and_not_beyond(tree):
    _give(tree.grassroots, "首日", D(2025, 7, 1), 100)
    _give(tree.grassroots, "末日", D(2025, 12, 31), 200)
    _give(tree.grassroots, "次年", D(2026, 1, 1), 400)
    _give(tree.grassroots, "前一天", D(2025, 6, 30), 800)
    facts = _facts(tree.grassroots, "2025H2")  # one occasion: its sentence, no total restating it
    assert facts["assistance.occasion.temporary.total"]["value"] == "300.00"
    assert facts["assistance.occasion.temporary.households"]["value"] == "2"
    assert _facts(tree.grassroots, "2025-06-30..2025-07-01")["assistance.occasion.temporary.total"]["value"] == "900.00"


def test_a_subtree_figure_is_the_sum_of_its_parts(tree):
    _give(tree.grassroots, "企业甲", D(2025, 3, 1), 300)
    _give(tree.branch, "分会乙", D(2025, 3, 2), 150)
    _give(tree.sibling_grassroots, "望湖丙", D(2025, 3, 3), 700)
    total = lambda org, subtree=True: Decimal(_facts(org, "2025", subtree).get("assistance.occasion.temporary.total", {"value": "0"})["value"])  # noqa: E731
    assert total(tree.district) == total(tree.street) + total(tree.sibling_street) + total(tree.district, False) == Decimal(1150)
    # a grassroots union and its branches are one unit: `subtree` changes nothing for it
    assert total(tree.grassroots) == total(tree.grassroots, False) == Decimal(450) > total(tree.branch)
    managed = lambda org: int(_facts(org, "2025").get("assistance.managed.managed", {"value": "0"})["value"])  # noqa: E731
    assert managed(tree.district) == managed(tree.street) + managed(tree.sibling_street) == 3


def test_a_union_without_records_gets_no_empty_parts(tree):
    text = plain_text(generate(actor=OP, org=tree.sibling_street, period=parse_period("2025"), subtree=True).document)
    assert "帮扶" not in text and "会员" not in text.split("\n", 3)[-1]
    assert text.startswith("# 望湖街道工会2025年工作总结")


def test_a_branch_lead_cannot_summarize_a_sibling(tree, personas):
    from django.core.exceptions import PermissionDenied

    from gonghui.testing.factories import actor_of

    with pytest.raises(PermissionDenied):
        generate(actor=actor_of(personas.branch_lead), org=tree.sibling_grassroots, period=parse_period("2025"), subtree=True)


def test_a_federation_summary_breaks_benefits_down_by_child_union(tree):
    from gonghui.benefits.services import benefit_create
    from gonghui.members.services import member_create
    from gonghui.testing.members import make_id

    for org, amount in ((tree.grassroots, 300), (tree.branch, 200), (tree.sibling_grassroots, 250)):
        m = member_create(actor=OP, org=org, name=f"会员{org.code}", id_number=make_id(), joined_on=D(2020, 1, 1))
        benefit_create(actor=OP, member=m, kind="birthday", on=D(2025, 5, 1), form="cash", amount=Decimal(amount))
    text = plain_text(generate(actor=OP, org=tree.district, period=parse_period("2025"), subtree=True).document)
    assert "各下级工会会员慰问情况" in text
    assert "| 临江街道工会 | 2 | 500 |" in text and "| 望湖街道工会 | 1 | 250 |" in text
    assert "为过生日的会员送上生日祝福和慰问3人次，共计750元，让会员切实感受到了工会组织的关怀。" in text  # + effect clause


def test_households_times_each_is_the_total_and_goods_are_stated_apart(tree):
    """Issue 12: 户数 × 每户 = 共计; goods are named and valued on their own."""
    from gonghui.assistance.models import AssistanceRecord

    for i in range(11):
        rec = _give(tree.grassroots, f"春节{i}", D(2025, 1, 20), 500)
        AssistanceRecord.objects.filter(pk=rec.pk).update(occasion=Occasion.NEW_YEAR, goods=[{"item": "米面油"}],
                                                          goods_value=Decimal(150))
    sick = [_give(tree.grassroots, f"住院{i}", D(2025, 8, 5), 300) for i in range(2)]
    AssistanceRecord.objects.filter(pk__in=[r.pk for r in sick]).update(occasion=Occasion.SICK)
    AssistanceRecord.objects.filter(pk=sick[0].pk).update(goods=[{"item": "水果"}], goods_value=Decimal(200))
    one = _give(tree.grassroots, "灾害", D(2025, 9, 1), 800)
    AssistanceRecord.objects.filter(pk=one.pk).update(occasion=Occasion.DISASTER)
    text = plain_text(generate(actor=OP, org=tree.grassroots, period=parse_period("2025"), subtree=False,
                               today=D(2026, 1, 1)).document)
    assert "对11户困难职工进行慰问，每户发放慰问金500元，共计5500元，送去米面油，物品折合1650元" in text
    assert "探望慰问生病住院职工2人，每人发放慰问金300元，共计600元，送去水果，物品折合200元。" in text
    assert "对1户受灾职工家庭实施灾害救助，发放救助金800元。" in text  # one household: no effect clause


def test_the_per_union_tables_of_a_grassroots_union_add_up_with_its_own_level(tree):
    """A 基层工会 broken down by its 分会: its own level is a row, so the rows add up to the
    figure in the text (before, the company's own members and benefits fell out)."""
    from gonghui.benefits.services import benefit_create
    from gonghui.members.services import member_create
    from gonghui.testing.members import make_id

    for org, amount in ((tree.grassroots, 300), (tree.grassroots, 300), (tree.branch, 200)):
        m = member_create(actor=OP, org=org, name=f"会员{amount}{org.code}", id_number=make_id(), joined_on=D(2025, 3, 1))
        benefit_create(actor=OP, member=m, kind="birthday", on=D(2025, 5, 1), form="cash", amount=Decimal(amount))
    text = plain_text(generate(actor=OP, org=tree.grassroots, period=parse_period("2025"), subtree=True,
                               today=D(2026, 1, 1)).document)
    assert "本级及各下级工会会员慰问情况" in text
    assert "| 临江精机工会（本级） | 2 | 600 |" in text and "| 一车间分会 | 1 | 200 |" in text
    assert "共计800元" in text
    assert "本级及各下级工会会员情况" in text and "| 临江精机工会（本级） | 2 | 2 | — |" in text


def test_a_federation_without_own_records_keeps_the_plain_caption(tree):
    from gonghui.benefits.services import benefit_create
    from gonghui.members.services import member_create
    from gonghui.testing.members import make_id

    m = member_create(actor=OP, org=tree.grassroots, name="会员甲", id_number=make_id(), joined_on=D(2020, 1, 1))
    benefit_create(actor=OP, member=m, kind="birthday", on=D(2025, 5, 1), form="cash", amount=Decimal(300))
    text = plain_text(generate(actor=OP, org=tree.street, period=parse_period("2025"), subtree=True).document)
    assert "各下级工会会员慰问情况" in text and "本级" not in text
