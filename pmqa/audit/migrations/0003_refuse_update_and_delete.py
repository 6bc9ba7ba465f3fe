# The audit trail is append-only in the database as well as in Python: a row can be inserted,
# never updated or deleted, whatever code (or SQL console) tries. Written by hand.
#
# SQLite drops a table's triggers when Django remakes the table (some field changes do): a
# later migration that remakes audit_auditentry must run CREATE_SQLITE again after it
# (tests/test_audit.py checks the triggers are there).

from django.db import migrations

TABLE = "audit_auditentry"
MESSAGE = "audit entries are append-only: they cannot be changed or deleted"

CREATE_POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = '{MESSAGE} (' || TG_OP || ' refused)', ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()
    """,
]
DROP_POSTGRESQL = [
    f"DROP TRIGGER IF EXISTS audit_entry_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_entry_refuse_change()",
]
CREATE_SQLITE = [
    f"""
    CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]
BY_VENDOR = {
    "postgresql": (CREATE_POSTGRESQL, DROP_POSTGRESQL),
    "sqlite": (CREATE_SQLITE, DROP_SQLITE),
}


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create(apps, schema_editor):
    create_sql, _ = BY_VENDOR.get(schema_editor.connection.vendor, ([], []))
    _run(schema_editor, create_sql)


def drop(apps, schema_editor):
    _, drop_sql = BY_VENDOR.get(schema_editor.connection.vendor, ([], []))
    _run(schema_editor, drop_sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_address_and_action_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
