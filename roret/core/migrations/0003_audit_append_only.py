"""The audit log refuses UPDATE and DELETE in the database itself, whoever the client is."""

from django.db import migrations

TABLE = "core_auditentry"

SQLITE = [
    f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION roret_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION roret_audit_append_only()""",
    # TRUNCATE is a statement-level event; tests flush tables, so it stays allowed for the
    # table owner only (production grants the application role INSERT and SELECT).
]
POSTGRES_DROP = [f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
                 "DROP FUNCTION IF EXISTS roret_audit_append_only()"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("core", "0002_load_ffb_terms")]
    operations = [
        migrations.RunPython(run({"sqlite": SQLITE, "postgresql": POSTGRES}),
                             run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})),
    ]
