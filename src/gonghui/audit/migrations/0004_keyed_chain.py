"""Key the audit chain: a per-event hash scheme, and one keyed event that seals the old part.

The column is added with plain ALTER TABLE ... ADD COLUMN ... DEFAULT 1 NOT NULL on both
databases rather than Django's AddField: on SQLite, AddField of a NOT NULL column copies the
whole table into a new one and drops the old, which silently drops the append-only triggers
with it (and rewrites a table that may hold millions of rows). ADD COLUMN with a constant
default changes the schema only, on SQLite and on PostgreSQL (11+), so no row is written and
the UPDATE triggers never see it; the existing events read as scheme 1 (SHA-256), which is
how they were hashed. PostgreSQL then drops the default, so a writer that does not know the
column (an old process still running) fails rather than appending unkeyed rows; SQLite
cannot drop a default in place, and there a single `gonghui serve` migrates itself.

Then, if the chain is not empty, one keyed event is appended. It covers the legacy head, so
from here on the old events cannot be rewritten either, and it guarantees that an upgraded
chain ends in a keyed event, which `audit verify` requires (an all-unkeyed chain would be
what an attacker without the key can forge). It needs the field key this installation runs
with, as benefits 0003 does.

Reversing drops the column (SQLite 3.35+); the keyed events stay, and the code of before
this migration cannot verify them.
"""

from django.db import migrations, models
from django.utils import timezone

SHA256, HMAC_SHA256 = 1, 2


def _column_sql(connection):
    return models.SmallIntegerField().db_parameters(connection)["type"]


def add_scheme(apps, schema_editor):
    qn = schema_editor.quote_name
    table, column = qn("audit_auditevent"), qn("scheme")
    schema_editor.execute(
        f"ALTER TABLE {table} ADD COLUMN {column} {_column_sql(schema_editor.connection)} DEFAULT {SHA256} NOT NULL"
    )
    if schema_editor.connection.vendor != "sqlite":
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")


def drop_scheme(apps, schema_editor):
    qn = schema_editor.quote_name
    schema_editor.execute(f"ALTER TABLE {qn('audit_auditevent')} DROP COLUMN {qn('scheme')}")


def seal_legacy_chain(apps, schema_editor):
    from gonghui.audit.services import compute_hash

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    db = schema_editor.connection.alias
    head = AuditHead.objects.using(db).select_for_update().filter(pk=1).first()
    if head is None or head.last_seq == 0:
        return  # nothing to seal: the first event will be keyed anyway
    ev = AuditEvent(
        seq=head.last_seq + 1,
        ts=timezone.now(),
        username="系统",
        ip="system",
        source="system",
        action="audit.keyed",
        result="success",
        changes={},
        message=f"审计链自本条起使用带密钥的哈希（HMAC-SHA256）；此前 {head.last_seq} 条为无密钥的 SHA-256 记录。",
        prev_hash=head.last_hash,
        scheme=HMAC_SHA256,
    )
    ev.hash = compute_hash(ev)
    ev.save(using=db, force_insert=True)
    head.last_seq, head.last_hash = ev.seq, ev.hash
    head.save(using=db, update_fields=["last_seq", "last_hash"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_always")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_scheme, drop_scheme)],
            state_operations=[
                migrations.AddField(
                    model_name="auditevent",
                    name="scheme",
                    field=models.SmallIntegerField(
                        choices=[(1, "SHA-256（无密钥，启用密钥前的旧记录）"), (2, "HMAC-SHA256（带密钥）")],
                        default=SHA256,
                        verbose_name="哈希方式",
                    ),
                    preserve_default=False,
                ),
            ],
        ),
        migrations.RunPython(seal_legacy_chain, migrations.RunPython.noop),
    ]
