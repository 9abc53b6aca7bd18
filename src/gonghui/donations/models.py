"""Donation drives (捐款活动) and the donations given to them.

A recorded donation is never edited: a correction is a reversal, a negative mirror of the
donation (same drive, donor and date) linked to it, so totals over any period stay right
and the original entry remains visible. Each row copies its union's path (`org_path`,
kept right by org_move via core.scope.PATH_COPIES) so subtree figures need no join.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.access.scope import ScopedQuerySet


class DriveStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class DonorKind(models.TextChoices):
    MEMBER = "member", "会员"
    UNIT = "unit", "单位"
    PERSON = "person", "个人（非会员）"


class Method(models.TextChoices):
    CASH = "cash", "现金"
    TRANSFER = "transfer", "转账"
    OTHER = "other", "其他"


class PathScopedQuerySet(ScopedQuerySet):
    scope_path_field = "org_path"


class Drive(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="组织工会")
    org_path = models.CharField(max_length=255, editable=False)
    name = models.CharField("活动名称", max_length=100)
    purpose = models.CharField("捐款用途", max_length=500)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField("状态", max_length=8, choices=DriveStatus.choices, default=DriveStatus.OPEN)
    notes = models.CharField("备注", max_length=500, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "捐款活动"
        verbose_name_plural = "捐款活动"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="drive_dates_ordered"),
            models.UniqueConstraint(fields=["org", "name"], name="drive_name_unique_per_org"),
        ]
        indexes = [models.Index(fields=["org_path", "starts_on", "id"], name="drive_path_start")]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == DriveStatus.OPEN


class Donation(models.Model):
    drive = models.ForeignKey(Drive, on_delete=models.PROTECT, related_name="donations", verbose_name="捐款活动")
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField("捐款人类型", max_length=8, choices=DonorKind.choices)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="会员")
    # The name shown in lists and on the acknowledgement: the member's name when the
    # donation was recorded, or the unit's / person's name as given.
    name = models.CharField("捐款人", max_length=100)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    on = models.DateField("捐款日期")
    method = models.CharField("方式", max_length=8, choices=Method.choices, default=Method.CASH)
    note = models.CharField("备注", max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    reversal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal")
    import_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "捐款"
        verbose_name_plural = "捐款"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="member") & Q(member__isnull=False)) | (~Q(kind="member") & Q(member__isnull=True) & ~Q(name="")),
                name="donation_one_donor",
            ),
            models.CheckConstraint(
                condition=(Q(reversal_of__isnull=True) & Q(amount__gt=0)) | (Q(reversal_of__isnull=False) & Q(amount__lt=0)),
                name="donation_sign",
            ),
            models.UniqueConstraint(fields=["import_key"], condition=~Q(import_key=""), name="donation_import_key"),
        ]
        indexes = [
            models.Index(fields=["drive", "on", "id"], name="donation_drive_on"),
            models.Index(fields=["org_path", "on"], name="donation_path_on"),
        ]

    def __str__(self):
        return f"{self.name} {self.amount}"

    @property
    def is_reversal(self) -> bool:
        return self.reversal_of_id is not None
