"""Prefix indexes for subtree filters (`org_path LIKE 'prefix%'`), PostgreSQL only.

Under the database's usual collations (C.UTF-8, zh_CN.UTF-8) PostgreSQL range-scans LIKE
'prefix%' only through a *_pattern_ops index, so without these every subtree figure (the
statistics pages, a federation's work summary) scans the whole table. bench/summary_scale.py
measured such a scan at 35–45 ms per query on 200,000 benefit records. Same approach as
members 0003: raw SQL in RunPython keeps the model state clean and skips SQLite.
"""

from django.db import migrations

INDEXES = [
    ("donation_path_prefix", "donations_donation", '("org_path" varchar_pattern_ops, "on")'),
    ("drive_path_prefix", "donations_drive", '("org_path" varchar_pattern_ops, "starts_on")'),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" {columns}')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _columns in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
