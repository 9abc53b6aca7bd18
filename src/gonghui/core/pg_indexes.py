"""PostgreSQL-only prefix indexes for migrations.

Under the usual database collations PostgreSQL range-scans `LIKE 'prefix%'` (every subtree
filter on org_path) only through a *_pattern_ops index. Raw SQL in RunPython keeps the
models' state untouched (makemigrations stays clean) and skips SQLite, where a LIKE prefix
is not indexable either way.
"""

from django.db import migrations


def prefix_indexes(indexes: list[tuple[str, str, str]]) -> migrations.RunPython:
    """A reversible operation creating (name, table, "(columns…)") on PostgreSQL only."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, table, columns in indexes:
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" {columns}')

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _table, _columns in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop)
