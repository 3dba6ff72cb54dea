from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelmConfig(AppConfig):
    name = "roret.helm"
    verbose_name = _("The citizen's own page")
