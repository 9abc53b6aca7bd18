"""The member roster (会员实名制).

A person is one Member across the whole platform (the ID number is unique, enforced on
its blind index). Where they belong and in what standing is history: every change is a
dated MembershipEvent, and each event closes one MemberSpell and opens the next, so
"members of this subtree on 2025-10-31" is a single indexed count over spells.

The member's union path is copied onto the row (`org_path`, kept right by org_move via
core.scope.PATH_COPIES) so subtree filters and counts never join the union table.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.access.scope import ScopedQuerySet
from gonghui.core.fields import EncryptedTextField
from gonghui.members.choices import (
    Education,
    Employment,
    EventKind,
    Gender,
    Hukou,
    NewForm,
    Political,
    RequestState,
    Status,
    TransferState,
)

# Spell and event indexes that lead with org_path give it the pattern operator class,
# which range-scans LIKE 'prefix%' under any PostgreSQL collation ("" = the default class;
# other databases ignore operator classes). Migration 0005 says why no plain twin is kept.
PATTERN = "varchar_pattern_ops"


class PathScopedQuerySet(ScopedQuerySet):
    scope_path_field = "org_path"


class Member(models.Model):
    # Index-wise: `org` gets no index of its own (member_org_status leads with it), and
    # the blind indexes are only ever matched whole, so they are declared in Meta rather
    # than with unique=/db_index=, which on PostgreSQL would add a useless LIKE
    # (varchar_pattern_ops) twin to each. Every index costs each imported row an insert.
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="members", verbose_name="所属工会", db_index=False)
    org_path = models.CharField(max_length=255, editable=False)
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField(max_length=200, editable=False)  # "zhangsan"
    name_initials = models.CharField(max_length=50, editable=False)  # "zs"
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=10, default="汉族")
    birth_date = models.DateField("出生日期")
    id_number = EncryptedTextField("身份证号")
    id_hash = models.CharField(max_length=64, editable=False)  # unique: member_id_hash_unique
    id_masked = models.CharField(max_length=18, editable=False)
    phone = EncryptedTextField("手机号", blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", editable=False)  # index: member_phone_hash
    phone_masked = models.CharField(max_length=11, blank=True, default="", editable=False)
    education = models.CharField("学历", max_length=16, choices=Education.choices, blank=True)
    political = models.CharField("政治面貌", max_length=16, choices=Political.choices, default=Political.MASSES)
    hukou = models.CharField("户籍类型", max_length=8, choices=Hukou.choices, blank=True)
    is_migrant_worker = models.BooleanField("农民工", default=False)
    new_form = models.CharField("新就业形态", max_length=16, choices=NewForm.choices, blank=True, default="")
    employment = models.CharField("就业状态", max_length=16, choices=Employment.choices, default=Employment.EMPLOYED)
    position = models.CharField("职务", max_length=50, blank=True)
    joined_on = models.DateField("入会时间")
    card_no = models.CharField("会员证号", max_length=32, blank=True, default="")
    status = models.CharField("会籍状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    # Members who pay no dues get no collective welfare (provincial spending rules).
    pays_dues = models.BooleanField("按时缴纳会费", default=True, db_default=True)
    remarks = models.CharField("备注", max_length=500, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="member", verbose_name="会员账号"
    )
    import_batch = models.CharField(max_length=32, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "会员"
        verbose_name_plural = "会员"
        constraints = [
            models.UniqueConstraint(fields=["id_hash"], name="member_id_hash_unique"),
            models.UniqueConstraint(fields=["card_no"], condition=~Q(card_no=""), name="member_card_unique"),
        ]
        indexes = [
            models.Index(fields=["phone_hash"], name="member_phone_hash"),
            # Keyset paging by name within a subtree / status, and the pinyin searches. The
            # plain org_path index stays beside 0003's pattern twin (unlike spells and
            # events, 0005): under the C collation the planner serves a small subtree's
            # list page from it (14 ms) where without it it walks member_pinyin (60 ms).
            models.Index(fields=["org_path", "status", "name_pinyin", "id"], name="member_path_status_py"),
            models.Index(fields=["name_pinyin", "id"], name="member_pinyin"),
            models.Index(fields=["name_initials", "id"], name="member_initials"),
            models.Index(fields=["name", "id"], name="member_name"),
            models.Index(fields=["org", "status"], name="member_org_status"),
            models.Index(fields=["joined_on", "id"], name="member_joined"),
        ]

    def __str__(self):
        return self.name

    @property
    def in_good_standing(self) -> bool:
        from gonghui.members.choices import GOOD_STANDING

        return self.status in GOOD_STANDING


class MemberSpell(models.Model):
    """A stretch of time during which a member had one union and one status."""

    # No index of its own: spell_member_open leads with it.
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="spells", db_index=False)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=Status.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)  # exclusive; open while current

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "会籍时段"
        indexes = [
            # count_as_of: a prefix range of org_path, all other columns read from the index.
            models.Index(fields=["org_path", "status", "starts_on", "ends_on"], opclasses=[PATTERN, "", "", ""], name="spell_path_prefix"),
            models.Index(fields=["member", "ends_on"], name="spell_member_open"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="spell_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.member_id}@{self.org_id} {self.status} {self.starts_on}–{self.ends_on or ''}"


class MembershipEvent(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=16, choices=EventKind.choices)
    on = models.DateField("日期")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会")
    org_path = models.CharField(max_length=255)
    other_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "会籍变动"
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["org_path", "kind", "on"], opclasses=[PATTERN, "", ""], name="event_path_prefix")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on}"


class Transfer(models.Model):
    """A transfer proposed by the member's union, waiting for the receiving union."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="转出工会")
    to_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="转入工会")
    from_path = models.CharField(max_length=255)
    to_path = models.CharField(max_length=255)
    on = models.DateField("转移日期")
    note = models.CharField("说明", max_length=200, blank=True)
    state = models.CharField(max_length=12, choices=TransferState.choices, default=TransferState.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("处理意见", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "转会"
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(state="pending"), name="transfer_one_pending"),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.from_org_id}→{self.to_org_id} {self.state}"


class ChangeRequest(models.Model):
    """A member's own request to change their phone or education, for staff to decide."""

    FIELDS = {"phone": "手机号", "education": "学历"}

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="change_requests")
    org_path = models.CharField(max_length=255)
    field = models.CharField(max_length=16, choices=list(FIELDS.items()))
    new_value = EncryptedTextField()  # may be a phone number
    state = models.CharField(max_length=12, choices=RequestState.choices, default=RequestState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("处理意见", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "会员信息修改申请"

    def __str__(self):
        return f"{self.member_id} {self.field} {self.state}"


# The blind indexes in Member.id_hash / phone_hash: exact-match lookups of encrypted values.
def id_hash(number: str) -> str:
    from gonghui.core import crypto

    return crypto.blind_index(number, purpose="id")


def phone_hash(number: str) -> str:
    from gonghui.core import crypto

    return crypto.blind_index(number, purpose="phone")
