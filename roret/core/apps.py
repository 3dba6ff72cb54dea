from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_reference_terms(sender, using="default", **kwargs):
    """KL's FFB terms are reference data every database needs. The migration loads them; after a
    flush (which Django follows with post_migrate) they are loaded again."""
    from roret.core.models import Term
    from roret.core.terms import load_terms

    if not Term.objects.using(using).exists():
        load_terms(Term)


class CoreConfig(AppConfig):
    name = "roret.core"
    verbose_name = _("Organisation, users and audit")

    def ready(self):
        from django.core import checks

        # Connect the audit of failed logins and what a login notes in the session (idle clock, device).
        from roret.core import login_guard, sessions, two_factor  # noqa: F401
        from roret.core.checks import check_audit_chain_key, check_oidc_role_groups, check_two_factor_roles

        post_migrate.connect(ensure_reference_terms, sender=self, dispatch_uid="roret_core_terms")
        checks.register(check_audit_chain_key)
        checks.register(check_two_factor_roles)
        checks.register(check_oidc_role_groups)
