"""External placements, and only they, carry a reason (``placement_external_reason_iff_external``).

On SQLite, adding the fields (0003) and this constraint rebuilds the table, which drops the
triggers of 0002 (a citizen never has two residential places at once); they are created again
here, and again when migrating backwards (which rebuilds the table once more).
"""

import importlib

from django.db import migrations, models

_no_two = importlib.import_module("roret.placements.migrations.0002_no_two_residential_places")


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in _no_two.SQLITE_DROP + _no_two.SQLITE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [("placements", "0003_external_reason")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_triggers),
        migrations.AddConstraint(
            model_name='placement',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('external_reason__in', ['no_vacancy', 'specialised', 'free_choice', 'network', 'unknown']), ('is_external', True)), models.Q(('external_reason', ''), ('is_external', False)), _connector='OR'), name='placement_external_reason_iff_external', violation_error_message='An external placement needs a reason, and a placement in an own offer has none.'),
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
