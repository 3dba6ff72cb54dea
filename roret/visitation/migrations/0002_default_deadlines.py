"""The municipality's published case-processing deadlines (weeks) as the starting table; the
administrator changes them under reference data."""

from django.db import migrations

WEEKS = {
    "SEL82a": 2, "SEL82b": 2, "SEL84": 8, "SEL85": 8, "SEL97": 8, "SEL99": 8, "SEL102": 12, "SEL103": 12,
    "SEL104": 12, "SEL107": 12, "SEL108": 16, "SEL110": 1, "ABL105": 16,
}


def seed(apps, schema_editor):
    CaseDeadline = apps.get_model("visitation", "CaseDeadline")
    for paragraph, weeks in WEEKS.items():
        CaseDeadline.objects.get_or_create(paragraph=paragraph, defaults={"weeks": weeks})


class Migration(migrations.Migration):
    dependencies = [("visitation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
