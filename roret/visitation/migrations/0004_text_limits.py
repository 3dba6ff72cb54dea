"""Each free-text field's limit (roret/core/text_limits.py). A TextField's max_length is not a
database constraint, so only the migration state changes: on SQLite an AlterField would rebuild the
table and drop its triggers (a journal note's write-once guard)."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('visitation', '0003_routed_inquiries'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='assessment',
            name='hopes',
            field=models.TextField(max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name="hopes, wishes and dreams (in the citizen's own words)"),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='what_matters',
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='what matters to the citizen'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='intrusive_reason',
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='reason for a more intrusive step'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='justification',
            field=models.TextField(max_length=8000, validators=[django.core.validators.MaxLengthValidator(8000)], verbose_name='justification'),
        ),
        migrations.AlterField(
            model_name='inquiry',
            name='about',
            field=models.TextField(max_length=8000, validators=[django.core.validators.MaxLengthValidator(8000)], verbose_name='what it is about'),
        ),
        migrations.AlterField(
            model_name='networkmeeting',
            name='notes',
            field=models.TextField(blank=True, max_length=8000, validators=[django.core.validators.MaxLengthValidator(8000)], verbose_name='what was said and agreed'),
        ),
        migrations.AlterField(
            model_name='screening',
            name='reason',
            field=models.TextField(max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='themeassessment',
            name='notes',
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='notes'),
        ),
        migrations.AlterField(
            model_name='transition',
            name='expected_need',
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='expected need'),
        ),
    ])]
