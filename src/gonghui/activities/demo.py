"""Demo activities and training, through the real services: last year and this year (so the
summary can compare) of every built-in kind across a sample of the demo unions, with
sign-ups, check-ins and absences; two training classes with sessions, teachers and hours,
one with a quiz and scores; 健康义诊 with a partner hospital and residents served; a study
assignment with pieces handed in (and some overdue) and one still open; and upcoming
activities open for sign-up, one full with a waiting list, that the member login
`huiyuan` (a member of LJ-001) can sign up for.

Counts stay modest (several hundred check-ins in all): every check-in goes through
`attendance.checkin_record`, audited like any other, and the demo must build quickly."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gonghui.activities import attendance, services, study
from gonghui.activities.models import ActivityKind, Funding, PartnerCategory, Status, Target
from gonghui.core.demo import DemoContext
from gonghui.members.choices import GOOD_STANDING, Gender
from gonghui.members.models import Member
from gonghui.orgs.models import Level

# The unions that record their activities in the demo (a sample of every kind of union).
UNIONS = ["LJ-001", "LJ-003", "WH-001", "JG-001", "JY-001"]
# Each union's year: (kind, title, month, day, (fewest, most) members checked in); a union
# drops some of them in a year (by the seeded rng) so that years differ.
YEAR_PLAN = [
    ("festival", "迎新春文艺联欢会", 1, 20, (8, 12)),
    ("volunteer", "学雷锋志愿服务活动", 3, 5, (4, 7)),
    ("women", "庆三八插花手工活动", 3, 7, (4, 8)),
    ("reading", "世界读书日读书分享会", 4, 23, (4, 7)),
    ("sports", "职工趣味运动会", 4, 26, (8, 12)),
    ("festival", "端午节包粽子活动", 6, 8, (5, 8)),
    ("law", "安全生产月普法宣传", 6, 16, (4, 7)),
    ("contest", "安全生产知识竞赛答题", 6, 20, (6, 10)),
    ("visit", "红色教育基地参观学习", 7, 1, (4, 7)),
    ("other", "职工代表座谈会", 8, 12, (4, 6)),
    ("sports", "职工乒乓球比赛", 9, 18, (4, 8)),
    ("rest", "劳模职工疗休养", 10, 15, (3, 5)),
    ("study", "学习贯彻全会精神宣讲", 11, 20, (6, 10)),
]
COSTS = {"迎新春文艺联欢会": ("3000", Funding.UNION), "职工趣味运动会": ("5000", Funding.UNION),
         "劳模职工疗休养": ("16000", Funding.ADMIN), "红色教育基地参观学习": ("1800", Funding.UNION)}
HOSPITAL = "滨江区人民医院"
RED_CROSS = "滨江区红十字会"
COLLEGE = "滨江区职业技术学校"
MEMBER_UNION = "LJ-001"  # huiyuan's union
SIGN_UP_KINDS = ("sports", "visit", "rest")  # the kinds people sign up for beforehand


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _kind(code: str) -> ActivityKind:
    return ActivityKind.objects.get(code=code)


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx, self.actor, self.rng, self.today = ctx, ctx.actor, ctx.rng, ctx.today
        self.members: dict[int, list[Member]] = {}
        self.checkins = 0

    def members_of(self, org, *, on: dt.date, women: bool = False) -> list[Member]:
        if org.pk not in self.members:
            self.members[org.pk] = list(Member.objects.filter(org_path__startswith=org.path, status__in=GOOD_STANDING,
                                                              user__isnull=True).select_related("org").order_by("id"))
        return [m for m in self.members[org.pk] if m.joined_on <= on and (not women or m.gender == Gender.FEMALE)]

    def activity(self, org, code: str, title: str, day: dt.date, *, hours=(14, 16), status=Status.DONE, **kw):
        return services.activity_create(actor=self.actor, org=org, kind=_kind(code), title=title, starts_at=_at(day, hours[0]),
                                        ends_at=_at(day, hours[1], 30), status=status, place=kw.pop("place", "工会活动室"), **kw)

    def attend(self, activity, people, *, guests=(), seq=1):
        """Staff check `people` and the non-member `guests` in at session `seq`."""
        session = activity.sessions.get(seq=seq)
        for m in people:
            attendance.checkin_record(actor=self.actor, session=session, member=m)
        for name in guests:
            attendance.checkin_record(actor=self.actor, session=session, name=name)
        self.checkins += len(people) + len(guests)

    def sign_up(self, activity, people):
        return [attendance.registration_add(actor=self.actor, activity=activity, member=m) for m in people]

    def pick(self, pool: list, n: int) -> list:
        return self.rng.sample(pool, min(n, len(pool)))


def populate(ctx: DemoContext) -> None:
    b = _Builder(ctx)
    orgs = [ctx.orgs[c] for c in UNIONS if c in ctx.orgs]
    top = next((o for o in ctx.orgs.values() if o.parent_id is None), None)
    if not orgs or top is None:
        return
    hospital = services.partner_create(actor=ctx.actor, org=top, name=HOSPITAL, category=PartnerCategory.HOSPITAL,
                                       contact="医务科", note="义诊、健康讲座")
    red_cross = services.partner_create(actor=ctx.actor, org=top, name=RED_CROSS, category=PartnerCategory.SOCIAL)
    college = services.partner_create(actor=ctx.actor, org=top, name=COLLEGE, category=PartnerCategory.SCHOOL)
    for year in (ctx.today.year - 1, ctx.today.year):
        for org in orgs:
            _year_of(b, org, year, red_cross)
        _health(b, ctx.orgs.get("LJ-003") or orgs[0], year, hospital)
    _training(b, ctx, college)
    _study(b, ctx)
    _upcoming(b, ctx)
    ctx.notes.append(
        f"活动与培训：{len(orgs)}家工会去年和今年的各类活动（签到约{b.checkins}人次）、两期培训班（女工培训班含答卷成绩）、"
        f"{HOSPITAL}参与的健康义诊、读书月学习任务；临江精机工会有报名中的活动（其中一项名额已满、有候补），"
        f"会员账号 huiyuan 可在手机上报名。")


def _year_of(b: _Builder, org, year: int, red_cross) -> None:
    for code, title, month, day, (low, high) in YEAR_PLAN:
        on = dt.date(year, month, day)
        # Every kind at the member's own union this year; elsewhere a union skips some.
        keep = org == b.ctx.orgs.get(MEMBER_UNION) and year == b.today.year
        if on >= b.today or (b.rng.random() < (0.6 if year < b.today.year else 0.35) and not keep):
            continue
        women = code == "women"
        pool = b.members_of(org, on=on, women=women)
        if len(pool) < low:
            continue
        cost, funding = COSTS.get(title, ("0", Funding.NONE))
        extra = {"partners": [red_cross], "beneficiaries": b.rng.randint(3, 6) * 10} if code == "volunteer" else {}
        if code == "contest":
            extra = {"quiz_name": "安全生产知识竞赛答卷", "quiz_pass": "60"}
        a = b.activity(org, code, title, on, cost=cost, funding=funding, target=Target.WOMEN if women else Target.ALL,
                       hours=(9, 11) if code in ("volunteer", "visit") else (14, 16), **extra)
        came = b.pick(pool, b.rng.randint(low, high))
        stayed_away = [m for m in b.pick(pool, len(came) + 3) if m not in came][:b.rng.randint(0, 3)]
        if code in SIGN_UP_KINDS:  # some signed up beforehand, and a few of those never came
            b.sign_up(a, came[: len(came) // 3] + stayed_away)
        b.attend(a, came, guests=[b.ctx.person() + "（家属）" for _ in range(b.rng.randint(0, 2))] if code == "festival" else ())
        if code == "contest":
            for reg in a.registrations.filter(member__in=came).order_by("id"):
                attendance.score_record(actor=b.actor, registration=reg, score=str(b.rng.randint(11, 20) * 5))


def _health(b: _Builder, org, year: int, hospital) -> None:
    """健康义诊 at the community union with the district hospital: members and residents."""
    for month, day in ((5, 16), (10, 18)) if year == b.today.year else ((9, 20),):
        on = dt.date(year, month, day)
        if on >= b.today:
            continue
        a = b.activity(org, "health", "送医进社区健康义诊", on, hours=(8, 11), partners=[hospital], target=Target.RESIDENTS,
                       beneficiaries=b.rng.randint(6, 9) * 10, funding=Funding.PARTNER, place="社区服务中心广场")
        b.attend(a, b.pick(b.members_of(org, on=on), b.rng.randint(6, 10)), guests=[b.ctx.person() for _ in range(4)])


def _training(b: _Builder, ctx: DemoContext, college) -> None:
    """This year's two classes (a 女工培训班 with a quiz at LJ-001 and the district's 工会干部
    培训班), and last year's 安全生产培训班 at LJ-001 for the comparison."""
    lj, district = ctx.orgs.get("LJ-001"), ctx.orgs.get("BJ")
    if lj is None or district is None:
        return
    year = ctx.today.year
    plans = [
        (lj, "女工培训班", dt.date(year, 4, 15), Target.WOMEN, "妇女权益保障法知识答卷",
         [("女职工权益保护专项法规解读", "王丽", "区总工会女职工部部长", "3"), ("女职工劳动保护与职业健康", "陈静", "区人民医院主任医师", "3"),
          ("家庭教育与心理调适", "刘芳", "国家二级心理咨询师", "2")], 16, []),
        (district, "工会干部培训班", dt.date(year, 6, 10), Target.ALL, "",
         [("新时代工会工作", "赵建国", "区总工会副主席", "3"), ("工会经费管理与使用", "孙敏", "区总工会财务部部长", "3")], 0, [college]),
        (lj, "安全生产培训班", dt.date(year - 1, 5, 20), Target.ALL, "",
         [("安全生产法解读", "周强", "区应急管理局安全监管科科长", "3"), ("岗位安全操作规程", "吴磊", "公司安全总监", "3")], 0, []),
    ]
    for org, title, start, target, quiz, sessions, quizzed, partners in plans:
        if start >= ctx.today:
            continue
        first = sessions[0]
        a = services.activity_create(actor=ctx.actor, org=org, kind=_kind("training"), title=title, is_training=True,
                                     starts_at=_at(start, 9), ends_at=_at(start, 12), hours=first[3], target=target,
                                     quiz_name=quiz, quiz_pass="60" if quiz else None, partners=partners,
                                     cost="2000", funding=Funding.UNION, status=Status.DONE, place="职工培训中心")
        services.session_update(actor=ctx.actor, session=a.sessions.get(seq=1), topic=first[0], teacher=first[1],
                                 teacher_title=first[2])
        for i, (topic, teacher, teacher_title, hours) in enumerate(sessions[1:], start=1):
            day = start + dt.timedelta(days=i)
            services.session_add(actor=ctx.actor, activity=a, starts_at=_at(day, 9), ends_at=_at(day, 12), hours=hours,
                                 topic=topic, teacher=teacher, teacher_title=teacher_title)
        if org.pk == district.pk:  # two or three people from each grassroots union of the district
            pool = [m for o in ctx.orgs.values() if o.level == Level.GRASSROOTS and o.is_active
                    for m in b.members_of(o, on=start)[:3]]
            trainees = b.pick(pool, 20)
        else:
            trainees = b.pick(b.members_of(org, on=start, women=target == Target.WOMEN), 18 if quiz else 14)
        for seq in range(1, len(sessions) + 1):
            b.attend(a, [m for i, m in enumerate(trainees) if seq == 1 or i % (seq + 3)], seq=seq)
        if quiz:
            for m in trainees[:quizzed]:
                reg = a.registrations.get(member=m)
                attendance.score_record(actor=ctx.actor, registration=reg, score=str(b.rng.choice([55, 68, 72, 80, 85, 90, 95, 100])))


def _study(b: _Builder, ctx: DemoContext) -> None:
    """读书月 at LJ-001 for one of its branches: due three weeks ago, about three members in
    four handed in; and a study assignment of the street union still open."""
    lj, street = ctx.orgs.get("LJ-001"), ctx.orgs.get("BJ-LJ")
    if lj is None:
        return
    starts = max(ctx.today - dt.timedelta(days=100), dt.date(ctx.today.year, 1, 1))
    due = ctx.today - dt.timedelta(days=21)
    if due > starts:
        # for the members of one branch (a whole union's pieces would slow the demo down)
        branch = next((o for o in ctx.orgs.values() if o.parent_id == lj.pk), lj)
        task = study.assignment_create(actor=ctx.actor, org=lj, target_org=branch if branch != lj else None,
                                       title=f"{ctx.today.year}年职工读书月", starts_on=starts, due_on=due, noun="读书心得",
                                       books="《大国工匠》《平凡的世界》", description="每人读一本书，写一篇读书心得。")
        readers = b.members_of(branch, on=starts)
        for m in b.pick(readers, len(readers) * 3 // 4):
            study.submission_add(actor=ctx.actor, assignment=task, member=m, title="读书心得",
                                 text="通过读书，进一步增强了爱岗敬业、精益求精的意识。", submitted_on=b.ctx.date_between(starts, due))
    if street is not None:
        study.assignment_create(actor=ctx.actor, org=street, title="学习新修订的工会法", starts_on=ctx.today - dt.timedelta(days=7),
                                due_on=ctx.today + dt.timedelta(days=10), noun="学习心得", description="结合本职工作写一篇学习心得。")


def _upcoming(b: _Builder, ctx: DemoContext) -> None:
    """Open for sign-up at LJ-001 and its street union: one full (a waiting list of four), one
    not; huiyuan is left to sign up."""
    lj, street = ctx.orgs.get(MEMBER_UNION), ctx.orgs.get("BJ-LJ")
    if lj is None:
        return
    soon = ctx.today + dt.timedelta(days=5)
    full = b.activity(lj, "sports", "职工羽毛球比赛", soon, capacity=20, status=Status.OPEN, place="公司体育馆",
                      signup_ends_at=_at(soon - dt.timedelta(days=1), 18))
    b.sign_up(full, b.pick(b.members_of(lj, on=ctx.today), 24))
    lecture = b.activity(lj, "training", "职工心理健康讲座", ctx.today + dt.timedelta(days=8), capacity=60, status=Status.OPEN,
                         place="公司多功能厅")
    b.sign_up(lecture, b.pick(b.members_of(lj, on=ctx.today), 8))
    if street is not None:
        walk = b.activity(street, "sports", "秋冬季职工健步走", ctx.today + dt.timedelta(days=12), status=Status.OPEN,
                          hours=(8, 10), place="滨江公园")
        b.sign_up(walk, b.pick(b.members_of(lj, on=ctx.today), 10))
    b.activity(lj, "festival", "元旦职工游园会", ctx.today + dt.timedelta(days=25), status=Status.PLANNED)
    rained = b.activity(lj, "visit", "户外拓展训练", ctx.today - dt.timedelta(days=40), status=Status.PLANNED)
    services.activity_set_status(actor=ctx.actor, activity=rained, status=Status.CANCELLED, reason="遇暴雨天气取消")
