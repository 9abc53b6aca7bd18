"""Issue 12: a grassroots union's figures include its branches and groups, with or without
`--subtree`; a federation's own office is only itself. One rule for the summary, the
statistics page, the dashboard and the API."""

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.access.actor import Actor
from gonghui.members.selectors import membership_rate
from gonghui.members.services import member_create
from gonghui.orgs.selectors import reporting_scope
from gonghui.summary.assemble import generate
from gonghui.summary.document import plain_text
from gonghui.summary.periods import parse_period
from gonghui.summary.stats import statistics
from gonghui.testing.members import make_id

pytestmark = pytest.mark.django_db
D = dt.date
OP = Actor.system()


def _members(org, n, joined=D(2020, 1, 1)):
    for i in range(n):
        member_create(actor=OP, org=org, name=f"会员{org.code}{i}", id_number=make_id(), joined_on=joined)


def _generated(org, subtree):
    return generate(actor=OP, org=org, period=parse_period("2025"), subtree=subtree, today=D(2026, 1, 1))


def test_the_rule_in_one_place(tree):
    assert reporting_scope(tree.grassroots, False).whole and reporting_scope(tree.branch, False).whole
    assert reporting_scope(tree.street, True).whole and not reporting_scope(tree.street, False).whole
    assert reporting_scope(tree.district, False).label == "本级"
    assert reporting_scope(tree.grassroots, False).label == "含所属分会、工会小组"


def test_a_grassroots_union_rate_counts_its_branches_without_subtree(tree):
    _members(tree.grassroots, 3)
    _members(tree.branch, 6)
    facts = _generated(tree.grassroots, False).facts
    assert facts["members.total.members"]["value"] == "9"  # the rate sentence names only the employees
    assert facts["members.rate.rate"]["text"] == "3%"  # 9 ÷ 300, not 3 ÷ 300
    assert "subtree=1" in facts["members.total.members"]["link"]
    assert _generated(tree.grassroots, True).facts["members.rate.rate"] == facts["members.rate.rate"]


def test_every_figure_of_a_grassroots_union_includes_its_branches(tree):
    from gonghui.assistance.choices import Funding, Occasion
    from gonghui.assistance.services import record_create
    from gonghui.assistance.tests.factories import household

    h = household(tree.branch, name="分会户", tier="deep", status="assisting", on=D(2024, 1, 2))
    record_create(actor=OP, household=h, on=D(2025, 3, 1), occasion=Occasion.TEMPORARY, cash=Decimal(300), funding=Funding.OWN)
    facts = _generated(tree.grassroots, False).facts
    assert facts["assistance.occasion.temporary.total"]["value"] == "300.00"  # one occasion: no total beside it


def test_dashboard_api_statistics_and_summary_agree(tree, personas, login):
    _members(tree.grassroots, 2)
    _members(tree.branch, 4)
    on = D(2026, 1, 1)
    assert membership_rate(OP, tree.grassroots, on) == membership_rate(OP, tree.grassroots, on, subtree=False) == (6, 300, 0.02)
    stats = statistics(actor=OP, org=tree.grassroots, period=parse_period("2025"), subtree=False, today=on)
    shown = {row["text"] for g in stats.groups for row in g["rows"]}
    assert "2%" in shown and "6" in shown
    client = login(personas.grassroots_chair)
    body = client.get("/api/members/rate", {"org": "G1", "on": on.isoformat()}).json()
    assert (body["members"], body["employees"]) == (6, 300)


def test_a_federation_without_subtree_is_its_own_office(tree):
    _members(tree.grassroots, 2)
    assert membership_rate(OP, tree.street, D(2026, 1, 1), subtree=False) == (0, 0, None)
    assert "members.rate.rate" not in _generated(tree.street, False).facts


def test_no_garbled_sentence_when_nobody_moved_or_left(tree):
    _members(tree.grassroots, 2, joined=D(2025, 4, 1))
    text = plain_text(_generated(tree.grassroots, False).document)
    assert "新发展会员2人" in text
    assert "会籍信息及时更新" not in text and "办理会员" not in text
