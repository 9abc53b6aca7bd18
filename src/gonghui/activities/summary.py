"""Activities and training in the work summary: what the union organised, from the records.

Two parts of the document, as the genre places them:
- 开展文体活动，丰富职工文化生活 (theme "activities"): each kind of activity of the period
  (文体、节日、志愿服务、义诊、女职工活动 …) in one sentence, with the members' participation;
- 强化学习教育，提高职工队伍素质 (theme "education"): training classes (培训班), quizzes and
  exams (答卷), the kinds of activity that are study (学习教育、读书、讲座、竞赛答题、普法) and
  the study assignments with the pieces handed in.

The rules of writing (the figures themselves are counted in figures.py):
- A kind with one activity held in the period is written as that activity ("3月8日，联合…开展
  “…”，40名职工参加"); a kind with several as one sentence with their number and totals
  ("全年举办文体活动8次，参加职工560人次"). The kind is the grouping unit, as the genre counts
  it ("全年举办文体活动8次"), so no activity of a kind is split off into a sentence of its own;
  from `registry.GROUP_MIN` activities on, the three largest are handed to the sentence as
  `names` ("“…”“…”“…”等") for a wording that wants them.
- 健康义诊 that served the public states the people served (those who checked in and the
  residents counted as beneficiaries: "受益群众180人"); a members' check-up, and every other
  kind, the people taking part (职工, or 职工群众 when non-members came too) and, where there
  were any, the beneficiaries. Partners are named when every activity of the sentence had one.
- Two sentences of a part never state the same 人次 or people served (from ten up): the later
  leaves the figure out, since a reader takes one figure written twice for one fact.
- Training classes and activities with a quiz are written in their own sentences under
  学习教育 and left out of the kinds' (each activity is written once).
- Study assignments are reported once due: those due in the period by its as-of day.
- Kinds, classes and quizzes with no records in the period write nothing; 同比 is stated
  where last year's same period has records.
"""

from __future__ import annotations

from decimal import Decimal

from gonghui.activities import figures as F
from gonghui.core.formats import doc_number
from gonghui.summary.phrasing import Fact
from gonghui.summary.registry import (
    GROUP_MIN,
    GROUP_NAMED,
    NONE,
    Chart,
    Contributor,
    Headline,
    Item,
    Phrase,
    Section,
    Suggestion,
    Table,
    count,
    date,
    examples,
    fell,
    percent,
    period_over,
    quotable,
    text,
    yoy,
)

# Kinds that are study rather than recreation: written under 学习教育 (theme "education").
EDUCATION_KINDS = frozenset({"study", "reading", "training", "contest", "law"})
# Kinds whose sentence states the people served rather than the 人次 of those taking part.
SERVED_KINDS = frozenset({"health"})
# How a sentence says the union held an activity of the kind (default 举办).
VERBS = {"health": "开展", "volunteer": "开展", "study": "开展", "reading": "开展", "law": "开展", "visit": "组织",
         "rest": "组织", "women": "开展"}
# Words a title already ends with when it names the event itself ("职工趣味运动会").
EVENT_ENDINGS = ("活动", "比赛", "竞赛", "大赛", "运动会", "联欢会", "晚会", "讲座", "义诊", "体检", "培训", "培训班", "演出", "展",
                 "展览", "赛", "会", "宣讲", "课", "行", "游")
PARTNERS_NAMED = 2
REPEAT_MIN = 10  # summary.lint's REPEAT_MIN_COUNT: smaller figures recur by chance without misleading

_KIND_FIELDS = {"period": "期间（全年、上半年……）", "partners": "合作单位（每次活动都有合作单位时）", "verb": "动词（举办、开展、组织）",
                "names": "活动名称（三次及以上时列举三个，带引号，以“等”结尾）", "noun": "活动类型（总结中的称呼）",
                "held": "活动次数", "who": "参加者（职工、职工群众）", "people": "参加人次", "served": "受益群众人数",
                "yoy": "与上年同期比较"}
_ONE_FIELDS = {"when": "日期", "partners": "合作单位", "verb": "动词（举办、开展、组织）", "title": "活动名称",
               "noun": "活动类型（活动名称未说明时）", "people": "参加人数", "who": "参加者（职工、职工群众）",
               "served": "受益群众人数"}
_TRAINING_FIELDS = {"period": "期间", "classes": "培训班期数", "names": "各培训班及期数", "teachers": "授课人（职务职称和姓名）",
                    "people": "培训人次（各期参训人数之和）", "trainees": "参训人数（每人只计一次）", "hours": "课时合计（学时）",
                    "per_member": "会员人均参加培训学时", "yoy": "与上年同期比较"}
_ONE_TRAINING_FIELDS = {"when": "日期", "title": "培训班名称", "teachers": "授课人（职务职称和姓名）", "sessions": "讲次（多于一讲时）",
                        "people": "培训人次", "hours": "课时（学时）"}
_QUIZ_FIELDS = {"when": "日期", "people": "参加人数（有成绩的）", "who": "参加对象（职工、女职工、参训职工）", "quiz": "答卷或考试名称",
                "passed": "合格人数（设了及格分、并非全部合格时）", "all_passed": "全部合格时的说法"}
_QUIZZES_FIELDS = {"period": "期间", "names": "答卷名称（列举三个，以“等”结尾）", "count": "答卷次数", "people": "参加答卷人次",
                   "passed": "合格人次（设了及格分时）"}
_STUDY_FIELDS = {"period": "期间", "titles": "学习活动（学习任务名称）", "count": "学习任务项数", "noun": "提交物（学习心得……）",
                 "expected": "应交篇数", "submitted": "实交篇数", "share": "完成率（不超过100%时）",
                 "none": "没有会员提交时的说法"}
_PARTICIPATION_FIELDS = {"period": "期间", "members": "参加活动的会员人数（每人只计一次）", "share": "占会员总数的比例",
                         "earlier_share": "上年同期占会员总数的比例", "none": "期间没有会员参加活动时的说法"}
_ACTIVITY_PROBLEM_FIELDS = {"period": "期间", "held": "举办活动次数", "earlier": "上年同期举办活动次数", "none": "期间未举办活动时的说法"}
_TRAINING_PROBLEM_FIELDS = {"period": "期间", "hours": "会员人均参加培训学时", "earlier": "上年同期会员人均参加培训学时",
                            "none": "期间未举办培训时的说法"}

PHRASES = (
    Phrase("activities.kind", "职工活动（按类型）",
           "{period}[联合{partners}]{verb}{noun}{held}次[，参加{who}{people}人次][，受益群众{served}人][，{yoy}]。",
           _KIND_FIELDS,
           {"period": "全年", "verb": "举办", "noun": "文体活动", "held": "8", "people": "560"}, purpose=True),
    Phrase("activities.one", "职工活动（单次）",
           "{when}，[联合{partners}]{verb}“{title}”[{noun}][，{people}名{who}参加][，受益群众{served}人]。",
           _ONE_FIELDS,
           {"when": "3月8日", "partners": "市第一人民医院", "verb": "举办", "title": "庆三八健康知识讲座及义诊", "people": "40"},
           purpose=True),
    Phrase("activities.totals", "职工活动总体情况",
           "{period}共组织开展各类职工活动{held}次，参加{who}{people}人次[，{yoy}]。",
           {"period": "期间", "held": "活动次数", "who": "参加者（职工、职工群众）", "people": "参加人次", "yoy": "与上年同期比较"}),
    Phrase("activities.participation", "会员参与活动情况",
           "{period}共有{members}名会员参加了工会组织的活动和培训，占会员总数的{share}[，上年同期为{earlier_share}]。",
           _PARTICIPATION_FIELDS),
    Phrase("activities.headline", "开篇要点：职工活动",
           "组织开展各类职工活动{held}次，参加{who}{people}人次",
           {"held": "活动次数", "who": "参加者（职工、职工群众）", "people": "参加人次"}),
    Phrase("activities.training", "培训班",
           "{period}举办培训班{classes}期（{names}）[，邀请{teachers}授课]，培训职工{people}人次[，共{hours}学时]"
           "[，会员人均参加培训{per_member}学时][，{yoy}]。",
           _TRAINING_FIELDS,
           {"period": "全年", "classes": "3", "names": "女工培训班1期、职工代表培训班1期、生产劳动保护培训班1期", "people": "210"},
           purpose=True),
    Phrase("activities.training_one", "培训班（一期）",
           "{when}，举办“{title}”[，邀请{teachers}授课][，共{sessions}讲]，培训职工{people}人次[，共{hours}学时]。",
           _ONE_TRAINING_FIELDS,
           {"when": "5月12日", "title": "女工培训班", "teachers": "市总工会法律顾问张明", "people": "45"}, purpose=True),
    Phrase("activities.quiz", "答卷/考试",
           "{when}，组织{people}名{who}参加{quiz}[，其中{passed}人合格][，{all_passed}]。",
           _QUIZ_FIELDS,
           {"when": "3月8日", "people": "115", "who": "女职工", "quiz": "妇女权益保障法知识答卷"}),
    Phrase("activities.quizzes", "答卷/考试（多次合并）",
           "{period}组织开展{names}{count}次知识答卷和考试，参加{people}人次[，其中合格{passed}人次]。",
           _QUIZZES_FIELDS,
           {"period": "全年", "names": "“妇女权益保障法知识答卷”“安全生产知识竞赛”“工会法知识测试”等", "count": "4", "people": "260"}),
    Phrase("activities.study", "学习任务",
           "{period}开展{titles}[，布置学习任务{count}项]，应交{noun}{expected}篇[，实交{submitted}篇][，完成率{share}]。",
           _STUDY_FIELDS,
           {"period": "全年", "titles": "读书活动", "noun": "学习心得", "expected": "412", "submitted": "398", "share": "96.6%"}),
    Phrase("activities.headline_training", "开篇要点：职工培训",
           "举办培训班{classes}期，培训职工{people}人次",
           {"classes": "培训班期数", "people": "培训人次"}),
    Phrase("activities.problem_participation", "问题：活动参与面下降",
           "职工活动的参与面还不够广，{period}[有{members}名会员参加了工会组织的活动和培训，占会员总数的{share}][{none}]，"
           "上年同期为{earlier_share}。",
           _PARTICIPATION_FIELDS),
    Phrase("activities.plan_participation", "计划：扩大活动参与面",
           "丰富活动内容和形式，合理安排活动时间，吸引更多会员职工参与工会活动。",
           _PARTICIPATION_FIELDS),
    Phrase("activities.problem_held", "问题：组织职工活动不够",
           "组织职工活动还不够经常，{period}[举办各类活动{held}次][{none}]，上年同期举办{earlier}次。",
           _ACTIVITY_PROBLEM_FIELDS),
    Phrase("activities.plan_held", "计划：经常开展职工活动",
           "制定全年职工活动计划，结合重要节日和职工需求，经常性地开展职工喜闻乐见的文体活动。",
           _ACTIVITY_PROBLEM_FIELDS),
    Phrase("activities.problem_training", "问题：职工培训减少",
           "职工教育培训工作有待加强，{period}[会员人均参加培训{hours}学时][{none}]，上年同期会员人均参加培训{earlier}学时。",
           _TRAINING_PROBLEM_FIELDS),
    Phrase("activities.plan_training", "计划：加强职工培训",
           "制定年度职工教育培训计划，围绕岗位技能、安全生产和法律知识举办培训班，提高职工队伍素质。",
           _TRAINING_PROBLEM_FIELDS),
    Phrase("activities.problem_study", "问题：学习任务完成不够好",
           "职工学习任务完成得还不够好，{period}应交{noun}{expected}篇，[实交{submitted}篇，完成率{share}][{none}]。",
           _STUDY_FIELDS),
    Phrase("activities.plan_study", "计划：督促完成学习任务",
           "加强学习任务的督促检查，及时提醒未按期提交的会员，提高学习活动的实效。",
           _STUDY_FIELDS),
)


# --- reading the figures ---------------------------------------------------------------------


def figures_of(ctx) -> F.Figures:
    """The period's figures for the context's union and scope, counted once per context."""
    return ctx.memo("activities.figures", lambda: F.figures(ctx.actor, ctx.org, ctx.start, ctx.end, subtree=ctx.subtree))


def _when(ctx) -> str:
    """How a sentence opens on the period: 全年, 上半年, or the period itself."""
    period = ctx.period
    if period.kind == "year":
        return "全年"
    if period.kind == "half":
        return "上半年" if period.start.month == 1 else "下半年"
    return period.label


def _link(ctx, **params) -> str:
    """The activity list behind a figure: the period's filters, or a month of it."""
    query = {} if "month" in params else F.period_query(ctx.start, ctx.end)
    return ctx.link("activities:home", **{**query, **params})


def _hours(value: Decimal | None, link: str = "") -> Fact:
    """Hours as a figure (36, 1.5); none when zero."""
    if not value:
        return NONE
    value = Decimal(value).quantize(F.HOURS)
    if not value:
        return NONE
    return Fact(doc_number(value), str(value), link)


def _education(fig: F.Figures, a: F.ActivityRow) -> bool:
    return fig.kinds[a.kind_id].code in EDUCATION_KINDS


def _plain(a: F.ActivityRow, quizzes: set[int]) -> bool:
    """Written in its kind's sentence: not a training class, not a quiz with scores."""
    return not a.is_training and a.id not in quizzes


def _by_kind(fig: F.Figures, education: bool) -> dict[int, list[F.ActivityRow]]:
    quizzes = {q.activity.id for q in fig.quizzes}
    out: dict[int, list[F.ActivityRow]] = {}
    for a in fig.activities:
        if _plain(a, quizzes) and _education(fig, a) == education:
            out.setdefault(a.kind_id, []).append(a)
    return dict(sorted(out.items(), key=lambda kv: (fig.kinds[kv[0]].order, kv[0])))


def _partners(rows: list[F.ActivityRow]) -> str:
    """The partners of the sentence's activities, when every one had a partner."""
    if not rows or any(not a.partners for a in rows):
        return ""
    names: dict[str, int] = {}
    for a in rows:
        for n in a.partners:
            names[n] = names.get(n, 0) + 1
    ranked = sorted(names, key=lambda n: -names[n])
    return "、".join(ranked[:PARTNERS_NAMED]) + ("等" if len(ranked) > PARTNERS_NAMED else "")


def _event_noun(title: str, noun: str) -> str:
    """The kind's noun after a title that does not name the event itself (“学雷锋日”志愿服务活动),
    never after one that already ends with it (“红色教育基地参观学习”)."""
    title = quotable(title)
    core = noun.removesuffix("活动")
    return "" if title.endswith(EVENT_ENDINGS) or (core and title.endswith(core)) else noun


def _who(rows: list[F.ActivityRow]) -> str:
    """职工, or 职工群众 when people who are not members took part too."""
    return "职工群众" if any(a.non_members for a in rows) else "职工"


def _kind_items(ctx, fig: F.Figures, earlier: F.Figures, groups: dict[int, list[F.ActivityRow]], stated=()) -> list[Item]:
    """One sentence per kind (see the module's docstring). Of two kinds whose 人次 (or people
    served) would be the same figure, the later leaves it out: a reader (and the lint) takes
    one figure written twice in a part for one fact stated twice. `stated`: 人次 the part
    already states."""
    before: dict[int, int] = {}
    quizzes_before = {q.activity.id for q in earlier.quizzes}
    for a in earlier.activities:
        if _plain(a, quizzes_before):
            before[a.kind_id] = before.get(a.kind_id, 0) + 1
    items: list[Item] = []
    stated: set[int] = set(stated or ())
    stated_served: set[int] = set()
    for kind_id, rows in groups.items():
        kind = fig.kinds[kind_id]
        link = _link(ctx, kind=kind.code)
        # 义诊 that served the public states the people served; a members' 体检 their number
        served = kind.code in SERVED_KINDS and any(a.beneficiaries or a.non_members for a in rows)
        people = sum(a.checkins for a in rows)
        beneficiaries = sum(a.served if served else a.beneficiaries for a in rows)
        verb = VERBS.get(kind.code, "举办")
        partners = _partners(rows)
        if len(rows) == 1:
            a = rows[0]
            people = 0 if served else a.attendees
            if beneficiaries in stated_served and people:
                beneficiaries = 0
            elif beneficiaries >= REPEAT_MIN:
                stated_served.add(beneficiaries)
            items.append(Item("activities.one", {
                "when": date(a.day), "partners": text(partners), "verb": text(verb), "title": text(quotable(a.title)),
                "noun": text(_event_noun(a.title, kind.noun)), "people": count(people, link), "who": text(_who(rows)),
                "served": count(beneficiaries, link),
            }, key=f"activities.kind.{kind.code}", label=kind.name))
            continue
        named = sorted(rows, key=lambda a: (-a.served, a.starts_at))[:GROUP_NAMED] if len(rows) >= GROUP_MIN else []
        names = [a.title for a in rows if a in named]
        if served or people in stated:  # 义诊 states the people served; a repeated 人次 is left to the first
            people = 0
        elif people >= REPEAT_MIN:
            stated.add(people)
        if beneficiaries in stated_served:
            beneficiaries = 0
        elif beneficiaries >= REPEAT_MIN:
            stated_served.add(beneficiaries)
        items.append(Item("activities.kind", {
            "period": text(_when(ctx)), "partners": text(partners), "verb": text(verb),
            "names": examples(names, quoted=True) if names else NONE, "noun": text(kind.noun), "held": count(len(rows), link),
            "who": text(_who(rows)), "people": count(people, link), "served": count(beneficiaries, link),
            "yoy": yoy(len(rows), before.get(kind_id) or None, "次"),
        }, key=f"activities.kind.{kind.code}", label=kind.name))
    return items


def _written(fig: F.Figures, education: bool) -> list[F.ActivityRow]:
    """The activities a part writes in its kinds' sentences."""
    return [a for group in _by_kind(fig, education).values() for a in group]


def _plain_totals(fig: F.Figures, education: bool) -> tuple[int, int]:
    rows = _written(fig, education)
    return len(rows), sum(a.checkins for a in rows)


# --- 开展文体活动 (theme "activities") ---------------------------------------------------------


def collect(ctx) -> list[Section]:
    fig = figures_of(ctx)
    if not fig.held:
        return []
    earlier = figures_of(ctx.earlier)
    groups = _by_kind(fig, education=False)
    items = _kind_items(ctx, fig, earlier, groups)
    held, people = _plain_totals(fig, education=False)
    # The total is written only over several kinds (over one it restates that sentence), and
    # not when one kind holds all the 人次 (the two figures would read as one fact twice).
    if len(items) > 1 and all(sum(a.checkins for a in rows) != people for rows in groups.values()):
        before, _ = _plain_totals(earlier, education=False)
        link = _link(ctx)
        items.insert(0, Item("activities.totals", {
            "period": text(_when(ctx)), "held": count(held, link), "who": text(_who(_written(fig, education=False))),
            "people": count(people, link), "yoy": yoy(held, before or None, "次"),
        }))
    items += _participation_items(ctx, fig, earlier)
    tables = _tables(ctx, fig)
    return [Section("activities", "", items, tables)] if items or tables else []


def _participation_items(ctx, fig: F.Figures, earlier: F.Figures) -> list[Item]:
    if not fig.members_in_scope or fig.rate is None:
        return []
    return [Item("activities.participation", {
        "period": text(_when(ctx)), "members": count(fig.members_in_scope, _link(ctx)), "share": percent(fig.rate),
        "earlier_share": percent(earlier.rate) if earlier.members_in_scope and earlier.rate is not None else NONE,
        "none": text(""),
    })]


def _tables(ctx, fig: F.Figures) -> list[Table]:
    if not ctx.children:
        return []
    rows = [[b.label, doc_number(b.held), doc_number(b.checkins)] for b in fig.by_branch if b.held]
    if not rows:
        return []
    own = any(b.key == ctx.org.pk for b in fig.by_branch if b.held)
    caption = ("本级及各下级工会" if own else "各下级工会") + "开展活动和培训情况"
    return [Table("activities.by_child", caption, ["工会", "活动次数", "参加人次"], rows)]


def headline(ctx) -> list[Headline]:
    fig = figures_of(ctx)
    held, people = _plain_totals(fig, education=False)
    if not held or not people:
        return []
    who = text(_who(_written(fig, education=False)))
    return [Headline(Item("activities.headline", {"held": count(held), "who": who, "people": count(people)}), {"people": people},
                     records=people)]


# 存在问题 of the activities part, once the period is over (`registry.period_over`):
# - participation: the share of the members who attended any activity or class (distinct,
#   by the union they signed up from) `fell` by a fifth against the same period last year,
#   with at least PARTICIPATION_MIN_BASE such members last year;
# - activities held (those the part writes: not the classes and quizzes of 学习教育): per
#   member (`members.summary.member_count`'s base) they `fell` by a fifth, with at least
#   HELD_MIN_BASE last year, and the number itself fell (a grown union holding as many is
#   not told it holds fewer). Per member, so a union that shrank is not told it holds fewer.
PARTICIPATION_MIN_BASE = 10
HELD_MIN_BASE = 5


def suggest(ctx) -> list[Suggestion]:
    if not period_over(ctx):
        return []
    fig, earlier = figures_of(ctx), figures_of(ctx.earlier)
    out = []
    if fig.members and earlier.members and earlier.rate is not None and fig.rate is not None and fell(
            fig.rate, earlier.rate, base=earlier.members_in_scope, min_base=PARTICIPATION_MIN_BASE):
        facts = {"period": text(ctx.period.label), "members": count(fig.members_in_scope, _link(ctx)),
                 "share": percent(fig.rate) if fig.members_in_scope else NONE,
                 "none": text("" if fig.members_in_scope else "没有会员参加工会组织的活动"),
                 "earlier_share": percent(earlier.rate)}
        out += [Suggestion("problems", Item("activities.problem_participation", facts)),
                Suggestion("plans", Item("activities.plan_participation", facts))]
    held, _people = _plain_totals(fig, education=False)
    before, _people = _plain_totals(earlier, education=False)
    if fig.members and earlier.members and held < before and fell(
            Decimal(held) / fig.members, Decimal(before) / earlier.members, base=before, min_base=HELD_MIN_BASE):
        facts = {"period": text(ctx.period.label), "held": count(held, _link(ctx)), "earlier": count(before),
                 "none": text("" if held else "未举办职工活动")}
        out += [Suggestion("problems", Item("activities.problem_held", facts)),
                Suggestion("plans", Item("activities.plan_held", facts))]
    return out


def charts(ctx) -> list[Chart]:
    fig = figures_of(ctx)
    if not fig.held:
        return []
    out = [Chart("activities.kinds", "活动次数（按类型）", "hbar",
                 [(r.label, float(r.held), _link(ctx, kind=r.query["kind"])) for r in fig.by_kind], "次")]
    months = [(r.label, float(r.checkins), _link(ctx, **r.query)) for r in fig.by_month]
    if any(v for _l, v, _q in months):
        out.append(Chart("activities.months", "参加人次（按月）", "bar", months, "人次"))
    if fig.funding:
        out.append(Chart("activities.funding", "活动经费（按经费来源）", "pie",
                         [(r.label, float(r.cost), _link(ctx)) for r in fig.funding], "元"))
    return out


# --- 强化学习教育 (theme "education") -------------------------------------------------------------


def collect_education(ctx) -> list[Section]:
    fig = figures_of(ctx)
    earlier = figures_of(ctx.earlier) if fig.held else None
    items: list[Item] = []
    if fig.held:
        items += _training_items(ctx, fig, earlier)
        items += _quiz_items(ctx, fig)
        items += _kind_items(ctx, fig, earlier, _by_kind(fig, education=True))
    items += _study_items(ctx)
    return [Section("activities.education", "", items)] if items else []


def _teachers(classes: list[F.TrainingClass]) -> str:
    people = list(dict.fromkeys(f"{title}{name}" for c in classes for name, title in c.teachers))
    return "、".join(people[:PARTNERS_NAMED]) + ("等" if len(people) > PARTNERS_NAMED else "")


def _training_items(ctx, fig: F.Figures, earlier: F.Figures) -> list[Item]:
    t = fig.training
    if not t.classes:
        return []
    link = _link(ctx, training="1")
    per_member = _hours(t.hours_per_member)
    if len(t.classes) == 1:
        c = t.classes[0]
        return [Item("activities.training_one", {
            "when": date(c.activity.day), "title": text(quotable(c.activity.title)), "teachers": text(_teachers([c])),
            "sessions": count(c.sessions if c.sessions > 1 else 0), "people": count(c.activity.attendees, link),
            "hours": _hours(c.class_hours),
        }, key="activities.training", label="培训班")]
    titles: dict[str, int] = {}
    for c in t.classes:
        name = quotable(c.activity.title)
        titles[name] = titles.get(name, 0) + 1
    ranked = sorted(titles, key=lambda n: -titles[n])
    shown = ranked if len(ranked) <= GROUP_NAMED + 1 else ranked[:GROUP_NAMED]
    names = "、".join(f"{n}{titles[n]}期" for n in shown) + ("等" if len(shown) < len(ranked) else "")
    return [Item("activities.training", {
        "period": text(_when(ctx)), "classes": count(t.held, link), "names": text(names), "teachers": text(_teachers(t.classes)),
        "people": count(t.enrolments, link), "trainees": count(t.trainees, link), "hours": _hours(t.class_hours),
        "per_member": per_member, "yoy": yoy(t.held, earlier.training.held or None, "期"),
    }, key="activities.training", label="培训班")]


def _quiz_items(ctx, fig: F.Figures) -> list[Item]:
    quizzes = fig.quizzes
    if not quizzes:
        return []
    counts = [q.scored for q in quizzes if q.scored >= REPEAT_MIN]
    # Many quizzes, or two whose sentences would state one figure twice: one sentence for all.
    if len(quizzes) >= GROUP_MIN or len(counts) != len(set(counts)):
        link = _link(ctx)
        passed = [q.passed for q in quizzes if q.passed is not None]
        ranked = sorted(quizzes, key=lambda q: -q.scored)[:GROUP_NAMED]
        return [Item("activities.quizzes", {
            "period": text(_when(ctx)), "names": examples((q.activity.quiz_name for q in quizzes if q in ranked), quoted=True),
            "count": count(len(quizzes), link), "people": count(sum(q.scored for q in quizzes), link),
            "passed": count(sum(passed)) if len(passed) == len(quizzes) else NONE,
        }, key="activities.quizzes", label="知识答卷")]
    items = []
    for q in quizzes:
        a = q.activity
        who = "女职工" if q.all_women else ("参训职工" if a.is_training else "职工")
        link = _link(ctx, kind=fig.kinds[a.kind_id].code)
        items.append(Item("activities.quiz", {
            "when": date(a.day), "people": count(q.scored, link), "who": text(who), "quiz": text(a.quiz_name.strip()),
            "passed": count(q.passed) if q.passed is not None and q.passed < q.scored else NONE,
            "all_passed": text("全部合格" if q.passed == q.scored else ""),
        }, key=f"activities.quiz.{a.id}", label=a.quiz_name))
    return items


def _study_items(ctx) -> list[Item]:
    totals = _study(ctx)
    if totals is None:
        return []
    items = []
    titles = _study_titles(ctx)
    for row in totals.by_noun:
        if not row.expected:
            continue
        names = titles.get(row.noun, [])
        share = Decimal(row.submitted) / Decimal(row.expected)
        items.append(Item("activities.study", {
            "period": text(_when(ctx)), "titles": text(_study_name(names)),
            "count": count(row.assignments if row.assignments > 1 else 0), "noun": text(row.noun),
            "expected": count(row.expected), "submitted": count(row.submitted),
            "share": percent(share) if 0 < share <= 1 else NONE, "none": text(""),
        }, key=f"activities.study.{row.noun}", label=row.noun))
    return items


def _study_name(titles: list[str]) -> str:
    """What the union ran, by the assignments' titles: 读书活动 (a title that says it is an
    activity), “职工读书月”学习活动, “……”“……”等学习活动."""
    titles = [quotable(t) for t in dict.fromkeys(titles)]
    if len(titles) == 1 and titles[0].endswith("活动"):
        return titles[0]
    if not titles:
        return "学习活动"
    shown = "".join(f"“{t}”" for t in titles[:GROUP_NAMED])
    return shown + ("等" if len(titles) > GROUP_NAMED else "") + "学习活动"


def _study(ctx):
    from gonghui.activities.study_figures import study_totals

    return ctx.memo("activities.study", lambda: study_totals(ctx.actor, ctx.org, ctx.start, _study_end(ctx),
                                                              subtree=ctx.scope.whole))


def _study_end(ctx):
    """Assignments are reported once due: those due in the period by its as-of day, with the
    pieces handed in by then (one still open is not yet a result)."""
    return min(ctx.end, ctx.as_of)


def _study_titles(ctx) -> dict[str, list[str]]:
    """The titles of the assignments study_totals counts, by what is handed in."""
    from gonghui.activities.selectors import assignments_for

    qs = assignments_for(ctx.actor).filter(due_on__gte=ctx.start, due_on__lte=_study_end(ctx))
    qs = qs.filter(org_path__startswith=ctx.org.path) if ctx.scope.whole else qs.filter(org=ctx.org)
    out: dict[str, list[str]] = {}
    for noun, title in qs.order_by("due_on", "id").values_list("noun", "title"):
        out.setdefault(noun, []).append(title)
    return out


def headline_education(ctx) -> list[Headline]:
    t = figures_of(ctx).training
    if not t.classes or not t.enrolments:
        return []
    return [Headline(Item("activities.headline_training", {"classes": count(t.held), "people": count(t.enrolments)}),
                     {"people": t.enrolments}, records=t.enrolments)]


# 存在问题 of the education part:
# - training: the scope's members' training hours per member `fell` by a fifth against the
#   same period last year (period over), with at least TRAINING_MIN_BASE training 人次 last
#   year;
# - study: assignments due in the period by its as-of day with at least STUDY_MIN_EXPECTED
#   pieces expected, of which less than STUDY_MIN_SHARE were handed in by then.
TRAINING_MIN_BASE = 10
STUDY_MIN_EXPECTED = 10
STUDY_MIN_SHARE = Decimal("0.9")


def suggest_education(ctx) -> list[Suggestion]:
    out = []
    if period_over(ctx):
        t, before = figures_of(ctx).training, figures_of(ctx.earlier).training
        if before.hours_per_member and fell(t.hours_per_member or 0, before.hours_per_member, base=before.enrolments,
                                            min_base=TRAINING_MIN_BASE):
            facts = {"period": text(ctx.period.label), "hours": _hours(t.hours_per_member, _link(ctx, training="1")),
                     "earlier": _hours(before.hours_per_member), "none": text("" if t.hours_per_member else "未组织会员参加培训")}
            out += [Suggestion("problems", Item("activities.problem_training", facts)),
                    Suggestion("plans", Item("activities.plan_training", facts))]
    totals = _study(ctx)
    if totals is not None and totals.assignments:
        for row in totals.by_noun:
            if row.expected >= STUDY_MIN_EXPECTED and Decimal(row.submitted) < STUDY_MIN_SHARE * row.expected:
                facts = {"period": text(ctx.period.label), "titles": NONE, "count": NONE, "noun": text(row.noun),
                         "expected": count(row.expected), "submitted": count(row.submitted),
                         "share": percent(Decimal(row.submitted) / Decimal(row.expected)) if row.submitted else NONE,
                         "none": text("" if row.submitted else "尚未收到会员提交")}
                out += [Suggestion("problems", Item("activities.problem_study", facts, key=f"activities.problem_study.{row.noun}")),
                        Suggestion("plans", Item("activities.plan_study", facts, key=f"activities.plan_study.{row.noun}"))]
    return out


def charts_education(ctx) -> list[Chart]:
    t = figures_of(ctx).training
    if not t.classes:
        return []
    return [Chart("activities.training", "培训人次（按培训班）", "hbar",
                  [(quotable(c.activity.title), float(c.activity.attendees), _link(ctx, training="1")) for c in t.classes], "人次")]


CONTRIBUTOR = Contributor(key="activities", theme="activities", order=10, phrases=PHRASES, collect=collect, headline=headline,
                          suggest=suggest, charts=charts, permission="activities.view")
EDUCATION = Contributor(key="activities.education", theme="education", order=10, phrases=(), collect=collect_education,
                        headline=headline_education, suggest=suggest_education, charts=charts_education,
                        permission="activities.view")


def register_summary() -> None:
    """Both parts, from ActivitiesConfig.ready()."""
    from gonghui.summary.registry import register

    register(CONTRIBUTOR)
    register(EDUCATION)
