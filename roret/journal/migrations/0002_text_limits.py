"""Each free-text field's limit (roret/core/text_limits.py). A TextField's max_length is not a
database constraint, so only the migration state changes: on SQLite an AlterField would rebuild the
table and drop its triggers (a journal note's write-once guard)."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('journal', '0001_initial'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='journalnote',
            name='text',
            field=models.TextField(max_length=8000, validators=[django.core.validators.MaxLengthValidator(8000)], verbose_name='note'),
        ),
    ])]
