"""Indexes for a caseload's waiting list: grants in force without a placement in force.

The overview counts it for each case role. SQLite read each of the caseload's grants to test
"in force", then each grant's placements for the same test: 0.6 s for a team of 50,000 citizens.
With (citizen, end, start) on grants and (grant, end, start) on placements both tests are
answered from the indexes (docs/benchmarks.md, issue 9). The tables are analysed afterwards.
"""

from django.db import migrations, models


def analyse(apps, schema_editor):
    schema_editor.execute("ANALYZE placements_grant")
    schema_editor.execute("ANALYZE placements_placement")


class Migration(migrations.Migration):

    dependencies = [
        ('placements', '0005_offer_index_reads_placements_in_force'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='grant',
            index=models.Index(fields=['citizen', 'end', 'start'], name='grant_citizen_in_force'),
        ),
        migrations.AddIndex(
            model_name='placement',
            index=models.Index(fields=['grant', 'end', 'start'], name='placement_grant_in_force'),
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop, elidable=True),
    ]
