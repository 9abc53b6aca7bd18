from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "gonghui.benefits"
    label = "benefits"
    verbose_name = "会员慰问"
