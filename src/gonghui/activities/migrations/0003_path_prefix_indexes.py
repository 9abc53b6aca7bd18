"""Prefix indexes for subtree filters on PostgreSQL (see core/pg_indexes.py and
donations/migrations/0002): the activity list and statistics of a district filter every
table below by `org_path LIKE 'prefix%'`."""

from django.db import migrations

from gonghui.core.pg_indexes import prefix_indexes

INDEXES = [
    ("activity_path_prefix", "activities_activity", '("org_path" varchar_pattern_ops, "starts_at")'),
    ("registration_path_prefix", "activities_registration", '("org_path" varchar_pattern_ops, "activity_id")'),
    ("registration_unit_prefix", "activities_registration", '("unit_path" varchar_pattern_ops)'),
    ("checkin_path_prefix", "activities_checkin", '("org_path" varchar_pattern_ops, "at")'),
    ("study_path_prefix", "activities_studyassignment", '("org_path" varchar_pattern_ops, "due_on")'),
    ("partner_path_prefix", "activities_partner", '("org_path" varchar_pattern_ops, "name")'),
]


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_seed_kinds")]

    operations = [prefix_indexes(INDEXES)]
