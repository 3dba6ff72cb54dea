"""An index of the open follow-ups by due date alone (issue 14).

The follow-ups list pages 50 at a time, soonest first. Through the citizen index SQLite probed
every citizen of a 50,000-citizen team and sorted what it found, for each page; with this index
it reads the open follow-ups in due order and keeps those of the team's citizens (the list's
scope is a join on the citizen's team), so the first page is read in under a millisecond and the
count from about 15,000 index entries instead of 50,000 probes. Analysed afterwards.
"""

from django.db import migrations, models


def analyse(apps, schema_editor):
    schema_editor.execute("ANALYZE outcomes_followup")


class Migration(migrations.Migration):

    dependencies = [
        ('outcomes', '0003_open_follow_ups_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='followup',
            index=models.Index(condition=models.Q(('held_on__isnull', True)), fields=['due_on'],
                               name='follow_up_open_due'),
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop, elidable=True),
    ]
