"""Prefix indexes for the roster's LIKE 'x%' filters (PostgreSQL only).

`org_path__startswith` (every subtree filter and the actor's scope) and `name__startswith`
(the name search) compile to LIKE 'prefix%'. PostgreSQL turns that into an index range only
for a column in the C collation or through a *_pattern_ops index; under any other database
collation (en_US.UTF-8, zh_CN.UTF-8, and C.UTF-8 on PostgreSQL 15/16) the indexes from 0001
that lead with org_path (member_path_status_py, spell_asof, event_path_kind_on) and
member_name are never range-scanned for these filters, so subtree counts, small-union lists
and name searches scan the whole table. bench/members_scale.py on 1,000,000 members
(`--before` drops these; median ms, same data): plain subtree count of a 100,000-member
district 143 -> 9, count_as_of 93 -> 32..44, list page of a 258-member union 258 -> 4
(view 319 -> 18), of a 2,911-member street 271 -> 9, count_events 82 -> 5, full-name
search 308 -> 8 (before the code-point range of selectors._prefix).

Raw SQL in RunPython keeps the models' state untouched (makemigrations stays clean) and
skips SQLite, where LIKE prefix is not indexable either way. Migration 0005 later made the
spell and event ones part of the models (opclasses) and dropped their plain twins.
"""

from django.db import migrations

from gonghui.core.pg_indexes import prefix_indexes

INDEXES = [
    ("member_path_prefix", "members_member", '("org_path" varchar_pattern_ops, "status")'),
    ("spell_path_prefix", "members_memberspell", '("org_path" varchar_pattern_ops, "status", "starts_on", "ends_on")'),
    ("event_path_prefix", "members_membershipevent", '("org_path" varchar_pattern_ops, "kind", "on")'),
    ("member_name_prefix", "members_member", '("name" varchar_pattern_ops)'),
]


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_member_pays_dues"),
    ]

    operations = [prefix_indexes(INDEXES)]
