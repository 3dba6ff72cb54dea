from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "roret.imports"
    verbose_name = _("Spreadsheet imports")
    default_auto_field = "django.db.models.BigAutoField"
