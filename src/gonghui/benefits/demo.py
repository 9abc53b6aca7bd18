"""Demo benefits, through the real services: the demo unions work under the 安徽 2025
example rules; 春节 and 中秋 goods for everyone, birthday cakes, 三八 for women, a few
住院 visits and 退休, all within the rules, and one documented override."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role, permissions_for
from gonghui.benefits import selectors, services
from gonghui.benefits.models import BenefitRecord, Festival, Form, Kind, RuleSet
from gonghui.core.demo import DemoContext
from gonghui.members.choices import Status
from gonghui.members.models import Member
from gonghui.orgs.models import Level


def _batch(ctx, org, title, selection, kind, on, form, amount, **extra):
    members = selectors.eligible_members(ctx.actor, org, selection=selection, month=extra.pop("month", None))
    members = [m for m in members if m.joined_on <= on]
    if not members:
        return None
    return services.benefit_batch_create(actor=ctx.actor, org=org, title=title, selection=selection, members=members, kind=kind,
                                         on=on, form=form, amount=Decimal(amount), selection_label=selectors.SELECTIONS[selection],
                                         **extra)


CHILDRENS_DAY_UNION = "JY-001"  # the primary school's union: 六一 for members with young children


def _childrens_day(ctx, year: int) -> None:
    """六一 for the members of one union who have young children: a named list (the roster
    does not record children; the demo takes members aged 28 to 42 on that day). The 安徽
    standard does not list 六一, so it is the union's own occasion, with no cap checked."""
    org = ctx.orgs.get(CHILDRENS_DAY_UNION)
    on = dt.date(year, 6, 1)
    if org is None or on > ctx.today:
        return
    members = [m for m in selectors.eligible_members(ctx.actor, org, selection="all")
               if m.joined_on <= on and m.birth_date and dt.date(on.year - 42, 6, 1) <= m.birth_date <= dt.date(on.year - 28, 6, 1)]
    if members:
        services.benefit_batch_create(actor=ctx.actor, org=org, title=f"{year}年“六一”儿童节慰问", selection="list",
                                      members=members, kind=Kind.CHILDRENS_DAY, on=on, form=Form.GOODS, amount=Decimal(100),
                                      selection_label="有子女的会员（名单）", goods="儿童图书、文具")
        ctx.notes.append(f"会员慰问：{org.display_name}{year}年“六一”向{len(members)}名有子女的会员发放慰问品（标准未列，本单位自定）。")


def _approver(top) -> Actor | None:
    """The top union's chair (else its administrator), as the actor of their own login."""
    from gonghui.accounts.models import RoleGrant

    grants = RoleGrant.objects.filter(org=top, user__is_active=True).select_related("user", "org").order_by("id")
    for role in (Role.CHAIR, Role.SYSADMIN):
        grant = next((g for g in grants if g.role == role and "benefits.override" in permissions_for(role)), None)
        if grant is not None:
            return Actor.for_grant(grant, source="system")
    return None


def populate(ctx: DemoContext) -> None:
    today = ctx.today
    top = next(o for o in ctx.orgs.values() if o.parent_id is None)
    anhui = RuleSet.objects.filter(name="安徽2025标准").first()
    if anhui is not None:
        services.ruleset_choose(actor=ctx.actor, org=top, ruleset=anhui)
    grassroots = [o for o in ctx.orgs.values() if o.level == Level.GRASSROOTS and o.is_active]
    year = today.year if today >= dt.date(today.year, 10, 8) else today.year - 1
    spring, autumn = dt.date(year, 1, 20), dt.date(year, 9, 25)
    for org in grassroots:
        _batch(ctx, org, f"{year}年春节慰问", "all", Kind.FESTIVAL, spring, Form.GOODS, 500, festival=Festival.SPRING, goods="大米、食用油")
        _batch(ctx, org, f"{year}年中秋节慰问", "all", Kind.FESTIVAL, autumn, Form.GOODS, 400, festival=Festival.MID_AUTUMN, goods="月饼、水果")
        _batch(ctx, org, f"{year}年三八节女职工慰问", "women", Kind.WOMENS_DAY, dt.date(year, 3, 8), Form.GOODS, 200, goods="鲜花、护手霜")
        month = today.replace(day=1) - dt.timedelta(days=1)
        _batch(ctx, org, f"{month.year}年{month.month}月生日慰问", "birthday", Kind.BIRTHDAY, month.replace(day=1), Form.GOODS, 200,
               goods="生日蛋糕券", month=month.month)
    members = list(Member.objects.filter(status=Status.ACTIVE, pays_dues=True).order_by("id"))
    ctx.rng.shuffle(members)
    illnesses = ["阑尾炎手术", "腰椎间盘突出", "肺炎", "骨折", "胆结石手术"]
    for m in members[:12]:
        services.benefit_create(actor=ctx.actor, member=m, kind=Kind.HOSPITAL, on=ctx.date_between(max(m.joined_on, dt.date(year, 1, 1)), today),
                                form=Form.CASH, amount=Decimal(ctx.rng.choice([500, 800, 1000])), illness=ctx.rng.choice(illnesses),
                                goods="住院慰问金")
    for m in Member.objects.filter(status=Status.RETIRED).order_by("id")[:15]:
        retired = m.events.filter(kind="retire").order_by("-on").first()
        on = retired.on if retired else today
        services.benefit_create(actor=ctx.actor, member=m, kind=Kind.RETIREMENT, on=on, form=Form.GOODS, amount=Decimal(1000),
                                goods="退休纪念品")
    # One documented override: a serious illness above the 住院 cap, approved by the committee
    # and entered by the district's chair, whom the records and the 合规检查 page name as the
    # approver (the builder's own actor is the console, nobody to name).
    m = members[20]
    approver = _approver(top)
    record = None
    if approver is not None:
        record = services.benefit_create(
            actor=approver, member=m, kind=Kind.HOSPITAL, on=ctx.date_between(max(m.joined_on, dt.date(year, 1, 1)), today),
            form=Form.CASH, amount=Decimal(3000), illness="恶性肿瘤手术", goods="住院慰问金",
            override_reason="患重大疾病，经工会委员会会议研究同意超标准慰问（会议纪要〔" + str(year) + "〕3号）",
        )
    # And one correction: a wrong amount reversed and given again.
    wrong = BenefitRecord.objects.filter(kind=Kind.HOSPITAL, override_reason="").order_by("id").first()
    if wrong is not None:
        services.benefit_correct(actor=ctx.actor, record=wrong, reason="金额录入有误", kind=wrong.kind, on=wrong.on, form=wrong.form,
                                 amount=Decimal(600), illness=wrong.illness, goods=wrong.goods)
    _childrens_day(ctx, year)
    if record is not None:
        ctx.notes.append(f"会员慰问：演示单位采用“安徽2025标准（示例）”；{record.member.name}的住院慰问3,000元为"
                         f"{record.overridden_by.display_name}批准的超标准慰问，见“合规检查”页面。")
