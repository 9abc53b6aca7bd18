from django.db import models


class SiteFlag(models.Model):
    """Installation-wide facts, e.g. that this database holds demo data."""

    key = models.CharField(max_length=64, primary_key=True)
    value = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "平台标记"

    def __str__(self):
        return self.key

    @classmethod
    def get(cls, key: str, default: str = "") -> str:
        row = cls.objects.filter(key=key).first()
        return row.value if row else default
