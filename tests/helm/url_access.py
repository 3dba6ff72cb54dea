"""The citizen's own page (roret.helm): the citizen persona's pages, the invitation link, and the
caseworker's page that issues invitations."""

import datetime

from tests.url_roles import CITIZEN, PERSONAS, writes

OWN_PAGE = {p: 403 for p in PERSONAS} | {"anonymous": 302}

EXPECTED = {
    "helm:home": OWN_PAGE,
    "helm:measure": OWN_PAGE,
    "helm:rate_goal": OWN_PAGE,
    "helm:plan": OWN_PAGE,
    "helm:access_log": OWN_PAGE,
    # Anyone may open the link; someone already signed in is told to sign out first.
    "helm:redeem": {p: 200 for p in PERSONAS},
    # Issuing and revoking invitations is the citizen's caseworker's (it changes the case).
    "helm:invitations": {**CITIZEN, "centre_staff": 403, "centre_leader": 403},
    "helm:revoke": {**CITIZEN, "caseworker": 405, "outsider": 405, "centre_staff": 403, "centre_leader": 403},
    # Logging the citizen out of their own page is the citizen's caseworker's too.
    "helm:end_sessions": {**CITIZEN, "caseworker": 405, "outsider": 405, "centre_staff": 403, "centre_leader": 403},
}

# The citizen persona: their own pages, the link (they are signed in already), and the overview,
# which sends them to their own page. Every other URL answers them 404.
CITIZEN_EXPECTED = {"helm:home": 200, "helm:measure": 200, "helm:rate_goal": 200, "helm:plan": 200,
                    "helm:access_log": 200, "helm:redeem": 200, "home": 302,
                    "logout": 405, "set_language": 302}  # logging out and the language: POST only

PATH_IDS = {"helm:rate_goal": {"goal_id": "own_goal"}, "helm:revoke": {"invitation_pk": "invitation_pk"}}


def url_ids(world, citizen) -> dict:
    """An open invitation of the walker citizen (token and code), and the citizen persona tied to a
    citizen of their own (another team) with a goal."""
    from roret.core.models import Role
    from roret.helm.models import CitizenAccount
    from roret.outcomes import services as outcome_services
    from tests.factories import term
    from tests.helm.helpers import issue, link

    _invitation, token, code = issue(world, citizen)
    # The walker citizen has signed in before (an account of their own), so logging them out writes.
    CitizenAccount.objects.create(user=world.user("borger-walker", Role.CITIZEN), citizen=citizen)
    own = world.citizen(first_name="Selv", last_name="Borger", team=world.other_team)
    link(world.users["citizen"], own)
    goal = outcome_services.add_goal(own, actor=world.users["outsider"], goal_type=term("Udvikle funktionsevne"),
                                     theme=term("Praktiske opgaver"), own_words="Handle ind selv",
                                     target_date=datetime.date.today() + datetime.timedelta(days=90))
    return {"token": token, "code": code, "invitation_pk": _invitation.pk, "own_goal": goal.pk}


POSTS = {
    # The code opens the citizen's page once: only someone not signed in uses it.
    "helm:redeem": writes(lambda ids: {"code": ids["code"]}, "anonymous"),
    "helm:measure": writes({"instrument": "WHO-5", **{f"item_{n}": "3" for n in range(1, 6)}}, "citizen"),
    "helm:rate_goal": writes({"rating": "6", "went_well": "Jeg handler selv om mandagen"}, "citizen"),
    "helm:plan": writes({"agrees": "yes", "comment": "Det lyder godt"}, "citizen"),
    "helm:invitations": writes({}, "caseworker"),
    "helm:revoke": writes({}, "caseworker"),
    "helm:end_sessions": writes({}, "caseworker"),
}
