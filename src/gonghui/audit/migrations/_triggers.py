"""The append-only guard's SQL, shared by the migration and the tests that must lift it
to simulate tampering."""

# Fires under session_replication_role = replica too, which a role may be granted for bulk
# imports (gonghui.core.db.set_wise_references): that grant must not lift the guard.
PG_ALWAYS = "ALTER TABLE audit_auditevent ENABLE ALWAYS TRIGGER audit_append_only;"
PG_ORIGIN = "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_append_only;"
PG_INSTALL = """
CREATE OR REPLACE FUNCTION gonghui_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION gonghui_audit_append_only();
""" + PG_ALWAYS

PG_REMOVE = "DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;"
SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (DELETE refused)'); END;""",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"]


def install(cursor, vendor: str) -> None:
    if vendor == "postgresql":
        cursor.execute(PG_INSTALL)
    elif vendor == "sqlite":
        for sql in SQLITE_INSTALL:
            cursor.execute(sql)


def remove(cursor, vendor: str) -> None:
    if vendor == "postgresql":
        cursor.execute(PG_REMOVE)
    elif vendor == "sqlite":
        for sql in SQLITE_REMOVE:
            cursor.execute(sql)
