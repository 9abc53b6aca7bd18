"""The genre set's records: six unions of different kinds in one district, with a year and a
half of the work their summaries report, written as the rows a union's staff would type into
the import templates (column names as in `gonghui template KIND`, without the *).

    江北区总工会 (区县总工会)                                      district
    ├── 城南街道工会 (街道工会)                                     street
    │   ├── 福安社区工会 (社区工会)                                 community
    │   └── 恒信精工有限公司工会委员会 (企业工会)                    enterprise
    │       ├── 一车间分会 ── 一车间甲班工会小组
    │       ├── 装配车间分会
    │       └── 机关分会
    ├── 江北区人力资源和社会保障局机关工会 (机关工会)                organ
    └── 江北区实验小学工会 (事业单位工会)                           institution

People are listed by name, gender and birth date; their ID numbers are derived (valid check
character) so the data stays readable. Who received what is written per occasion below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gonghui.core.validators import id_check_char

D = dt.date


@dataclass(frozen=True)
class Person:
    name: str
    male: bool
    birth: dt.date
    joined: dt.date
    branch: str = ""  # 所属工会编码 (a 分会 or 工会小组 of the importing union)
    duty: str = ""
    migrant: bool = False

    @property
    def id_number(self) -> str:
        return id_number(self)


_SERIALS: dict[tuple[str, dt.date], int] = {}


def id_number(p: Person) -> str:
    """A valid 身份证号 for the person: region 330105, the birth date, an order code by gender."""
    key = (p.name, p.birth)
    if key not in _SERIALS:
        _SERIALS[key] = len(_SERIALS) + 1
    n = _SERIALS[key] % 498 + 1
    seq = f"{n:02d}"[-2:] + str((1 if p.male else 2) + 2 * (n % 4))
    body = f"330105{p.birth:%Y%m%d}{seq}"
    return body + id_check_char(body)


def people(names: str, *, born: int, joined: dt.date, branch: str = "", migrant: bool = False) -> list[Person]:
    """Persons from "王建华男 李秀英女 …": birth dates spread over the years from `born`."""
    out = []
    for i, token in enumerate(names.split()):
        name, sex = token[:-1], token[-1]
        out.append(Person(name, sex == "男", D(born + (i * 7) % 9, 1 + (i * 5) % 12, 1 + (i * 11) % 28), joined, branch,
                          migrant=migrant))
    return out


@dataclass
class Union:
    key: str  # the expected drafts' file prefix
    code: str
    name: str
    short: str
    kind: str  # 类型, as the template's drop-down writes it
    parent: str
    employees: int | None = None
    founded: dt.date | None = None
    subtree: bool = False  # its drafts sum the unions below it (a federation)
    members: list[Person] = field(default_factory=list)


# --- the tree ------------------------------------------------------------------------------------

DISTRICT = Union("district", "JB", "江北区总工会", "区总工会", "区县总工会", "", subtree=True)
STREET = Union("street", "JB-CN", "城南街道工会", "城南街道工会", "街道工会", "JB", subtree=True)
COMMUNITY = Union("community", "CN-FA", "福安社区工会", "福安社区工会", "社区工会", "JB-CN", employees=26, founded=D(2012, 5, 8))
ENTERPRISE = Union("enterprise", "CN-HX", "恒信精工有限公司工会委员会", "恒信精工工会", "企业工会", "JB-CN", employees=60,
                   founded=D(2009, 10, 16))
ORGAN = Union("organ", "JB-RS", "江北区人力资源和社会保障局机关工会", "区人社局工会", "机关工会", "JB", employees=48,
              founded=D(2003, 6, 20))
INSTITUTION = Union("institution", "JB-SX", "江北区实验小学工会", "实验小学工会", "事业单位工会", "JB", employees=62,
                    founded=D(1998, 9, 1))
UNIONS = [DISTRICT, STREET, COMMUNITY, ENTERPRISE, ORGAN, INSTITUTION]

BRANCHES = [  # (code, name, kind, parent, employees)
    ("HX-1", "一车间分会", "分会", "CN-HX", 24),
    ("HX-1A", "一车间甲班工会小组", "工会小组", "HX-1", 9),
    ("HX-2", "装配车间分会", "分会", "CN-HX", 20),
    ("HX-3", "机关分会", "分会", "CN-HX", 12),
]

MEMBERSHIP_TARGET = 85  # the district's 入会率 target (%), set on the district


def org_rows() -> list[dict]:
    rows = []
    for u in UNIONS:
        rows.append({"工会编码": u.code, "工会名称": u.name, "简称": u.short, "类型": u.kind, "上级工会编码": u.parent,
                     "职工人数": u.employees, "成立日期": u.founded, "设立女职工委员会": "是", "设立经费审查委员会": "是"})
    for code, name, kind, parent, employees in BRANCHES:
        rows.append({"工会编码": code, "工会名称": name, "类型": kind, "上级工会编码": parent, "职工人数": employees})
    return rows


# --- members ---------------------------------------------------------------------------------------

COMMUNITY.members = (
    people("刘桂英女 张建国男 王秀兰女 陈海燕女 李志强男 赵玉兰女 孙丽娟女 周德华男 吴春梅女 郑立新男 钱淑珍女 冯晓东男 "
           "褚美玲女 卫国庆男 蒋金凤女 沈卫东男 韩秋菊女 杨永强男", born=1968, joined=D(2016, 4, 12))
    + people("朱晓燕女 秦海涛男 尤雨欣女 许俊杰男", born=1990, joined=D(2025, 3, 18))
    + people("何嘉怡女 吕文博男", born=1995, joined=D(2026, 4, 9))
)

ENTERPRISE.members = (
    people("陈志明男 林丽娟女 黄建军男 周晓明男 吴美玲女 徐宏伟男", born=1972, joined=D(2012, 3, 1), branch="HX-3")
    + people("马国庆男 胡春梅女 郭建华男 何海涛男 高晓东男 罗志刚男 梁永强男 宋丽女 谢俊杰男 唐明轩男 韩浩然男 冯晓燕女 "
             "曹立新男", born=1978, joined=D(2014, 6, 16), branch="HX-1", migrant=True)
    + people("邓卫东男 彭秀英女 曾建国男 肖德华男 田淑珍女 董志强男 袁海燕女 潘文博男 于佳琪女", born=1985,
             joined=D(2016, 9, 5), branch="HX-1A", migrant=True)
    + people("蒋春梅女 蔡建军男 余晓明男 杜丽娟女 叶志明男 程美玲女 苏国庆男 魏桂英女 吕俊杰男 丁海涛男 任金凤女 沈明轩男 "
             "姚立新男 卢秋菊女", born=1982, joined=D(2015, 5, 20), branch="HX-2")
    + people("姜浩然男 崔雨欣女 钟子轩男 谭一诺女 陆思远男 汪梓涵女 范晓东男 金佳琪女", born=1997, joined=D(2025, 3, 20),
             branch="HX-1", migrant=True)
    + people("石文博男 廖嘉怡女 贾明轩男", born=1999, joined=D(2026, 4, 10), branch="HX-2", migrant=True)
)
# the chair and vice-chair at the union's own level
ENTERPRISE.members = [
    Person("王建华", True, D(1970, 8, 12), D(2009, 10, 16), duty="工会主席"),
    Person("李秀英", False, D(1975, 2, 3), D(2010, 1, 8), duty="工会副主席"),
    *ENTERPRISE.members,
]

ORGAN.members = (
    people("张宏伟男 王丽娟女 李建军男 赵美玲女 刘志强男 陈海燕女 杨德华男 黄淑珍女 周建国男 吴秀兰女 徐立新男 孙春梅女 "
           "胡晓东男 朱金凤女 高永强男 林秋菊女 何志明男 郭桂英女 马国庆男 罗丽女 梁卫东男 宋晓燕女 郑海涛男 谢玉兰女 "
           "韩俊杰男 唐美玲女 冯建华男 于秀英女 董文博男 萧佳琪女 程浩然男 曹雨欣女 袁明轩男 邓嘉怡女 许思远男 傅一诺女 "
           "沈子轩男 曾梓涵女 彭晓明男 吕丽娟女 苏志刚男", born=1966, joined=D(2008, 7, 1))
    + people("卢文博男 蒋佳琪女 蔡思远男", born=1996, joined=D(2025, 9, 10))
)

INSTITUTION.members = (
    people("陈淑珍女 王丽娟女 李美玲女 张秀英女 刘海燕女 杨春梅女 赵晓燕女 黄桂英女 周玉兰女 吴金凤女 徐秋菊女 孙丽女 "
           "胡嘉怡女 朱雨欣女 高佳琪女 林梓涵女 何一诺女 郭丽娟女 马美玲女 罗秀英女 梁海燕女 宋春梅女 郑晓燕女 谢桂英女 "
           "韩玉兰女 唐金凤女 冯秋菊女 于丽女 董嘉怡女 程雨欣女 曹佳琪女 袁梓涵女 邓一诺女 许丽娟女 傅美玲女 沈秀英女 "
           "曾海燕女 彭春梅女 吕晓燕女 苏桂英女 卢玉兰女 蒋金凤女", born=1972, joined=D(2010, 9, 1))
    + people("张建华男 王志明男 李国庆男 刘立新男 陈晓东男 杨文博男 赵浩然男 黄思远男 周俊杰男 吴明轩男 徐子轩男 孙志强男",
             born=1970, joined=D(2010, 9, 1))
    + people("叶欣怡女 方雨桐女 石语嫣女 白子墨男", born=1998, joined=D(2025, 9, 1))
)


EDUCATION = {"community": "大专", "enterprise": "高中/中专/技校", "organ": "本科", "institution": "本科"}


def member_rows(u: Union) -> list[dict]:
    return [{"姓名": p.name, "身份证号": p.id_number, "性别": "男" if p.male else "女", "民族": "汉族",
             "手机号": f"139{int(p.id_number[-8:-1]) % 100000000:08d}", "学历": EDUCATION[u.key],
             "是否农民工": "是" if p.migrant else "否", "就业状态": "在岗", "所属工会编码": p.branch, "职务": p.duty,
             "入会时间": p.joined} for p in u.members]


def by_name(u: Union, *names: str) -> list[Person]:
    index = {p.name: p for p in u.members}
    return [index[n] for n in names]


def members_on(u: Union, day: dt.date, *, women: bool = False) -> list[Person]:
    return [p for p in u.members if p.joined <= day and (not women or not p.male)]


# Retirements and withdrawals are events on the roster (no template): (union, name, kind, date).
MEMBERSHIP_EVENTS = [
    (ENTERPRISE, "马国庆", "retire", D(2025, 6, 30)),
    (ENTERPRISE, "陈志明", "retire", D(2025, 11, 30)),
    (ENTERPRISE, "曹立新", "withdraw", D(2025, 4, 15)),
    (ORGAN, "张宏伟", "retire", D(2025, 9, 30)),
    (COMMUNITY, "张建国", "retire", D(2026, 3, 31)),
]

# Committee elections (换届), in order: (union, date, [(name, position)]).
ELECTIONS = [
    (ENTERPRISE, D(2015, 4, 20), [("王建华", "chair"), ("李秀英", "vice_chair")]),
    (ENTERPRISE, D(2020, 4, 16), [("王建华", "chair"), ("李秀英", "vice_chair"), ("徐宏伟", "audit_chief")]),
    (ENTERPRISE, D(2025, 4, 18), [("王建华", "chair"), ("李秀英", "vice_chair"), ("徐宏伟", "audit_chief"),
                                  ("林丽娟", "women_chief"), ("郭建华", "member"), ("蒋春梅", "member"), ("邓卫东", "member")]),
    (ORGAN, D(2021, 3, 12), [("刘志强", "chair"), ("王丽娟", "vice_chair"), ("黄淑珍", "women_chief")]),
    (INSTITUTION, D(2022, 6, 28), [("陈淑珍", "chair"), ("张建华", "vice_chair"), ("杨春梅", "women_chief")]),
    (COMMUNITY, D(2023, 12, 5), [("刘桂英", "chair"), ("李志强", "member"), ("孙丽娟", "member")]),
]


# --- hardship archives ---------------------------------------------------------------------------------
# (union, head, 申请日期, 致困原因, 家庭人口, 家庭年收入, tier, closed on)

ARCHIVES = [
    (COMMUNITY, "王秀兰", D(2024, 11, 20), "疾病", 3, 21000, "relative", None),
    (COMMUNITY, "赵玉兰", D(2024, 11, 20), "单亲、子女上学", 2, 15600, "deep", None),
    (COMMUNITY, "周德华", D(2024, 11, 22), "残疾", 3, 19800, "relative", None),
    (COMMUNITY, "钱淑珍", D(2024, 11, 25), "下岗失业", 4, 26400, "relative", D(2025, 10, 31)),
    (COMMUNITY, "沈卫东", D(2025, 6, 3), "疾病", 3, 17400, "accident", None),
    (ENTERPRISE, "胡春梅", D(2024, 12, 2), "疾病、子女上学", 4, 42000, "relative", None),
    (ENTERPRISE, "何海涛", D(2024, 12, 2), "子女上学", 4, 39600, "relative", None),
    (ENTERPRISE, "彭秀英", D(2024, 12, 5), "单亲", 2, 28800, "relative", D(2025, 12, 20)),
    (ENTERPRISE, "卢秋菊", D(2025, 2, 26), "意外事故", 3, 33000, "accident", None),
    (ORGAN, "梁卫东", D(2024, 12, 10), "疾病", 3, 52000, "accident", None),
    (INSTITUTION, "宋春梅", D(2025, 3, 3), "疾病", 3, 56000, "accident", None),
]


# --- assistance (帮扶记录 template) ---------------------------------------------------------------------
# (union the rows are imported into, file name, rows); a 批次名称 makes a batch of equal shares.

def _aid(p: Person, on, kind, *, cash=None, goods="", goods_value=None, funding="本级经费", batch="", handler="") -> dict:
    return {"受助人身份证号": p.id_number, "姓名": p.name, "日期": on, "帮扶类型": kind, "现金": cash, "物品": goods,
            "物品价值": goods_value, "资金来源": funding, "经办人": handler, "批次名称": batch}


def assistance_files() -> list[tuple[Union, str, list[dict]]]:
    c = COMMUNITY
    e = ENTERPRISE
    return [
        (c, "福安社区2025年帮扶", [
            *(_aid(p, D(2025, 1, 20), "元旦春节送温暖", cash=500, batch="福安社区2025年元旦春节送温暖", handler="刘桂英")
              for p in by_name(c, "王秀兰", "赵玉兰", "周德华", "钱淑珍")),
            _aid(by_name(c, "王秀兰")[0], D(2025, 5, 12), "医疗救助", cash=2000, funding="上级补助", handler="刘桂英"),
            *(_aid(p, D(2025, 9, 30), "节日慰问", goods="米面油", goods_value=180, handler="孙丽娟")
              for p in by_name(c, "赵玉兰", "沈卫东")),
        ]),
        (c, "福安社区2026年帮扶", [
            *(_aid(p, D(2026, 1, 23), "元旦春节送温暖", cash=600, batch="福安社区2026年元旦春节送温暖", handler="刘桂英")
              for p in by_name(c, "王秀兰", "赵玉兰", "周德华", "沈卫东")),
        ]),
        (e, "恒信精工2025年帮扶", [
            *(_aid(p, D(2025, 1, 16), "元旦春节送温暖", cash=800, goods="米、油", goods_value=200,
                   batch="恒信精工2025年春节送温暖", handler="李秀英") for p in by_name(e, "胡春梅", "何海涛", "彭秀英")),
            _aid(by_name(e, "卢秋菊")[0], D(2025, 3, 2), "临时救助", cash=3000, handler="李秀英"),
            *(_aid(p, D(2025, 8, 22), "金秋助学", cash=1000, batch="恒信精工2025年金秋助学", handler="李秀英")
              for p in by_name(e, "胡春梅", "何海涛")),
        ]),
        (e, "恒信精工2026年帮扶", [
            *(_aid(p, D(2026, 1, 27), "元旦春节送温暖", cash=800, batch="恒信精工2026年春节送温暖", handler="李秀英")
              for p in by_name(e, "胡春梅", "何海涛", "卢秋菊")),
        ]),
        (ORGAN, "人社局2025年帮扶", [
            _aid(by_name(ORGAN, "梁卫东")[0], D(2025, 1, 21), "元旦春节送温暖", cash=1000, handler="王丽娟"),
            _aid(by_name(ORGAN, "梁卫东")[0], D(2025, 7, 8), "生病住院慰问", cash=500, goods="水果、营养品", goods_value=200,
                 handler="王丽娟"),
        ]),
        (INSTITUTION, "实验小学2025年帮扶", [
            _aid(by_name(INSTITUTION, "宋春梅")[0], D(2025, 4, 10), "医疗救助", cash=3000, funding="上级补助", handler="杨春梅"),
        ]),
        (STREET, "城南街道2025年春节送温暖", [
            *(_aid(p, D(2025, 1, 22), "元旦春节送温暖", cash=1000, funding="上级补助", batch="城南街道2025年春节送温暖")
              for p in [*by_name(c, "赵玉兰", "周德华"), *by_name(e, "胡春梅", "彭秀英")]),
        ]),
        (STREET, "城南街道2026年春节送温暖", [
            *(_aid(p, D(2026, 1, 26), "元旦春节送温暖", cash=1000, funding="上级补助", batch="城南街道2026年春节送温暖")
              for p in [*by_name(c, "赵玉兰", "沈卫东"), *by_name(e, "卢秋菊")]),
        ]),
        (DISTRICT, "江北区总工会2025年金秋助学", [
            *(_aid(p, D(2025, 8, 26), "金秋助学", cash=2000, funding="上级补助", batch="江北区总工会2025年金秋助学")
              for p in [*by_name(c, "赵玉兰"), *by_name(e, "何海涛"), *by_name(ORGAN, "梁卫东")]),
        ]),
    ]


# --- member benefits (会员慰问 template) -------------------------------------------------------------------

def _care(p: Person, kind: str, on, form: str, amount, *, festival="", goods="", illness="") -> dict:
    return {"身份证号": p.id_number, "姓名": p.name, "慰问类别": kind, "节日": festival, "发放日期": on, "形式": form,
            "金额（元）": amount, "物品/说明": goods, "病情/住院事由": illness}


def _festival(u: Union, on, festival: str, amount, goods: str, *, skip=()) -> list[dict]:
    return [_care(p, "节日慰问", on, "实物", amount, festival=festival, goods=goods)
            for p in members_on(u, on) if p.name not in skip]


def benefit_files() -> list[tuple[Union, str, list[dict]]]:
    c, e, o, s = COMMUNITY, ENTERPRISE, ORGAN, INSTITUTION
    retired_2025 = ("马国庆", "陈志明", "张宏伟", "曹立新")
    return [
        (c, "福安社区会员慰问", [
            *_festival(c, D(2025, 1, 24), "春节", 200, "大米、食用油"),
            *[_care(p, "女职工（三八）慰问", D(2025, 3, 7), "实物", 100, goods="毛巾、护手霜") for p in members_on(c, D(2025, 3, 7), women=True)],
            *_festival(c, D(2025, 10, 1), "中秋", 150, "月饼"),
            *_festival(c, D(2026, 2, 12), "春节", 200, "大米、食用油"),
            *[_care(p, "女职工（三八）慰问", D(2026, 3, 6), "实物", 100, goods="毛巾、护手霜") for p in members_on(c, D(2026, 3, 6), women=True)],
            _care(by_name(c, "张建国")[0], "退休慰问", D(2026, 3, 31), "现金", 500),
        ]),
        (e, "恒信精工会员慰问", [
            *_festival(e, D(2025, 1, 20), "春节", 300, "大米、食用油、水果"),
            *_festival(e, D(2025, 5, 29), "端午", 150, "粽子、咸鸭蛋", skip=("曹立新",)),
            *_festival(e, D(2025, 9, 28), "中秋", 300, "月饼、水果", skip=retired_2025),
            *[_care(p, "女职工（三八）慰问", D(2025, 3, 7), "实物", 200, goods="体检卡") for p in members_on(e, D(2025, 3, 7), women=True)],
            _care(by_name(e, "谢俊杰")[0], "结婚慰问", D(2025, 5, 18), "现金", 800),
            _care(by_name(e, "袁海燕")[0], "生育慰问", D(2025, 7, 9), "现金", 800),
            _care(by_name(e, "魏桂英")[0], "生育慰问", D(2025, 11, 3), "现金", 800),
            _care(by_name(e, "郭建华")[0], "生病住院慰问", D(2025, 4, 2), "现金", 500, illness="腰椎间盘突出手术"),
            _care(by_name(e, "蔡建军")[0], "生病住院慰问", D(2025, 10, 15), "现金", 500, illness="阑尾炎手术"),
            _care(by_name(e, "马国庆")[0], "退休慰问", D(2025, 6, 30), "现金", 1000),
            _care(by_name(e, "陈志明")[0], "退休慰问", D(2025, 11, 30), "现金", 1000),
            *_festival(e, D(2026, 2, 9), "春节", 300, "大米、食用油、水果", skip=retired_2025),
            *[_care(p, "女职工（三八）慰问", D(2026, 3, 6), "实物", 200, goods="体检卡") for p in members_on(e, D(2026, 3, 6), women=True)],
            _care(by_name(e, "丁海涛")[0], "生病住院慰问", D(2026, 5, 11), "现金", 500, illness="骨折住院"),
        ]),
        (o, "人社局会员慰问", [
            *_festival(o, D(2025, 1, 22), "春节", 300, "大米、食用油"),
            *_festival(o, D(2025, 5, 28), "端午", 150, "粽子"),
            *_festival(o, D(2025, 9, 30), "中秋", 200, "月饼", skip=("张宏伟",)),
            *[_care(p, "女职工（三八）慰问", D(2025, 3, 7), "实物", 150, goods="书籍、鲜花") for p in members_on(o, D(2025, 3, 7), women=True)],
            _care(by_name(o, "张宏伟")[0], "退休慰问", D(2025, 9, 30), "现金", 1000),
            _care(by_name(o, "周建国")[0], "生病住院慰问", D(2025, 6, 16), "现金", 500, illness="冠心病住院"),
            _care(by_name(o, "孙春梅")[0], "直系亲属去世慰问", D(2025, 11, 20), "现金", 800),
            *_festival(o, D(2026, 2, 10), "春节", 300, "大米、食用油", skip=("张宏伟",)),
            *[_care(p, "女职工（三八）慰问", D(2026, 3, 6), "实物", 150, goods="书籍、鲜花") for p in members_on(o, D(2026, 3, 6), women=True)],
            *_festival(o, D(2026, 6, 16), "端午", 150, "粽子", skip=("张宏伟",)),
        ]),
        (s, "实验小学会员慰问", [
            *_festival(s, D(2025, 1, 21), "春节", 300, "大米、食用油"),
            *[_care(p, "女职工（三八）慰问", D(2025, 3, 7), "实物", 200, goods="鲜花、书籍") for p in members_on(s, D(2025, 3, 7), women=True)],
            *_festival(s, D(2025, 9, 29), "中秋", 200, "月饼"),
            _care(by_name(s, "胡嘉怡")[0], "结婚慰问", D(2025, 10, 8), "现金", 800),
            _care(by_name(s, "林梓涵")[0], "生育慰问", D(2025, 5, 6), "现金", 800),
            _care(by_name(s, "宋春梅")[0], "生病住院慰问", D(2025, 4, 10), "现金", 800, illness="乳腺肿瘤手术"),
            *_festival(s, D(2026, 2, 11), "春节", 300, "大米、食用油"),
            *[_care(p, "女职工（三八）慰问", D(2026, 3, 6), "实物", 200, goods="鲜花、书籍") for p in members_on(s, D(2026, 3, 6), women=True)],
        ]),
    ]


# --- donation drives (created on the page) and gifts (捐款 template) -------------------------------------
# (union, drive name, purpose, starts, ends, rows)

def donation_drives() -> list[tuple[Union, str, str, dt.date, dt.date, list[dict]]]:
    c, o = COMMUNITY, ORGAN

    def gift(drive, p, amount, on):
        return {"捐款活动": drive, "捐款人类型": "会员", "会员身份证号": p.id_number, "金额": amount, "捐款日期": on, "方式": "现金"}

    def unit(drive, name, amount, on):
        return {"捐款活动": drive, "捐款人类型": "单位", "单位或个人名称": name, "金额": amount, "捐款日期": on, "方式": "转账"}

    flood = "2025年防汛救灾爱心捐款"
    charity = "2025年“慈善一日捐”"
    study = "2025年“金秋助学”爱心募捐"
    return [
        (c, flood, "支援受灾地区群众恢复生产生活", D(2025, 7, 8), D(2025, 7, 31), [
            *(gift(flood, p, amount, D(2025, 7, 10)) for p, amount in zip(members_on(c, D(2025, 7, 10))[:16],
                                                                         [100, 50, 200, 100, 50, 100, 100, 200] * 2, strict=True)),
            unit(flood, "福安物业服务有限公司", 2000, D(2025, 7, 15)),
        ]),
        (o, charity, "帮助困难群众", D(2025, 5, 12), D(2025, 5, 30), [
            *(gift(charity, p, 200 if i % 3 else 300, D(2025, 5, 16)) for i, p in enumerate(members_on(o, D(2025, 5, 16))[:38])),
        ]),
        (DISTRICT, study, "资助困难职工家庭子女上大学", D(2025, 7, 20), D(2025, 8, 20), [
            unit(study, "江北区建设投资集团有限公司", 50000, D(2025, 7, 28)),
            unit(study, "江北农村商业银行", 30000, D(2025, 8, 5)),
            unit(study, "恒信精工有限公司", 10000, D(2025, 8, 12)),
        ]),
    ]


# --- activities (活动 template), who took part (活动参加人员 template), sessions and study ---------------
# An activity: (union importing it, 组织工会编码, 活动类型, 活动名称, day, (start hour, end hour), attendees, guests,
# other columns); attendees are members by name (the template's 身份证号), guests non-members by name.

WITHDRAWN = ("曹立新",)  # left the union in April 2025: never on a list


def attending(u: Union, day: dt.date, n: int, *, start: int = 0, women: bool = False, branch: str = "") -> list[Person]:
    """`n` members of `u` on `day` (from the `start`-th, wrapping round), for an attendance list."""
    pool = [p for p in members_on(u, day, women=women)
            if p.name not in WITHDRAWN and (not branch or p.branch.startswith(branch))]
    return [pool[(start + i) % len(pool)] for i in range(min(n, len(pool)))]


RESIDENTS = ["马秀珍", "李德胜", "高凤英", "王守义", "赵淑兰", "孙长海", "周桂芝", "吴振华"]


def _events() -> list[tuple]:
    c, e, o, s = COMMUNITY, ENTERPRISE, ORGAN, INSTITUTION
    women = {"参加对象": "女职工"}
    return [
        (c, c.code, "节日活动", "庆新春文艺联欢会", D(2025, 1, 18), (14, 17), attending(c, D(2025, 1, 18), 16), RESIDENTS[:6],
         {"费用": 1200, "经费来源": "工会经费"}),
        (c, c.code, "志愿服务", "学雷锋义务劳动", D(2025, 3, 5), (9, 11), attending(c, D(2025, 3, 5), 8, start=5), [], {}),
        (c, c.code, "健康义诊/体检", "庆三八眼科健康知识讲座及义诊", D(2025, 3, 7), (9, 11),
         attending(c, D(2025, 3, 7), 10, women=True), [], {**women, "合作单位": "朝聚眼科医院", "其他受益人数": 35}),
        (c, c.code, "志愿服务", "为退休老职工免费理发", D(2025, 5, 10), (9, 11), attending(c, D(2025, 5, 10), 5, start=2), [],
         {"合作单位": "丽研美容", "其他受益人数": 26}),
        (c, c.code, "文体活动", "全民健身健康快车进社区", D(2025, 9, 23), (9, 11), attending(c, D(2025, 9, 23), 18), RESIDENTS[2:8],
         {}),
        (c, c.code, "节日活动", "迎新春文艺联欢会", D(2026, 1, 24), (14, 17), attending(c, D(2026, 1, 24), 18, start=3),
         RESIDENTS[:5], {"费用": 1500, "经费来源": "工会经费"}),
        (c, c.code, "健康义诊/体检", "三八节健康讲座及义诊", D(2026, 3, 6), (9, 11), attending(c, D(2026, 3, 6), 11, women=True), [],
         {**women, "合作单位": "朝聚眼科医院", "其他受益人数": 40}),
        (e, e.code, "文体活动", "庆五一职工趣味运动会", D(2025, 4, 26), (14, 17), attending(e, D(2025, 4, 26), 40), [],
         {"费用": 6000, "经费来源": "工会经费"}),
        (e, "HX-1", "文体活动", "一车间职工拔河比赛", D(2025, 6, 20), (16, 17), attending(e, D(2025, 6, 20), 16, branch="HX-1"), [],
         {}),
        (e, e.code, "文体活动", "职工乒乓球比赛", D(2025, 10, 22), (14, 17), attending(e, D(2025, 10, 22), 14, start=20), [], {}),
        (e, e.code, "培训讲座", "女工培训班", D(2025, 3, 20), (9, 12), attending(e, D(2025, 3, 20), 18, women=True), [],
         {**women, "培训班": "是", "学时": 3}),
        (e, e.code, "培训讲座", "安全生产培训班", D(2025, 6, 16), (9, 12), attending(e, D(2025, 6, 16), 30, start=10), [],
         {"培训班": "是", "学时": 3, "答卷名称": "安全生产知识答卷", "及格分": 60}),
        (e, e.code, "文体活动", "庆五一职工趣味运动会", D(2026, 4, 29), (14, 17), attending(e, D(2026, 4, 29), 42, start=5), [],
         {"费用": 6500, "经费来源": "工会经费"}),
        (e, e.code, "培训讲座", "女工培训班", D(2026, 3, 19), (9, 12), attending(e, D(2026, 3, 19), 17, women=True, start=2), [],
         {**women, "培训班": "是", "学时": 3}),
        (o, o.code, "竞赛答题", "妇女权益保障法知识答卷", D(2025, 3, 7), (15, 16), attending(o, D(2025, 3, 7), 21, women=True), [],
         {**women, "答卷名称": "妇女权益保障法知识答卷", "及格分": 60}),
        (o, o.code, "文体活动", "“廉政杯”羽毛球比赛", D(2025, 5, 16), (15, 17), attending(o, D(2025, 5, 16), 20, start=8), [], {}),
        (o, o.code, "参观学习", "红色教育基地参观学习", D(2025, 7, 1), (8, 12), attending(o, D(2025, 7, 1), 25, start=3), [],
         {"费用": 2400, "经费来源": "工会经费"}),
        (o, o.code, "健康义诊/体检", "职工健康体检", D(2025, 10, 15), (8, 11), attending(o, D(2025, 10, 15), 40), [],
         {"合作单位": "江北区人民医院", "费用": 16000, "经费来源": "行政拨款"}),
        (o, o.code, "文体活动", "迎新春职工健步走", D(2026, 2, 27), (15, 17), attending(o, D(2026, 2, 27), 26, start=12), [], {}),
        (s, s.code, "读书活动", "世界读书日教师读书分享会", D(2025, 4, 23), (15, 17), attending(s, D(2025, 4, 23), 30, start=4), [], {}),
        (s, s.code, "文体活动", "教职工趣味运动会", D(2025, 11, 14), (14, 17), attending(s, D(2025, 11, 14), 45), [],
         {"费用": 3000, "经费来源": "工会经费"}),
        (s, s.code, "读书活动", "世界读书日教师读书分享会", D(2026, 4, 23), (15, 17), attending(s, D(2026, 4, 23), 32, start=9), [],
         {}),
        (STREET, STREET.code, "培训讲座", "基层工会干部培训班", D(2025, 6, 10), (9, 12),
         by_name(c, "刘桂英", "李志强", "孙丽娟") + by_name(e, "王建华", "李秀英", "徐宏伟", "林丽娟", "郭建华"), [],
         {"培训班": "是", "学时": 3}),
        (DISTRICT, DISTRICT.code, "文体活动", "全区职工乒乓球赛", D(2025, 9, 26), (9, 17),
         attending(o, D(2025, 9, 26), 10, start=30) + attending(s, D(2025, 9, 26), 10, start=20), [], {"费用": 8000}),
    ]


# Sessions after the first, entered on the activity's page: (union, 活动名称, first day, [(day, hours, topic, teacher, title)]).
SESSIONS = [
    (ENTERPRISE, "安全生产培训班", D(2025, 6, 16), [(D(2025, 6, 17), 3, "岗位安全操作规程", "周强", "区应急管理局安全监管科科长")]),
    (STREET, "基层工会干部培训班", D(2025, 6, 10), [(D(2025, 6, 11), 3, "工会经费管理与使用", "孙敏", "区总工会财务部部长")]),
]
# Teachers of the first sessions: (union, 活动名称, first day, teacher, title, topic).
FIRST_TEACHERS = [
    (ENTERPRISE, "女工培训班", D(2025, 3, 20), "林丽娟", "公司女职工委员会主任", "女职工劳动保护特别规定解读"),
    (ENTERPRISE, "安全生产培训班", D(2025, 6, 16), "吴磊", "公司安全总监", "安全生产法解读"),
    (STREET, "基层工会干部培训班", D(2025, 6, 10), "赵建国", "区总工会副主席", "新时代工会工作"),
]
SCORES = {"安全生产培训班": [92, 85, 78, 66, 58, 95, 88, 72, 81, 90], "妇女权益保障法知识答卷": [96, 88, 79, 90, 83, 75, 98, 86, 64, 92]}


def activity_files() -> list[tuple[Union, str, list[dict]]]:
    files: dict[str, tuple[Union, list[dict]]] = {}
    for u, org, kind, title, day, (h0, h1), _people, _guests, extra in _events():
        files.setdefault(u.code, (u, []))[1].append({
            "组织工会编码": org, "活动类型": kind, "活动名称": title, "开始时间": f"{day.isoformat()} {h0:02d}:00",
            "结束时间": f"{day.isoformat()} {h1:02d}:00", "状态": "已结束", **extra})
    return [(u, f"{u.key}活动", rows) for u, rows in files.values()]


def attendance_files() -> list[tuple[Union, str, list[dict]]]:
    files: dict[str, tuple[Union, list[dict]]] = {}
    for u, _org, _kind, title, day, _hours, people, guests, extra in _events():
        scores = SCORES.get(title, [])
        rows = files.setdefault(u.code, (u, []))[1]
        for i, person in enumerate(people):
            row = {"活动名称": title, "开始日期": day, "身份证号": person.id_number, "姓名": person.name, "签到": "是"}
            if extra.get("答卷名称"):
                row["成绩"] = scores[i % len(scores)]
            rows.append(row)
        rows += [{"活动名称": title, "开始日期": day, "姓名": g, "单位/身份": "社区居民", "签到": "是"} for g in guests]
    return [(u, f"{u.key}参加人员", rows) for u, rows in files.values()]


# A study assignment (no template: set on the page): (union, 学习任务, 提交物, 每人应交, 开始, 截止, handed in: per member).
STUDY = [(ORGAN, "读书活动", "学习心得", 2, D(2025, 3, 1), D(2025, 11, 30))]
STUDY_SKIPPED = {"读书活动": ("程浩然", "曹雨欣", "袁明轩")}  # handed in one piece of two; the rest both


# The drafts the set checks: (union, period, today the draft is written on).
DRAFTS = [(u, period, today) for u in UNIONS for period, today in (("2025", D(2026, 1, 12)), ("2026H1", D(2026, 7, 6)))]
