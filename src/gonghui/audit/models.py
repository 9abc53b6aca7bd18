"""The append-only, hash-chained audit trail.

Each event's hash covers its own fields and the previous event's hash, so altering or
deleting any row breaks the chain from that row on (`gonghui audit verify`). The hash is
an HMAC keyed from the field-encryption master key, which is kept outside the database, so
whoever can write the table cannot re-hash a rewritten chain; events written before the
key was introduced keep their plain SHA-256 (`scheme`). The chain head (last sequence
number and hash) lives in a one-row table that every writer locks, which serialises
appends across app processes. Triggers on both SQLite and PostgreSQL refuse UPDATE and
DELETE of events at the database level.
"""

from django.conf import settings
from django.db import models

from gonghui.access.scope import ScopedQuerySet


class AuditEventQuerySet(ScopedQuerySet):
    scope_field = "org"


class Scheme(models.IntegerChoices):
    SHA256 = 1, "SHA-256（无密钥，启用密钥前的旧记录）"
    HMAC_SHA256 = 2, "HMAC-SHA256（带密钥）"


class AuditEvent(models.Model):
    class Result(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"

    seq = models.BigIntegerField(primary_key=True)
    ts = models.DateTimeField("时间", db_index=True)
    # No database constraints towards users and unions: the trail must outlive them and
    # must never be touched by an ON DELETE action.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name="用户",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.CharField("来源", max_length=64, blank=True)
    source = models.CharField("渠道", max_length=16)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象", max_length=128, blank=True)
    org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name="工会",
    )
    result = models.CharField("结果", max_length=8, choices=Result.choices)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # No default: every writer states how it hashed, and a writer that predates the
    # column (an old process still running after the upgrade) fails on PostgreSQL instead
    # of appending unkeyed rows behind keyed ones (migration 0004).
    scheme = models.SmallIntegerField("哈希方式", choices=Scheme.choices)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        indexes = [
            models.Index(fields=["user", "ts"]),
            models.Index(fields=["org", "ts"]),
            models.Index(fields=["action", "ts"]),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """The single row holding the chain's tip; locked by every append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链尾"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single_row")]

    def __str__(self):
        return f"head #{self.last_seq}"
