"""Activities and training (活动与培训): what a union organised, who took part, and study
assignments.

An `Activity` is organised by one union and held in one or more `Session`s (a training
class has several, each with its hours and teacher; any other activity has one that
follows the activity's own times). People take part through a `Registration` — a member,
or a non-member named only by name — which is registered, on the waiting list or
cancelled. A `CheckIn` records attendance at one session; 人次 is the number of check-ins,
hours are the sum of the sessions attended. People served without being named (residents
at a 义诊) are counted in `Activity.beneficiaries`.

Rows copy their organising union's path (`org_path`, kept right by org_move through
access.scope.PATH_COPIES) so scoped lists and subtree figures need no join; a
registration also copies the participant's own union (`unit_path`) for figures by branch.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from gonghui.access.scope import ScopedQuerySet


class PathScopedQuerySet(ScopedQuerySet):
    scope_path_field = "org_path"


class ActivityKind(models.Model):
    """The coded list of kinds. Built-in kinds are seeded by a migration; an administrator
    adds more. `noun` is how a summary sentence names the kind ("文体活动", "读书活动")."""

    code = models.CharField("编码", max_length=16, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    noun = models.CharField("总结中的称呼", max_length=20)
    order = models.PositiveSmallIntegerField("排序", default=100)
    is_builtin = models.BooleanField(default=False, editable=False)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "活动类型"
        verbose_name_plural = "活动类型"
        ordering = ("order", "id")

    def __str__(self):
        return self.name


class PartnerCategory(models.TextChoices):
    HOSPITAL = "hospital", "医院/卫生机构"
    ENTERPRISE = "enterprise", "企业"
    SCHOOL = "school", "学校/培训机构"
    GOVERNMENT = "government", "机关/事业单位"
    SOCIAL = "social", "社会组织"
    OTHER = "other", "其他"


class Partner(models.Model):
    """An outside organisation a union works with, kept once and reused by its activities
    and by those of the unions below it."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="登记工会")
    org_path = models.CharField(max_length=255, editable=False)
    name = models.CharField("单位名称", max_length=100)
    category = models.CharField("类别", max_length=12, choices=PartnerCategory.choices, default=PartnerCategory.OTHER)
    contact = models.CharField("联系人", max_length=50, blank=True, default="")
    phone = models.CharField("联系电话", max_length=30, blank=True, default="")
    note = models.CharField("备注", max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "合作单位"
        verbose_name_plural = "合作单位"
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="partner_name_unique_per_org")]
        indexes = [models.Index(fields=["org_path", "name"], name="partner_path_name")]

    def __str__(self):
        return self.name


class Target(models.TextChoices):
    ALL = "all", "全体会员"
    WOMEN = "women", "女职工"
    BRANCH = "branch", "指定分会"
    NEW = "new", "新入职（入会一年内）职工"
    RETIREES = "retirees", "退休职工"
    DELEGATES = "delegates", "职工代表"
    RESIDENTS = "residents", "辖区群众"


class Funding(models.TextChoices):
    UNION = "union", "工会经费"
    ADMIN = "admin", "行政拨款"
    PARTNER = "partner", "合作单位承担"
    SELF = "self", "个人自费"
    OTHER = "other", "其他"
    NONE = "none", "无费用"


class Status(models.TextChoices):
    PLANNED = "planned", "计划"
    OPEN = "open", "报名中"
    RUNNING = "running", "进行中"
    DONE = "done", "已结束"
    CANCELLED = "cancelled", "已取消"


# Which status may follow which (services.activity_set_status).
NEXT_STATUS = {
    Status.PLANNED: (Status.OPEN, Status.RUNNING, Status.DONE, Status.CANCELLED),
    Status.OPEN: (Status.RUNNING, Status.DONE, Status.CANCELLED, Status.PLANNED),
    Status.RUNNING: (Status.DONE, Status.CANCELLED),
    Status.DONE: (Status.RUNNING,),
    Status.CANCELLED: (),
}
# Statuses that count as held for figures and the summary.
HELD = (Status.RUNNING, Status.DONE)


class Activity(models.Model):
    code = models.CharField("活动编号", max_length=16, unique=True, null=True, blank=True, editable=False)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="组织工会")
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.ForeignKey(ActivityKind, on_delete=models.PROTECT, related_name="activities", verbose_name="活动类型")
    title = models.CharField("活动名称", max_length=100)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=100, blank=True, default="")
    co_orgs = models.ManyToManyField("orgs.Org", blank=True, related_name="+", verbose_name="协办分会")
    partners = models.ManyToManyField(Partner, blank=True, related_name="activities", verbose_name="合作单位")
    target = models.CharField("参加对象", max_length=10, choices=Target.choices, default=Target.ALL)
    target_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="指定分会")
    capacity = models.PositiveIntegerField("名额", null=True, blank=True)
    signup_ends_at = models.DateTimeField("报名截止", null=True, blank=True)
    cost = models.DecimalField("费用（元）", max_digits=12, decimal_places=2, default=0)
    funding = models.CharField("经费来源", max_length=8, choices=Funding.choices, default=Funding.UNION)
    beneficiaries = models.PositiveIntegerField("其他受益人数", default=0,
                                                help_text="未逐一登记的受益群众人数，如义诊服务的群众。")
    is_training = models.BooleanField("培训班", default=False)
    quiz_name = models.CharField("答卷/考试名称", max_length=100, blank=True, default="")
    quiz_pass = models.DecimalField("及格分", max_digits=5, decimal_places=1, null=True, blank=True)
    report = models.TextField("活动报道/总结", blank=True, default="")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True, default="")
    import_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="activity_times_ordered"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="activity_cost_not_negative"),
            models.CheckConstraint(condition=~Q(target="branch") | Q(target_org__isnull=False), name="activity_branch_named"),
            models.UniqueConstraint(fields=["import_key"], condition=~Q(import_key=""), name="activity_import_key"),
        ]
        indexes = [
            models.Index(fields=["org_path", "starts_at", "id"], name="activity_path_start"),
            models.Index(fields=["org_path", "kind", "starts_at"], name="activity_path_kind"),
        ]

    def __str__(self):
        return self.title

    @property
    def has_quiz(self) -> bool:
        return bool(self.quiz_name)

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED

    @property
    def is_held(self) -> bool:
        return self.status in HELD


def new_checkin_key() -> str:
    return secrets.token_urlsafe(12)


class Session(models.Model):
    """One sitting of an activity: the unit of check-in and of training hours."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    org_path = models.CharField(max_length=255, editable=False)
    seq = models.PositiveSmallIntegerField("场次")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, default=0)
    topic = models.CharField("内容/专题", max_length=200, blank=True, default="")
    teacher = models.CharField("授课人", max_length=50, blank=True, default="")
    teacher_title = models.CharField("授课人职务/职称", max_length=100, blank=True, default="")
    # Part of every check-in link of this session; rotating it (session_rotate_key) makes
    # links already printed or shared useless.
    checkin_key = models.CharField(max_length=32, default=new_checkin_key, editable=False)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "场次"
        verbose_name_plural = "场次"
        ordering = ("activity", "seq")
        constraints = [
            models.UniqueConstraint(fields=["activity", "seq"], name="session_seq_unique"),
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="session_times_ordered"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="session_hours_not_negative"),
        ]

    def __str__(self):
        return f"第{self.seq}场"


class RegStatus(models.TextChoices):
    REGISTERED = "registered", "已报名"
    WAITLIST = "waitlist", "候补"
    CANCELLED = "cancelled", "已取消"


class Source(models.TextChoices):
    SELF = "self", "本人报名"
    STAFF = "staff", "工作人员代报"
    IMPORT = "import", "导入"
    WALKIN = "walkin", "现场签到"


class Registration(models.Model):
    """One person's place in an activity. A member is the Member row; anyone else is a
    name (and optionally a unit) only, counted but never made a member."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    org_path = models.CharField(max_length=255, editable=False)  # the activity's union
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    # The member's union when they signed up (a non-member: the organising union), for
    # figures by branch that do not move when the member later transfers.
    unit = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    affiliation = models.CharField("单位/身份", max_length=100, blank=True, default="")
    gender = models.CharField("性别", max_length=1, blank=True, default="")
    status = models.CharField("状态", max_length=10, choices=RegStatus.choices, default=RegStatus.REGISTERED)
    source = models.CharField("方式", max_length=8, choices=Source.choices, default=Source.STAFF)
    queued_at = models.DateTimeField()  # the waiting list's order
    score = models.DecimalField("成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField("合格", null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], condition=Q(member__isnull=False), name="registration_member_once"),
            models.UniqueConstraint(fields=["activity", "name"], condition=Q(member__isnull=True), name="registration_guest_once"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0), name="registration_score_not_negative"),
        ]
        indexes = [
            models.Index(fields=["activity", "status", "queued_at", "id"], name="registration_queue"),
            models.Index(fields=["org_path", "activity"], name="registration_path"),
            models.Index(fields=["member", "status"], name="registration_member"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_member(self) -> bool:
        return self.member_id is not None


class Method(models.TextChoices):
    QR = "qr", "扫码签到"
    STAFF = "staff", "工作人员签到"
    IMPORT = "import", "导入"


class CheckIn(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="checkins")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="checkins")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="checkins")
    org_path = models.CharField(max_length=255, editable=False)
    at = models.DateTimeField("签到时间")
    method = models.CharField("方式", max_length=8, choices=Method.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "签到"
        verbose_name_plural = "签到"
        constraints = [models.UniqueConstraint(fields=["registration", "session"], name="checkin_once")]
        indexes = [
            models.Index(fields=["activity", "session"], name="checkin_activity"),
            models.Index(fields=["org_path", "at"], name="checkin_path_at"),
        ]

    def __str__(self):
        return f"{self.registration_id}@{self.session_id}"


def attachment_path(instance, filename):
    return f"activities/{instance.activity_id}/{instance.token}"


class Attachment(models.Model):
    """A photo or a scanned document of an activity. The file lives under the data
    directory (`media/activities/<id>/<random token>`), is checked by content on upload
    and is served only through the activity's own scoped view."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    org_path = models.CharField(max_length=255, editable=False)
    token = models.CharField(max_length=32, unique=True, editable=False)
    filename = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    caption = models.CharField("说明", max_length=200, blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "活动附件"
        verbose_name_plural = "活动附件"
        constraints = [models.UniqueConstraint(fields=["activity", "sha256"], name="attachment_once_per_activity")]

    def __str__(self):
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class StudyAssignment(models.Model):
    """A study task set by a union for the members of its subtree (or one branch): read a
    book list, write a 学习心得. Each member in good standing at the start date within the
    target is expected to hand in `per_member` pieces by the due date."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="布置工会")
    org_path = models.CharField(max_length=255, editable=False)
    target_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="指定分会")
    target_path = models.CharField(max_length=255, editable=False)
    title = models.CharField("学习任务", max_length=100)
    noun = models.CharField("提交物", max_length=20, default="学习心得")
    description = models.TextField("要求", blank=True, default="")
    books = models.TextField("书目/学习材料", blank=True, default="")
    per_member = models.PositiveSmallIntegerField("每人应交篇数", default=1)
    starts_on = models.DateField("开始日期")
    due_on = models.DateField("截止日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "学习任务"
        verbose_name_plural = "学习任务"
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=F("starts_on")), name="study_dates_ordered"),
            models.CheckConstraint(condition=Q(per_member__gte=1), name="study_per_member_positive"),
            models.UniqueConstraint(fields=["org", "title"], name="study_title_unique_per_org"),
        ]
        indexes = [models.Index(fields=["org_path", "due_on"], name="study_path_due")]

    def __str__(self):
        return self.title


class StudySubmission(models.Model):
    assignment = models.ForeignKey(StudyAssignment, on_delete=models.CASCADE, related_name="submissions")
    org_path = models.CharField(max_length=255, editable=False)  # the assignment's union
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    seq = models.PositiveSmallIntegerField("篇次", default=1)
    title = models.CharField("题目", max_length=100, blank=True, default="")
    text = models.TextField("内容", blank=True, default="")
    file_token = models.CharField(max_length=32, blank=True, default="", editable=False)
    filename = models.CharField(max_length=200, blank=True, default="")
    content_type = models.CharField(max_length=40, blank=True, default="")
    submitted_on = models.DateField("提交日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "学习提交"
        verbose_name_plural = "学习提交"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "member", "seq"], name="study_submission_once"),
            models.CheckConstraint(condition=~Q(text="") | ~Q(file_token=""), name="study_submission_has_content"),
        ]
        indexes = [models.Index(fields=["assignment", "unit_path"], name="study_submission_unit")]

    def __str__(self):
        return self.title or f"第{self.seq}篇"
