"""Make the audit table append-only at the database level (等保: audit records protected).

PostgreSQL: a trigger raises on UPDATE and DELETE (the app's role in production should
not own the table, so it cannot drop the trigger or TRUNCATE; see docs/operations.md).
SQLite: BEFORE UPDATE/DELETE triggers abort the statement.
"""

from django.db import migrations

from gonghui.audit.migrations import _triggers


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        _triggers.install(cursor, schema_editor.connection.vendor)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        _triggers.remove(cursor, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
