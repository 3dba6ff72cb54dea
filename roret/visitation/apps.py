from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitationConfig(AppConfig):
    name = "roret.visitation"
    verbose_name = _("Visitation")
