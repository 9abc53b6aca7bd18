"""Member benefits (会员慰问) under the provincial spending rules.

A RuleSet is one published table of caps and constraints (a province's, or the national
default), with effective dates; it holds one Rule per kind of benefit. A union chooses
the rule set it works under (RuleChoice); a union that has not chosen inherits its
nearest higher union's choice, and the national default applies otherwise.

Each benefit paid is one BenefitRecord per member. A record is never edited once paid:
a correction is a reversal (a record with the negative amount, pointing at the original)
plus a new record, so sums over records are always the real totals.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.access.scope import ScopedQuerySet
from gonghui.core.fields import EncryptedTextField


class Kind(models.TextChoices):
    FESTIVAL = "festival", "节日慰问"
    BIRTHDAY = "birthday", "生日慰问"
    WEDDING = "wedding", "结婚慰问"
    CHILDBIRTH = "childbirth", "生育慰问"
    HOSPITAL = "hospital", "生病住院慰问"
    BEREAVEMENT = "bereavement", "直系亲属去世慰问"
    RETIREMENT = "retirement", "退休慰问"
    WOMENS_DAY = "womens_day", "女职工（三八）慰问"
    CHILDRENS_DAY = "childrens_day", "六一儿童节慰问"


class Festival(models.TextChoices):
    NEW_YEAR = "yuandan", "元旦"
    SPRING = "chunjie", "春节"
    QINGMING = "qingming", "清明"
    LABOUR = "laodong", "劳动节"
    DRAGON_BOAT = "duanwu", "端午"
    MID_AUTUMN = "zhongqiu", "中秋"
    NATIONAL = "guoqing", "国庆"


class Form(models.TextChoices):
    GOODS = "goods", "实物"
    CASH = "cash", "现金"


class PathScopedQuerySet(ScopedQuerySet):
    scope_path_field = "org_path"


class RuleSetQuerySet(models.QuerySet):
    def visible_to(self, actor):
        """Platform-wide rule sets, those owned by a union in the actor's subtree, and those of
        the unions above it (a branch must be able to read the rules it works under)."""
        if actor.is_operator:
            return self
        if actor.org is None:
            return self.none()
        parts = [p for p in actor.org.path.split("/") if p]
        ancestors = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
        return self.filter(Q(org__isnull=True) | Q(org_path__startswith=actor.org.path) | Q(org_path__in=ancestors))


class RuleSet(models.Model):
    name = models.CharField("标准名称", max_length=60, unique=True, help_text="如“安徽2025标准”，出现在违规提示中。")
    region = models.CharField("适用地区", max_length=40, help_text="省份或范围，如“安徽省”“全国”。")
    # The union that maintains it (its staff may choose it); empty: platform-wide.
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="维护单位")
    org_path = models.CharField(max_length=255, blank=True, default="")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    is_default = models.BooleanField("全国默认", default=False)
    is_sample = models.BooleanField("示例", default=False)
    notes = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        verbose_name = "慰问标准"
        ordering = ["-is_default", "region", "-effective_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")), name="ruleset_dates_ordered"
            ),
        ]

    def __str__(self):
        return self.name

    def in_force(self, on) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


class Rule(models.Model):
    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField("慰问类别", max_length=16, choices=Kind.choices)
    cap_per_event = models.DecimalField("每次上限（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    annual_cap = models.DecimalField("每人每年上限（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    goods_only = models.BooleanField("只发实物（不发现金、购物卡）", default=False)
    once_per_illness = models.BooleanField("同一病情每年一次", default=False)
    requires_dues = models.BooleanField("须按时缴纳会费", default=True)

    class Meta:
        verbose_name = "慰问标准条目"
        ordering = ["ruleset", "id"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "kind"], name="rule_one_per_kind")]

    def __str__(self):
        return f"{self.ruleset.name} {self.get_kind_display()}"


class RuleChoice(models.Model):
    """The rule set a union (and, unless they choose otherwise, its subtree) works under."""

    org = models.OneToOneField("orgs.Org", on_delete=models.CASCADE, related_name="+", verbose_name="工会")
    org_path = models.CharField(max_length=255, db_index=True)
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="choices", verbose_name="慰问标准")
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    chosen_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "工会选用的慰问标准"

    def __str__(self):
        return f"{self.org_id} → {self.ruleset_id}"


class BenefitBatch(models.Model):
    """One decision to give many members the same benefit (e.g. 中秋 goods for everyone)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="发放工会")
    org_path = models.CharField(max_length=255)
    title = models.CharField("批次名称", max_length=100)
    kind = models.CharField("慰问类别", max_length=16, choices=Kind.choices)
    festival = models.CharField("节日", max_length=16, choices=Festival.choices, blank=True)
    on = models.DateField("发放日期")
    form = models.CharField("形式", max_length=8, choices=Form.choices)
    amount = models.DecimalField("每人金额（元）", max_digits=10, decimal_places=2)
    goods = models.CharField("物品/说明", max_length=200, blank=True)
    selection = models.CharField("发放范围", max_length=200)
    override_reason = models.CharField("超标准说明", max_length=500, blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "批量慰问"
        indexes = [models.Index(fields=["org_path", "on", "id"], name="benefitbatch_path_on")]

    def __str__(self):
        return self.title


class BenefitRecord(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="benefits", verbose_name="会员")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会")
    org_path = models.CharField(max_length=255)
    kind = models.CharField("慰问类别", max_length=16, choices=Kind.choices)
    festival = models.CharField("节日", max_length=16, choices=Festival.choices, blank=True)
    on = models.DateField("发放日期")
    form = models.CharField("形式", max_length=8, choices=Form.choices)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    goods = models.CharField("物品/说明", max_length=200, blank=True)
    # 住院: what the illness is, so "once per illness per year" can be checked. Health data
    # is sensitive (PIPL): stored encrypted, shown only to roles with "benefits.sensitive"
    # through an audited service call; the comparison uses the keyed hash `illness_index`.
    illness = EncryptedTextField("病情/住院事由", blank=True, default="")
    illness_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    batch = models.ForeignKey(BenefitBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    ruleset = models.ForeignKey(RuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="适用标准")
    violations = models.JSONField("超出的标准", default=list, blank=True)
    override_reason = models.CharField("超标准说明", max_length=500, blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reversal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal")
    is_reversed = models.BooleanField("已冲销", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "会员慰问"
        indexes = [
            models.Index(fields=["org_path", "on", "id"], name="benefit_path_on"),
            models.Index(fields=["member", "kind", "on"], name="benefit_member_kind_on"),
            models.Index(fields=["org_path", "kind", "on"], name="benefit_path_kind_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(reversal_of__isnull=True) | Q(amount__lte=0), name="benefit_reversal_negative"),
            models.CheckConstraint(condition=Q(reversal_of__isnull=False) | Q(amount__gt=0), name="benefit_amount_positive"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.kind} {self.on} {self.amount}"

    @property
    def is_reversal(self) -> bool:
        return self.reversal_of_id is not None

    @property
    def kind_label(self) -> str:
        label = self.get_kind_display()
        return f"{label}（{self.get_festival_display()}）" if self.festival else label
