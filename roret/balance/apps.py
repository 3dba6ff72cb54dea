from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BalanceConfig(AppConfig):
    name = "roret.balance"
    label = "balance"
    verbose_name = _("Balance model")
    default_auto_field = "django.db.models.BigAutoField"
