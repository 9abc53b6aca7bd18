from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.ops.management.commands._common import add_common_arguments, prepare, refused_in_chinese


class Command(BaseCommand):
    help = "导出统计报表（各模块关键数字与图表数据）为 Excel"

    def add_arguments(self, parser):
        add_common_arguments(parser, subtree_help="汇总该工会及其全部下级工会", out_help="输出文件（.xlsx）")

    def handle(self, *args, org, period, subtree, out, **options):
        from gonghui.summary.services import summary_exported
        from gonghui.summary.stats import statistics, write_xlsx

        path = Path(out)
        if path.suffix.lower() != ".xlsx":
            raise CommandError("输出文件的扩展名应为 .xlsx。")
        actor, target, parsed = prepare(org=org, period=period, path=path, options=options)
        with refused_in_chinese():
            figures = statistics(actor=actor, org=target, period=parsed, subtree=subtree)
        write_xlsx(figures, path)
        summary_exported(actor=actor, draft=None, org=target, fmt="xlsx", period=parsed.code)
        self.stdout.write(str(path))
