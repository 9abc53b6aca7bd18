"""Spells and events keep one org_path index each: 0003's pattern-class one, not 0001's plain twin.

0001 led three indexes with a plain `org_path` for the subtree filters, `org_path LIKE
'prefix%'`; 0003 added a `varchar_pattern_ops` twin of each, because PostgreSQL
range-scans a prefix through a plain index only under the C collation. The pattern class
serves the prefix (and equality) under every collation, C included, and nothing orders
or range-compares a spell's or event's org_path in the database collation: on
PostgreSQL spell_asof and event_path_kind_on only cost, every spell and event written
updated both twins. Checked with EXPLAIN ANALYZE on 1,000,000 members under C and
C.UTF-8 (count_as_of, count_events, the summary's per-union GROUP BY): the planner
already chose the pattern indexes, or the plain ones at the same speed. Without the twins
the COPY of a 100,000-row roster import costs the server (CPU, median of four, after
0004) 0.8 instead of 1.3 s for the events and 0.7 instead of 1.1 s for the spells.

The member table keeps both (member_path_status_py and 0003's member_path_prefix): under
C the planner serves a small subtree's list page (a street, 2,900 members) from the plain
one in 14 ms, and without it walks member_pinyin instead (60 ms).

The models now declare the two pattern indexes themselves (opclasses), under 0003's
names: on PostgreSQL they exist already and only the plain twins go; SQLite, which has
no operator classes and never range-scans LIKE, gets them as plain indexes in place of
the old ones.
"""

import importlib

from django.db import migrations, models

PLAIN = [  # from 0001
    ("memberspell", models.Index(fields=["org_path", "starts_on", "ends_on", "status"], name="spell_asof")),
    ("membershipevent", models.Index(fields=["org_path", "kind", "on"], name="event_path_kind_on")),
]
PATTERN = "varchar_pattern_ops"
PREFIX = [  # made by 0003 on PostgreSQL, declared on the models from here on
    ("memberspell", models.Index(fields=["org_path", "status", "starts_on", "ends_on"], opclasses=[PATTERN, "", "", ""],
                                 name="spell_path_prefix")),
    ("membershipevent", models.Index(fields=["org_path", "kind", "on"], opclasses=[PATTERN, "", ""], name="event_path_prefix")),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        importlib.import_module("gonghui.members.migrations.0003_prefix_indexes").Migration.operations[0].code(
            apps, schema_editor)  # CREATE INDEX IF NOT EXISTS
    else:
        for model, index in PREFIX:
            schema_editor.add_index(apps.get_model("members", model), index)
    for model, index in PLAIN:
        schema_editor.remove_index(apps.get_model("members", model), index)


def backward(apps, schema_editor):
    for model, index in PLAIN:
        schema_editor.add_index(apps.get_model("members", model), index)
    if schema_editor.connection.vendor != "postgresql":
        for model, index in PREFIX:
            schema_editor.remove_index(apps.get_model("members", model), index)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_lean_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                *(migrations.RemoveIndex(model_name=model, name=index.name) for model, index in PLAIN),
                *(migrations.AddIndex(model_name=model, index=index) for model, index in PREFIX),
            ],
        ),
    ]
