"""The offer index reads the placements in force on a day, not every placement the offer has had.

The catalogue counts each offer's occupied and sold places on a day (``end IS NULL OR end > day``
and ``start <= day``). With (offer, start, end) SQLite walked every placement of the offer that
had started, history included, and fetched each row for the paying municipality: 0.3-0.4 s for
the offer list at 100,000 citizens. With (offer, end, start, paying municipality, citizen) each
count is two covered range reads of the running placements, and so is the centre scope (the
citizens placed in a centre's offers, on every page a centre's staff open; docs/benchmarks.md,
issue 9). The table is analysed afterwards so the planner knows the new index at once.
"""

from django.db import migrations, models


def analyse(apps, schema_editor):
    schema_editor.execute("ANALYZE placements_placement")


class Migration(migrations.Migration):

    dependencies = [
        ('citizens', '0003_search_indexes'),
        ('offers', '0002_corrections_as_rows'),
        ('placements', '0004_external_reason_constraint'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='placement',
            name='placement_offer_period',
        ),
        migrations.AddIndex(
            model_name='placement',
            index=models.Index(fields=['offer', 'end', 'start', 'paying_municipality', 'citizen'],
                               name='placement_offer_in_force'),
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop, elidable=True),
    ]
