"""Demo drives: a disaster-relief drive at a community union (about 1,000 元 from some
twenty members, as in the work summaries), and a 金秋助学 drive at another union with
member and unit donations, one corrected by a reversal. Written through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gonghui.core.demo import DemoContext
from gonghui.donations import services
from gonghui.donations.models import DonorKind, Method
from gonghui.members.models import Member


def _members(org, n: int) -> list[Member]:
    return list(Member.objects.filter(org=org, status="active").order_by("id")[:n])


def populate(ctx: DemoContext) -> None:
    actor, today, rng = ctx.actor, ctx.today, ctx.rng
    relief_org = ctx.orgs.get("LJ-002") or next(o for o in ctx.orgs.values() if o.kind == "community")
    start = today - dt.timedelta(days=75)
    relief = services.drive_create(actor=actor, org=relief_org, name="抗震救灾爱心捐款", purpose="为地震灾区群众捐款，支援抗震救灾和灾后重建",
                                   starts_on=start, ends_on=start + dt.timedelta(days=14), notes="款项经区总工会统一转交灾区")
    donors = _members(relief_org, 20)
    amounts = [Decimal(rng.choice([20, 30, 50, 50, 50, 100])) for _ in donors]
    # Round the whole to just under 1,000 元, the way such collections usually end up.
    while sum(amounts) > Decimal(990) and max(amounts) > 20:
        amounts[amounts.index(max(amounts))] -= 10
    entries = [{"member": m, "amount": a} for m, a in zip(donors, amounts, strict=True)]
    services.donation_batch(actor=actor, drive=relief, entries=entries, on=start + dt.timedelta(days=3), method=Method.CASH)
    services.drive_close(actor=actor, drive=relief)

    grants_org = ctx.orgs.get("WH-001") or next(o for o in ctx.orgs.values() if o.level == 3 and o.pk != relief_org.pk)
    g_start = today - dt.timedelta(days=20)
    autumn = services.drive_create(actor=actor, org=grants_org, name="金秋助学爱心捐款", purpose="资助困难职工子女上学",
                                   starts_on=g_start, ends_on=today + dt.timedelta(days=20))
    entries = [{"member": m, "amount": Decimal(rng.choice([100, 200, 200, 300, 500]))} for m in _members(grants_org, 12)]
    created = services.donation_batch(actor=actor, drive=autumn, entries=entries, on=g_start + dt.timedelta(days=2), method=Method.TRANSFER)
    services.donation_record(actor=actor, drive=autumn, kind=DonorKind.UNIT, name="望湖物业服务有限公司", amount=Decimal("5000"),
                             on=g_start + dt.timedelta(days=5), method=Method.TRANSFER, note="企业捐助")
    if created:
        wrong = created[0]
        services.donation_reverse(actor=actor, donation=wrong, reason="金额登记错误")
        services.donation_record(actor=actor, drive=autumn, member=wrong.member, amount=wrong.amount + Decimal(100), on=wrong.on,
                                 method=Method.TRANSFER, note="更正后重新登记")
    ctx.notes.append(f"捐款活动：{relief_org.name}“抗震救灾爱心捐款”（已结束，{len(donors)}名会员）；{grants_org.name}“金秋助学爱心捐款”（进行中）。")
