from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.exchange.registry import EXCHANGES


class Command(BaseCommand):
    help = "生成导入模板（Excel，含中文表头、下拉选项、示例行和填写说明）"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="类型：" + "、".join(EXCHANGES) if EXCHANGES else "类型")
        parser.add_argument("--out", required=True, help="输出文件路径（.xlsx）")

    def handle(self, *args, kind, out, **options):
        exchange = EXCHANGES.get(kind)
        if exchange is None:
            raise CommandError(f"不支持的类型“{kind}”，可选：{'、'.join(EXCHANGES)}")
        path = exchange.template(Path(out))
        self.stdout.write(str(path))
