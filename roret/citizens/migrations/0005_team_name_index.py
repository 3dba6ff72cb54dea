"""An index of a team's citizens by last and first name, for the citizen list (issue 14).

The list opens sorted by name and pages 50 at a time: without it SQLite sorted all 50,000 citizens
of a large team for each page (250-500 ms on the 100,000-citizen demo); with it the page is read
in index order. The table is analysed afterwards.
"""

from django.db import migrations, models


def analyse(apps, schema_editor):
    schema_editor.execute("ANALYZE citizens_citizen")


class Migration(migrations.Migration):

    dependencies = [
        ('citizens', '0004_team_birth_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='citizen',
            index=models.Index(fields=['team', 'last_name', 'first_name'], name='citizen_team_sort_name'),
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop, elidable=True),
    ]
