from django.db import models


class SiteFlag(models.Model):
    """Installation-wide facts, e.g. that this database holds demo data."""
    class Meta:
        verbose_name = "平台标记"


    key = models.CharField(max_length=64, primary_key=True)
    value = models.CharField(max_length=255, blank=True)

    def __str__(self):
        return self.key

    @classmethod
    def get(cls, key: str, default: str = "") -> str:
        row = cls.objects.filter(key=key).first()
        return row.value if row else default


class ImportJob(models.Model):
    """One spreadsheet import run in the background: its progress and its result."""
    class Meta:
        verbose_name = "导入任务"


    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "出错"

    kind = models.CharField(max_length=32)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    grant = models.ForeignKey("accounts.RoleGrant", null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=200)
    token = models.CharField(max_length=32)
    mode = models.CharField(max_length=8, default="all")
    dry_run = models.BooleanField(default=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    written = models.BooleanField(default=False)
    errors = models.JSONField(default=list, blank=True)  # [[row, message], …] (first 5,000)
    warnings = models.JSONField(default=list, blank=True)
    file_error = models.TextField(blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # "host:pid" of the worker process running it: a job whose runner died is failed on
    # recovery (core.jobs.jobs_recover) instead of staying "处理中" forever.
    runner = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"{self.kind} #{self.pk} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
