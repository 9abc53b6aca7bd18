"""The assistance part of the work summary: the opening's reach and the villages' sentence."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.assistance import services
from gonghui.assistance.summary import headline
from gonghui.assistance.tests.factories import SYSTEM, household
from gonghui.summary.context import SummaryContext
from gonghui.summary.periods import parse_period

pytestmark = pytest.mark.django_db
D = dt.date


def _ctx(org):
    return SummaryContext(actor=SYSTEM, org=org, period=parse_period("2025"), subtree=False, today=D(2026, 1, 5))


def test_it_ranks_the_opening_by_households_not_by_records(tree):
    homes = [household(tree.grassroots, name=n) for n in ("王困难", "李困难")]
    for h in homes:  # each household helped twice: 4 户次, 2 households
        for on, occasion in ((D(2025, 1, 20), "new_year"), (D(2025, 8, 20), "temporary")):
            services.record_create(actor=SYSTEM, household=h, on=on, occasion=occasion, cash="500", funding="own")
    (got,) = headline(_ctx(tree.grassroots))
    assert got.records == 4 and got.measures["households"] == 2


def _village(org, name, households, on=D(2025, 1, 25)):
    services.nonmember_record_create(actor=SYSTEM, org=org, recipient="group", name=name, households=households, people=households * 3,
                                     on=on, occasion="new_year", cash="1000", funding="own")


def test_it_names_at_most_three_villages_with_deng_beyond(tree, tmp_path):
    from gonghui.summary.tests.conftest import summary_text

    for i, (name, n) in enumerate((("红星村", 5), ("东风村", 12), ("向阳村", 9), ("胜利村", 20))):
        _village(tree.grassroots, name, n, on=D(2025, 1, 20 + i))
    text = summary_text(tmp_path, "G1", "2025")
    assert "走访慰问东风村、向阳村、胜利村等困难群众46户" in text  # the three largest, in the order visited
    assert "红星村" not in text


def test_it_names_every_village_when_there_are_three_or_fewer(tree, tmp_path):
    from gonghui.summary.tests.conftest import summary_text

    _village(tree.grassroots, "红星村", 5)
    _village(tree.grassroots, "东风村", 12, on=D(2025, 1, 26))
    assert "走访慰问红星村、东风村困难群众17户" in summary_text(tmp_path, "G1", "2025")
