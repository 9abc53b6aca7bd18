"""Demo roster: ~3,000 members over the demo unions, joined over several years, imported
through the real importer; then transfers, retirements, withdrawals and reservations
through the services; and one member with a self-service login."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from gonghui.core.demo import DEMO_PASSWORD, SURNAMES, DemoContext
from gonghui.core.validators import id_check_char
from gonghui.members import services
from gonghui.members.choices import EventKind
from gonghui.members.models import Member
from gonghui.members.sheets import members_import
from gonghui.orgs.models import Level

# Given names that read as a man's or a woman's: a member's name must agree with the
# gender their ID number carries (DemoContext.person() picks from one mixed list).
MALE_GIVEN = ["伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "华", "建华", "建国", "志强", "鹏", "辉", "宇",
              "浩", "凯", "文", "斌", "亮", "博", "健", "坤", "波", "峰", "东", "雷", "子轩", "思远", "晓东", "立新", "国庆",
              "卫东", "志刚", "永强", "海涛", "俊杰", "文博", "明轩", "浩然", "宏伟", "晓明", "建军", "志明", "德华"]
FEMALE_GIVEN = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "秀英", "霞", "桂英", "海燕", "丹", "萍", "玲", "红", "欣", "怡", "婷",
                "雪", "琳", "晶", "颖", "瑶", "倩", "梅", "莉", "兰", "凤", "燕", "春梅", "秋菊", "玉兰", "金凤", "雨欣", "嘉怡",
                "佳琪", "丽娟", "淑珍", "美玲", "梓涵", "晓燕"]


def person_name(ctx: DemoContext, *, male: bool) -> str:
    return ctx.rng.choice(SURNAMES) + ctx.rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)


REGIONS = ["330108", "330106", "330102", "340104", "320106", "410105", "510107", "430102"]
EDU = ["初中", "高中/中专/技校", "高中/中专/技校", "大专", "大专", "本科", "本科", "本科", "硕士研究生"]
POLITICAL = ["群众"] * 6 + ["中共党员", "中共党员", "共青团员"]


def _roster_rows(ctx: DemoContext, org, n: int, used: set) -> list[dict]:
    rng, rows = ctx.rng, []
    joint = org.kind == "joint"
    while len(rows) < n:
        birth = ctx.date_between(dt.date(1966, 1, 1), dt.date(2003, 12, 31))
        male = rng.random() < (0.62 if org.kind in ("enterprise", "joint") else 0.45)
        seq = f"{rng.randint(0, 99):02d}{rng.choice('13579' if male else '02468')}"
        body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{seq}"
        number = body + id_check_char(body)
        if number in used:
            continue
        used.add(number)
        adult = birth.replace(year=birth.year + 18) if not (birth.month == 2 and birth.day == 29) else birth.replace(year=birth.year + 18, day=28)
        joined = ctx.date_between(max(adult, dt.date(2012, 1, 1)), ctx.today - dt.timedelta(days=3))
        rows.append({
            "姓名": person_name(ctx, male=male), "身份证号": number, "手机号": "1" + rng.choice("35789") + "".join(str(rng.randint(0, 9)) for _ in range(9)),
            "学历": rng.choice(EDU), "政治面貌": rng.choice(POLITICAL), "户籍类型": "农村户籍" if joint or rng.random() < 0.3 else "城镇户籍",
            "是否农民工": "是" if joint and rng.random() < 0.7 or rng.random() < 0.08 else "否",
            "新就业形态": rng.choice(["快递员", "外卖送餐员", "网约车司机", "货车司机"]) if joint and rng.random() < 0.5 else "否",
            "入会时间": joined.isoformat(), "会员证号": f"{org.code}-{len(rows) + 1:04d}",
        })
    return rows


def populate(ctx: DemoContext) -> None:
    from gonghui.members.sheets import HEADERS, write_roster

    used: set[str] = set()
    grassroots = [o for o in ctx.orgs.values() if o.level == Level.GRASSROOTS and o.is_active]
    with tempfile.TemporaryDirectory() as tmp:
        for org in grassroots:
            branches = [o for o in ctx.orgs.values() if o.parent_id == org.pk and o.is_active]
            # Roughly 70–95 % of a union's employees are members, capped to keep the demo small.
            n = min(int(org.employee_count * ctx.rng.uniform(0.7, 0.95)), 190)
            rows = _roster_rows(ctx, org, n, used)
            for row in rows:
                if branches and ctx.rng.random() < 0.6:
                    row["所属工会编码"] = ctx.rng.choice(branches).code
            path = write_roster(Path(tmp) / f"{org.code}.xlsx", rows, HEADERS)
            report = members_import(actor=ctx.actor, path=path, org=org)
            assert report.written, (org.code, report.errors[:3], report.file_error)
    # History: a few of each kind of change, dated after each member joined.
    members = list(Member.objects.order_by("id"))
    ctx.rng.shuffle(members)
    today = ctx.today
    for m in sorted(members[:400], key=lambda m: m.birth_date)[:40]:
        services.member_record_event(actor=ctx.actor, member=m, kind=EventKind.RETIRE, on=ctx.date_between(max(m.joined_on, dt.date(2023, 1, 1)), today))
    for m in members[400:425]:
        services.member_record_event(actor=ctx.actor, member=m, kind=EventKind.WITHDRAW, on=ctx.date_between(m.joined_on, today), note="本人申请")
    for m in members[425:440]:
        services.member_record_event(actor=ctx.actor, member=m, kind=EventKind.RESERVE, on=ctx.date_between(m.joined_on, today), note="离岗待业，保留会籍")
    targets = [o for o in grassroots]
    for m in members[440:480]:
        to = ctx.rng.choice([o for o in targets if o.pk != m.org_id])
        t = services.transfer_propose(actor=ctx.actor, member=m, to_org=to, on=ctx.date_between(m.joined_on, today), note="工作调动")
        services.transfer_confirm(actor=ctx.actor, transfer=t)
    for m in members[480:485]:
        to = ctx.rng.choice([o for o in targets if o.pk != m.org_id])
        services.transfer_propose(actor=ctx.actor, member=m, to_org=to, on=today, note="工作调动，待接收")
    # A member who logs in from a phone to see their own record.
    from gonghui.access.permissions import Role
    from gonghui.accounts import services as accounts

    member = Member.objects.filter(org=ctx.orgs["LJ-001"], status="active").order_by("id").first()
    user = accounts.user_create(actor=ctx.actor, username="huiyuan", full_name=member.name, password=DEMO_PASSWORD,
                                org=member.org, role=Role.MEMBER, must_change_password=False)
    Member.objects.filter(pk=member.pk).update(user=user)
    ctx.logins.append(("huiyuan", DEMO_PASSWORD, "会员", member.org.name))
    ctx.notes.append(f"huiyuan 是会员“{member.name}”的本人账号，登录后可查看本人信息并申请修改手机号、学历。")
