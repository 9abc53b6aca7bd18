"""Organization building in the work summary: the unions of a subtree as of the period's
end, unions founded in it, committee elections (换届) held, and terms overdue."""

from __future__ import annotations

from django.db.models import Count, Q

from gonghui.core.formats import cn_date, cn_numeral
from gonghui.orgs.models import CommitteeTerm, Level, Org
from gonghui.summary.registry import (
    Contributor,
    Headline,
    Item,
    Phrase,
    Section,
    Suggestion,
    count,
    day_end,
    text,
)

PHRASES = (
    Phrase("orgs.structure", "组织数量",
           "截至{as_of}，所属基层工会{grassroots}个[，分会（二级工会）{branches}个][，覆盖职工{employees}人]。",
           {"as_of": "截止日期", "grassroots": "基层工会个数", "branches": "分会（二级工会）个数", "employees": "职工人数"}),
    Phrase("orgs.founded", "新建工会",
           "{period}新建工会组织{founded}个[，其中基层工会{grassroots}个]。",
           {"period": "期间", "founded": "新建工会个数", "grassroots": "其中基层工会个数"}, purpose=True),
    Phrase("orgs.headline", "开篇要点：新建工会",
           "新建工会组织{founded}个",
           {"founded": "新建工会个数"}),
    Phrase("orgs.election_own", "本会换届",
           "{date}，召开会员大会，选举产生第{number}届工会委员会[，委员{officers}名]，调整充实了工会工作力量。",
           {"date": "选举日期", "number": "届次", "officers": "委员人数"}),
    Phrase("orgs.elections", "下级换届",
           "指导{elections}个工会按期完成换届选举。",
           {"elections": "完成换届的工会个数"}),
    Phrase("orgs.home_level_own", "本会获评职工之家",
           "{month}，本会被评为{level}。",
           {"month": "评定年月", "level": "职工之家等级", "body": "评定机关"}),
    Phrase("orgs.home_levels_below", "下级获评职工之家",
           "{period}，所属工会中有{awarded}个被评为模范职工之家[（{levels}）]。",
           {"period": "期间", "awarded": "获评工会个数", "levels": "按等级的个数"}),
    Phrase("orgs.problem_terms", "问题：任期届满未换届",
           "有{overdue}个工会委员会任期已届满但尚未换届。",
           {"overdue": "任期届满未换届的工会个数"}),
    Phrase("orgs.plan_terms", "计划：督促换届",
           "督促{overdue}个任期届满的工会按期完成换届选举。",
           {"overdue": "任期届满未换届的工会个数"}),
)


def _unions_as_of(ctx):
    day = ctx.as_of
    qs = Org.objects.for_actor(ctx.actor).filter(path__startswith=ctx.org.path).exclude(pk=ctx.org.pk)
    return qs.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day)).filter(
        Q(is_active=True) | Q(deactivated_on__gt=day))


def collect(ctx) -> list[Section]:
    items = []
    if ctx.subtree:
        levels = dict(_unions_as_of(ctx).values_list("level").annotate(n=Count("id")))
        grassroots = levels.get(Level.GRASSROOTS, 0)
        if grassroots:
            from gonghui.members.selectors import employees_of

            items.append(Item("orgs.structure", {
                "as_of": day_end(ctx.as_of),
                "grassroots": count(grassroots, ctx.link("orgs:list", under=ctx.org.code, level=Level.GRASSROOTS)),
                "branches": count(levels.get(Level.BRANCH, 0), ctx.link("orgs:list", under=ctx.org.code, level=Level.BRANCH)),
                "employees": count(employees_of(ctx.org)),
            }))
    if ctx.scope.whole:
        founded = Org.objects.for_actor(ctx.actor).filter(path__startswith=ctx.org.path, founded_on__gte=ctx.start,
                                                          founded_on__lte=ctx.end).exclude(pk=ctx.org.pk)
        n = founded.count()
        if n:
            items.append(Item("orgs.founded", {"period": text(ctx.period.label), "founded": count(n),
                                               "grassroots": count(founded.filter(level=Level.GRASSROOTS).count())}))
    own = (CommitteeTerm.objects.filter(org=ctx.org, elected_on__gte=ctx.start, elected_on__lte=ctx.end)
           .annotate(n=Count("officers")).order_by("-elected_on").first())
    if own:
        items.append(Item("orgs.election_own", {
            "date": text(cn_date(own.elected_on)), "number": text(cn_numeral(own.number)),  # 第三届, as the genre writes
            "officers": count(own.n),
        }))
    if ctx.scope.whole:
        below = (CommitteeTerm.objects.filter(org__path__startswith=ctx.org.path, elected_on__gte=ctx.start, elected_on__lte=ctx.end)
                 .exclude(org=ctx.org).values("org").distinct().count())
        if below:
            items.append(Item("orgs.elections", {"elections": count(below)}))
    items += _home_level_items(ctx)
    return [Section("orgs", "", items)] if items else []


def _home_level_items(ctx) -> list[Item]:
    """The 职工之家 levels conferred in the period (rows whose date is not known — carried
    over from the single value kept before the history — are never stated)."""
    from gonghui.orgs.models import HomeLevel, HomeLevelAward

    awards = HomeLevelAward.objects.for_actor(ctx.actor).filter(conferred_on__gte=ctx.start, conferred_on__lte=ctx.end,
                                                                date_unknown=False)
    items = []
    for a in awards.filter(org=ctx.org).order_by("conferred_on", "id"):
        items.append(Item("orgs.home_level_own", {
            "month": text(f"{a.conferred_on.year}年{a.conferred_on.month}月"), "level": text(a.get_level_display()),
            "body": text(a.conferred_by),
        }, key=f"orgs.home_level_own.{a.pk}"))
    if ctx.scope.whole:
        below = awards.filter(org__path__startswith=ctx.org.path).exclude(org=ctx.org)
        per_level = dict(below.values_list("level").annotate(n=Count("org", distinct=True)))
        awarded = below.values("org").distinct().count()
        if awarded:
            order = [v for v in reversed(HomeLevel.values) if per_level.get(v)]
            levels = "、".join(f"{HomeLevel(v).label.replace('模范职工之家', '')}{per_level[v]}个" for v in order)
            items.append(Item("orgs.home_levels_below", {
                "period": text(ctx.period.label), "awarded": count(awarded, ctx.link("orgs:list", under=ctx.org.code)),
                "levels": text(levels) if len(order) > 1 else None,
            }))
    return items


def headline(ctx) -> list[Headline]:
    """Unions founded in the period, for a federation's opening: measured against the
    unions of its subtree, not its members."""
    if not ctx.scope.whole:
        return []
    founded = Org.objects.for_actor(ctx.actor).filter(path__startswith=ctx.org.path, founded_on__gte=ctx.start,
                                                      founded_on__lte=ctx.end).exclude(pk=ctx.org.pk).count()
    if not founded:
        return []
    return [Headline(Item("orgs.headline", {"founded": count(founded)}), {"unions": founded}, records=founded,
                     base=_unions_as_of(ctx).count())]


def _overdue(ctx) -> int:
    """Unions whose latest committee term ended before the as-of day."""
    from django.db.models import Max

    qs = CommitteeTerm.objects.filter(org__path__startswith=ctx.org.path, org__is_active=True) if ctx.scope.whole else \
        CommitteeTerm.objects.filter(org=ctx.org)
    latest = qs.values("org").annotate(last=Max("ends_on"))
    return sum(1 for r in latest if r["last"] < ctx.as_of)


def suggest(ctx) -> list[Suggestion]:
    n = _overdue(ctx)
    if not n:
        return []
    return [Suggestion("problems", Item("orgs.problem_terms", {"overdue": count(n)})),
            Suggestion("plans", Item("orgs.plan_terms", {"overdue": count(n)}))]


CONTRIBUTOR = Contributor(key="orgs", theme="organization", order=10, phrases=PHRASES, collect=collect, suggest=suggest,
                          headline=headline,
                          permission="org.view")
