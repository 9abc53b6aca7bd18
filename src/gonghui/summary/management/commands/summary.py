from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from gonghui.core.cli_support import actor_from_options, add_actor_argument, resolve_org

FORMATS = {".docx": "docx", ".md": "md", ".html": "html", ".htm": "html"}


class Command(BaseCommand):
    help = "根据记录生成工作总结（.docx 公文格式、.md 或 .html）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="工会编码")
        parser.add_argument("--period", required=True,
                            help="期间：2025、2025H1、2025H2、2025Q3、2025-10 或 2025-01-01..2025-06-30")
        parser.add_argument("--subtree", action="store_true", help="汇总该工会及其全部下级工会，并按下级工会列出分表")
        parser.add_argument("--out", required=True, help="输出文件：.docx、.md 或 .html")
        parser.add_argument("--no-suggestions", action="store_true",
                            help="不写入系统根据记录提出的“存在问题”和“下一步工作计划”")
        add_actor_argument(parser)

    def handle(self, *args, org, period, subtree, out, no_suggestions, **options):
        from gonghui.summary.assemble import accept_all, generate
        from gonghui.summary.periods import parse_period
        from gonghui.summary.services import summary_exported
        from gonghui.summary.views import render_export

        path = Path(out)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise CommandError("输出文件的扩展名应为 .docx、.md 或 .html。")
        try:
            parsed = parse_period(period)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        actor = actor_from_options(options)
        target = resolve_org(actor, org)
        try:
            actor.require("summary.view")
            generated = generate(actor=actor, org=target, period=parsed, subtree=subtree)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from None
        document = generated.document if no_suggestions else accept_all(generated.document)
        if no_suggestions:
            document = {**document, "suggestions": []}
        if path.parent and not path.parent.exists():
            raise CommandError(f"输出目录不存在：{path.parent}")
        path.write_bytes(render_export(document, fmt))
        summary_exported(actor=actor, draft=None, org=target, fmt=fmt, period=parsed.code)
        self.stdout.write(str(path))
