from django.db import migrations


def load(apps, schema_editor):
    from roret.core.terms import load_terms

    load_terms(apps.get_model("core", "Term"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
