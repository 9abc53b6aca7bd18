"""The members' part of the work summary: the roster as of the period's end, its changes
in the period, and 入会率, with 同比 and per-branch tables for a subtree."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q

from gonghui.core.formats import doc_number, doc_percent
from gonghui.members.choices import GOOD_STANDING, EventKind
from gonghui.members.models import Member, MembershipEvent, MemberSpell
from gonghui.members.selectors import employees_of, rate_employees
from gonghui.summary.registry import (
    Contributor,
    Headline,
    Item,
    Phrase,
    Section,
    Suggestion,
    Table,
    count,
    day_end,
    fell,
    percent,
    period_over,
    text,
    yoy,
)

_JOINED_FIELDS = {"period": "期间", "joined": "新入会人数（有新入会时）", "drop": "比上年同期减少的人数",
                  "none": "没有新入会时的说法（“未发展新会员，”）", "earlier": "上年同期新入会人数"}

PHRASES = (
    Phrase("members.total", "会员总数",
           "截至{as_of}，共有会员{members}人[，{yoy}][，其中女会员{women}人][，农民工会员{migrant}人][，新就业形态劳动者会员{new_form}人]。",
           {"as_of": "截止日期（期末或今天）", "members": "在册会员人数", "yoy": "与上年同期比较", "women": "女会员人数",
            "migrant": "农民工会员人数", "new_form": "新就业形态劳动者会员人数"}),
    Phrase("members.joined", "新发展会员",
           "{period}新发展会员{joined}人[，{yoy}]。",
           {"period": "期间", "joined": "新入会人数", "yoy": "与上年同期比较"}, purpose=True),
    Phrase("members.changes", "会籍变动",
           "{period}办理会员[转入{transfer_in}人，][转出{transfer_out}人，][退休{retired}人，][退会{withdrawn}人，]会籍信息及时更新。",
           {"period": "期间", "transfer_in": "转入人数", "transfer_out": "转出人数", "retired": "退休人数", "withdrawn": "退会人数"}),
    Phrase("members.rate", "入会率",
           # The member count is the 共有会员 sentence's: stated once in the part (lint: repeated-figure).
           "截至{as_of}，职工入会率为{rate}（职工总数{employees}人）[，{vs_target}]。",
           {"as_of": "截止日期", "rate": "入会率", "members": "在册会员人数（已在会员总数一句中写明，一般不再重复）",
            "employees": "职工人数", "vs_target": "与上级工会目标的比较"}),
    Phrase("members.headline", "开篇要点：会员",
           "新发展会员{joined}人，会员总数达到{members}人",  # the opening already names the period
           {"members": "在册会员人数", "period": "期间", "joined": "新入会人数"}),
    Phrase("members.problem_rate", "问题：入会率未达目标",
           "职工入会率为{rate}，低于上级工会确定的{target}的目标，尚有{gap}名职工未加入工会。",
           {"rate": "入会率", "target": "入会率目标", "gap": "达到目标还需发展的会员人数"}),
    Phrase("members.plan_rate", "计划：提高入会率",
           "加大会员发展力度，重点做好农民工和新就业形态劳动者入会工作，力争入会率达到{target}。",
           {"target": "入会率目标"}),
    Phrase("members.problem_dues", "问题：未缴会费",
           "有{unpaid}名会员未按规定缴纳会费，会费收缴工作有待加强。",
           {"unpaid": "未按时缴纳会费的会员人数"}),
    Phrase("members.plan_dues", "计划：会费收缴",
           "督促{unpaid}名未按时缴纳会费的会员补缴会费，规范会费收缴管理。",
           {"unpaid": "未按时缴纳会费的会员人数"}),
    Phrase("members.problem_joined", "问题：新发展会员减少",
           "会员发展工作有所放缓，{period}[新发展会员{joined}人，比上年同期减少{drop}人][{none}上年同期新发展会员{earlier}人]。",
           _JOINED_FIELDS),
    Phrase("members.plan_joined", "计划：发展会员",
           "深入班组和新就业形态劳动者中宣传工会、发展会员，推动新入职职工及时入会。",
           _JOINED_FIELDS),
    Phrase("members.problem_incomplete", "问题：会员信息不完整",
           "会员实名制信息还不够完整，有{incomplete}名会员未登记{missing}[，占会员总数的{share}]。",
           {"incomplete": "信息不完整的会员人数", "missing": "缺少的信息（手机号、学历）", "share": "占会员总数的比例"}),
    Phrase("members.plan_incomplete", "计划：完善会员信息",
           "组织会员核对完善个人信息，做到会员信息完整准确、及时更新。",
           {"incomplete": "信息不完整的会员人数", "missing": "缺少的信息（手机号、学历）", "share": "占会员总数的比例"}),
)


def _spells_as_of(ctx, day):
    qs = MemberSpell.objects.filter(starts_on__lte=day, status__in=GOOD_STANDING).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
    return ctx.within(qs)


def member_count(ctx, day=None) -> int:
    """Members in good standing in the union's scope on `day` (the period's as-of day): the
    base other modules' per-member rules divide by. Counted once per context and day."""
    day = day or ctx.as_of
    return ctx.memo(("member_count", day), lambda: _spells_as_of(ctx, day).count())


def _events(ctx, kind, period):
    qs = ctx.within(MembershipEvent.objects.filter(kind=kind, on__gte=period.start, on__lte=period.end))
    if kind in (EventKind.TRANSFER_IN, EventKind.TRANSFER_OUT) and ctx.scope.whole:
        qs = qs.exclude(other_org__path__startswith=ctx.org.path)  # moves inside the unit are no change
    return qs


def _employees(ctx) -> int:
    return rate_employees(ctx.org, ctx.subtree)


def target_of(org) -> int | None:
    """The 入会率 target (percent) set by the nearest higher union, if any."""
    from gonghui.access.scope import ancestor_paths
    from gonghui.orgs.models import Org

    paths = [p for p in ancestor_paths(org.path) if p != org.path]
    rows = dict(Org.objects.filter(path__in=paths, membership_target__isnull=False).values_list("path", "membership_target"))
    for p in reversed(paths):
        if p in rows:
            return rows[p]
    return None


def figures(ctx) -> dict:
    as_of = ctx.as_of
    spells = _spells_as_of(ctx, as_of)
    agg = spells.aggregate(
        n=Count("id"), women=Count("id", filter=Q(member__gender="F")),
        migrant=Count("id", filter=Q(member__is_migrant_worker=True)), new_form=Count("id", filter=~Q(member__new_form="")),
    )
    out = {"members": agg["n"], "women": agg["women"], "migrant": agg["migrant"], "new_form": agg["new_form"]}
    for kind in (EventKind.JOIN, EventKind.TRANSFER_IN, EventKind.TRANSFER_OUT, EventKind.RETIRE, EventKind.WITHDRAW):
        out[kind.value] = _events(ctx, kind, ctx.period).count()
    return out


def _earlier(ctx) -> dict | None:
    """Last year's members and joins, or None when the union has no records that far back."""
    e = ctx.earlier
    members = _spells_as_of(e, e.as_of).count()
    joined = _events(e, EventKind.JOIN, e.period).count()
    if not members and not joined:
        return None
    return {"members": members, "joined": joined}


def collect(ctx) -> list[Section]:
    f = figures(ctx)
    if not f["members"] and not f["join"]:
        return []
    prev = _earlier(ctx)
    as_of_link = ctx.link("members:list", as_of=ctx.as_of, status="all")
    event_link = lambda kind: ctx.link("members:list", event=kind, event_from=ctx.start, event_to=ctx.end, status="all")  # noqa: E731
    items = [
        Item("members.total", {
            "as_of": day_end(ctx.as_of), "members": count(f["members"], as_of_link),
            "yoy": yoy(f["members"], prev and prev["members"], "人"),
            "women": count(f["women"], ctx.link("members:list", as_of=ctx.as_of, status="all", gender="F")),
            "migrant": count(f["migrant"]), "new_form": count(f["new_form"]),
        }),
        Item("members.joined", {"period": text(ctx.period.label), "joined": count(f["join"], event_link("join")),
                                "yoy": yoy(f["join"], prev and prev["joined"], "人")}),
    ]
    items.append(Item("members.changes", {
        "period": text(ctx.period.label),
        "transfer_in": count(f["transfer_in"], event_link("transfer_in")),
        "transfer_out": count(f["transfer_out"], event_link("transfer_out")),
        "retired": count(f["retire"], event_link("retire")), "withdrawn": count(f["withdraw"], event_link("withdraw")),
    }))
    employees = _employees(ctx)
    if employees and f["members"]:
        target = target_of(ctx.org)
        rate = f["members"] / employees
        vs = None
        if target is not None:
            word = "达到" if rate * 100 >= target else "低于"
            vs = text(f"{word}上级工会确定的{target}%的目标")
        items.append(Item("members.rate", {
            "as_of": day_end(ctx.as_of), "rate": percent(rate, ctx.link("members:stats", on=ctx.as_of)),
            "members": count(f["members"], as_of_link), "employees": count(employees),
            "vs_target": vs,
        }))
    tables = []
    if ctx.children:
        # two grouped queries for all the children, rolled up by path (not two per child)
        member_rows = list(_spells_as_of(ctx, ctx.as_of).values_list("org_path").annotate(n=Count("id")))
        joined_rows = list(_events(ctx, EventKind.JOIN, ctx.period).values_list("org_path").annotate(n=Count("id")))
        members, joined = dict(ctx.by_child(member_rows)), dict(ctx.by_child(joined_rows))
        rows = []
        own_n, own_j = int(ctx.own_level(member_rows)), int(ctx.own_level(joined_rows))
        if own_n or own_j:  # the union's own level, so that the rows add up to the text's figures
            rows.append([ctx.own_label, doc_number(own_n), doc_number(own_j), "—"])
        for child in ctx.children:
            n, j = int(members.get(child, 0)), int(joined.get(child, 0))
            if n or j:
                emp = employees_of(child)
                rows.append([child.display_name, doc_number(n), doc_number(j), doc_percent(n / emp) if emp else "—"])
        if rows:
            tables.append(Table("members.by_child", ("本级及各下级工会" if own_n or own_j else "各下级工会") + "会员情况",
                                ["工会", f"会员人数（截至{ctx.as_of.month}月{ctx.as_of.day}日）", "新入会人数", "入会率"], rows))
    return [Section("members", "", items, tables)]


def headline(ctx) -> list[Headline]:
    # New members are the year's result; the roster alone is a state, not an achievement.
    f = figures(ctx)
    if not f["members"] or not f["join"]:
        return []
    item = Item("members.headline", {"members": count(f["members"]), "period": text(ctx.period.label), "joined": count(f["join"])})
    return [Headline(item, {"growth": f["join"]}, records=f["join"])]


def size(ctx) -> int:
    """Members in good standing at the period's end: what the opening's ranking divides by."""
    return member_count(ctx)


def suggest(ctx) -> list[Suggestion]:
    out = []
    employees = _employees(ctx)
    target = target_of(ctx.org)
    if employees and target is not None:
        members = member_count(ctx)
        rate = members / employees
        if rate * 100 < target:
            gap = -(-(target * employees) // 100) - members  # ceil: members needed to reach the target
            out.append(Suggestion("problems", Item("members.problem_rate", {
                "rate": percent(rate), "target": text(f"{target}%"), "gap": count(gap)})))
            out.append(Suggestion("plans", Item("members.plan_rate", {"target": text(f"{target}%")})))
    unpaid = ctx.within(Member.objects.for_actor(ctx.actor).filter(status__in=GOOD_STANDING, pays_dues=False)).count()
    if unpaid:
        out.append(Suggestion("problems", Item("members.problem_dues", {"unpaid": count(unpaid)})))
        out.append(Suggestion("plans", Item("members.plan_dues", {"unpaid": count(unpaid)})))
    out += _joined_fell(ctx) + _incomplete(ctx)
    return out


# 存在问题 rules (docs/architecture.md, "存在问题 suggestions: rule per module"):
# - 新发展会员 fell: once the period is over, joins at least a fifth below the same period last
#   year, which had at least JOINED_MIN_BASE joins (`registry.fell`).
# - 会员信息不完整: more than INCOMPLETE_SHARE of the members in good standing (at least
#   INCOMPLETE_MIN_MEMBERS of them) have no mobile number or no education recorded.
JOINED_MIN_BASE = 5
INCOMPLETE_SHARE = Decimal("0.1")
INCOMPLETE_MIN_MEMBERS = 10


def _joined_fell(ctx) -> list[Suggestion]:
    if not period_over(ctx):
        return []
    joined = _events(ctx, EventKind.JOIN, ctx.period).count()
    before = _events(ctx.earlier, EventKind.JOIN, ctx.earlier.period).count()
    if not fell(joined, before, min_base=JOINED_MIN_BASE):
        return []
    link = ctx.link("members:list", event="join", event_from=ctx.start, event_to=ctx.end, status="all")
    facts = {"period": text(ctx.period.label), "joined": count(joined, link), "drop": count(before - joined),
             "none": text("" if joined else "未发展新会员，"), "earlier": count(before)}
    return [Suggestion("problems", Item("members.problem_joined", facts)), Suggestion("plans", Item("members.plan_joined", facts))]


def _incomplete(ctx) -> list[Suggestion]:
    # One set of members for the count and the share: those of the 共有会员 sentence (in good
    # standing in the scope on the as-of day, by their spell there), so the share is of the
    # 会员总数 the part states and the incomplete ones are a part of it (never above 100%).
    spells = _spells_as_of(ctx, ctx.as_of)
    agg = spells.aggregate(n=Count("id"), no_phone=Count("id", filter=Q(member__phone_hash="")),
                           no_education=Count("id", filter=Q(member__education="")),
                           either=Count("id", filter=Q(member__phone_hash="") | Q(member__education="")))
    if agg["n"] < INCOMPLETE_MIN_MEMBERS or agg["either"] <= INCOMPLETE_SHARE * agg["n"]:
        return []
    missing = "或".join(w for w, n in (("手机号", agg["no_phone"]), ("学历", agg["no_education"])) if n)
    facts = {"incomplete": count(agg["either"]), "missing": text(missing),
             "share": percent(Decimal(agg["either"]) / agg["n"])}
    return [Suggestion("problems", Item("members.problem_incomplete", facts)),
            Suggestion("plans", Item("members.plan_incomplete", facts))]


CONTRIBUTOR = Contributor(
    key="members", theme="members", order=10, phrases=PHRASES, collect=collect, headline=headline, suggest=suggest,
    permission="member.view", size=size,
)
