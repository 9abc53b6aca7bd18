from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "gonghui.donations"
    label = "donations"
    verbose_name = "捐款"
