from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "gonghui.assistance"
    label = "assistance"
    verbose_name = "困难帮扶"
