from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from gonghui.core.cli_support import actor_from_options, add_actor_argument, resolve_org


class Command(BaseCommand):
    help = "导出统计报表（各模块关键数字与图表数据）为 Excel"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="工会编码")
        parser.add_argument("--period", required=True, help="期间：2025、2025H1、2025Q3、2025-10 或 2025-01-01..2025-06-30")
        parser.add_argument("--subtree", action="store_true", help="汇总该工会及其全部下级工会")
        parser.add_argument("--out", required=True, help="输出文件（.xlsx）")
        add_actor_argument(parser)

    def handle(self, *args, org, period, subtree, out, **options):
        from gonghui.summary.periods import parse_period
        from gonghui.summary.services import summary_exported
        from gonghui.summary.stats import statistics, write_xlsx

        path = Path(out)
        if path.suffix.lower() != ".xlsx":
            raise CommandError("输出文件的扩展名应为 .xlsx。")
        try:
            parsed = parse_period(period)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        actor = actor_from_options(options)
        target = resolve_org(actor, org)
        try:
            actor.require("summary.view")
            figures = statistics(actor=actor, org=target, period=parsed, subtree=subtree)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from None
        write_xlsx(figures, path)
        summary_exported(actor=actor, draft=None, org=target, fmt="xlsx", period=parsed.code)
        self.stdout.write(str(path))
