import datetime as dt
from decimal import Decimal

import pytest

from gonghui.access.actor import Actor
from gonghui.benefits.models import RuleSet
from gonghui.benefits.services import ruleset_choose
from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id

YEAR = dt.date.today().year


@pytest.fixture
def chair(personas):
    return actor_of(personas.grassroots_chair)


@pytest.fixture
def anhui(tree):
    """The district works under the 安徽 2025 example rules."""
    from importlib import import_module

    from django.apps import apps

    # Shipped by a data migration; a transactional test run before this one (they run last,
    # in any app) flushes every table, so put them back when they are gone.
    import_module("gonghui.benefits.migrations.0002_shipped_rulesets").ship(apps, None)
    ruleset = RuleSet.objects.get(name="安徽2025标准")
    ruleset_choose(actor=Actor.system(), org=tree.district, ruleset=ruleset)
    return ruleset


@pytest.fixture
def add_member(tree):
    def add(name="王芳", org=None, *, female=True, birth=dt.date(1985, 6, 15), pays_dues=True, **extra):
        m = member_create(actor=Actor.system(), org=org or tree.grassroots, name=name, id_number=make_id(birth, male=not female),
                          joined_on=dt.date(2015, 5, 1), **extra)
        if not pays_dues:
            type(m).objects.filter(pk=m.pk).update(pays_dues=False)
            m.pays_dues = False
        return m

    return add


def D(x):  # noqa: N802
    return Decimal(str(x))
