import sys

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gonghui.audit.services import audit_verify


def _audit_schema_is_current() -> bool:
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes("audit"))


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，发现被篡改或删除的记录时以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        if not _audit_schema_is_current():
            # A restored backup from before an upgrade lacks the hash-scheme column: say so
            # instead of failing on the missing column.
            self.stderr.write(
                "审计日志无法校验：该数据库尚未升级到本版本。请在数据库副本上先运行 gonghui migrate"
                "（会在链尾追加一条启用带密钥哈希的记录），再运行 gonghui audit verify。"
            )
            sys.exit(1)
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"审计日志完整：共校验 {result.checked} 条记录，哈希链无断裂。")
            self.stdout.write(_schemes(result))
            # Written down (or logged elsewhere) this pins the chain: a deleted tail, which the
            # key cannot reveal, would no longer end in this hash.
            self.stdout.write(f"链尾：第{result.checked}条，哈希 {result.head_hash}")
            return
        self.stderr.write(f"审计日志校验失败：{result.reason}（此前 {result.checked} 条完好）")
        sys.exit(1)


def _span(first: int, last: int) -> str:
    return f"第{first}条" if first == last else f"第{first}–{last}条"


def _schemes(result) -> str:
    if not result.checked:
        return "校验方式：尚无审计记录。"
    keyed = (
        f"{_span(result.keyed_from, result.checked)} {result.keyed} 条用带密钥的 HMAC-SHA256（密钥由字段加密主密钥派生）"
        if result.keyed
        else ""
    )
    if not result.legacy:
        return f"校验方式：{keyed}。"
    legacy = f"{_span(1, result.legacy)} {result.legacy} 条用无密钥的 SHA-256（启用密钥前写入的旧记录）"
    return f"校验方式：{legacy}；{keyed}。"
