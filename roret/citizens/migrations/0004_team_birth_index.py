"""An index of a team's citizens by birth date, for the transitions page's citizens of 65 or more.

By the team index alone SQLite read all 50,000 citizens of a large team to keep the 7,000 born
65 or more years ago (docs/benchmarks.md, issue 9). The table is analysed afterwards.
"""

from django.db import migrations, models


def analyse(apps, schema_editor):
    schema_editor.execute("ANALYZE citizens_citizen")


class Migration(migrations.Migration):

    dependencies = [
        ('citizens', '0003_search_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='citizen',
            index=models.Index(fields=['team', 'birth_date'], name='citizen_team_birth'),
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop, elidable=True),
    ]
