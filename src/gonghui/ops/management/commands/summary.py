from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.ops.management.commands._common import add_common_arguments, prepare, refused_in_chinese

FORMATS = {".docx": "docx", ".md": "md", ".html": "html", ".htm": "html"}


class Command(BaseCommand):
    help = "根据记录生成工作总结（.docx 公文格式、.md 或 .html）"

    def add_arguments(self, parser):
        add_common_arguments(parser, subtree_help="汇总该工会及其全部下级工会，并按下级工会列出分表",
                             out_help="输出文件：.docx、.md 或 .html")
        parser.add_argument("--no-suggestions", action="store_true",
                            help="不写入系统根据记录提出的“存在问题”和“下一步工作计划”")

    def handle(self, *args, org, period, subtree, out, no_suggestions, **options):
        from gonghui.summary.assemble import accept_all, generate
        from gonghui.summary.services import summary_exported
        from gonghui.summary.views import render_export

        path = Path(out)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise CommandError("输出文件的扩展名应为 .docx、.md 或 .html。")
        actor, target, parsed = prepare(org=org, period=period, path=path, options=options)
        with refused_in_chinese():
            generated = generate(actor=actor, org=target, period=parsed, subtree=subtree)
        document = generated.document if no_suggestions else accept_all(generated.document)
        if no_suggestions:
            document = {**document, "suggestions": []}
        path.write_bytes(render_export(document, fmt))
        summary_exported(actor=actor, draft=None, org=target, fmt=fmt, period=parsed.code)
        self.stdout.write(str(path))
