"""The append-only trigger fires whatever session_replication_role says.

A database role may be allowed to set session_replication_role = replica so the roster
import can check foreign keys once per referenced row instead of once per inserted row
(gonghui.core.db.set_wise_references). Plain triggers do not fire in that mode; this one
is made ALWAYS so the grant cannot be used to update or delete audit rows.
"""

from django.db import migrations

from gonghui.audit.migrations import _triggers


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_triggers.PG_ALWAYS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_triggers.PG_ORIGIN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
