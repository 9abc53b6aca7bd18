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
    _nonmembers(ctx)


RESIDENT_UNION = "LJ-003"  # 富兴社区工会: helps residents of its community who are not members
VILLAGE_UNION = "JG-001"  # 区人社局机关工会: visits the village it is paired with (包联村)
VILLAGE = "包联村红星村"


def _resident_id(ctx: DemoContext) -> str:
    """A valid resident ID number (GB 11643) of an older resident, drawn from the seeded rng,
    that is nobody's on the roster."""
    from gonghui.core.validators import id_check_char
    from gonghui.members.services import id_hash

    while True:
        birth = ctx.date_between(dt.date(1940, 1, 1), dt.date(1975, 12, 31))
        body = f"330108{birth:%Y%m%d}{ctx.rng.randint(100, 999)}"
        number = body + id_check_char(body)
        if not Member.objects.filter(id_hash=id_hash(number)).exists():
            return number


def _nonmembers(ctx: DemoContext) -> None:
    """Beneficiaries who are not members, counted apart: the community union's needy
    residents (a year-start batch and a temporary relief), and the 机关 union's paired
    village visited before the Spring Festival and at mid-autumn."""
    rng, actor, today = ctx.rng, ctx.actor, ctx.today
    community, organ = ctx.orgs.get(RESIDENT_UNION), ctx.orgs.get(VILLAGE_UNION)
    if community is not None:
        residents = [{"name": ctx.person(), "id_number": _resident_id(ctx)} for _ in range(6)]
        for year in range(today.year - 2, today.year + 1):
            day = dt.date(year, 1, 22)
            if day <= today:
                services.batch_create(actor=actor, org=community, title=f"{year}年春节困难居民慰问", on=day, occasion="new_year",
                                      households=[], residents=residents[: 4 + (year % 3)], cash="300", funding="own",
                                      handled_by="社区工会干事", goods=[{"item": "米面油", "quantity": 1, "unit": "份", "value": 120}])
        person = rng.choice(residents)
        services.nonmember_record_create(actor=actor, org=community, recipient="resident", name=person["name"],
                                         id_number=person["id_number"], on=ctx.date_between(dt.date(today.year, 1, 1), today),
                                         occasion="temporary", cash="800", funding="donation", handled_by="社区工会主席",
                                         note="突发重病，临时救助")
    if organ is not None:
        for year in range(today.year - 2, today.year + 1):
            households = 12 + rng.randint(0, 6)
            for day, occasion, per in ((dt.date(year, 1, 25), "new_year", 200), (dt.date(year, 9, 20), "festival", 100)):
                if day <= today:
                    services.nonmember_record_create(
                        actor=actor, org=organ, recipient="group", name=VILLAGE, households=households,
                        people=households * 3 - rng.randint(0, 5), on=day, occasion=occasion, cash=str(households * per),
                        funding="own", handled_by="机关工会主席",
                        goods=[{"item": "米面油", "quantity": households, "unit": "份", "value": households * 100}])
    ctx.notes.append(f"非会员帮扶（与会员分开统计）：{RESIDENT_UNION}社区工会每年春节慰问辖区困难居民；"
                     f"{VILLAGE_UNION}机关工会春节、中秋走访{VILLAGE}。")
