"""Prefix indexes for subtree filters (`org_path LIKE 'prefix%'`), PostgreSQL only.

Under the database's usual collations (C.UTF-8, zh_CN.UTF-8) PostgreSQL range-scans LIKE
'prefix%' only through a *_pattern_ops index, so without these every subtree figure (the
statistics pages, a federation's work summary) scans the whole table. bench/summary_scale.py
measured such a scan at 35–45 ms per query on 200,000 benefit records. See core/pg_indexes.py.
"""

from django.db import migrations

from gonghui.core.pg_indexes import prefix_indexes

INDEXES = [
    ("donation_path_prefix", "donations_donation", '("org_path" varchar_pattern_ops, "on")'),
    ("drive_path_prefix", "donations_drive", '("org_path" varchar_pattern_ops, "starts_on")'),
]


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0001_initial"),
    ]

    operations = [prefix_indexes(INDEXES)]
