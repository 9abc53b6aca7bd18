"""Database upkeep the embedded install has no DBA for, and a bulk-write helper."""

from contextlib import contextmanager

from django.db import connection


def refresh_planner_stats() -> None:
    """Give SQLite's query planner table statistics (ANALYZE), sampled so it takes well
    under a second on a large file. Without them SQLite may pick a unique index on a
    mostly-NULL column (reversal_of_id IS NULL) and scan a whole table where the path
    index would serve: bench/summary_scale.py measured a grassroots summary at 297 ms
    without and 76 ms with. PostgreSQL's autovacuum keeps its own statistics."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")


class ReferenceGone(Exception):
    """A row that bulk-written rows point at was deleted before they were written."""

    def __init__(self, model, ids):
        super().__init__(f"{model._meta.label} {sorted(ids)}")
        self.model, self.ids = model, ids


@contextmanager
def set_wise_references(references: dict):
    """Bulk inserts on PostgreSQL with their foreign keys checked once per referenced row.

    PostgreSQL checks every inserted row's foreign keys with a trigger: one index lookup
    and row lock per key and row, queued to the end of the statement or the transaction.
    For 100,000 imported members with their events and spells that is 600,000 lookups of a
    handful of unions, 2.3 s of an 8 s import. Where the database role may set
    session_replication_role (a superuser, or on PostgreSQL 15+ `GRANT SET ON PARAMETER
    session_replication_role TO <role>`, docs/operations.md), the block runs with those
    triggers off, as pg_restore --disable-triggers does, and the same check is done here
    once per referenced row: each must exist, and it is locked FOR KEY SHARE, the lock the
    trigger takes, until the transaction ends, so it cannot be deleted before COMMIT.

    `references` maps each model the written rows point at to the primary keys they use.
    The caller vouches that every other reference in the rows it writes inside the block
    points at rows it wrote itself in this transaction. Must run inside atomic(). Yields
    whether the triggers are off; elsewhere (no such privilege, SQLite) the block runs
    unchanged with the usual per-row checks. Raises ReferenceGone before anything is
    written if a referenced row no longer exists. Triggers made ENABLE ALWAYS (the audit
    table's append-only guard) fire either way.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield False
        return
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if not cursor.fetchone()[0]:
            allowed = False
        else:
            allowed = True
            q = connection.ops.quote_name
            for model, ids in references.items():
                wanted = {pk for pk in ids if pk is not None}
                if not wanted:
                    continue
                pk = q(model._meta.pk.column)
                # Names from model metadata; the ids are one bound array.
                cursor.execute(f"SELECT {pk} FROM {q(model._meta.db_table)} WHERE {pk} = ANY(%s) FOR KEY SHARE",  # noqa: S608
                               [sorted(wanted)])
                missing = wanted - {row[0] for row in cursor.fetchall()}
                if missing:
                    raise ReferenceGone(model, missing)
            cursor.execute("SET LOCAL session_replication_role = replica")
    if not allowed:
        yield False
        return
    # On an error the transaction (or savepoint) rolls back, which also undoes SET LOCAL.
    yield True
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
