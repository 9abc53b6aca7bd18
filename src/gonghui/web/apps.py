from django.apps import AppConfig


class WebConfig(AppConfig):
    """The page shell: base templates, navigation, the dashboard and its panel registry,
    request helpers and middleware. Stands on core and access; knows no domain app."""

    name = "gonghui.web"
    label = "web"
    verbose_name = "页面框架"
