"""Why a citizen is placed externally: a reason on every placement in an external offer.

Existing external placements get "not recorded" (``unknown``): nobody asked at the time, and
the capacity plan counts that reason conservatively as demand an own place could have served.
The constraint and the SQLite triggers (dropped by the table rebuild) follow in 0004, in a
transaction of their own.
"""

import importlib

from django.db import migrations, models

_no_two = importlib.import_module("roret.placements.migrations.0002_no_two_residential_places")


def mark_external(apps, schema_editor):
    Placement = apps.get_model("placements", "Placement")
    external = Placement.objects.exclude(offer__provider__kind="own")
    external.update(is_external=True)
    external.update(external_reason="unknown")


def unmark(apps, schema_editor):
    apps.get_model("placements", "Placement").objects.update(is_external=False, external_reason="")


def recreate_sqlite_triggers(apps, schema_editor):
    """Migrating back to 0002 rebuilds the SQLite table, which drops 0002's triggers: make them again."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in _no_two.SQLITE_DROP + _no_two.SQLITE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('citizens', '0003_search_indexes'),
        ('offers', '0001_initial'),
        ('placements', '0002_no_two_residential_places'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_triggers),
        migrations.AddField(
            model_name='placement',
            name='external_reason',
            field=models.CharField(blank=True, choices=[('no_vacancy', 'No own vacancy at the time'), ('specialised', 'Needs a specialised offer we do not run'), ('free_choice', "The citizen's free choice of offer"), ('network', "Close to the citizen's network"), ('unknown', 'Not recorded')], max_length=20, verbose_name='reason for an external placement'),
        ),
        migrations.AddField(
            model_name='placement',
            name='is_external',
            field=models.BooleanField(default=False, editable=False, verbose_name='external offer'),
        ),
        migrations.RunPython(mark_external, unmark),
    ]
