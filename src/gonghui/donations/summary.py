"""Donation drives in the work summary: each drive's total in the period, under 帮扶."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from gonghui.donations.models import Donation, DonorKind
from gonghui.summary.registry import Chart, Contributor, Item, Phrase, Section, count, money, text

PHRASES = (
    Phrase("donations.drive", "捐款活动",
           "[{when}，]在“{drive}”活动中，组织[{members}名]会员职工[和{units}个单位]捐款共计{total}[，用于{purpose}]。",
           {"when": "月份", "drive": "捐款活动名称", "members": "捐款会员人数", "units": "捐款单位数", "total": "捐款金额合计",
            "purpose": "捐款用途"},
           {"drive": "抗洪救灾爱心捐款", "members": "56", "total": "980元", "purpose": "支援灾区群众生产生活"}),
)


def _donations(ctx, period=None):
    return ctx.dated(ctx.within(Donation.objects.for_actor(ctx.actor)), period=period)


def collect(ctx) -> list[Section]:
    rows = (_donations(ctx).values("drive_id", "drive__name", "drive__purpose", "drive__starts_on")
            .annotate(total=Sum("amount"),
                      members=Count("member", distinct=True, filter=Q(kind=DonorKind.MEMBER, reversal_of__isnull=True, reversal__isnull=True)),
                      units=Count("name", distinct=True, filter=Q(kind=DonorKind.UNIT, reversal_of__isnull=True, reversal__isnull=True)))
            .order_by("drive__starts_on", "drive_id"))
    items = []
    for r in rows:
        if not r["total"]:
            continue
        link = ctx.link("donations:records", drive=r["drive_id"], **ctx.period_params())
        start = r["drive__starts_on"]
        items.append(Item("donations.drive", {
            "when": text(f"{start.month}月" if ctx.period.start <= start <= ctx.period.end and ctx.period.kind != "month" else ""),
            "drive": text(r["drive__name"]), "members": count(r["members"], link), "units": count(r["units"]),
            "total": money(r["total"], link), "purpose": text(r["drive__purpose"].rstrip("。")),
        }, key=f"donations.drive.{r['drive_id']}", label=r["drive__name"]))
    return [Section("donations", "组织爱心捐款", items)] if items else []


def charts(ctx) -> list[Chart]:
    rows = [(r["drive__name"], float(r["total"] or 0), ctx.link("donations:records", drive=r["drive_id"], **ctx.period_params()))
            for r in _donations(ctx).values("drive_id", "drive__name").annotate(total=Sum("amount")) if r["total"]]
    return [Chart("donations.drives", "捐款金额（按活动）", "hbar", rows, "元")] if rows else []


CONTRIBUTOR = Contributor(key="donations", theme="assistance", order=20, phrases=PHRASES, collect=collect, charts=charts,
                          permission="donations.view")
