"""Indexes for the waiting list over many grants and for the bought places by reason.

The waiting list by legal basis (capacity) read the whole grant table to find the 90,000 grants
in force of 372,000; (end, start, paragraph, citizen) reads them as two ranges of an index, and
serves a large caseload's waiting list too. The committee's capacity overview counted own
citizens in bought places by reason from the placement rows (0.1 s per count); (offer, paying
municipality, start, end, reason) answers both counts from the index (docs/benchmarks.md, issue 9).
The tables are analysed afterwards.
"""

from django.conf import settings
from django.db import migrations, models


def analyse(apps, schema_editor):
    schema_editor.execute("ANALYZE placements_grant")
    schema_editor.execute("ANALYZE placements_placement")


class Migration(migrations.Migration):

    dependencies = [
        ('citizens', '0005_team_name_index'),
        ('core', '0009_leader_role'),
        ('offers', '0002_corrections_as_rows'),
        ('placements', '0007_placementtariff_corrections'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='grant',
            index=models.Index(fields=['end', 'start', 'paragraph', 'citizen'], name='grant_in_force'),
        ),
        migrations.AddIndex(
            model_name='placement',
            index=models.Index(fields=['offer', 'paying_municipality', 'start', 'end', 'external_reason'],
                               name='placement_offer_paying_start'),
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop, elidable=True),
    ]
