"""Demo hardship archives over three years, through the real services: households in each
tier and state, a year-start 送温暖 batch of 500 元 per household each year, 金秋助学 for
households with children at school, and sick visits."""

from __future__ import annotations

import datetime as dt

from gonghui.assistance import services
from gonghui.assistance.choices import MANAGED, Cause, Step
from gonghui.assistance.models import Household
from gonghui.core.demo import DemoContext
from gonghui.members.models import Member
from gonghui.orgs.models import Level

HEALTH = ["尿毒症，每周透析", "脑梗后遗症", "乳腺癌术后化疗", "糖尿病并发症", "", ""]


def populate(ctx: DemoContext) -> None:
    rng, actor, today = ctx.rng, ctx.actor, ctx.today
    roots = [o for o in ctx.orgs.values() if o.parent_id is None]
    if not roots:
        return
    for root in roots:
        services.region_set(actor=actor, org=root, region_code="330100")
    grassroots = [o for o in ctx.orgs.values() if o.level == Level.GRASSROOTS and o.is_active]
    start_year = today.year - 2
    heads = list(Member.objects.filter(org__in=grassroots, status="active").order_by("id"))
    rng.shuffle(heads)
    for i, head in enumerate(heads[:36]):
        applied = ctx.date_between(max(dt.date(start_year, 1, 5), head.joined_on), today - dt.timedelta(days=20))
        size = rng.randint(2, 5)
        line = 1185 * 12 * size
        income = rng.choice([int(line * 0.7), int(line * 1.4), int(line * 3)])
        causes = rng.sample([c.value for c in Cause if c != Cause.OTHER], k=rng.randint(1, 2))
        h = services.household_create(actor=actor, head=head, on=applied, causes=causes, size=size, annual_income=str(income),
                                      rigid_expenses=str(rng.randint(3, 20) * 1000), health=rng.choice(HEALTH),
                                      housing=rng.choice(["own", "rent", "public"]), hukou=rng.choice(["urban", "rural"]),
                                      insurance=rng.choice(["employee", "resident"]), zero_employment=rng.random() < 0.2,
                                      single_parent=Cause.SINGLE_PARENT in causes)
        if i % 9 == 8:
            continue  # still 申请
        services.household_transition(actor=actor, household=h, step=Step.REVIEW, on=applied)
        if i % 9 == 7:
            continue  # 审核 in progress
        tier = h.suggested_tier or "accident"
        services.household_confirm_tier(actor=actor, household=h, tier=tier, on=applied,
                                         reason="" if tier == h.suggested_tier else "家庭突发重大变故，经走访核实")
        services.household_transition(actor=actor, household=h, step=Step.FILE, on=applied)
        services.household_transition(actor=actor, household=h, step=Step.ASSIST, on=applied)
        if i % 6 == 0 and applied < today - dt.timedelta(days=200):
            closed = ctx.date_between(applied + dt.timedelta(days=90), today - dt.timedelta(days=60))
            services.household_transition(actor=actor, household=h, step=Step.CLOSE, on=closed, reason="子女就业，家庭收入提高")
            if i % 12 == 0:
                services.household_transition(actor=actor, household=h, step=Step.RETURN,
                                              on=ctx.date_between(closed + dt.timedelta(days=1), today), reason="再次患病住院")
    for year in range(start_year, today.year + 1):
        day = dt.date(year, 1, 20)
        if day > today:
            continue
        for org in grassroots:
            homes = [h for h in Household.objects.filter(org_path__startswith=org.path, status__in=MANAGED, filed_on__lte=day)]
            if homes:
                services.batch_create(actor=actor, org=org, title=f"{year}年元旦春节送温暖", on=day, occasion="new_year",
                                      households=homes, cash="500", funding=rng.choice(["own", "upper"]), handled_by="工会干事",
                                      goods=[{"item": "米面油", "quantity": 1, "unit": "份", "value": 150}])
        autumn = dt.date(year, 8, 25)
        if autumn <= today:
            for h in Household.objects.filter(causes__contains=",schooling,", status__in=MANAGED, filed_on__lte=autumn):
                services.record_create(actor=actor, household=h, on=autumn, occasion="school", cash="2000", funding="donation",
                                       handled_by="工会干事")
    for h in Household.objects.filter(causes__contains=",illness,", status__in=MANAGED)[:8]:
        services.record_create(actor=actor, household=h, on=ctx.date_between(h.filed_on, today), occasion="sick", cash="300",
                               funding="own", goods=[{"item": "水果牛奶", "quantity": 1, "unit": "份", "value": 100}], handled_by="工会主席")
    ctx.notes.append("困难帮扶：约36户困难职工档案（多种类别和状态），每年元旦春节送温暖每户500元，金秋助学和生病住院慰问。低保标准为示例数据。")
