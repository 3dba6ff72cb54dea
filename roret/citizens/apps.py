from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "roret.citizens"
    verbose_name = _("Citizens")

    def ready(self):
        from django.core import checks

        from roret.citizens.checks import check_field_keys

        checks.register(check_field_keys)
