"""The member-benefits part of the work summary: festival and occasion 慰问 under the
spending rules, with the overrides the rules needed as a suggested problem."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from gonghui.benefits.models import BenefitRecord, Festival, Form, Kind
from gonghui.core.formats import doc_number
from gonghui.summary.registry import (
    Chart,
    Contributor,
    Item,
    Phrase,
    Section,
    Suggestion,
    Table,
    count,
    money,
    text,
    yoy,
)

_FIELDS = {"people": "慰问人次", "total": "金额合计", "form": "发放形式（慰问品/慰问金）", "yoy": "与上年同期比较"}

KIND_PHRASES = {
    Kind.BIRTHDAY: "为过生日的会员送上生日祝福和慰问{people}人次，共计{total}。",
    Kind.WEDDING: "慰问新婚会员{people}人，共计{total}。",
    Kind.CHILDBIRTH: "慰问生育会员{people}人，共计{total}。",
    Kind.HOSPITAL: "探望慰问生病住院会员{people}人次，共计{total}。",
    Kind.BEREAVEMENT: "慰问直系亲属去世的会员{people}人，共计{total}。",
    Kind.RETIREMENT: "慰问光荣退休的会员{people}人，共计{total}。",
    Kind.WOMENS_DAY: "在“三八”国际妇女节期间慰问女会员{people}人次，共计{total}。",
}

PHRASES = (
    Phrase("benefits.totals", "会员慰问总体情况",
           "{period}共开展会员慰问{people}人次，发放慰问金和慰问品共计{total}[，{yoy}]。",
           {"period": "期间", "people": "慰问人次", "total": "金额合计", "yoy": "与上年同期比较"}),
    Phrase("benefits.festival", "节日慰问",
           "{festival}期间，为会员发放节日{form}{people}人次，共计{total}[，{yoy}]。",
           {"festival": "节日", **_FIELDS}),
    Phrase("benefits.headline", "开篇要点：会员慰问",
           "开展会员慰问{people}人次",
           {"people": "慰问人次"}),
    Phrase("benefits.problem_overrides", "问题：超标准发放",
           "有{overrides}笔会员慰问超出经费使用标准，虽经审批例外发放，但经费使用还需进一步规范。",
           {"overrides": "经审批超标准发放的笔数"}),
    Phrase("benefits.plan_overrides", "计划：严格执行标准",
           "严格执行会员慰问经费使用标准，减少例外发放，确保经费使用合规。",
           {"overrides": "经审批超标准发放的笔数"}),
) + tuple(Phrase(f"benefits.kind.{k.value}", f"会员慰问：{k.label}", KIND_PHRASES[k], _FIELDS) for k in KIND_PHRASES)


def _records(ctx, period=None):
    qs = BenefitRecord.objects.for_actor(ctx.actor).filter(reversal_of__isnull=True, is_reversed=False)
    return ctx.dated(ctx.within(qs), period=period)


def _by(qs, *fields):
    return {tuple(r[f] for f in fields): r for r in qs.values(*fields).annotate(n=Count("id"), total=Sum("amount"),
                                                                                  goods=Count("id", filter=Q(form=Form.GOODS)))}


def collect(ctx) -> list[Section]:
    recs = _records(ctx)
    agg = recs.aggregate(n=Count("id"), total=Sum("amount"))
    if not agg["n"]:
        return []
    prev = _records(ctx.earlier).aggregate(n=Count("id"), total=Sum("amount"))
    dates = ctx.period_params()
    items = [Item("benefits.totals", {
        "period": text(ctx.period.label), "people": count(agg["n"], ctx.link("benefits:home", **dates)),
        "total": money(agg["total"], ctx.link("benefits:home", **dates)),
        "yoy": yoy(agg["total"], prev["total"] or None, is_money=True),
    })]
    festivals = _by(recs.filter(kind=Kind.FESTIVAL), "festival")
    earlier = _by(_records(ctx.earlier).filter(kind=Kind.FESTIVAL), "festival")
    order = [f for f, _ in Festival.choices]
    for (fest,), row in sorted(festivals.items(), key=lambda kv: order.index(kv[0][0]) if kv[0][0] in order else 99):
        link = ctx.link("benefits:home", kind=Kind.FESTIVAL, festival=fest, **dates)
        before = earlier.get((fest,))
        items.append(Item("benefits.festival", {
            "festival": text(Festival(fest).label + "节" if fest and not Festival(fest).label.endswith("节") else
                             (Festival(fest).label if fest else "节日")),
            "form": text("慰问品" if row["goods"] * 2 >= row["n"] else "慰问金"),
            "people": count(row["n"], link), "total": money(row["total"], link),
            "yoy": yoy(row["n"], before["n"] if before else None, "人次"),
        }, key=f"benefits.festival.{fest or 'other'}", label=f"{Festival(fest).label if fest else '其他节日'}慰问"))
    kinds = _by(recs.exclude(kind=Kind.FESTIVAL), "kind")
    for kind in KIND_PHRASES:
        row = kinds.get((kind.value,))
        if row:
            link = ctx.link("benefits:home", kind=kind.value, **dates)
            items.append(Item(f"benefits.kind.{kind.value}", {"people": count(row["n"], link), "total": money(row["total"], link)}))
    tables = []
    if ctx.children:
        by_path = list(recs.values_list("org_path").annotate(n=Count("id"), total=Sum("amount")))
        people = dict(ctx.by_child((p, n) for p, n, _t in by_path))
        totals = dict(ctx.by_child((p, t) for p, _n, t in by_path))
        rows = [[c.display_name, doc_number(people.get(c, 0)), doc_number(totals.get(c, 0))] for c in ctx.children if c in totals]
        if rows:
            tables.append(Table("benefits.by_child", "各下级工会会员慰问情况", ["工会", "慰问人次", "金额（元）"], rows))
    return [Section("benefits", "", items, tables)]


def headline(ctx) -> Item | None:
    n = _records(ctx).count()
    return Item("benefits.headline", {"people": count(n)}) if n else None


def suggest(ctx) -> list[Suggestion]:
    overrides = _records(ctx).exclude(override_reason="").count()
    if not overrides:
        return []
    link = ctx.link("benefits:compliance", **ctx.period_params())
    return [Suggestion("problems", Item("benefits.problem_overrides", {"overrides": count(overrides, link)})),
            Suggestion("plans", Item("benefits.plan_overrides", {"overrides": count(overrides, link)}))]


def charts(ctx) -> list[Chart]:
    rows = []
    for (kind,), row in _by(_records(ctx), "kind").items():
        rows.append((Kind(kind).label, float(Decimal(row["total"] or 0)), ctx.link("benefits:home", kind=kind, **ctx.period_params())))
    return [Chart("benefits.kinds", "会员慰问金额（按类别）", "hbar", rows, "元")] if rows else []


CONTRIBUTOR = Contributor(
    key="benefits", theme="care", order=10, phrases=PHRASES, collect=collect, headline=headline, suggest=suggest, charts=charts,
    permission="benefits.view",
)
