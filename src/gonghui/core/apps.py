from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self):
        from gonghui.core.checks import data_dir_permissions

        checks.register(data_dir_permissions, checks.Tags.security)
