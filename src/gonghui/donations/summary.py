"""Donation drives in the work summary: each drive's total in the period, under 帮扶."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from gonghui.donations.models import Donation, DonorKind, Drive
from gonghui.summary.registry import (
    GROUP_NAMED,
    Chart,
    Contributor,
    Headline,
    Item,
    Phrase,
    Section,
    Suggestion,
    count,
    examples,
    fell,
    money,
    percent,
    period_over,
    quotable,
    split_for_grouping,
    text,
)

_DRIVES_FIELDS = {"period": "期间", "drives": "活动名称（列举两三个，带引号，以“等”结尾）", "count": "活动次数",
                  "members": "捐款会员人数", "units": "捐款单位数", "total": "捐款金额合计"}
_PARTICIPATION_FIELDS = {"period": "期间", "donors": "参与捐款的会员人数", "share": "占会员总数的比例",
                         "earlier": "上年同期参与捐款的会员人数", "earlier_share": "上年同期占会员总数的比例",
                         "none": "期间没有会员捐款时的说法"}

PHRASES = (
    Phrase("donations.drive", "捐款活动",
           "[{when}，]在“{drive}”活动中，组织[{members}名]会员职工[和{units}个单位]捐款共计{total}[，用于{purpose}]。",
           {"when": "月份", "drive": "捐款活动名称", "members": "捐款会员人数", "units": "捐款单位数", "total": "捐款金额合计",
            "purpose": "捐款用途"},
           {"drive": "抗洪救灾爱心捐款", "members": "56", "total": "980元", "purpose": "支援灾区群众生产生活"}),
    Phrase("donations.drives", "捐款活动（多次合并）",
           "{period}先后组织开展{drives}{count}次爱心捐款活动，组织[{members}名]会员职工[和{units}个单位]捐款共计{total}。",
           _DRIVES_FIELDS,
           {"period": "2025年", "drives": "“金秋助学”“抗洪救灾”等", "count": "5", "members": "120", "total": "6800元"}),
    Phrase("donations.headline", "开篇要点：爱心捐款",
           "组织会员职工爱心捐款{total}",
           {"total": "捐款金额合计"}),
    Phrase("donations.problem_participation", "问题：捐款参与面下降",
           # No member gave: no "0人" or "0%", last year's donors by count instead.
           "爱心捐款活动的参与面还不够广，{period}[参与捐款的会员{donors}人，占会员总数的{share}，"
           "上年同期参与捐款的会员占会员总数的{earlier_share}][{none}，上年同期有{earlier}名会员参与捐款，"
           "占会员总数的{earlier_share}]。",
           _PARTICIPATION_FIELDS),
    Phrase("donations.plan_participation", "计划：宣传发动",
           "加强爱心捐款活动的宣传发动，引导更多会员职工奉献爱心、参与公益。",
           _PARTICIPATION_FIELDS),
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
    rows = [r for r in rows if r["total"]]
    listed, grouped = split_for_grouping(rows, lambda r: r["total"])
    for r in listed:
        link = ctx.link("donations:records", drive=r["drive_id"], **ctx.period_params())
        start = r["drive__starts_on"]
        items.append(Item("donations.drive", {
            "when": text(f"{start.month}月" if ctx.period.start <= start <= ctx.period.end and ctx.period.kind != "month" else ""),
            "drive": text(quotable(r["drive__name"])), "members": count(r["members"], link), "units": count(r["units"]),
            "total": money(r["total"], link), "purpose": text(r["drive__purpose"].rstrip("。")),
        }, key=f"donations.drive.{r['drive_id']}", label=r["drive__name"]))
    if grouped:
        items.append(_grouped_item(ctx, grouped))
    return [Section("donations", "组织爱心捐款", items)] if items else []


def _grouped_item(ctx, grouped: list[dict]) -> Item:
    """Many small drives: one sentence with their number, the largest two or three by name,
    and the donors counted once however many drives they gave to."""
    ids = [r["drive_id"] for r in grouped]
    standing = Q(reversal_of__isnull=True, reversal__isnull=True)
    donors = _donations(ctx).filter(drive_id__in=ids).aggregate(
        members=Count("member", distinct=True, filter=standing & Q(kind=DonorKind.MEMBER)),
        units=Count("name", distinct=True, filter=standing & Q(kind=DonorKind.UNIT)))
    named = {r["drive_id"] for r in sorted(grouped, key=lambda r: -r["total"])[:GROUP_NAMED]}
    link = ctx.link("donations:records", **ctx.period_params())
    return Item("donations.drives", {
        "period": text(ctx.period.label), "drives": examples((r["drive__name"] for r in grouped if r["drive_id"] in named), quoted=True),
        "count": count(len(grouped)), "members": count(donors["members"], link), "units": count(donors["units"]),
        "total": money(sum(r["total"] for r in grouped), link),
    }, key="donations.drives", label="爱心捐款活动")


def headline(ctx) -> list[Headline]:
    standing = Q(reversal_of__isnull=True, reversal__isnull=True)
    agg = _donations(ctx).aggregate(total=Sum("amount"), members=Count("member", distinct=True, filter=standing & Q(kind=DonorKind.MEMBER)),
                                    units=Count("name", distinct=True, filter=standing & Q(kind=DonorKind.UNIT)))
    if not agg["total"]:
        return []
    return [Headline(Item("donations.headline", {"total": money(agg["total"])}), {"money": agg["total"]},
                     records=agg["members"] + agg["units"])]


# 存在问题: the share of members who gave fell compared with the same period last year
# (`registry.fell`: by at least a fifth, with at least PARTICIPATION_MIN_BASE member donors
# last year), once the period is over, and only when the union held a drive in the period: a
# year without any drive is not one of narrow participation (drives follow disasters and
# appeals, not a calendar), so nothing is said of it.
PARTICIPATION_MIN_BASE = 10


def _participation(ctx) -> tuple[int, int]:
    from gonghui.members.summary import member_count

    donors = (_donations(ctx).filter(kind=DonorKind.MEMBER, reversal_of__isnull=True, reversal__isnull=True)
              .values("member").distinct().count())
    return donors, member_count(ctx)


def _drive_held(ctx) -> bool:
    """Whether the union (its scope) ran a drive during the period or took gifts in it."""
    drives = ctx.within(Drive.objects.for_actor(ctx.actor)).filter(starts_on__lte=ctx.end, ends_on__gte=ctx.start)
    return drives.exists() or _donations(ctx).exists()


def suggest(ctx) -> list[Suggestion]:
    if not period_over(ctx):
        return []
    donors, members = _participation(ctx)
    before, members_before = _participation(ctx.earlier)
    if not members or not members_before or not _drive_held(ctx):
        return []
    if not fell(Decimal(donors) / members, Decimal(before) / members_before, base=before, min_base=PARTICIPATION_MIN_BASE):
        return []
    facts = {"period": text(ctx.period.label), "donors": count(donors, ctx.link("donations:records", **ctx.period_params())),
             "share": percent(Decimal(donors) / members) if donors else None, "none": text("" if donors else "无会员参与捐款"),
             "earlier": count(before), "earlier_share": percent(Decimal(before) / members_before)}
    return [Suggestion("problems", Item("donations.problem_participation", facts)),
            Suggestion("plans", Item("donations.plan_participation", facts))]


def charts(ctx) -> list[Chart]:
    rows = [(r["drive__name"], float(r["total"] or 0), ctx.link("donations:records", drive=r["drive_id"], **ctx.period_params()))
            for r in _donations(ctx).values("drive_id", "drive__name").annotate(total=Sum("amount")) if r["total"]]
    return [Chart("donations.drives", "捐款金额（按活动）", "hbar", rows, "元")] if rows else []


CONTRIBUTOR = Contributor(key="donations", theme="assistance", order=20, phrases=PHRASES, collect=collect, charts=charts, suggest=suggest,
                          headline=headline,
                          permission="donations.view")
