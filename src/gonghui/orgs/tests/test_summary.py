"""The organization part of the work summary as the genre writes it."""

import datetime as dt

import pytest

from gonghui.access.actor import Actor
from gonghui.orgs.models import CommitteeOfficer, CommitteeTerm, Position
from gonghui.summary.assemble import generate
from gonghui.summary.document import plain_text
from gonghui.summary.lint import lint
from gonghui.summary.periods import parse_period

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize("number, written", [(3, "第三届"), (12, "第十二届")])
def test_it_writes_the_term_of_an_election_in_chinese_numerals(tree, number, written):
    term = CommitteeTerm.objects.create(org=tree.grassroots, number=number, elected_on=D(2025, 4, 18),
                                        starts_on=D(2025, 4, 18), ends_on=D(2030, 4, 17))
    for name, position in (("张伟", Position.CHAIR), ("李娜", Position.MEMBER), ("王芳", Position.MEMBER)):
        CommitteeOfficer.objects.create(term=term, name=name, position=position, starts_on=term.starts_on)
    doc = generate(actor=Actor.system(), org=tree.grassroots, period=parse_period("2025"), subtree=False,
                   today=D(2026, 1, 10)).document
    assert f"2025年4月18日，召开会员大会，选举产生{written}工会委员会，委员3名" in plain_text(doc)
    assert f"第{number}届" not in plain_text(doc)
    assert [str(f) for f in lint(doc) if f.rule == "number-format"] == []

