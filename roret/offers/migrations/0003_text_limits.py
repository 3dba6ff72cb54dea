"""Each free-text field's limit (roret/core/text_limits.py). A TextField's max_length is not a
database constraint, so only the migration state changes: on SQLite an AlterField would rebuild the
table and drop its triggers (a journal note's write-once guard)."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('offers', '0002_corrections_as_rows'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='offer',
            name='description',
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='description'),
        ),
    ])]
