"""The hardship part of the work summary: archives under dynamic management as of the
period's end, their flow in the period, and each kind of assistance given, phrased the way
summaries report it ("对辖区23户困难职工进行慰问，每户发放500元，共计11500元")."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from gonghui.assistance.choices import MANAGED, Cause, Funding, Occasion, Step, Tier
from gonghui.assistance.models import AssistanceRecord, HouseholdSpell
from gonghui.assistance.selectors import due_filter
from gonghui.core.festivals import festival_near
from gonghui.core.formats import doc_money, doc_number
from gonghui.summary.registry import (
    Chart,
    Contributor,
    Item,
    Phrase,
    Section,
    Suggestion,
    Table,
    count,
    day_end,
    money,
    text,
    yoy,
)

# Cash and goods are stated apart: a reader multiplies 户数 × 每户 and expects the 共计 after
# it, so that 共计 is the cash alone, and 每户 is written only when every household got the
# same cash and there is more than one (`cash_sum` takes the cash otherwise). Goods are named
# and valued on their own. `total` (cash and goods together) stays for wordings saved before.
_GOODS_FIELDS = {"when": "时间（如“中秋节前”“1月”）", "households": "受助户数（人数）",
                 "per_household": "每户现金（各户相同且不止一户时）", "cash": "现金合计",
                 "cash_sum": "现金合计（不写每户金额时）", "goods": "发放的物品（如“米面油”）",
                 "goods_value": "物品折合金额", "total": "现金和物品价值合计", "yoy": "与上年同期比较"}


def _cash(per: str, money_word: str) -> str:
    return f"[，{per}发放{money_word}{{per_household}}，共计{{cash}}][，发放{money_word}{{cash_sum}}]"


_GOODS = "[，送去{goods}][，物品折合{goods_value}]"

OCCASION_PHRASES = {
    Occasion.NEW_YEAR: "[{when}，]开展元旦春节送温暖活动，对{households}户困难职工进行慰问" + _cash("每户", "慰问金") + _GOODS + "[，{yoy}]。",
    Occasion.SCHOOL: "[{when}，]开展金秋助学活动，资助{households}户困难职工家庭子女就学" + _cash("每户", "助学金") + _GOODS + "[，{yoy}]。",
    Occasion.MEDICAL: "[{when}，]对{households}户患重大疾病的职工家庭开展医疗救助" + _cash("每户", "救助金") + _GOODS + "。",
    Occasion.TEMPORARY: "[{when}，]对{households}户突发困难的职工家庭实施临时救助" + _cash("每户", "救助金") + _GOODS + "。",
    Occasion.FESTIVAL: "[在{when}，]慰问困难职工{households}户" + _cash("每户", "慰问金") + _GOODS + "，让困难职工感受到工会的温暖。",
    Occasion.SICK: "[{when}，]探望慰问生病住院职工{households}人" + _cash("每人", "慰问金") + _GOODS + "。",
    Occasion.SPECIAL: "[{when}，]对特困职工家庭{households}户组织探望和慰问" + _cash("每户", "慰问金") + _GOODS + "。",
    Occasion.DISASTER: "[{when}，]对{households}户受灾职工家庭实施灾害救助" + _cash("每户", "救助金") + _GOODS + "。",
    Occasion.OTHER: "[{when}，]开展其他帮扶慰问，惠及职工{households}户[，发放慰问金{cash_sum}]" + _GOODS + "。",
}

PHRASES = (
    Phrase("assistance.managed", "动态管理困难职工户数",
           "截至{as_of}，动态管理困难职工{managed}户[，其中{tiers}][，{yoy}]。",
           {"as_of": "截止日期", "managed": "在管（建档、帮扶中）户数", "tiers": "按困难类别的户数", "yoy": "与上年同期比较"}),
    Phrase("assistance.flow", "档案增减",
           "{period}困难职工档案[新建档{filed}户，][脱困{closed}户，][返困{returned}户，]实行有进有出的动态管理。",
           {"period": "期间", "filed": "新建档户数", "closed": "脱困户数", "returned": "返困户数"}),
    Phrase("assistance.causes", "致困原因",
           "从致困原因看，{causes}。",
           {"causes": "按致困原因的户数（仅有敏感信息权限时提供）"}),
    Phrase("assistance.totals", "帮扶总体情况",
           "{period}共开展帮扶慰问{records}户次，发放帮扶资金和物品共计{total}[，{yoy}][，其中现金{cash}、物品折合{goods}]。",
           {"period": "期间", "records": "帮扶户次", "total": "现金和物品价值合计", "yoy": "与上年同期比较",
            "cash": "现金合计", "goods": "物品价值合计"}),
    Phrase("assistance.funding", "资金来源",
           "帮扶资金中，{sources}。",
           {"sources": "按资金来源的金额"}),
    Phrase("assistance.headline", "开篇要点：帮扶",
           "开展帮扶慰问{records}户次，发放帮扶资金和物品{total}",
           {"records": "帮扶户次", "total": "金额合计"}),
    Phrase("assistance.problem_due", "问题：档案待复核",
           "有{due}户困难职工档案超过一年未复核，动态管理还需加强。",
           {"due": "到期未复核的档案户数"}),
    Phrase("assistance.plan_due", "计划：档案复核",
           "完成{due}户困难职工档案的年度复核，做到应进则进、应退则退。",
           {"due": "到期未复核的档案户数"}),
    Phrase("assistance.problem_unsigned", "问题：帮扶未签收",
           "有{unsigned}笔帮扶款物尚未办理签收手续，资料归档不够及时。",
           {"unsigned": "未签收的帮扶记录笔数"}),
) + tuple(
    Phrase(f"assistance.occasion.{o.value}", f"帮扶：{o.label}", OCCASION_PHRASES[o], _GOODS_FIELDS) for o in Occasion
)


def _spells_as_of(ctx, day):
    from django.db.models import Q

    qs = HouseholdSpell.objects.filter(starts_on__lte=day, status__in=list(MANAGED)).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
    return ctx.within(qs)


def _records(ctx, period=None):
    qs = AssistanceRecord.objects.for_actor(ctx.actor).filter(reversal_of__isnull=True, reversal__isnull=True)
    return ctx.dated(ctx.within(qs), period=period)


def _goods_names(goods_lists) -> str:
    names: list[str] = []
    for goods in goods_lists:
        for g in goods or []:
            name = (g.get("item") or "").strip()
            if name and name not in names:
                names.append(name)
    if not names:
        return ""
    return ("" if all(len(n) == 1 for n in names) else "、").join(names)


def _occasion_groups(ctx, period=None) -> dict[str, dict]:
    groups: dict[str, dict] = {}
    rows = _records(ctx, period).order_by("on", "id").values_list("occasion", "on", "member_id", "cash", "goods", "goods_value")
    for occasion, on, member_id, cash, goods, goods_value in rows:
        g = groups.setdefault(occasion, {"first": on, "last": on, "members": set(), "cash": Decimal(0), "goods_value": Decimal(0),
                                         "amounts": set(), "goods": [], "records": 0})
        g["last"] = on
        g["members"].add(member_id)
        g["cash"] += cash or 0
        g["goods_value"] += goods_value or 0
        g["amounts"].add(cash or Decimal(0))
        g["goods"].append(goods)
        g["records"] += 1
    return groups


# Occasions tied to the calendar: their timing reads as "中秋节前"; the others (illness,
# accidents, disasters) happen when they happen and read as a month at most.
_SEASONAL = {Occasion.NEW_YEAR, Occasion.FESTIVAL, Occasion.SPECIAL, Occasion.SCHOOL, Occasion.OTHER}


def _when(first, last, period, occasion="") -> str:
    if occasion in _SEASONAL and (last - first).days <= 20:
        near = festival_near(first, last)
        if near:
            return near
    if first.month == last.month and first.year == last.year:
        return f"{first.month}月" if period.kind in ("year", "half", "quarter", "range") else ""
    return ""


def _managed_items(ctx) -> list[Item]:
    tiers = dict(_spells_as_of(ctx, ctx.as_of).values_list("tier").annotate(n=Count("id")))
    managed = sum(tiers.values())
    if not managed:
        return []
    earlier = _spells_as_of(ctx.earlier, ctx.earlier.as_of).count()
    tier_text = "、".join(f"{Tier(k).label}{doc_number(tiers[k])}户" for k in Tier.values if tiers.get(k))
    items = [Item("assistance.managed", {
        "as_of": day_end(ctx.as_of),
        "managed": count(managed, ctx.link("assistance:home", as_of=ctx.as_of)),
        "tiers": text(tier_text) if len([k for k in tiers if k]) > 1 else None,
        "yoy": yoy(managed, earlier or None, "户"),
    })]
    spells = ctx.within(HouseholdSpell.objects.filter(starts_on__gte=ctx.start, starts_on__lte=ctx.end))
    steps = dict(spells.values_list("step").annotate(n=Count("household", distinct=True)))
    filed, closed, returned = steps.get(Step.FILE, 0), steps.get(Step.CLOSE, 0), steps.get(Step.RETURN, 0)
    if filed or closed or returned:
        items.append(Item("assistance.flow", {
            "period": text(ctx.period.label), "filed": count(filed), "closed": count(closed), "returned": count(returned),
        }))
    if ctx.can("assistance.sensitive"):  # causes (illness, disability, …) are sensitive details
        from gonghui.assistance.models import Household

        ids = _spells_as_of(ctx, ctx.as_of).values("household_id")
        per_cause = []
        for raw in Household.objects.filter(pk__in=ids).values_list("causes", flat=True):
            per_cause += [c for c in raw.split(",") if c]
        counted = {c: per_cause.count(c) for c in Cause.values if c in per_cause}
        if counted:
            ranked = sorted(counted.items(), key=lambda kv: -kv[1])
            items.append(Item("assistance.causes", {"causes": text("、".join(f"因{Cause(c).label}致困{n}户" for c, n in ranked))}))
    return items


def collect(ctx) -> list[Section]:
    sections = []
    managed = _managed_items(ctx)
    if managed:
        sections.append(Section("assistance.archives", "困难职工档案动态管理", managed))
    groups = _occasion_groups(ctx)
    if groups:
        recs = _records(ctx)
        agg = recs.aggregate(cash=Sum("cash"), goods=Sum("goods_value"), n=Count("id"))
        cash, goods = Decimal(agg["cash"] or 0), Decimal(agg["goods"] or 0)
        prev = _records(ctx.earlier).aggregate(cash=Sum("cash"), goods=Sum("goods_value"))
        prev_total = Decimal(prev["cash"] or 0) + Decimal(prev["goods"] or 0)
        link = ctx.link("assistance:records", standing="1", **ctx.period_params())
        items = [Item("assistance.totals", {
            "period": text(ctx.period.label), "records": count(agg["n"], link), "total": money(cash + goods, link),
            "yoy": yoy(cash + goods, prev_total or None, is_money=True),
            "cash": money(cash) if goods else None, "goods": money(goods) if cash else None,
        })]
        earlier_groups = _occasion_groups(ctx.earlier)
        for occasion in sorted(groups, key=lambda o: (groups[o]["first"], o)):
            g = groups[occasion]
            link = ctx.link("assistance:records", standing="1", occasion=occasion, **ctx.period_params())
            total = g["cash"] + g["goods_value"]
            # 每户 only where it multiplies: one record per household, all with the same cash,
            # and more than one household (for one, the cash is simply the amount)
            uniform = len(g["amounts"]) == 1 and g["cash"] > 0 and g["records"] == len(g["members"]) > 1
            prev = earlier_groups.get(occasion)
            items.append(Item(f"assistance.occasion.{occasion}", {
                "when": text(_when(g["first"], g["last"], ctx.period, occasion)),
                "households": count(len(g["members"]), link),
                "per_household": money(next(iter(g["amounts"]))) if uniform else None,
                "cash_sum": None if uniform else money(g["cash"], link),
                "goods": text(_goods_names(g["goods"])),
                "cash": money(g["cash"], link),
                "goods_value": money(g["goods_value"], link),
                "total": money(total, link),
                "yoy": yoy(len(g["members"]), len(prev["members"]) if prev else None, "户"),
            }, key=f"assistance.occasion.{occasion}"))
        by_funding = dict(recs.values_list("funding").annotate(t=Sum("cash") + Sum("goods_value")))
        if len([v for v in by_funding.values() if v]) > 1:
            sources = "、".join(f"{Funding(k).label}{doc_money(v)}" for k, v in sorted(by_funding.items(), key=lambda kv: -kv[1]) if v)
            items.append(Item("assistance.funding", {"sources": text(sources)}))
        tables = []
        if ctx.children:
            per_child = defaultdict(lambda: [set(), 0, Decimal(0)])
            rows = recs.values_list("org_path", "member_id", "cash", "goods_value")
            child_of = {c.path: c for c in ctx.children}
            for path, member_id, c, gv in rows:
                if path == ctx.org.path:
                    continue
                cp = ctx.org.path + path[len(ctx.org.path):].split("/", 1)[0] + "/"
                if cp in child_of:
                    entry = per_child[cp]
                    entry[0].add(member_id)
                    entry[1] += 1
                    entry[2] += (c or 0) + (gv or 0)
            table_rows = [[child_of[p].display_name, doc_number(len(v[0])), doc_number(v[1]), doc_number(v[2])]
                          for p, v in sorted(per_child.items(), key=lambda kv: child_of[kv[0]].code)]
            if table_rows:
                tables.append(Table("assistance.by_child", "各下级工会帮扶情况", ["工会", "受助户数", "帮扶户次", "金额（元）"], table_rows))
        sections.append(Section("assistance.records", "开展帮扶慰问", items, tables))
    return sections


def headline(ctx) -> Item | None:
    agg = _records(ctx).aggregate(cash=Sum("cash"), goods=Sum("goods_value"), n=Count("id"))
    if not agg["n"]:
        return None
    return Item("assistance.headline", {"records": count(agg["n"]),
                                        "total": money(Decimal(agg["cash"] or 0) + Decimal(agg["goods"] or 0))})


def suggest(ctx) -> list[Suggestion]:
    from gonghui.assistance.models import Household

    out = []
    # the same rule as the 待复核 list the figure links to
    due = due_filter(ctx.within(Household.objects.for_actor(ctx.actor)), ctx.as_of).count()
    if due:
        link = ctx.link("assistance:home", due="1")
        out.append(Suggestion("problems", Item("assistance.problem_due", {"due": count(due, link)})))
        out.append(Suggestion("plans", Item("assistance.plan_due", {"due": count(due, link)})))
    unsigned = _records(ctx).filter(signed=False).count()
    if unsigned:
        out.append(Suggestion("problems", Item("assistance.problem_unsigned", {"unsigned": count(unsigned)})))
    return out


def charts(ctx) -> list[Chart]:
    groups = _occasion_groups(ctx)
    rows = [(Occasion(o).label, float(g["cash"] + g["goods_value"]),
             ctx.link("assistance:records", standing="1", occasion=o, **ctx.period_params())) for o, g in groups.items()]
    tiers = dict(_spells_as_of(ctx, ctx.as_of).values_list("tier").annotate(n=Count("id")))
    tier_rows = [(Tier(k).label if k else "未定级", float(v), ctx.link("assistance:home", as_of=ctx.as_of, tier=k)) for k, v in tiers.items()]
    return [c for c in (Chart("assistance.occasions", "帮扶金额（按类型）", "hbar", rows, "元"),
                        Chart("assistance.tiers", f"在管困难职工（截至{ctx.as_of.month}月{ctx.as_of.day}日，按类别）", "pie", tier_rows, "户"))
            if c.rows]


CONTRIBUTOR = Contributor(
    key="assistance", theme="assistance", order=10, phrases=PHRASES, collect=collect, headline=headline, suggest=suggest,
    charts=charts, permission="assistance.view",
)
