"""The hardship part of the work summary: archives under dynamic management as of the
period's end, their flow in the period, and each kind of assistance given, phrased the way
summaries report it ("对辖区23户困难职工进行慰问，每户发放500元，共计11500元")."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Sum

from gonghui.assistance.choices import MANAGED, Cause, Funding, Occasion, Recipient, Step, Tier
from gonghui.assistance.models import AssistanceRecord, HouseholdSpell
from gonghui.assistance.selectors import due_filter
from gonghui.core.festivals import festival_near
from gonghui.core.formats import doc_money, doc_number
from gonghui.summary.registry import (
    GROUP_NAMED,
    Chart,
    Contributor,
    Headline,
    Item,
    Phrase,
    Section,
    Suggestion,
    Table,
    count,
    day_end,
    examples,
    money,
    percent,
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


_COVERAGE_FIELDS = {"as_of": "截止日期", "managed": "在档（建档、帮扶中）户数", "unhelped": "期间未得到帮扶的户数",
                    "period": "期间", "share": "未得到帮扶的户数所占比例"}


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
    Phrase("assistance.problem_coverage", "问题：帮扶覆盖面不够广",
           "帮扶覆盖面还不够广，截至{as_of}在档的{managed}户困难职工中，有{unhelped}户{period}未得到帮扶慰问[，占{share}]。",
           _COVERAGE_FIELDS),
    Phrase("assistance.plan_coverage", "计划：扩大帮扶覆盖面",
           "对在档困难职工逐户走访、摸清需求，做到应帮尽帮、帮扶到户。",
           _COVERAGE_FIELDS),
    # Beneficiaries who are not members are counted and phrased apart: never added to the
    # member households above (a community union's residents, a 机关 union's paired village).
    Phrase("assistance.residents", "帮扶：非会员困难居民",
           "[{when}，]走访慰问辖区困难居民{residents}人" + _cash("每人", "慰问金") + _GOODS + "。",
           {"when": "时间", "residents": "受助居民人数（非会员）", "per_household": "每人现金（各人相同且不止一人时）",
            "cash": "现金合计", "cash_sum": "现金合计（不写每人金额时）", "goods": "发放的物品", "goods_value": "物品折合金额"}),
    Phrase("assistance.groups", "帮扶：包联村、群众户组",
           "[{when}，]走访慰问{groups}困难群众{households}户[、{people}人][，共走访{visits}次][，发放慰问金{cash}]" + _GOODS + "。",
           {"when": "时间", "groups": "包联村或群众户组的名称", "households": "受助户数", "people": "受助人数",
            "visits": "走访次数（不止一次时）", "cash": "现金合计", "goods": "发放的物品", "goods_value": "物品折合金额"}),
    Phrase("assistance.problem_unsigned", "问题：帮扶未签收",
           "有{unsigned}笔帮扶款物尚未办理签收手续，资料归档不够及时。",
           {"unsigned": "未签收的帮扶记录笔数"}),
) + tuple(
    # the festival visit already says what it did ("让困难职工感受到工会的温暖")
    Phrase(f"assistance.occasion.{o.value}", f"帮扶：{o.label}", OCCASION_PHRASES[o], _GOODS_FIELDS,
           purpose=o != Occasion.FESTIVAL) for o in Occasion
)


def _spells_as_of(ctx, day):
    from django.db.models import Q

    qs = HouseholdSpell.objects.filter(starts_on__lte=day, status__in=list(MANAGED)).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
    return ctx.within(qs)


def _records(ctx, period=None, recipient=Recipient.MEMBER):
    """The standing records of the period: members' by default (the figures of the member
    sentences); `recipient` names another kind of beneficiary, None all of them."""
    qs = AssistanceRecord.objects.for_actor(ctx.actor).filter(reversal_of__isnull=True, reversal__isnull=True)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    return ctx.dated(ctx.within(qs), period=period)


def _nonmember_items(ctx) -> list[Item]:
    """Residents and villages/groups helped in the period, each in a sentence of its own."""
    items = []
    residents = list(_records(ctx, recipient=Recipient.RESIDENT).order_by("on", "id")
                     .values_list("on", "id_hash", "cash", "goods", "goods_value", "occasion"))
    if residents:
        people = {r[1] for r in residents}
        cash = sum((r[2] or Decimal(0) for r in residents), Decimal(0))
        amounts = {r[2] or Decimal(0) for r in residents}
        uniform = len(amounts) == 1 and cash > 0 and len(residents) == len(people) > 1
        occasions = {r[5] for r in residents}
        link = ctx.link("assistance:records", standing="1", recipient=Recipient.RESIDENT, **ctx.period_params())
        items.append(Item("assistance.residents", {
            "when": text(_when(residents[0][0], residents[-1][0], ctx.period, next(iter(occasions)) if len(occasions) == 1 else "")),
            "residents": count(len(people), link),
            "per_household": money(next(iter(amounts))) if uniform else None,
            "cash": money(cash, link), "cash_sum": None if uniform else money(cash, link),
            "goods": text(_goods_names(r[3] for r in residents)),
            "goods_value": money(sum((r[4] or Decimal(0) for r in residents), Decimal(0)), link),
        }))
    groups = list(_records(ctx, recipient=Recipient.GROUP).order_by("on", "id")
                  .values_list("on", "recipient_name", "households_reached", "people_reached", "cash", "goods", "goods_value",
                               "occasion"))
    if groups:
        # a group visited several times is counted once, at the most households a visit reached
        reach: dict[str, list[int]] = {}
        for _, name, households, people, *_rest in groups:
            top = reach.setdefault(name, [0, 0])
            top[0], top[1] = max(top[0], households or 0), max(top[1], people or 0)
        occasions = {g[7] for g in groups}
        link = ctx.link("assistance:records", standing="1", recipient=Recipient.GROUP, **ctx.period_params())
        items.append(Item("assistance.groups", {
            "when": text(_when(groups[0][0], groups[-1][0], ctx.period, next(iter(occasions)) if len(occasions) == 1 else "")),
            "groups": _group_names(reach),
            "households": count(sum(h for h, _ in reach.values()), link),
            "people": count(sum(p for _, p in reach.values())) if all(p for _, p in reach.values()) else None,
            "visits": count(len(groups)) if len(groups) > len(reach) else None,
            "cash": money(sum((g[4] or Decimal(0) for g in groups), Decimal(0)), link),
            "goods": text(_goods_names(g[5] for g in groups)),
            "goods_value": money(sum((g[6] or Decimal(0) for g in groups), Decimal(0)), link),
        }))
    return items


def _group_names(reach: dict[str, list[int]]):
    """The villages and groups a sentence names: every one up to GROUP_NAMED, beyond that the
    GROUP_NAMED that reached the most households, in the order visited, followed by 等."""
    if len(reach) <= GROUP_NAMED:
        return text("、".join(reach))
    largest = set(sorted(reach, key=lambda name: -reach[name][0])[:GROUP_NAMED])
    return examples(name for name in reach if name in largest)


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
        g.setdefault("days", []).append(on)
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


# Several rounds of one seasonal kind (each round's dates within ROUND_GAP_DAYS of the
# previous) near different festivals read as one sentence naming the festivals, as summaries
# write them: "在春节、端午节、中秋节等节日期间，慰问困难职工12户" (registry.examples).
ROUND_GAP_DAYS = 20
_ROUNDS_NAMED = {Occasion.FESTIVAL, Occasion.SPECIAL, Occasion.OTHER}


def _rounds(days) -> list[list]:
    rounds: list[list] = []
    for day in sorted(days):
        if rounds and (day - rounds[-1][1]).days <= ROUND_GAP_DAYS:
            rounds[-1][1] = day
        else:
            rounds.append([day, day])
    return rounds


def _when_rounds(days, occasion) -> str:
    """"春节、中秋节等节日期间" for rounds near two or more festivals; "" when there is one
    round, or a round near no festival (then `_when` decides)."""
    if occasion not in _ROUNDS_NAMED:
        return ""
    rounds = _rounds(days)
    if len(rounds) < 2:
        return ""
    names: list[str] = []
    for first, last in rounds:
        near = festival_near(first, last)
        if not near:
            return ""
        names.append(near.removesuffix("期间").removesuffix("前").split("、")[0])  # the round's nearest festival
    names = list(dict.fromkeys(names))
    return examples(names).text + "节日期间" if len(names) > 1 else ""


def _total_restated(total: Decimal, groups: dict[str, dict]) -> bool:
    """Whether the part's total would only repeat a figure an occasion's sentence states:
    there is one occasion, or one occasion's cash, goods or both together equal the total
    (the others gave nothing of value)."""
    if len(groups) == 1:
        return True
    return any(total in (g["cash"], g["goods_value"], g["cash"] + g["goods_value"]) for g in groups.values())


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
        items = []
        # The total is a sentence of its own only when it sums several occasions: over one
        # occasion (or when one occasion holds the whole amount) it would restate that
        # occasion's figure ("共计7800元" … "发放慰问金7800元"), and each figure is written once.
        if not _total_restated(cash + goods, groups):
            items.append(Item("assistance.totals", {
                "period": text(ctx.period.label), "records": count(agg["n"], link), "total": money(cash + goods, link),
                "yoy": yoy(cash + goods, prev_total or None, is_money=True),
                "cash": money(cash) if goods else None, "goods": money(goods) if cash else None,
            }))
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
                "when": text(_when_rounds(g["days"], occasion) or _when(g["first"], g["last"], ctx.period, occasion)),
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
                # the union's own level is a row too, so that the rows add up to the text's figures
                cp = path if path == ctx.org.path else ctx.org.path + path[len(ctx.org.path):].split("/", 1)[0] + "/"
                if cp in child_of or cp == ctx.org.path:
                    entry = per_child[cp]
                    entry[0].add(member_id)
                    entry[1] += 1
                    entry[2] += (c or 0) + (gv or 0)
            own = per_child.pop(ctx.org.path, None)
            table_rows = [[child_of[p].display_name, doc_number(len(v[0])), doc_number(v[1]), doc_number(v[2])]
                          for p, v in sorted(per_child.items(), key=lambda kv: child_of[kv[0]].code)]
            if own is not None:
                table_rows.insert(0, [ctx.own_label, doc_number(len(own[0])), doc_number(own[1]), doc_number(own[2])])
            if table_rows:
                tables.append(Table("assistance.by_child", ("本级及各下级工会" if own is not None else "各下级工会") + "帮扶情况", ["工会", "受助户数", "帮扶户次", "金额（元）"], table_rows))
        sections.append(Section("assistance.records", "开展帮扶慰问", items, tables))
    nonmembers = _nonmember_items(ctx)
    if nonmembers:
        sections.append(Section("assistance.nonmembers", "走访慰问困难群众", nonmembers))
    return sections


def headline(ctx) -> list[Headline]:
    agg = _records(ctx).aggregate(cash=Sum("cash"), goods=Sum("goods_value"), n=Count("id"),
                                  households=Count("member", distinct=True))
    if not agg["n"]:
        return []
    total = Decimal(agg["cash"] or 0) + Decimal(agg["goods"] or 0)
    item = Item("assistance.headline", {"records": count(agg["n"]), "total": money(total)})
    # The sentence states 户次 (records); the ranking weighs the reach, the distinct households
    # helped: `_records` keeps to members' records, each household one member (its head), so a
    # household helped at New Year and again at 金秋 counts once, like 受助户数 in the tables.
    return [Headline(item, {"households": agg["households"], "money": total}, records=agg["n"])]


def suggest(ctx) -> list[Suggestion]:
    from gonghui.assistance.models import Household

    out = []
    # the same rule as the 待复核 list the figure links to
    due = due_filter(ctx.within(Household.objects.for_actor(ctx.actor)), ctx.as_of).count()
    if due:
        link = ctx.link("assistance:home", due="1")
        out.append(Suggestion("problems", Item("assistance.problem_due", {"due": count(due, link)})))
        out.append(Suggestion("plans", Item("assistance.plan_due", {"due": count(due, link)})))
    unsigned = _records(ctx, recipient=None).filter(signed=False).count()
    if unsigned:
        out.append(Suggestion("problems", Item("assistance.problem_unsigned", {"unsigned": count(unsigned)})))
    out += _coverage(ctx)
    return out


# 存在问题: 帮扶覆盖面. For a whole year that is over, at least COVERAGE_MIN_MANAGED archives under
# management at its end, and more than COVERAGE_UNHELPED_SHARE of them got no assistance at all in
# the year (half a year in, a household not yet visited is no finding).
COVERAGE_MIN_MANAGED = 3
COVERAGE_UNHELPED_SHARE = Fraction(1, 3)  # exact: one of three unhelped is not "more than a third"


def _coverage(ctx) -> list[Suggestion]:
    if ctx.period.kind != "year" or ctx.as_of < ctx.period.end:
        return []
    managed = set(_spells_as_of(ctx, ctx.as_of).values_list("household_id", flat=True))
    if len(managed) < COVERAGE_MIN_MANAGED:
        return []
    helped = set(_records(ctx).filter(household_id__in=managed).values_list("household_id", flat=True))
    unhelped = len(managed - helped)
    if unhelped <= COVERAGE_UNHELPED_SHARE * len(managed):
        return []
    facts = {"as_of": day_end(ctx.as_of), "managed": count(len(managed), ctx.link("assistance:home", as_of=ctx.as_of)),
             "unhelped": count(unhelped), "period": text(ctx.period.label), "share": percent(Decimal(unhelped) / len(managed))}
    return [Suggestion("problems", Item("assistance.problem_coverage", facts)),
            Suggestion("plans", Item("assistance.plan_coverage", facts))]


def charts(ctx) -> list[Chart]:
    groups = _occasion_groups(ctx)
    rows = [(Occasion(o).label, float(g["cash"] + g["goods_value"]),
             ctx.link("assistance:records", standing="1", occasion=o, **ctx.period_params())) for o, g in groups.items()]
    tiers = dict(_spells_as_of(ctx, ctx.as_of).values_list("tier").annotate(n=Count("id")))
    tier_rows = [(Tier(k).label if k else "未定级", float(v), ctx.link("assistance:home", as_of=ctx.as_of, tier=k)) for k, v in tiers.items()]
    others = dict(_records(ctx, recipient=None).exclude(recipient=Recipient.MEMBER).values_list("recipient")
                  .annotate(t=Sum("cash") + Sum("goods_value")))
    other_rows = [(Recipient(k).label, float(v), ctx.link("assistance:records", standing="1", recipient=k, **ctx.period_params()))
                  for k, v in sorted(others.items()) if v]
    return [c for c in (Chart("assistance.occasions", "帮扶金额（按类型）", "hbar", rows, "元"),
                        Chart("assistance.nonmembers", "非会员帮扶金额（按对象，单独统计）", "bar", other_rows, "元"),
                        Chart("assistance.tiers", f"在管困难职工（截至{ctx.as_of.month}月{ctx.as_of.day}日，按类别）", "pie", tier_rows, "户"))
            if c.rows]


CONTRIBUTOR = Contributor(
    key="assistance", theme="assistance", order=10, phrases=PHRASES, collect=collect, headline=headline, suggest=suggest,
    charts=charts, permission="assistance.view",
)
