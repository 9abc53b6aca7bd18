import datetime as dt
import random

from gonghui.access.actor import Actor
from gonghui.assistance import demo
from gonghui.assistance.models import AssistanceBatch, AssistanceRecord, Household
from gonghui.assistance.tests.factories import member
from gonghui.core.demo import DemoContext


def test_it_builds_demo_households_batches_and_visits(tree):
    for i in range(40):
        member(tree.grassroots if i % 2 else tree.sibling_grassroots, f"演示{i}")
    orgs = {o.code: o for o in (tree.district, tree.street, tree.grassroots, tree.branch, tree.sibling_street, tree.sibling_grassroots)}
    ctx = DemoContext(rng=random.Random(1), actor=Actor.system(source="system"), today=dt.date(2025, 10, 31), orgs=orgs)
    demo.populate(ctx)
    assert Household.objects.count() == 36
    assert set(Household.objects.values_list("status", flat=True)) >= {"applied", "reviewing", "assisting", "closed"}
    batch = AssistanceBatch.objects.filter(title="2025年元旦春节送温暖").first()
    assert batch is not None and all(r.cash == 500 for r in batch.records.all())
    assert AssistanceRecord.objects.filter(occasion="sick").exists()
