"""The journal's notes and the history of corrections, both append-only in the database.

The triggers refuse every DELETE and every UPDATE, on SQLite and PostgreSQL, as the audit log's do
(core 0005), except the one UPDATE retention makes when it anonymises a closed case: free text
replaced by ``[anonymiseret]``, every other column unchanged (roret/citizens/retention.py).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


REDACTED = "[anonymiseret]"
#: table -> (columns that never change, free-text columns retention may redact)
TABLES = {
    "journal_journalnote": (("id", "citizen_id", "noted_on", "category", "inquiry_id", "author_id", "corrects_id",
                             "created"), ("text", "correction_reason")),
    "journal_correction": (("id", "citizen_id", "object_type", "object_id", "field", "field_label", "actor_id", "at"),
                           ("old_value", "new_value", "reason")),
}
MESSAGE = "journal notes and corrections are never edited or deleted"


def _allowed_update(kept, redactable, same):
    """The SQL condition for the one permitted UPDATE: kept columns unchanged, text unchanged or redacted."""
    parts = [same(c) for c in kept] + [f"({same(c)} OR NEW.{c} = '{REDACTED}')" for c in redactable]
    return " AND ".join(parts)


def _sqlite(table, kept, redactable):
    allowed = _allowed_update(kept, redactable, lambda c: f"NEW.{c} IS OLD.{c}")
    return [f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
               WHEN NOT ({allowed}) BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
            sqlite_delete_trigger(table)]


def sqlite_delete_trigger(table):
    """Also used by tests/conftest.py, which lifts it for the flush after a transactional test."""
    return f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
               BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""


def _postgres(table, kept, redactable):
    allowed = _allowed_update(kept, redactable, lambda c: f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}")
    return [f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
               BEGIN
                 IF TG_OP = 'UPDATE' AND {allowed} THEN
                   RETURN NEW;
                 END IF;
                 RAISE EXCEPTION '{MESSAGE}';
               END; $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
               FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"""]


SQLITE_DELETE_TRIGGERS = [sqlite_delete_trigger(t) for t in TABLES]
SQLITE_DROP_DELETE_TRIGGERS = [f"DROP TRIGGER IF EXISTS {t}_no_delete" for t in TABLES]
STATEMENTS = {
    "sqlite": [s for t, (k, r) in TABLES.items() for s in _sqlite(t, k, r)],
    "postgresql": [s for t, (k, r) in TABLES.items() for s in _postgres(t, k, r)],
}
DROP = {
    "sqlite": [f"DROP TRIGGER IF EXISTS {t}_{w}" for t in TABLES for w in ("no_update", "no_delete")],
    "postgresql": [s for t in TABLES for s in (f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}",
                                               f"DROP FUNCTION IF EXISTS {t}_append_only()")],
}


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('citizens', '0004_team_birth_index'),
        ('visitation', '0003_routed_inquiries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Correction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_type', models.CharField(max_length=60, verbose_name='kind of record')),
                ('object_id', models.PositiveBigIntegerField(verbose_name='record')),
                ('field', models.CharField(max_length=60, verbose_name='field')),
                ('field_label', models.CharField(max_length=120, verbose_name='field name')),
                ('old_value', models.TextField(blank=True, verbose_name='old value')),
                ('new_value', models.TextField(blank=True, verbose_name='new value')),
                ('reason', models.CharField(max_length=300, verbose_name='reason')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='corrected')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='corrected by')),
                ('citizen', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='citizens.citizen', verbose_name='citizen')),
            ],
            options={
                'verbose_name': 'correction',
                'verbose_name_plural': 'corrections',
                'ordering': ['-at', '-pk'],
                'indexes': [models.Index(fields=['object_type', 'object_id'], name='correction_object'), models.Index(fields=['citizen', 'at'], name='correction_citizen_at')],
                'constraints': [models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='correction_has_reason')],
            },
        ),
        migrations.CreateModel(
            name='JournalNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('noted_on', models.DateField(verbose_name='date')),
                ('category', models.CharField(choices=[('conversation', 'Conversation'), ('phone', 'Phone call'), ('meeting', 'Meeting'), ('observation', 'Observation'), ('correspondence', 'Correspondence'), ('decision_note', 'Decision note')], max_length=20, verbose_name='category')),
                ('text', models.TextField(verbose_name='note')),
                ('correction_reason', models.CharField(blank=True, max_length=300, verbose_name='reason for the correction')),
                ('created', models.DateTimeField(default=django.utils.timezone.now, verbose_name='written')),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('citizen', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='journal_notes', to='citizens.citizen', verbose_name='citizen')),
                ('corrects', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrected_by', to='journal.journalnote', verbose_name='corrects')),
                ('inquiry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='journal_notes', to='visitation.inquiry', verbose_name='case')),
            ],
            options={
                'verbose_name': 'journal note',
                'verbose_name_plural': 'journal notes',
                'ordering': ['-noted_on', '-pk'],
                'indexes': [models.Index(fields=['citizen', 'noted_on'], name='journalnote_citizen_day')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('correction_reason', ''), ('corrects__isnull', True)), models.Q(('corrects__isnull', False), models.Q(('correction_reason', ''), _negated=True)), _connector='OR'), name='journalnote_correction_has_reason', violation_error_message='A correction needs a reason, and only a correction has one.'), models.CheckConstraint(condition=models.Q(('text', ''), _negated=True), name='journalnote_has_text', violation_error_message='A note needs a text.')],
            },
        ),
        migrations.RunPython(run(STATEMENTS), run(DROP)),
    ]
