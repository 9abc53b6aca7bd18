import sys

from django.core.management.base import BaseCommand

from gonghui.audit.services import audit_verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，发现被篡改或删除的记录时以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"审计日志完整：共校验 {result.checked} 条记录，哈希链无断裂。")
            # Written down (or logged elsewhere) this pins the chain: a later rewrite of the
            # whole table, consistent in itself, would no longer end in this hash.
            self.stdout.write(f"链尾：第{result.checked}条，哈希 {result.head_hash}")
            return
        self.stderr.write(f"审计日志校验失败：{result.reason}（此前 {result.checked} 条完好）")
        sys.exit(1)
