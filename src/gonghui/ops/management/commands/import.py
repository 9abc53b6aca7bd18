import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.exchange.registry import EXCHANGES
from gonghui.ops.cli_support import actor_from_options, add_actor_argument, resolve_org


class Command(BaseCommand):
    help = "从 Excel/CSV 导入数据。默认全部正确才导入；--mode valid 只导入正确的行"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="类型：" + "、".join(EXCHANGES))
        parser.add_argument("file", help=".xlsx / .xls / .csv 文件")
        parser.add_argument("--org", help="导入到哪个工会（工会编码）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--mode", choices=["all", "valid"], default="all", help="all：全部正确才导入（默认）；valid：只导入正确的行")
        add_actor_argument(parser)

    def handle(self, *args, kind, file, org, dry_run, mode, **options):
        exchange = EXCHANGES.get(kind)
        if exchange is None or exchange.importer is None:
            raise CommandError(f"不支持导入“{kind}”，可选：{'、'.join(k for k, e in EXCHANGES.items() if e.importer)}")
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        actor = actor_from_options(options)
        target = resolve_org(actor, org)
        report = exchange.importer(actor=actor, path=path, org=target, mode=mode, dry_run=dry_run)
        if report.file_error:
            self.stderr.write(f"文件无法导入：{report.file_error}")
            sys.exit(2)
        for rownum, message in report.errors:
            self.stderr.write(f"第{rownum}行：{message}")
        state = "（仅检查，未写入）" if dry_run else ("" if report.written else "（有错误，未写入任何数据）")
        self.stdout.write(
            f"新建 {report.created}，更新 {report.updated}，未变 {report.unchanged}，拒绝 {report.rejected}{state}"
        )
        if report.rejected and mode != "valid":
            sys.exit(1)
