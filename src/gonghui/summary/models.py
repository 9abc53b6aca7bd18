"""Saved summary drafts, their named versions, and per-federation phrasing."""

from django.conf import settings
from django.db import models

from gonghui.access.scope import ScopedQuerySet


class PathScopedQuerySet(ScopedQuerySet):
    scope_path_field = "org_path"


class SummaryDraft(models.Model):
    """A union's summary of one period, as the user edits it; its versions keep each save."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会")
    org_path = models.CharField(max_length=255, editable=False)
    period = models.CharField("期间", max_length=32)
    subtree = models.BooleanField("含下级工会", default=True)
    title = models.CharField("标题", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "工作总结"
        verbose_name_plural = "工作总结"
        indexes = [models.Index(fields=["org_path", "-updated_at"], name="summary_draft_path")]

    def __str__(self):
        return self.title

    @property
    def scope_label(self) -> str:
        """本级 / 含下级工会 / 含所属分会、工会小组: what its figures count (orgs.selectors.reporting_scope)."""
        from gonghui.orgs.selectors import reporting_scope

        return reporting_scope(self.org, self.subtree).label

    @property
    def latest(self):
        return self.versions.order_by("-number").first()


class SummaryVersion(models.Model):
    """A named, immutable save: the document as edited and the figures it was written from."""

    draft = models.ForeignKey(SummaryDraft, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    name = models.CharField("版本名称", max_length=60)
    document = models.JSONField()
    facts = models.JSONField()  # {fact key: {"text", "value", "label", "link"}} when generated
    generated_at = models.DateTimeField()  # when the figures were taken from the records
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "工作总结版本"
        constraints = [models.UniqueConstraint(fields=["draft", "number"], name="summary_version_number")]
        ordering = ["-number"]

    def __str__(self):
        return f"{self.draft_id} v{self.number} {self.name}"


class PhraseOverride(models.Model):
    """A federation's own wording of a sentence; it applies to the union's whole subtree,
    the nearest union's wording winning."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会")
    org_path = models.CharField(max_length=255, editable=False)
    key = models.CharField("语句", max_length=80)
    text = models.TextField("模板")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "自定义措辞"
        constraints = [models.UniqueConstraint(fields=["org", "key"], name="summary_phrase_unique")]

    def __str__(self):
        return f"{self.org_id}:{self.key}"


class SummarySetting(models.Model):
    """What a union sets for its summaries of one year: the guiding text (以…为指导), its
    Party organisation (在…和上级工会的领导下), the closing paragraph and the parts it
    marked as key. Blank means the default (summary/prefs.py)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    guiding = models.TextField("指导思想", blank=True)
    party = models.CharField("党组织名称", max_length=40, blank=True)
    closing = models.TextField("结尾段落", blank=True)
    key_themes = models.JSONField("重点工作", default=list, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "工作总结设置"
        verbose_name_plural = "工作总结设置"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="summary_setting_unique")]

    def __str__(self):
        return f"{self.org_id}:{self.year}"


class PurposeClauseSet(models.Model):
    """A union's effect clauses for one part of the summary ("丰富了职工的业余文化生活"):
    they replace the default set for its whole subtree, the nearest union's set winning."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="工会")
    org_path = models.CharField(max_length=255, editable=False)
    theme = models.CharField("工作部分", max_length=40)
    clauses = models.JSONField("成效语", default=list)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "成效语"
        verbose_name_plural = "成效语"
        constraints = [models.UniqueConstraint(fields=["org", "theme"], name="summary_purpose_unique")]

    def __str__(self):
        return f"{self.org_id}:{self.theme}"
