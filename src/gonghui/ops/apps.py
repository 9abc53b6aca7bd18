from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The operator's `gonghui` commands (demo, serve, import/export/template, summary,
    stats, audit, createadmin, otp). The top layer: may use every app, none uses it."""

    name = "gonghui.ops"
    label = "ops"
    verbose_name = "运维命令"
