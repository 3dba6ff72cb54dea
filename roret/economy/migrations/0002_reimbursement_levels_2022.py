"""The state reimbursement levels for expensive single cases (Serviceloven §176), 2022:
25 % of a citizen's yearly cost above 860,000 kr., 50 % above 1,680,000 kr., 75 % above
2,120,000 kr. (marginal: each rate applies to the part of the cost above its threshold and
below the next). A later year's levels are added as rows, not code."""

from decimal import Decimal

from django.db import migrations

LEVELS_2022 = [(Decimal("860000.00"), Decimal("0.250")), (Decimal("1680000.00"), Decimal("0.500")),
               (Decimal("2120000.00"), Decimal("0.750"))]


def add(apps, schema_editor):
    Level = apps.get_model("economy", "ReimbursementLevel")
    for threshold, rate in LEVELS_2022:
        Level.objects.get_or_create(year=2022, threshold=threshold, defaults={"rate": rate})


def remove(apps, schema_editor):
    apps.get_model("economy", "ReimbursementLevel").objects.filter(year=2022).delete()


class Migration(migrations.Migration):
    dependencies = [("economy", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
