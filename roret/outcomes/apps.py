from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "roret.outcomes"
    verbose_name = _("Goals and outcomes")
