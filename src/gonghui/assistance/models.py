"""Hardship archives (困难职工档案) and the assistance given (帮扶记录).

A Household is headed by a member. Its sensitive details (income, expenses, health,
family members' ID numbers) are encrypted at rest; numbers are kept as decimal strings.
Its history is a chain of HouseholdSpells (one status and tier per stretch of time), so
"households under dynamic management as of 2025-10-31" is one indexed count.

AssistanceRecords are append-only in spirit: a correction is a negative mirror record
(reversal_of) plus a new one, never an edit of what was paid.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.access.scope import ScopedQuerySet
from gonghui.assistance.choices import (
    Cause,
    Funding,
    Housing,
    Hukou,
    Insurance,
    Occasion,
    Recipient,
    Relation,
    Status,
    Step,
    Tier,
)
from gonghui.core.fields import EncryptedTextField


class PathScopedQuerySet(ScopedQuerySet):
    scope_path_field = "org_path"


class DibaoLine(models.Model):
    """The local 最低生活保障 line of a region for a year (data, not code)."""

    region_code = models.CharField("地区代码", max_length=12)
    region_name = models.CharField("地区", max_length=50)
    year = models.PositiveSmallIntegerField("年度")
    monthly_amount = models.DecimalField("低保标准（元/人·月）", max_digits=10, decimal_places=2)
    is_sample = models.BooleanField("示例数据", default=False)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "低保标准"
        ordering = ["region_code", "-year"]
        constraints = [models.UniqueConstraint(fields=["region_code", "year"], name="dibao_region_year")]

    def __str__(self):
        return f"{self.region_name}{self.year}年 {self.monthly_amount}元{'（示例）' if self.is_sample else ''}"


class RegionSetting(models.Model):
    """Which 低保 region a union (and the unions below it, unless they say otherwise) uses."""

    org = models.OneToOneField("orgs.Org", on_delete=models.CASCADE, related_name="+", verbose_name="工会")
    org_path = models.CharField(max_length=255)
    region_code = models.CharField("低保地区代码", max_length=12)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "工会所在地区设置"

    def __str__(self):
        return f"{self.org_id}: {self.region_code}"


class Household(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="所属工会")
    org_path = models.CharField(max_length=255, editable=False)
    head = models.OneToOneField("members.Member", on_delete=models.PROTECT, related_name="household", verbose_name="户主（会员）")
    # ",illness,disability," so that one cause is a plain substring filter on every database
    causes = models.CharField("致困原因", max_length=200, default=",")
    housing = models.CharField("住房情况", max_length=12, choices=Housing.choices, blank=True)
    hukou = models.CharField("户口类型", max_length=8, choices=Hukou.choices, blank=True)
    insurance = models.CharField("医保", max_length=12, choices=Insurance.choices, blank=True)
    zero_employment = models.BooleanField("零就业家庭", default=False)
    single_parent = models.BooleanField("单亲家庭", default=False)
    size = models.PositiveSmallIntegerField("家庭人口", default=1)
    annual_income = EncryptedTextField("家庭年收入（元）", blank=True, default="")
    rigid_expenses = EncryptedTextField("刚性支出（元/年）", blank=True, default="")
    hardship_spending = EncryptedTextField("致困支出（元）", blank=True, default="")
    health = EncryptedTextField("健康状况", blank=True, default="")
    disability = EncryptedTextField("残疾情况", blank=True, default="")
    situation = EncryptedTextField("困难情况说明", blank=True, default="")
    suggested_tier = models.CharField("系统建议类别", max_length=12, choices=Tier.choices, blank=True)
    tier = models.CharField("困难类别", max_length=12, choices=Tier.choices, blank=True)
    override_reason = models.CharField("调整类别理由", max_length=200, blank=True)
    region_code = models.CharField("低保地区", max_length=12, blank=True)
    dibao_year = models.PositiveSmallIntegerField("低保年度", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.APPLIED)
    applied_on = models.DateField("申请日期")
    filed_on = models.DateField("建档日期", null=True, blank=True)
    closed_on = models.DateField("脱困日期", null=True, blank=True)
    close_reason = models.CharField("脱困原因", max_length=200, blank=True)
    last_verified_on = models.DateField("最近核实日期", null=True, blank=True)
    self_applied = models.BooleanField("本人申请", default=False)
    import_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "困难职工档案"
        indexes = [
            models.Index(fields=["org_path", "status", "tier", "id"], name="hh_path_status_tier"),
            models.Index(fields=["org_path", "last_verified_on"], name="hh_path_verified"),
        ]

    def __str__(self):
        return f"困难档案#{self.pk} {self.head_id}"

    @property
    def cause_list(self) -> list[str]:
        return [c for c in self.causes.split(",") if c]

    @property
    def cause_labels(self) -> str:
        return "、".join(Cause(c).label for c in self.cause_list if c in Cause.values)

    @property
    def income(self) -> Decimal | None:
        return Decimal(self.annual_income) if self.annual_income else None

    @property
    def expenses(self) -> Decimal | None:
        return Decimal(self.rigid_expenses) if self.rigid_expenses else None


class FamilyMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="family")
    relation = models.CharField("与户主关系", max_length=12, choices=Relation.choices)
    name = models.CharField("姓名", max_length=50)
    id_number = EncryptedTextField("身份证号", blank=True, default="")
    id_masked = models.CharField(max_length=18, blank=True, default="", editable=False)
    income = EncryptedTextField("年收入（元）", blank=True, default="")
    school_or_work = models.CharField("就学/就业情况", max_length=100, blank=True)
    health = EncryptedTextField("健康状况", blank=True, default="")
    disability = EncryptedTextField("残疾情况", blank=True, default="")

    class Meta:
        verbose_name = "家庭成员"
        ordering = ["id"]

    def __str__(self):
        return self.name


class HouseholdSpell(models.Model):
    """A stretch of time during which an archive had one status and tier."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="spells")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=Status.choices)
    tier = models.CharField(max_length=12, choices=Tier.choices, blank=True)
    step = models.CharField(max_length=12, choices=Step.choices)
    note = models.CharField(max_length=200, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)  # exclusive; open while current
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "档案状态时段"
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["org_path", "starts_on", "ends_on", "status"], name="hh_spell_asof")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="hh_spell_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.household_id} {self.status}/{self.tier} {self.starts_on}–{self.ends_on or ''}"


class AssistanceBatch(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会")
    org_path = models.CharField(max_length=255)
    title = models.CharField("批次名称", max_length=100)
    on = models.DateField("发放日期")
    occasion = models.CharField("帮扶类型", max_length=12, choices=Occasion.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶批量发放"
        indexes = [models.Index(fields=["org_path", "on", "id"], name="batch_path_on")]

    def __str__(self):
        return self.title


class AssistanceRecord(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会")
    org_path = models.CharField(max_length=255)
    on = models.DateField("日期")
    occasion = models.CharField("帮扶类型", max_length=12, choices=Occasion.choices)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    recipient = models.CharField("受助对象", max_length=10, choices=Recipient.choices, default=Recipient.MEMBER)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="assistance",
                               verbose_name="受助会员")
    # A beneficiary who is not a member: a resident (name and ID number, encrypted, with a
    # blind index for "the same person" and a masked copy for display) or a paired village /
    # group of households (its name and how many households and people the visit reached).
    recipient_name = models.CharField("受助居民姓名或村、户组名称", max_length=100, blank=True, default="")
    id_number = EncryptedTextField("受助居民身份证号", blank=True, default="")
    id_hash = models.CharField(max_length=64, blank=True, default="", editable=False, db_index=True)
    id_masked = models.CharField(max_length=18, blank=True, default="", editable=False)
    households_reached = models.PositiveIntegerField("受助户数", null=True, blank=True)
    people_reached = models.PositiveIntegerField("受助人数", null=True, blank=True)
    cash = models.DecimalField("现金（元）", max_digits=12, decimal_places=2, default=Decimal("0"))
    goods = models.JSONField("物品", default=list, blank=True)  # [{item, quantity, unit, value}]
    goods_value = models.DecimalField("物品价值（元）", max_digits=12, decimal_places=2, default=Decimal("0"))
    funding = models.CharField("资金来源", max_length=12, choices=Funding.choices)
    partner_name = models.CharField("合作单位", max_length=100, blank=True)
    handled_by = models.CharField("经办人", max_length=50, blank=True)
    signed = models.BooleanField("已签收", default=False)
    signed_on = models.DateField("签收日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    batch = models.ForeignKey(AssistanceBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    reversal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal")
    import_key = models.CharField(max_length=64, blank=True, default="", editable=False, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "帮扶记录"
        indexes = [models.Index(fields=["org_path", "on", "id"], name="record_path_on")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient=Recipient.MEMBER, member__isnull=False)
                           | Q(recipient__in=[Recipient.RESIDENT, Recipient.GROUP], member__isnull=True, household__isnull=True)),
                name="record_recipient_consistent"),
        ]

    def __str__(self):
        return f"{self.on} {self.get_occasion_display()} {self.total}"

    @property
    def is_member(self) -> bool:
        return self.recipient == Recipient.MEMBER

    @property
    def beneficiary_name(self) -> str:
        return self.member.name if self.member_id else self.recipient_name

    @property
    def beneficiary_id_masked(self) -> str:
        """The masked ID number shown on lists, sheets and the 签收表 ("" for a group)."""
        return self.member.id_masked if self.member_id else self.id_masked

    @property
    def total(self) -> Decimal:
        return (self.cash or Decimal(0)) + (self.goods_value or Decimal(0))

    @property
    def goods_text(self) -> str:
        return "、".join(f"{g.get('item', '')}{g.get('quantity', '')}{g.get('unit', '')}" for g in self.goods or [])
