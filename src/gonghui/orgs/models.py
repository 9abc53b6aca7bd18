"""The union tree and committee terms.

The tree is a materialised path: `path` is "/<id>/<id>/…/" from the top union down, so a
subtree is one indexed prefix match (`path LIKE '/1/7/%'`) on any database, and moving
a union rewrites its subtree's paths in one UPDATE.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from gonghui.access.scope import ScopedQuerySet


class Level(models.IntegerChoices):
    FEDERATION = 1, "总工会"
    REGIONAL = 2, "街道/乡镇/行业工会"
    GRASSROOTS = 3, "基层工会"
    BRANCH = 4, "分会/二级工会"
    GROUP = 5, "工会小组"


class Kind(models.TextChoices):
    PROVINCE = "province", "省总工会"
    CITY = "city", "市总工会"
    DISTRICT = "district", "区县总工会"
    STREET = "street", "街道工会"
    TOWN = "town", "乡镇工会"
    INDUSTRY = "industry", "行业工会"
    PARK = "park", "园区工会"
    ORGAN = "organ", "机关工会"
    ENTERPRISE = "enterprise", "企业工会"
    INSTITUTION = "institution", "事业单位工会"
    COMMUNITY = "community", "社区工会"
    JOINT = "joint", "联合工会"
    SOCIAL = "social", "社会组织工会"
    BRANCH = "branch", "分会"
    SECONDARY = "secondary", "二级工会"
    GROUP = "group", "工会小组"


KIND_LEVEL = {
    Kind.PROVINCE: Level.FEDERATION,
    Kind.CITY: Level.FEDERATION,
    Kind.DISTRICT: Level.FEDERATION,
    Kind.STREET: Level.REGIONAL,
    Kind.TOWN: Level.REGIONAL,
    Kind.INDUSTRY: Level.REGIONAL,
    Kind.PARK: Level.REGIONAL,
    Kind.ORGAN: Level.GRASSROOTS,
    Kind.ENTERPRISE: Level.GRASSROOTS,
    Kind.INSTITUTION: Level.GRASSROOTS,
    Kind.COMMUNITY: Level.GRASSROOTS,
    Kind.JOINT: Level.GRASSROOTS,
    Kind.SOCIAL: Level.GRASSROOTS,
    Kind.BRANCH: Level.BRANCH,
    Kind.SECONDARY: Level.BRANCH,
    Kind.GROUP: Level.GROUP,
}


class HomeLevel(models.TextChoices):
    NONE = "none", "未评定"
    DISTRICT = "district", "区县级模范职工之家"
    CITY = "city", "市级模范职工之家"
    PROVINCE = "province", "省级模范职工之家"
    NATIONAL = "national", "全国模范职工之家"


class OrgQuerySet(ScopedQuerySet):
    scope_field = ""

    def subtree_of(self, org):
        return self.filter(path__startswith=org.path)

    def active(self):
        return self.filter(is_active=True)


class Org(models.Model):
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级工会"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    name = models.CharField("工会名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    code = models.CharField("工会编码", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices, editable=False)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    employee_count = models.PositiveIntegerField("职工人数", default=0)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    has_separate_account = models.BooleanField("独立开设银行账户", default=False)
    home_level = models.CharField("职工之家等级", max_length=16, choices=HomeLevel.choices, default=HomeLevel.NONE)
    has_women_committee = models.BooleanField("设立女职工委员会", default=False)
    has_audit_committee = models.BooleanField("设立经费审查委员会", default=False)
    membership_target = models.PositiveSmallIntegerField(
        "入会率目标（%）", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text="对下级工会的职工入会率目标，工作总结据此提示差距；留空表示不设目标。")
    is_active = models.BooleanField("在用", default=True)
    deactivated_on = models.DateField("停用日期", null=True, blank=True)
    deactivation_reason = models.CharField("停用原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = "工会"
        verbose_name_plural = "工会"
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="org_uscc_unique"),
        ]
        indexes = [
            models.Index(fields=["parent", "name"]),
            models.Index(fields=["level", "kind"]),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]

    def is_descendant_of(self, other: "Org") -> bool:
        return self.path.startswith(other.path) and self.pk != other.pk


class CommitteeTerm(models.Model):
    """One 届 of a union's committee, recorded at its 换届 election."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="terms", verbose_name="工会")
    number = models.PositiveSmallIntegerField("届次")
    elected_on = models.DateField("换届选举日期")
    starts_on = models.DateField("任期开始")
    ends_on = models.DateField("任期届满")
    notes = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "委员会届次"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="term_unique_number"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="term_dates_ordered"),
        ]

    def __str__(self):
        return f"第{self.number}届委员会"


class HomeLevelAward(models.Model):
    """One conferral of a 职工之家 level on a union: the level, the date, the conferring
    body and the document. `Org.home_level` is the level of the latest of these (derived
    by the services that write them), so the history and the current value never differ."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="home_levels", verbose_name="工会")
    level = models.CharField("职工之家等级", max_length=16, choices=HomeLevel.choices)
    conferred_on = models.DateField("评定日期")
    conferred_by = models.CharField("评定机关", max_length=100)
    document_no = models.CharField("文号", max_length=60, blank=True, default="")
    # Rows made from the single home_level value kept before the history existed: their date
    # is not known (the migration used the day the union was last edited). The page marks
    # them and the summary never states them as conferred in a period.
    date_unknown = models.BooleanField("评定日期待核实", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "职工之家评定记录"
        ordering = ["-conferred_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "level", "conferred_on"], name="home_level_award_unique"),
            models.CheckConstraint(condition=~Q(level="none"), name="home_level_award_not_none"),
        ]

    def __str__(self):
        return f"{self.conferred_on} {self.get_level_display()}"


class Position(models.TextChoices):
    CHAIR = "chair", "主席"
    VICE_CHAIR = "vice_chair", "副主席"
    MEMBER = "member", "委员"
    AUDIT_CHIEF = "audit_chief", "经审委员会主任"
    WOMEN_CHIEF = "women_chief", "女职工委员会主任"


POSITION_ORDER = [Position.CHAIR, Position.VICE_CHAIR, Position.AUDIT_CHIEF, Position.WOMEN_CHIEF, Position.MEMBER]


class ScopedViaTermQuerySet(ScopedQuerySet):
    scope_field = "term__org"


class CommitteeOfficer(models.Model):
    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="officers", verbose_name="届次")
    name = models.CharField("姓名", max_length=50)
    position = models.CharField("职务", max_length=16, choices=Position.choices)
    starts_on = models.DateField("任职开始")
    ends_on = models.DateField("任职结束", null=True, blank=True)

    objects = ScopedViaTermQuerySet.as_manager()

    class Meta:
        verbose_name = "委员会成员"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="officer_dates_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.get_position_display()} {self.name}"
