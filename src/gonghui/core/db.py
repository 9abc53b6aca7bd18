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


class SetWiseReferences:
    """The rows a set-wise bulk write points at, each checked and locked once."""

    def __init__(self):
        self.locked: dict = {}

    def require(self, model, ids) -> None:
        """Every row of `model` with one of these primary keys exists, and stays (it is
        locked FOR KEY SHARE, the lock PostgreSQL's own foreign-key trigger takes, until
        the transaction ends). Call it before writing rows that point at them."""
        done = self.locked.setdefault(model, set())
        wanted = {pk for pk in ids if pk is not None} - done
        if not wanted:
            return
        q = connection.ops.quote_name
        pk = q(model._meta.pk.column)
        with connection.cursor() as cursor:
            # Names from model metadata; the ids are one bound array.
            cursor.execute(f"SELECT {pk} FROM {q(model._meta.db_table)} WHERE {pk} = ANY(%s) FOR KEY SHARE",  # noqa: S608
                           [sorted(wanted)])
            missing = wanted - {row[0] for row in cursor.fetchall()}
        if missing:
            raise ReferenceGone(model, missing)
        done |= wanted


@contextmanager
def set_wise_references():
    """Bulk inserts on PostgreSQL with their foreign keys checked once per referenced row.

    PostgreSQL checks every inserted row's foreign keys with a trigger: one index lookup
    and row lock per key and row. For 100,000 imported members with their events and
    spells that is 600,000 lookups of a handful of unions, 2 s of the server's time. Where
    the database role may set session_replication_role (a superuser, or on PostgreSQL 15+
    `GRANT SET ON PARAMETER session_replication_role TO <role>`, docs/operations.md), the
    block runs with it set to `replica`, in which ordinary triggers, foreign-key checks
    included, do not fire (the setting logical replication uses while applying changes),
    and yields a SetWiseReferences: the caller passes it every row its writes point at
    (`require`) before writing them, and is responsible that every other reference in
    those rows points at rows it wrote itself in this transaction. Triggers made ENABLE
    ALWAYS (the audit table's append-only guard) fire either way.

    Yields None where that is not allowed (no such privilege, SQLite, not inside
    atomic()): the block then runs with the usual per-row checks. The setting is put back
    as it was when the block ends; on an error the transaction or savepoint rollback
    undoes it.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield None
        return
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        allowed = cursor.fetchone()[0]
        if allowed:
            cursor.execute("SELECT current_setting('session_replication_role')")
            previous = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
    if not allowed:
        yield None
        return
    yield SetWiseReferences()
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('session_replication_role', %s, true)", [previous])
