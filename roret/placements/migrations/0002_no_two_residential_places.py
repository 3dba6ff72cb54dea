"""A citizen never occupies two residential places at once, enforced by the database:
an exclusion constraint on PostgreSQL, triggers on SQLite."""

from django.db import migrations

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE placements_placement ADD CONSTRAINT placement_no_two_residential
       EXCLUDE USING gist (citizen_id WITH =, daterange("start", "end", '[)') WITH &&)
       WHERE (is_residential)""",
]
POSTGRES_DROP = ["ALTER TABLE placements_placement DROP CONSTRAINT IF EXISTS placement_no_two_residential"]

_CLASH = """SELECT RAISE(ABORT, 'placement_no_two_residential: the citizen already has a residential place in this period')
    WHERE NEW.is_residential AND EXISTS (
        SELECT 1 FROM placements_placement p
        WHERE p.citizen_id = NEW.citizen_id AND p.is_residential AND p.id IS NOT NEW.id
          AND (p."end" IS NULL OR p."end" > NEW."start")
          AND (NEW."end" IS NULL OR p."start" < NEW."end"))"""
SQLITE = [
    f"CREATE TRIGGER placement_no_two_residential_ins BEFORE INSERT ON placements_placement BEGIN {_CLASH}; END",
    f"CREATE TRIGGER placement_no_two_residential_upd BEFORE UPDATE ON placements_placement BEGIN {_CLASH}; END",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS placement_no_two_residential_ins",
               "DROP TRIGGER IF EXISTS placement_no_two_residential_upd"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]
    operations = [
        migrations.RunPython(run({"sqlite": SQLITE, "postgresql": POSTGRES}),
                             run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})),
    ]
