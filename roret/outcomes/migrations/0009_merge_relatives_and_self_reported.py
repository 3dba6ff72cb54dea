"""Merges the two branches after 0006: relatives at follow-ups and goals (0007) and self-reported measurements (0008)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('outcomes', '0007_relatives_at_follow_ups_and_goals'),
        ('outcomes', '0008_self_reported'),
    ]

    operations = [
    ]
