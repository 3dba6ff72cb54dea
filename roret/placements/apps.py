from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementsConfig(AppConfig):
    name = "roret.placements"
    verbose_name = _("Grants and placements")
