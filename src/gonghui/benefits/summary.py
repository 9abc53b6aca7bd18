"""The member-benefits part of the work summary: festival and occasion 慰问 under the
spending rules, with the overrides the rules needed as a suggested problem."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from gonghui.benefits.models import BenefitRecord, Festival, Form, Kind
from gonghui.core.formats import doc_number
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
    examples,
    fell,
    money,
    percent,
    period_over,
    split_for_grouping,
    text,
    yoy,
)

# A kind of care given in cash to some and in goods to others states each form apart, as the
# festival sentence does: one form → 共计{amount}; both → 其中慰问金…、慰问品…折合…
_FIELDS = {"people": "慰问人次", "amount": "金额合计（只发一种形式时）",
           "cash_people": "发放慰问金人次（两种形式都有时）", "cash": "慰问金合计（两种形式都有时）",
           "goods_people": "发放慰问品人次（两种形式都有时）", "goods_value": "慰问品折合金额（两种形式都有时）",
           "total": "慰问金和慰问品合计", "form": "发放形式（慰问品/慰问金/慰问金和慰问品）", "yoy": "与上年同期比较"}

# Cash and goods are stated apart (the rule of docs/architecture.md "Phrasing rules"): one
# form → 共计{amount}; both → 慰问金 and 慰问品 each with their own people and sum, never a
# mixed total labelled by the majority. `total` (both together) stays for wordings saved before.
_FESTIVAL_FIELDS = {"people": "慰问人次", "form": "发放形式（慰问品/慰问金/慰问金和慰问品）",
                    "amount": "金额合计（只发一种形式时）", "cash_people": "发放慰问金人次（两种形式都有时）",
                    "cash": "慰问金合计（两种形式都有时）", "goods_people": "发放慰问品人次（两种形式都有时）",
                    "goods_value": "慰问品折合金额（两种形式都有时）", "total": "慰问金和慰问品合计", "yoy": "与上年同期比较"}

_COVERAGE_FIELDS = {"period": "期间", "people": "获得慰问的会员人数", "share": "占会员总数的比例",
                    "earlier": "上年同期获得慰问的会员人数", "earlier_share": "上年同期占会员总数的比例",
                    "none": "期间没有这类慰问时的说法"}
_NONE = {Kind.BIRTHDAY: "未开展会员生日慰问", Kind.HOSPITAL: "未开展生病住院探望慰问"}



def _amounts(unit: str) -> str:
    """共计 for one form; for both, each form with its own people and sum."""
    return (f"[，共计{{amount}}][，其中慰问金{{cash_people}}{unit}、共计{{cash}}，"
            f"慰问品{{goods_people}}{unit}、折合{{goods_value}}]")


KIND_PHRASES = {
    Kind.BIRTHDAY: "为过生日的会员送上生日祝福和慰问{people}人次" + _amounts("人次") + "。",
    Kind.WEDDING: "慰问新婚会员{people}人" + _amounts("人") + "。",
    Kind.CHILDBIRTH: "慰问生育会员{people}人" + _amounts("人") + "。",
    Kind.HOSPITAL: "探望慰问生病住院会员{people}人次" + _amounts("人次") + "。",
    Kind.BEREAVEMENT: "慰问直系亲属去世的会员{people}人" + _amounts("人") + "。",
    Kind.RETIREMENT: "慰问光荣退休的会员{people}人" + _amounts("人") + "。",
    Kind.WOMENS_DAY: "在“三八”国际妇女节期间慰问女会员{people}人次" + _amounts("人次") + "。",
    Kind.CHILDRENS_DAY: "在“六一”国际儿童节期间为有子女的会员送上节日慰问{people}人次" + _amounts("人次") + "。",
}

PHRASES = (
    Phrase("benefits.totals", "会员慰问总体情况",
           "{period}共开展会员慰问{people}人次，发放慰问金和慰问品共计{total}[，{yoy}]。",
           {"period": "期间", "people": "慰问人次", "total": "金额合计", "yoy": "与上年同期比较"}),
    Phrase("benefits.festival", "节日慰问",
           "{festival}期间，为会员发放节日{form}{people}人次[，共计{amount}][，其中慰问金{cash_people}人次、共计{cash}，"
           "慰问品{goods_people}人次、折合{goods_value}][，{yoy}]。",
           {"festival": "节日", **_FESTIVAL_FIELDS}),
    Phrase("benefits.festivals", "节日慰问（多个节日合并）",
           "在{festivals}[{count}个]节日，及时为会员发放节日{form}，共慰问会员{people}人次[，共计{amount}]"
           "[，其中慰问金{cash}、慰问品折合{goods_value}][，{yoy}]。",
           {"festivals": "节日名称（列举两三个，如“春节、端午节、中秋节等”）", "count": "节日个数", **_FESTIVAL_FIELDS},
           {"festivals": "春节、端午节、中秋节等", "count": "5", "form": "慰问品", "people": "1200", "amount": "240000元"}),
    # Two (or three) festivals whose sentences would repeat a figure (the same members given
    # care at both: "春节…43人次" and "端午节…43人次") are one sentence naming them all.
    Phrase("benefits.festivals_named", "节日慰问（两三个节日合并）",
           "{festivals}期间，为[{members}名]会员发放节日{form}，共慰问{people}人次[，共计{amount}]"
           "[，其中慰问金{cash_people}人次、共计{cash}，慰问品{goods_people}人次、折合{goods_value}][，{yoy}]。",
           {"festivals": "节日名称（全部列出，如“春节、端午节”）", "members": "获得慰问的会员人数（与人次不同时）",
            **_FESTIVAL_FIELDS},
           {"festivals": "春节、端午节", "members": "43", "form": "慰问品", "people": "86", "amount": "12900元"}),
    Phrase("benefits.headline", "开篇要点：会员慰问",
           "开展会员慰问{people}人次",
           {"people": "慰问人次"}),
    Phrase("benefits.problem_overrides", "问题：超标准发放",
           "有{overrides}笔会员慰问超出经费使用标准，虽经审批例外发放，但经费使用还需进一步规范。",
           {"overrides": "经审批超标准发放的笔数"}),
    Phrase("benefits.plan_overrides", "计划：严格执行标准",
           "严格执行会员慰问经费使用标准，减少例外发放，确保经费使用合规。",
           {"overrides": "经审批超标准发放的笔数"}),
    Phrase("benefits.problem_birthday", "问题：生日慰问覆盖面下降",
           "会员生日慰问的覆盖面有所下降，{period}[为{people}名会员送上生日慰问，占会员总数的{share}][{none}]，"
           "上年同期覆盖会员总数的{earlier_share}。",
           _COVERAGE_FIELDS),
    Phrase("benefits.plan_birthday", "计划：生日慰问",
           "建立会员生日台账，按月做好会员生日慰问，做到不漏一人。",
           _COVERAGE_FIELDS),
    Phrase("benefits.problem_hospital", "问题：住院慰问减少",
           "对生病住院会员的探望慰问有所减少，{period}[探望慰问{people}人][{none}]，上年同期探望慰问{earlier}人，"
           "会员住院信息掌握还不够及时。",
           _COVERAGE_FIELDS),
    Phrase("benefits.plan_hospital", "计划：住院探望",
           "畅通会员生病住院信息报告渠道，做到会员生病住院及时探望慰问。",
           _COVERAGE_FIELDS),
) + tuple(Phrase(f"benefits.kind.{k.value}", f"会员慰问：{k.label}", KIND_PHRASES[k], _FIELDS, purpose=True) for k in KIND_PHRASES)


def _records(ctx, period=None):
    qs = BenefitRecord.objects.for_actor(ctx.actor).filter(reversal_of__isnull=True, is_reversed=False)
    return ctx.dated(ctx.within(qs), period=period)


def _by(qs, *fields):
    return {tuple(r[f] for f in fields): r for r in qs.values(*fields).annotate(n=Count("id"), total=Sum("amount"),
                                                                                  goods=Count("id", filter=Q(form=Form.GOODS)))}


def _by_form(qs, field: str) -> dict[str, dict]:
    """Per value of `field`: people (records), cash and goods apart (what `_form_facts` reads)."""
    rows = (qs.values(field)
            .annotate(n=Count("id"), cash_n=Count("id", filter=Q(form=Form.CASH)), cash=Sum("amount", filter=Q(form=Form.CASH)),
                      goods_n=Count("id", filter=Q(form=Form.GOODS)), goods=Sum("amount", filter=Q(form=Form.GOODS))))
    return {r[field]: r for r in rows}


def _festival_name(fest: str) -> str:
    if not fest:
        return "节日"
    label = Festival(fest).label
    return label if label.endswith("节") or label == "元旦" else label + "节"


def _festival_rows(qs) -> dict[str, dict]:
    """Per festival: people (records), cash and goods apart, in calendar order."""
    rows = _by_form(qs.filter(kind=Kind.FESTIVAL), "festival").values()
    order = [f for f, _ in Festival.choices]
    return {r["festival"]: r for r in sorted(rows, key=lambda r: order.index(r["festival"]) if r["festival"] in order else 99)}


def _repeats_figure(rows: list[dict]) -> bool:
    """Whether sentences of these festivals would state one figure twice: two with the same
    人次 (typically the same members given care at both) or the same amount of a form."""
    for field in ("n", "cash", "goods"):
        values = [r[field] for r in rows if r[field]]
        if len(values) != len(set(values)):
            return True
    return False


def _form_facts(rows: list[dict], link: str) -> dict:
    """慰问金 / 慰问品 with one sum, or both with each its own people and sum."""
    cash = sum((r["cash"] or Decimal(0) for r in rows), Decimal(0))
    goods = sum((r["goods"] or Decimal(0) for r in rows), Decimal(0))
    cash_n, goods_n = sum(r["cash_n"] for r in rows), sum(r["goods_n"] for r in rows)
    mixed = bool(cash_n and goods_n)
    return {
        "form": text("慰问金和慰问品" if mixed else ("慰问金" if cash_n else "慰问品")),
        "amount": None if mixed else money(cash + goods, link),
        "cash_people": count(cash_n, link) if mixed else None, "cash": money(cash, link) if mixed else None,
        "goods_people": count(goods_n, link) if mixed else None, "goods_value": money(goods, link) if mixed else None,
        "total": money(cash + goods, link),
    }


def _festival_items(ctx, recs) -> list[Item]:
    """One sentence per festival, or, for many festivals, one sentence naming a few of them
    (`split_for_grouping`: a festival with half the people keeps its own sentence)."""
    rows = _festival_rows(recs)
    if not rows:
        return []
    earlier = _festival_rows(_records(ctx.earlier))
    dates = ctx.period_params()
    listed, grouped = split_for_grouping(rows, lambda f: rows[f]["n"])
    if not grouped and len(listed) > 1 and _repeats_figure([rows[f] for f in listed]):
        return [_named_festivals_item(ctx, recs, rows, earlier, listed)]
    items = []
    for fest in listed:
        row = rows[fest]
        link = ctx.link("benefits:home", kind=Kind.FESTIVAL, festival=fest, **dates)
        before = earlier.get(fest)
        items.append(Item("benefits.festival", {
            "festival": text(_festival_name(fest)), "people": count(row["n"], link), **_form_facts([row], link),
            "yoy": yoy(row["n"], before["n"] if before else None, "人次"),
        }, key=f"benefits.festival.{fest or 'other'}", label=f"{Festival(fest).label if fest else '其他节日'}慰问"))
    if grouped:
        link = ctx.link("benefits:home", kind=Kind.FESTIVAL, **dates)
        people = sum(rows[f]["n"] for f in grouped)
        before = sum(earlier[f]["n"] for f in grouped if f in earlier)
        named = sorted(grouped, key=lambda f: -rows[f]["n"])[:GROUP_NAMED]  # the largest, in calendar order
        items.append(Item("benefits.festivals", {
            "festivals": examples(_festival_name(f) for f in grouped if f in named and f),
            "count": count(len(grouped), link), "people": count(people, link),
            **_form_facts([rows[f] for f in grouped], link), "yoy": yoy(people, before or None, "人次"),
        }, key="benefits.festivals", label="节日慰问"))
    return items


def _named_festivals_item(ctx, recs, rows: dict, earlier: dict, festivals: list) -> Item:
    """The few festivals (fewer than GROUP_MIN, or a standout with too few left to group)
    whose sentences would repeat a figure, in one sentence naming every one of them: the
    members (人, each once) and the care given (人次) are two figures."""
    link = ctx.link("benefits:home", kind=Kind.FESTIVAL, **ctx.period_params())
    people = sum(rows[f]["n"] for f in festivals)
    members = recs.filter(kind=Kind.FESTIVAL, festival__in=festivals).values("member").distinct().count()
    before = sum(earlier[f]["n"] for f in festivals if f in earlier)
    return Item("benefits.festivals_named", {
        "festivals": text("、".join(_festival_name(f) if f else "其他节日" for f in festivals)),
        "members": count(members, link) if members != people else None, "people": count(people, link),
        **_form_facts([rows[f] for f in festivals], link), "yoy": yoy(people, before or None, "人次"),
    }, key="benefits.festivals_named", label="节日慰问")


def collect(ctx) -> list[Section]:
    recs = _records(ctx)
    agg = recs.aggregate(n=Count("id"), total=Sum("amount"))
    if not agg["n"]:
        return []
    prev = _records(ctx.earlier).aggregate(n=Count("id"), total=Sum("amount"))
    dates = ctx.period_params()
    totals = Item("benefits.totals", {
        "period": text(ctx.period.label), "people": count(agg["n"], ctx.link("benefits:home", **dates)),
        "total": money(agg["total"], ctx.link("benefits:home", **dates)),
        "yoy": yoy(agg["total"], prev["total"] or None, is_money=True),
    })
    items = _festival_items(ctx, recs)
    kinds = _by_form(recs.exclude(kind=Kind.FESTIVAL), "kind")
    for kind in KIND_PHRASES:
        row = kinds.get(kind.value)
        if row:
            link = ctx.link("benefits:home", kind=kind.value, **dates)
            items.append(Item(f"benefits.kind.{kind.value}", {"people": count(row["n"], link), **_form_facts([row], link)}))
    # The total is written only over several sentences: over one it would restate its figures.
    if len(items) > 1:
        items.insert(0, totals)
    tables = []
    if ctx.children:
        by_path = list(recs.values_list("org_path").annotate(n=Count("id"), total=Sum("amount")))
        people = dict(ctx.by_child((p, n) for p, n, _t in by_path))
        totals = dict(ctx.by_child((p, t) for p, _n, t in by_path))
        rows = [[c.display_name, doc_number(people.get(c, 0)), doc_number(totals.get(c, 0))] for c in ctx.children if c in totals]
        own_people = ctx.own_level((p, n) for p, n, _t in by_path)
        if own_people:  # the union's own level, so that the rows add up to the text's figures
            rows.insert(0, [ctx.own_label, doc_number(own_people), doc_number(ctx.own_level((p, t) for p, _n, t in by_path))])
        if rows:
            tables.append(Table("benefits.by_child", ("本级及各下级工会" if own_people else "各下级工会") + "会员慰问情况", ["工会", "慰问人次", "金额（元）"], rows))
    return [Section("benefits", "", items, tables)]


def headline(ctx) -> list[Headline]:
    agg = _records(ctx).aggregate(n=Count("id"), total=Sum("amount"))
    if not agg["n"]:
        return []
    return [Headline(Item("benefits.headline", {"people": count(agg["n"])}), {"people": agg["n"], "money": agg["total"] or 0},
                     records=agg["n"])]


# 存在问题: birthday and hospital care per member fell compared with the same period last year
# (`fell`: by at least a fifth, on at least COVERAGE_MIN_BASE records last year), once the
# period is over. Per member, so a union that shrank is not told its care fell. The hospital
# sentence states head counts ("探望慰问有所减少，…探望慰问1人，上年同期5人"), so that rule also
# needs the count itself to have fallen: a grown union visiting as many members is not told
# its visits fell.
COVERAGE_MIN_BASE = 5
COVERAGE_KINDS = (Kind.BIRTHDAY, Kind.HOSPITAL)


def _coverage(ctx, kind) -> tuple[int, int]:
    from gonghui.members.summary import member_count

    return _records(ctx).filter(kind=kind).values("member").distinct().count(), member_count(ctx)


def suggest(ctx) -> list[Suggestion]:
    out = []
    overrides = _records(ctx).exclude(override_reason="").count()
    if overrides:
        link = ctx.link("benefits:compliance", **ctx.period_params())
        out += [Suggestion("problems", Item("benefits.problem_overrides", {"overrides": count(overrides, link)})),
                Suggestion("plans", Item("benefits.plan_overrides", {"overrides": count(overrides, link)}))]
    if not period_over(ctx):
        return out
    for kind in COVERAGE_KINDS:
        people, members = _coverage(ctx, kind)
        before, members_before = _coverage(ctx.earlier, kind)
        if not members or not members_before:
            continue
        if kind == Kind.HOSPITAL and not fell(people, before, min_base=COVERAGE_MIN_BASE):
            continue
        if fell(Decimal(people) / members, Decimal(before) / members_before, base=before, min_base=COVERAGE_MIN_BASE):
            link = ctx.link("benefits:home", kind=kind.value, **ctx.period_params())
            facts = {"period": text(ctx.period.label), "people": count(people, link),
                     "share": percent(Decimal(people) / members) if people else None, "none": text("" if people else _NONE[kind]),
                     "earlier": count(before),
                     "earlier_share": percent(Decimal(before) / members_before)}
            out += [Suggestion("problems", Item(f"benefits.problem_{kind.value}", facts)),
                    Suggestion("plans", Item(f"benefits.plan_{kind.value}", facts))]
    return out


def charts(ctx) -> list[Chart]:
    rows = []
    for (kind,), row in _by(_records(ctx), "kind").items():
        rows.append((Kind(kind).label, float(Decimal(row["total"] or 0)), ctx.link("benefits:home", kind=kind, **ctx.period_params())))
    return [Chart("benefits.kinds", "会员慰问金额（按类别）", "hbar", rows, "元")] if rows else []


CONTRIBUTOR = Contributor(
    key="benefits", theme="care", order=10, phrases=PHRASES, collect=collect, headline=headline, suggest=suggest, charts=charts,
    permission="benefits.view",
)
