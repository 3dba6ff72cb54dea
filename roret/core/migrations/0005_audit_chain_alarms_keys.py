"""The audit log's hash chain, the mass-read alarms and key-rotation progress.

The append-only triggers of 0003 are replaced: UPDATE is still refused, and DELETE is refused
except for entries up to the chain's checkpoint (retention deletes the oldest entries after it
has moved the checkpoint; roret/core/audit_chain.py). Existing entries are chained in id order.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLE = "core_auditentry"
HEAD = "core_auditchainhead"
CHECKPOINT = f"COALESCE((SELECT checkpoint_id FROM {HEAD} WHERE id = 1), 0)"

SQLITE_UPDATE_TRIGGER = f"""CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"""
#: Also used by tests/conftest.py, which lifts it for the flush after a transactional test.
SQLITE_DELETE_TRIGGER = f"""CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE}
    WHEN OLD.id > {CHECKPOINT}
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"""
SQLITE = [SQLITE_UPDATE_TRIGGER, SQLITE_DELETE_TRIGGER]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]
SQLITE_0003 = [
    f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION roret_audit_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND OLD.id <= {CHECKPOINT} THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'audit log is append-only';
       END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION roret_audit_append_only()""",
]
POSTGRES_DROP = [f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
                 "DROP FUNCTION IF EXISTS roret_audit_append_only()"]
POSTGRES_0003 = [
    """CREATE OR REPLACE FUNCTION roret_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION roret_audit_append_only()""",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


def chain_existing(apps, schema_editor):
    """Chain the entries written before the chain existed, in id order, and set the head."""
    from roret.core import audit_chain

    entry_model = apps.get_model("core", "AuditEntry")
    head_model = apps.get_model("core", "AuditChainHead")
    db = schema_editor.connection.alias
    key = audit_chain.chain_key()
    prev, last_id, batch = "0" * 64, 0, []
    rows = entry_model.objects.using(db).order_by("pk").values_list("pk", *audit_chain.HASHED_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        values = dict(zip(("pk", *audit_chain.HASHED_FIELDS), row))
        values = {name: audit_chain._normalised(name, values[name]) for name in audit_chain.HASHED_FIELDS}
        row_hash = audit_chain.entry_hash(values, prev, key)
        batch.append(entry_model(pk=row[0], prev_hash=prev, row_hash=row_hash))
        prev, last_id = row_hash, row[0]
        if len(batch) >= 2000:
            entry_model.objects.using(db).bulk_update(batch, ["prev_hash", "row_hash"])
            batch = []
    if batch:
        entry_model.objects.using(db).bulk_update(batch, ["prev_hash", "row_hash"])
    head_model.objects.using(db).update_or_create(pk=1, defaults={"last_id": last_id, "last_hash": prev})


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_jobs'),
    ]

    operations = [
        migrations.RunPython(run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
                             run({"sqlite": SQLITE_0003, "postgresql": POSTGRES_0003})),
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_id', models.BigIntegerField(default=0, verbose_name='last entry')),
                ('last_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name="last entry's hash")),
                ('checkpoint_id', models.BigIntegerField(default=0, verbose_name='deleted up to entry')),
                ('checkpoint_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name='hash of the last deleted entry')),
            ],
            options={
                'verbose_name': 'audit chain head',
                'verbose_name_plural': 'audit chain head',
            },
        ),
        migrations.CreateModel(
            name='KeyRotation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field', models.CharField(max_length=60, verbose_name='field')),
                ('key_id', models.CharField(max_length=16, verbose_name='active key')),
                ('last_pk', models.BigIntegerField(default=0, verbose_name='done up to row')),
                ('checked', models.PositiveIntegerField(default=0, verbose_name='rows checked')),
                ('changed', models.PositiveIntegerField(default=0, verbose_name='rows re-encrypted')),
                ('started', models.DateTimeField(default=django.utils.timezone.now, verbose_name='started')),
                ('finished', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
            ],
            options={
                'verbose_name': 'key rotation',
                'verbose_name_plural': 'key rotations',
            },
        ),
        migrations.CreateModel(
            name='MassReadAlarm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('raised_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='raised')),
                ('records', models.PositiveIntegerField(verbose_name='records opened')),
                ('refused', models.PositiveIntegerField(default=0, verbose_name='refused attempts')),
                ('threshold', models.PositiveIntegerField(verbose_name='threshold')),
                ('minutes', models.PositiveIntegerField(verbose_name='minutes')),
                ('deactivated', models.BooleanField(default=False, verbose_name='account deactivated')),
                ('handled_at', models.DateTimeField(blank=True, null=True, verbose_name='handled')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
            ],
            options={
                'verbose_name': 'mass-read alarm',
                'verbose_name_plural': 'mass-read alarms',
                'ordering': ['-raised_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='auditentry',
            name='citizen_count',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='citizens listed'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="previous entry's hash"),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='row_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='hash'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('view', 'Viewed'), ('search', 'Searched'), ('list', 'Listed'), ('export', 'Exported'), ('create', 'Created'), ('change', 'Changed'), ('delete', 'Deleted'), ('refused', 'Refused'), ('alarm', 'Alarm'), ('anonymise', 'Anonymised')], db_index=True, max_length=10, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='time'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['actor', 'at'], name='audit_actor_at'),
        ),
        migrations.AddConstraint(
            model_name='keyrotation',
            constraint=models.UniqueConstraint(fields=('field', 'key_id'), name='key_rotation_once_per_key'),
        ),
        migrations.AddField(
            model_name='massreadalarm',
            name='handled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='handled by'),
        ),
        migrations.AddField(
            model_name='massreadalarm',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.RunPython(run({"sqlite": SQLITE, "postgresql": POSTGRES}),
                             run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})),
    ]
