"""Making a citizen's own account in tests, as redeeming an invitation does."""

from roret.helm import services
from roret.helm.models import CitizenAccount


def link(user, citizen) -> CitizenAccount:
    """Tie the World's citizen persona (role "citizen") to ``citizen``: their scope is then exactly them."""
    user.__dict__.pop("_own_citizen_id", None)
    return CitizenAccount.objects.create(user=user, citizen=citizen)


def issue(world, citizen):
    """An invitation for ``citizen``, issued by their team's caseworker: (invitation, token, code)."""
    issued = services.issue_invitation(citizen, actor=world.caseworker_of(citizen.team))
    return issued.invitation, issued.token, issued.code
