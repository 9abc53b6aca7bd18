"""The background import job: one spreadsheet import, its progress and its result."""

from django.db import models


class ImportJob(models.Model):
    """One spreadsheet import run in the background: its progress and its result."""

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
    # recovery (exchange.jobs.jobs_recover) instead of staying "处理中" forever.
    runner = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "导入任务"
        # Created by the core app before the exchange layer existed; the table kept its name.
        db_table = "core_importjob"

    def __str__(self):
        return f"{self.kind} #{self.pk} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def outcome(self) -> str:
        """What the job came to, in a few words for the import lists and the job page:
        "已完成" hid that an all-or-nothing import had written nothing."""
        if not self.finished:
            if self.state == self.State.RUNNING:
                return f"{'检查中' if self.dry_run else '导入中'}（{self.progress}%）"
            return self.get_state_display()
        if self.file_error or self.state == self.State.FAILED:
            return f"出错：{self.file_error or '未写入任何数据'}"
        if self.dry_run:
            text = f"检查完成：可导入{self.created + self.updated}行，" + (f"{self.rejected}行有错误" if self.rejected else "没有错误")
            return text + (f"，{self.unchanged}行无变化" if self.unchanged else "")
        if self.written:
            text = f"已导入{self.created + self.updated}行" + (f"，{self.unchanged}行无变化" if self.unchanged else "")
            return text + (f"，跳过{self.rejected}行有错误" if self.rejected else "")
        if self.rejected:
            return f"未导入：{self.rejected}行有错误（全部正确才导入）"
        return "未导入任何数据"

    @property
    def refused_for_rows(self) -> bool:
        """An all-or-nothing import that wrote nothing because of bad rows: its file is kept
        (exchange.jobs._discard_upload_after) for the retry with the valid rows only."""
        return (self.state == self.State.DONE and not self.dry_run and self.mode == "all" and not self.written
                and not self.file_error and self.rejected > 0)

    @property
    def retry_rows(self) -> int:
        """How many rows 只导入正确的行 would take, for a job refused for bad rows (else 0)."""
        return max(self.total - self.rejected, 0) if self.refused_for_rows else 0

    @property
    def upload_kept(self) -> bool:
        """Whether the uploaded file is still there to import again (the sweep removes it
        after a day)."""
        from gonghui.exchange.files import stashed_path

        return stashed_path(self.token) is not None
