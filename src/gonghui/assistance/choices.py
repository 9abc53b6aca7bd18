"""Coded values of hardship archives and assistance records."""

from django.db import models


class Cause(models.TextChoices):
    ILLNESS = "illness", "疾病"
    DISABILITY = "disability", "残疾"
    SCHOOLING = "schooling", "子女上学"
    UNEMPLOYED = "unemployed", "下岗失业"
    ACCIDENT = "accident", "意外事故"
    DISASTER = "disaster", "自然灾害"
    SINGLE_PARENT = "single_parent", "单亲"
    OTHER = "other", "其他"


# Causes that make a household 意外致困 whatever its income.
ACCIDENT_CAUSES = frozenset({Cause.ACCIDENT, Cause.DISASTER})


class Tier(models.TextChoices):
    DEEP = "deep", "深度困难"
    RELATIVE = "relative", "相对困难"
    ACCIDENT = "accident", "意外致困"


class Status(models.TextChoices):
    APPLIED = "applied", "申请"
    REVIEWING = "reviewing", "审核"
    FILED = "filed", "建档"
    ASSISTING = "assisting", "帮扶中"
    CLOSED = "closed", "脱困"
    REJECTED = "rejected", "不予建档"


# Archives under dynamic management (动态管理).
MANAGED = frozenset({Status.FILED, Status.ASSISTING})


class Step(models.TextChoices):
    """What opened a spell of an archive's history."""

    APPLY = "apply", "申请"
    REVIEW = "review", "审核"
    FILE = "file", "建档"
    ASSIST = "assist", "开始帮扶"
    CLOSE = "close", "脱困"
    RETURN = "return", "返困"
    REJECT = "reject", "不予建档"
    TIER = "tier", "确定困难类别"
    TRANSFER = "transfer", "随会员转会"
    REAPPLY = "reapply", "重新申请"


# step -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    Step.REVIEW: (frozenset({Status.APPLIED}), Status.REVIEWING),
    Step.FILE: (frozenset({Status.REVIEWING}), Status.FILED),
    Step.REJECT: (frozenset({Status.APPLIED, Status.REVIEWING}), Status.REJECTED),
    Step.ASSIST: (frozenset({Status.FILED}), Status.ASSISTING),
    Step.CLOSE: (frozenset({Status.FILED, Status.ASSISTING}), Status.CLOSED),
    Step.RETURN: (frozenset({Status.CLOSED}), Status.ASSISTING),
    Step.REAPPLY: (frozenset({Status.REJECTED}), Status.APPLIED),
}


class YearClass(models.TextChoices):
    STOCK = "stock", "存量"
    NEW = "new", "增量"
    RETURNED = "returned", "返困"


class Housing(models.TextChoices):
    OWN = "own", "自有住房"
    RENT = "rent", "租房"
    PUBLIC = "public", "公租房/廉租房"
    NONE = "none", "无固定住所"
    OTHER = "other", "其他"


class Hukou(models.TextChoices):
    URBAN = "urban", "城镇户籍"
    RURAL = "rural", "农村户籍"


class Insurance(models.TextChoices):
    EMPLOYEE = "employee", "职工医保"
    RESIDENT = "resident", "城乡居民医保"
    NONE = "none", "未参保"


class Relation(models.TextChoices):
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    SIBLING = "sibling", "兄弟姐妹"
    GRANDCHILD = "grandchild", "孙子女"
    OTHER = "other", "其他"


class Occasion(models.TextChoices):
    NEW_YEAR = "new_year", "元旦春节送温暖"
    SCHOOL = "school", "金秋助学"
    MEDICAL = "medical", "医疗救助"
    TEMPORARY = "temporary", "临时救助"
    FESTIVAL = "festival", "节日慰问"
    SICK = "sick", "生病住院慰问"
    SPECIAL = "special", "特困慰问"
    DISASTER = "disaster", "灾害救助"
    OTHER = "other", "其他"


class Recipient(models.TextChoices):
    """Who an assistance record went to. Members (with or without an archive) are the
    union's own figures; residents and groups are counted apart everywhere (statistics,
    the summary, the API, the sheets)."""

    MEMBER = "member", "会员"
    RESIDENT = "resident", "非会员居民"
    GROUP = "group", "包联村/群众户组"


NON_MEMBER = frozenset({Recipient.RESIDENT, Recipient.GROUP})


class Funding(models.TextChoices):
    OWN = "own", "本级经费"
    UPPER = "upper", "上级补助"
    DONATION = "donation", "捐款"
    PARTNER = "partner", "合作单位"


# A hardship file is re-verified yearly (年度核实); due after this many days.
VERIFY_EVERY_DAYS = 365
