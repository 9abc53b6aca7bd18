from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.exchange.registry import EXCHANGES
from gonghui.exchange.sheets import CellError, to_date
from gonghui.ops.cli_support import actor_from_options, add_actor_argument, resolve_org


class Command(BaseCommand):
    help = "导出数据为 Excel（与导入模板格式相同）"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="类型：" + "、".join(EXCHANGES))
        parser.add_argument("--org", required=True, help="工会编码")
        parser.add_argument("--out", required=True, help="输出文件路径（.xlsx）")
        parser.add_argument("--subtree", action="store_true", help="包含全部下级工会")
        parser.add_argument("--from", dest="start", help="开始日期 2025-01-01")
        parser.add_argument("--to", dest="end", help="结束日期 2025-12-31")
        add_actor_argument(parser)

    def handle(self, *args, kind, org, out, subtree, start, end, **options):
        exchange = EXCHANGES.get(kind)
        if exchange is None or exchange.exporter is None:
            raise CommandError(f"不支持导出“{kind}”，可选：{'、'.join(k for k, e in EXCHANGES.items() if e.exporter)}")
        if (start or end) and not exchange.by_period:
            raise CommandError(f"“{exchange.label}”的导出不按日期筛选，请去掉 --from/--to。")
        if exchange.always_subtree and not subtree:
            self.stderr.write(f"提示：“{exchange.label}”总是导出该工会及其全部下级。")
        try:
            start_d, end_d = to_date(start), to_date(end)
        except CellError as exc:
            raise CommandError(str(exc)) from None
        actor = actor_from_options(options)
        target = resolve_org(actor, org)
        from django.core.exceptions import PermissionDenied, ValidationError

        try:
            path = exchange.exporter(actor=actor, org=target, path=Path(out), subtree=subtree, start=start_d, end=end_d)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from None
        self.stdout.write(str(path))
