from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Spreadsheets in and out: the sandboxed reader, the writer, the registry of what each
    module imports and exports, background import jobs, their pages and temporary files.
    Stands on core, access and web; modules register their kinds with it."""

    name = "gonghui.exchange"
    label = "exchange"
    verbose_name = "导入导出"

    def ready(self):
        from gonghui.access.scope import register_path_copy

        # A moved union's import jobs move with it (their org_path is a copy).
        register_path_copy("exchange.ImportJob", "org_path")
