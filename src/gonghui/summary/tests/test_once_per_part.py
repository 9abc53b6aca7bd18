"""Each figure once in a part, and effect clauses on the sentence that earns them (issue 12):
the 帮扶 total is left out when it would restate the one occasion it sums; festivals given to
the same members are one sentence, not two with the same 人次; other kinds of care given in
cash and goods state each form apart; a part's effect clause goes to its most significant
sentence, never to one about a single household."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.access.actor import Actor
from gonghui.assistance.choices import Funding, Occasion
from gonghui.assistance.services import record_create
from gonghui.benefits.services import benefit_create
from gonghui.members.services import member_create
from gonghui.summary import prefs
from gonghui.summary.assemble import generate
from gonghui.summary.document import plain_text
from gonghui.summary.lint import lint
from gonghui.summary.periods import parse_period
from gonghui.testing.members import make_id

pytestmark = pytest.mark.django_db
D = dt.date
OP = Actor.system()
TODAY = D(2026, 1, 10)
_seq = iter(range(1, 10_000))


def _members(org, n: int):
    out = []
    for _ in range(n):
        i = next(_seq)
        out.append(member_create(actor=OP, org=org, name=f"会员{i}", id_number=make_id(D(1970, 1, 1) + dt.timedelta(days=i)),
                                 joined_on=D(2020, 1, 1)))
    return out


def _assist(member, on, cash, occasion=Occasion.NEW_YEAR):
    return record_create(actor=OP, member=member, on=on, occasion=occasion, cash=Decimal(cash), funding=Funding.OWN)


def _gen(org, period="2025"):
    return generate(actor=OP, org=org, period=parse_period(period), subtree=False, today=TODAY)


def _part(doc, key) -> list[str]:
    part = next(p for p in doc["parts"] if p["key"] == key)
    return ["".join(r["text"] for r in i["runs"]) for s in part["sections"] for i in s["items"]]


def _repeated(doc) -> list[str]:
    return [str(f) for f in lint(doc) if f.rule == "repeated-figure"]


# --- 1. the 帮扶 total over one occasion ----------------------------------------------------------


def test_it_leaves_out_the_assistance_total_over_a_single_occasion(tree):
    for m, cash in zip(_members(tree.grassroots, 7), (1000, 1000, 1200, 1200, 1200, 1100, 1100), strict=True):
        _assist(m, D(2025, 1, 15), cash)
    doc = _gen(tree.grassroots).document
    text = "\n".join(_part(doc, "assistance"))
    assert "对7户困难职工进行慰问，发放慰问金7800元" in text
    assert "共开展帮扶慰问" not in text and "共计7800元" not in text
    assert _repeated(doc) == []


def test_it_keeps_the_assistance_total_over_several_occasions(tree):
    people = _members(tree.grassroots, 5)
    for m in people[:3]:
        _assist(m, D(2025, 1, 15), 1100)
    for m in people[3:]:
        _assist(m, D(2025, 9, 1), 1300, Occasion.SCHOOL)
    text = "\n".join(_part(_gen(tree.grassroots).document, "assistance"))
    assert "2025年共开展帮扶慰问5户次，发放帮扶资金和物品共计5900元" in text
    assert "对3户困难职工进行慰问，每户发放慰问金1100元，共计3300元" in text


# --- 2. festivals given to the same members, and cash and goods apart --------------------------------


def _festival(member, festival, on, amount=150):
    benefit_create(actor=OP, member=member, kind="festival", festival=festival, on=on, form="goods", amount=Decimal(amount),
                   goods="米面油")


def test_it_groups_two_festivals_that_would_repeat_the_same_figure(tree):
    people = _members(tree.grassroots, 12)
    for m in people:
        _festival(m, "chunjie", D(2025, 1, 20), 300)
        _festival(m, "duanwu", D(2025, 5, 28), 150)
    benefit_create(actor=OP, member=people[0], kind="birthday", on=D(2025, 6, 1), form="cash", amount=Decimal(200))
    gen = _gen(tree.grassroots)
    text = "\n".join(_part(gen.document, "care"))
    assert "春节、端午节期间，为12名会员发放节日慰问品，共慰问24人次，共计5400元" in text
    assert "春节期间" not in text and "端午节期间，为会员" not in text
    assert gen.facts["benefits.festivals_named.members"]["value"] == "12"
    assert gen.facts["benefits.festivals_named.people"]["value"] == "24"
    assert "kind=festival" in gen.facts["benefits.festivals_named.people"]["link"]
    assert _repeated(gen.document) == []


def test_it_still_lists_two_festivals_with_different_figures(tree):
    people = _members(tree.grassroots, 12)
    for m in people:
        _festival(m, "chunjie", D(2025, 1, 20), 300)
    for m in people[:10]:
        _festival(m, "duanwu", D(2025, 5, 28), 160)
    text = plain_text(_gen(tree.grassroots).document)
    assert "春节期间，为会员发放节日慰问品12人次，共计3600元" in text
    assert "端午节期间，为会员发放节日慰问品10人次，共计1600元" in text


def test_it_states_cash_and_goods_apart_for_a_kind_other_than_festivals(tree):
    people = _members(tree.grassroots, 3)
    for m in people[:2]:
        benefit_create(actor=OP, member=m, kind="birthday", on=D(2025, 6, 1), form="cash", amount=Decimal(200))
    benefit_create(actor=OP, member=people[2], kind="birthday", on=D(2025, 6, 2), form="goods", amount=Decimal(150),
                   goods="生日蛋糕")
    benefit_create(actor=OP, member=people[0], kind="retirement", on=D(2025, 7, 1), form="cash", amount=Decimal(1000))
    text = "\n".join(_part(_gen(tree.grassroots).document, "care"))
    assert "为过生日的会员送上生日祝福和慰问3人次，其中慰问金2人次、共计400元，慰问品1人次、折合150元" in text
    assert "共计550元" not in text
    assert "慰问光荣退休的会员1人，共计1000元" in text


def test_it_leaves_out_the_care_total_over_a_single_sentence(tree):
    for m in _members(tree.grassroots, 12):
        _festival(m, "chunjie", D(2025, 1, 20), 230)
    text = "\n".join(_part(_gen(tree.grassroots).document, "care"))
    assert "共开展会员慰问" not in text
    assert "春节期间，为会员发放节日慰问品12人次，共计2760元" in text


# --- 3. which sentence takes the part's effect clause -------------------------------------------------


_PERIODS = ("2025", "2025H1", "2025-01-01..2025-11-30", "2025-01-02..2025-12-31", "2025-01-03..2025-10-31",
            "2025-01-04..2025-12-30")


def _carrying(doc, theme) -> list[str]:
    clauses = prefs.DEFAULT_PURPOSES[theme]
    return [s for s in _part(doc, theme) if any(c in s for c in clauses)]


def test_it_gives_the_effect_clause_to_the_most_significant_sentence(tree):
    people = _members(tree.grassroots, 9)
    _assist(people[0], D(2025, 3, 5), 3000, Occasion.MEDICAL)  # one household: never the clause
    for m in people[1:7]:
        _assist(m, D(2025, 1, 15), 500)  # six households: the largest count
    for m in people[7:]:
        _assist(m, D(2025, 9, 1), 1000, Occasion.SCHOOL)
    for period in _PERIODS:
        carrying = _carrying(_gen(tree.grassroots, period).document, "assistance")
        assert len(carrying) == 1 and "对6户困难职工进行慰问" in carrying[0], period


def test_it_never_gives_the_effect_clause_to_a_sentence_about_one_household(tree):
    people = _members(tree.grassroots, 3)
    _assist(people[0], D(2025, 3, 5), 3000, Occasion.MEDICAL)
    _assist(people[1], D(2025, 1, 15), 800)
    _assist(people[2], D(2025, 6, 20), 600, Occasion.TEMPORARY)
    for period in _PERIODS:
        assert _carrying(_gen(tree.grassroots, period).document, "assistance") == [], period


def test_it_breaks_a_tie_by_the_larger_amount(tree):
    people = _members(tree.grassroots, 6)
    for m in people[:3]:
        _assist(m, D(2025, 1, 15), 500)
    for m in people[3:]:
        _assist(m, D(2025, 9, 1), 1000, Occasion.SCHOOL)
    for period in (p for p in _PERIODS if p != "2025H1"):  # periods holding both occasions
        carrying = _carrying(_gen(tree.grassroots, period).document, "assistance")
        assert len(carrying) == 1 and "金秋助学" in carrying[0], period


def test_it_gives_no_effect_clause_to_a_sentence_that_reports_a_fall(tree):
    """"新发展会员8人，同比减少3人（27.3%），进一步壮大了会员队伍" contradicts itself."""
    for i in range(12):  # 12 joined in 2024, 3 in 2025
        member_create(actor=OP, org=tree.grassroots, name=f"旧会员{i}", id_number=make_id(D(1980, 1, 1) + dt.timedelta(days=i)),
                      joined_on=D(2024, 3, 1))
    for i in range(3):
        member_create(actor=OP, org=tree.grassroots, name=f"新会员{i}", id_number=make_id(D(1990, 1, 1) + dt.timedelta(days=i)),
                      joined_on=D(2025, 3, 1))
    joined = [s for s in _part(_gen(tree.grassroots).document, "members") if "新发展会员" in s]
    assert joined and "同比减少9人" in joined[0]
    assert not any(c in joined[0] for c in prefs.DEFAULT_PURPOSES["members"])
