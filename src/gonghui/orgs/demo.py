"""Demo union tree: one district federation, its streets and industries, ~30
grassroots unions with branches and groups, and committee terms."""

from __future__ import annotations

import datetime as dt

from gonghui.core.demo import DemoContext
from gonghui.core.validators import USCC_ALPHABET, uscc_check_char
from gonghui.orgs import services
from gonghui.orgs.models import HomeLevel, Kind, Position

DISTRICT = ("BJ", "滨江区总工会", "区总工会", Kind.DISTRICT)

REGIONS = [
    ("BJ-LJ", "临江街道工会", "临江街道", Kind.STREET),
    ("BJ-WH", "望湖街道工会", "望湖街道", Kind.STREET),
    ("BJ-QS", "青石街道工会", "青石街道", Kind.STREET),
    ("BJ-JY", "滨江区教育工会", "区教育工会", Kind.INDUSTRY),
    ("BJ-WJ", "滨江区卫生健康工会", "区卫健工会", Kind.INDUSTRY),
    ("BJ-JZ", "滨江区建筑业工会", "区建筑业工会", Kind.INDUSTRY),
]

# (parent region code, code, name, short name, kind, employees, branches)
GRASSROOTS = [
    ("BJ-LJ", "LJ-001", "临江精密机械有限公司工会委员会", "临江精机工会", Kind.ENTERPRISE, 386, ["一车间分会", "二车间分会", "机关分会"]),
    ("BJ-LJ", "LJ-002", "临江社区工会", "临江社区工会", Kind.COMMUNITY, 46, []),
    ("BJ-LJ", "LJ-003", "富兴社区工会", "富兴社区工会", Kind.COMMUNITY, 38, []),
    ("BJ-LJ", "LJ-004", "江岸物流股份有限公司工会委员会", "江岸物流工会", Kind.ENTERPRISE, 512, ["运输分会", "仓储分会"]),
    ("BJ-LJ", "LJ-005", "临江街道机关工会", "街道机关工会", Kind.ORGAN, 64, []),
    ("BJ-LJ", "LJ-006", "临江小微企业联合工会", "临江联合工会", Kind.JOINT, 173, []),
    ("BJ-WH", "WH-001", "望湖电子科技有限公司工会委员会", "望湖电子工会", Kind.ENTERPRISE, 728, ["研发中心分会", "生产部分会", "质量部分会"]),
    ("BJ-WH", "WH-002", "望湖社区工会", "望湖社区工会", Kind.COMMUNITY, 41, []),
    ("BJ-WH", "WH-003", "湖畔花园社区工会", "湖畔社区工会", Kind.COMMUNITY, 33, []),
    ("BJ-WH", "WH-004", "绿源食品有限公司工会委员会", "绿源食品工会", Kind.ENTERPRISE, 264, ["生产分会"]),
    ("BJ-WH", "WH-005", "望湖商圈新就业形态联合工会", "商圈联合工会", Kind.JOINT, 219, []),
    ("BJ-WH", "WH-006", "望湖街道机关工会", "街道机关工会", Kind.ORGAN, 58, []),
    ("BJ-QS", "QS-001", "青石新材料股份有限公司工会委员会", "青石新材工会", Kind.ENTERPRISE, 455, ["一分厂分会", "二分厂分会"]),
    ("BJ-QS", "QS-002", "青石社区工会", "青石社区工会", Kind.COMMUNITY, 36, []),
    ("BJ-QS", "QS-003", "恒泰纺织有限公司工会委员会", "恒泰纺织工会", Kind.ENTERPRISE, 301, ["织造分会"]),
    ("BJ-QS", "QS-004", "青石街道机关工会", "街道机关工会", Kind.ORGAN, 52, []),
    ("BJ-QS", "QS-005", "青石区域快递员联合工会", "快递联合工会", Kind.JOINT, 148, []),
    ("BJ", "JG-001", "滨江区人力资源和社会保障局机关工会", "区人社局工会", Kind.ORGAN, 96, []),
    ("BJ", "JG-002", "滨江区住房和城乡建设局机关工会", "区住建局工会", Kind.ORGAN, 88, []),
    ("BJ-JY", "JY-001", "滨江区第一实验小学工会", "一实小工会", Kind.INSTITUTION, 112, []),
    ("BJ-JY", "JY-002", "滨江区江南中学工会", "江南中学工会", Kind.INSTITUTION, 168, ["初中部分会", "高中部分会"]),
    ("BJ-JY", "JY-003", "滨江区临江幼儿园工会", "临江幼儿园工会", Kind.INSTITUTION, 47, []),
    ("BJ-JY", "JY-004", "滨江区职业技术学校工会", "区职校工会", Kind.INSTITUTION, 133, []),
    ("BJ-WJ", "WJ-001", "滨江区人民医院工会", "区人民医院工会", Kind.INSTITUTION, 862, ["内科分会", "外科分会", "医技分会", "行政后勤分会"]),
    ("BJ-WJ", "WJ-002", "滨江区妇幼保健院工会", "区妇保院工会", Kind.INSTITUTION, 241, []),
    ("BJ-WJ", "WJ-003", "望湖社区卫生服务中心工会", "望湖卫生中心工会", Kind.INSTITUTION, 57, []),
    ("BJ-JZ", "JZ-001", "滨江建工集团有限公司工会委员会", "滨江建工工会", Kind.ENTERPRISE, 934, ["第一项目部分会", "第二项目部分会", "机关分会"]),
    ("BJ-JZ", "JZ-002", "宏远市政工程有限公司工会委员会", "宏远市政工会", Kind.ENTERPRISE, 287, []),
    ("BJ-JZ", "JZ-003", "滨江区建筑工地农民工联合工会", "工地联合工会", Kind.JOINT, 412, []),
    ("BJ-JZ", "JZ-004", "安居装饰工程有限公司工会委员会", "安居装饰工会", Kind.ENTERPRISE, 126, []),
]

STREET_ADDR = {"LJ": "临江路", "WH": "望湖大道", "QS": "青石街", "JG": "江滨路", "JY": "学院路", "WJ": "康宁路", "JZ": "建设路"}


def demo_uscc(ctx: DemoContext) -> str:
    body = "81" + "330108" + "".join(ctx.rng.choice(USCC_ALPHABET[:10] + "ABCDEFGHJKLMN") for _ in range(9))
    return body + uscc_check_char(body)


def _phone(ctx: DemoContext) -> str:
    return "1" + ctx.rng.choice("35789") + "".join(str(ctx.rng.randint(0, 9)) for _ in range(9))


def _elect(ctx: DemoContext, org, *, terms: int, size: int) -> None:
    year = ctx.today.year
    first = dt.date(year - 5 * terms + ctx.rng.randint(1, 3), ctx.rng.randint(1, 12), ctx.rng.randint(1, 28))
    for i in range(terms):
        elected = first.replace(year=first.year + 5 * i)
        if elected > ctx.today:
            break
        officers = [{"name": ctx.person(), "position": Position.CHAIR}, {"name": ctx.person(), "position": Position.VICE_CHAIR}]
        if org.has_audit_committee:
            officers.append({"name": ctx.person(), "position": Position.AUDIT_CHIEF})
        if org.has_women_committee:
            officers.append({"name": ctx.person(), "position": Position.WOMEN_CHIEF})
        officers += [{"name": ctx.person(), "position": Position.MEMBER} for _ in range(max(0, size - len(officers)))]
        services.committee_elect(actor=ctx.actor, org=org, elected_on=elected, officers=officers)


HOME_BODIES = {HomeLevel.DISTRICT: ("滨江区总工会", "滨工"), HomeLevel.CITY: ("杭州市总工会", "杭工"),
               HomeLevel.PROVINCE: ("浙江省总工会", "浙工"), HomeLevel.NATIONAL: ("中华全国总工会", "总工")}


def _confer(ctx: DemoContext, org, level) -> None:
    """The union's 职工之家 history leading to `level`: a 区县级 award first, then the higher
    one. Dates follow from the union (no draw from the rng, so the rest of the demo is the
    same whatever the levels); the 人社局 union gains 市级 in June of last year, which its
    summary for that year states."""
    if level == HomeLevel.NONE:
        return
    ladder = [HomeLevel.DISTRICT] + ([level] if level != HomeLevel.DISTRICT else [])
    last = dt.date(ctx.today.year - 1, 6, 18) if org.code == "JG-001" else dt.date(ctx.today.year - 2 - org.pk % 3, 11, 20)
    dates = [dt.date(last.year - 3, 12, 10), last][-len(ladder):]
    for step, on in zip(ladder, dates, strict=True):
        if org.founded_on and on < org.founded_on:
            on = org.founded_on
        body, prefix = HOME_BODIES[step]
        services.home_level_add(actor=ctx.actor, org=org, level=step, conferred_on=min(on, ctx.today), conferred_by=body,
                                document_no=f"{prefix}〔{on.year}〕{10 + org.pk % 40}号")


def populate(ctx: DemoContext) -> None:
    actor, rng = ctx.actor, ctx.rng
    code, name, short, kind = DISTRICT
    district = services.org_create(
        actor=actor, parent=None, code=code, name=name, short_name=short, kind=kind, uscc=demo_uscc(ctx),
        employee_count=0, address="滨江区江滨路88号", contact_name=ctx.person(), contact_phone="0571-86600001",
        founded_on=dt.date(1996, 5, 1), has_separate_account=True, home_level=HomeLevel.NONE,
        has_women_committee=True, has_audit_committee=True,
    )
    ctx.orgs[code] = district
    _elect(ctx, district, terms=2, size=9)
    for code, name, short, kind in REGIONS:
        org = services.org_create(
            actor=actor, parent=district, code=code, name=name, short_name=short, kind=kind, uscc=demo_uscc(ctx),
            employee_count=0, address=f"滨江区{STREET_ADDR.get(code[3:5], '江滨路')}{rng.randint(1, 300)}号",
            contact_name=ctx.person(), contact_phone=_phone(ctx), founded_on=dt.date(rng.randint(2000, 2012), rng.randint(1, 12), 1),
            has_separate_account=True, has_women_committee=True, has_audit_committee=True,
        )
        ctx.orgs[code] = org
        _elect(ctx, org, terms=2, size=7)
    homes = [HomeLevel.NONE] * 5 + [HomeLevel.DISTRICT] * 3 + [HomeLevel.CITY, HomeLevel.PROVINCE]
    for parent_code, code, name, short, kind, employees, branches in GRASSROOTS:
        fields = dict(  # drawn in this order, so the seeded demo stays as it was
            parent=ctx.orgs[parent_code], code=code, name=name, short_name=short, kind=kind,
            uscc=demo_uscc(ctx), employee_count=employees,
            address=f"滨江区{STREET_ADDR.get(code[:2], '江滨路')}{rng.randint(1, 500)}号",
            contact_name=ctx.person(), contact_phone=_phone(ctx),
            founded_on=dt.date(rng.randint(1998, 2022), rng.randint(1, 12), rng.randint(1, 28)),
            has_separate_account=employees > 100,
        )
        home = rng.choice(homes)
        if code == "JG-001":  # the 机关 union of the demo's summaries: 市级 last June
            home = HomeLevel.CITY
        org = services.org_create(
            actor=actor, **fields,
            has_women_committee=employees > 60 or rng.random() < 0.5, has_audit_committee=employees > 80 or rng.random() < 0.6,
        )
        ctx.orgs[code] = org
        _confer(ctx, org, home)
        _elect(ctx, org, terms=rng.choice([1, 2, 2]), size=5 if employees < 200 else 7)
        for i, branch in enumerate(branches, start=1):
            b = services.org_create(
                actor=actor, parent=org, code=f"{code}-{i:02d}", name=f"{short}{branch}", short_name=branch, kind=Kind.BRANCH,
                employee_count=employees // (len(branches) + 1), contact_name=ctx.person(), contact_phone=_phone(ctx),
                has_women_committee=False, has_audit_committee=False,
            )
            ctx.orgs[b.code] = b
            if i == 1 and employees > 300:
                for g in range(1, 3):
                    group = services.org_create(
                        actor=actor, parent=b, code=f"{b.code}-{g}", name=f"{b.name}第{g}工会小组", short_name=f"第{g}小组",
                        kind=Kind.GROUP, employee_count=0,
                    )
                    ctx.orgs[group.code] = group
    # A union that closed: kept with its history, out of the active figures.
    closed = services.org_create(
        actor=actor, parent=ctx.orgs["BJ-QS"], code="QS-099", name="青石服装加工厂工会（已注销）", short_name="青石服装厂工会",
        kind=Kind.ENTERPRISE, employee_count=0, founded_on=dt.date(2003, 3, 8),
    )
    services.org_deactivate(actor=actor, org=closed, reason="企业注销", on=ctx.today - dt.timedelta(days=400))
    ctx.orgs[closed.code] = closed
