"""The realised-effects and traffic-light pages (roret/plans/effect_urls.py): the plan readers (the
economist, centre leaders, the committee) see them; the economist enters investments, manual effects
and rules; the light is set by the economist or the leader of the initiative's responsible centre.
Everyone else gets 404 (not 403: the gate's answer for a role outside)."""

import datetime

from tests.url_roles import LOGIN, PERSONAS, writes

READERS = {p: 404 for p in PERSONAS} | {"anonymous": LOGIN, "economist": 200, "centre_leader": 200, "committee": 200,
                                                      "leader": 200}
ECONOMIST_POST = {p: 404 for p in PERSONAS} | {"anonymous": LOGIN, "economist": 405}

EXPECTED = {
    "plans:plan_effects": READERS,
    "plans:initiative_effects": READERS,
    "plans:light_set": READERS,
    "plans:effects_investment": ECONOMIST_POST,
    "plans:effects_manual": ECONOMIST_POST,
    "plans:effects_rule_add": ECONOMIST_POST,
    "plans:effects_rule_remove": ECONOMIST_POST,
}

YEAR = datetime.date.today().year

POSTS = {
    "plans:effects_investment": writes({"spent_on": f"{YEAR}-01-15", "amount": "10.000,00", "note": "Kursus"},
                                       "economist"),
    "plans:effects_manual": writes({"year": YEAR, "amount": "-5.000,50", "reason": "Aftale uden sagshændelse"},
                                   "economist"),
    "plans:effects_rule_add": writes({"kind": "step_down", "paragraph": "SEL108"}, "economist"),
    "plans:effects_rule_remove": writes({}, "economist"),
    "plans:light_set": writes({"colour": "red", "remark": "Vurderet på mødet"}, "economist", "centre_leader"),
}


def url_ids(world, citizen) -> dict:
    """A plan over last, this and next year with one initiative whose responsible centre is the
    centre leader's, and a rule (moves to elderly care)."""
    from roret.plans import effect_services
    from tests.plans.helpers import make_plan

    plan = make_plan([{"track": "1", "initiative": "Livsfaser", "effect": [-100000, -200000, -300000]}],
                     title="Walkerplan", years=[YEAR - 1, YEAR, YEAR + 1])
    initiative = plan.initiatives.get()
    initiative.responsible_centre = world.centre
    initiative.save()
    rule = effect_services.add_rule(initiative, "elderly_care", actor=None)
    return {"effects_plan_pk": plan.pk, "initiative_pk": initiative.pk, "rule_pk": rule.pk, "half": f"{YEAR}H1"}
