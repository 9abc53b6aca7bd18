"""Prefix indexes for subtree filters (`org_path LIKE 'prefix%'`), PostgreSQL only.

Under the database's usual collations (C.UTF-8, zh_CN.UTF-8) PostgreSQL range-scans LIKE
'prefix%' only through a *_pattern_ops index, so without these every subtree figure (the
statistics pages, a federation's work summary) scans the whole table. bench/summary_scale.py
measured such a scan at 35–45 ms per query on 200,000 benefit records. See core/pg_indexes.py.
"""

from django.db import migrations

from gonghui.core.pg_indexes import prefix_indexes

INDEXES = [
    ("record_path_prefix", "assistance_assistancerecord", '("org_path" varchar_pattern_ops, "on")'),
    ("hspell_path_prefix", "assistance_householdspell", '("org_path" varchar_pattern_ops, "status", "starts_on")'),
    ("household_path_prefix", "assistance_household", '("org_path" varchar_pattern_ops, "status")'),
]


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0003_step_transfer_reapply"),
    ]

    operations = [prefix_indexes(INDEXES)]
