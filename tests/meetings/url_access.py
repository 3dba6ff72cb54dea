import datetime

from tests.url_roles import LOGIN, PERSONAS, writes

NONE = {p: 403 for p in PERSONAS} | {"anonymous": LOGIN}
# Caseworkers read the meetings (the proposals of their own citizens); the department leader holds them.
READERS = NONE | {"caseworker": 200, "outsider": 200, "leader": 200}

EXPECTED = {
    "meetings:index": READERS,
    "meetings:meeting": READERS,
    "meetings:proposal": {**READERS, "outsider": 404},
    "meetings:rule": NONE | {"leader": 200, "admin": 200},
}

TODAY = datetime.date.today().isoformat()
NEXT_MONTH = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


def _change(ids) -> dict:
    return {"action": "change", "change-kind": "grant", "change-offer": ids["day_offer_pk"], "change-start": TODAY,
            "change-justification": "Behov for fællesskab", "change-reason": "Dagtilbud først"}


# Only the department leader plans, answers and changes; the rule also the administrator.
POSTS = {
    "meetings:index": writes(lambda ids: {"held_on": NEXT_MONTH, "participants": [ids["leader_pk"]]}, "leader"),
    "meetings:meeting": writes(lambda ids: {"proposal": ids["proposal_pk"], "action": "approve"}, "leader"),
    "meetings:proposal": writes(_change, "leader"),
    "meetings:rule": writes({"paragraphs": ["SEL108"], "yearly_cost_above": "1000000"}, "leader", "admin"),
}


def url_ids(world, citizen) -> dict:
    """A planned meeting with a proposal for the walker citizen (a day offer, proposed by their caseworker)."""
    from roret.meetings import services
    from roret.visitation import services as case_services
    from tests.visitation.helpers import term

    leader = world.users["leader"]
    meeting = services.plan_meeting(actor=leader, held_on=datetime.date.today() + datetime.timedelta(days=7),
                                    participants=[leader, world.users["caseworker"]])
    assessment = case_services.assess(citizen, actor=world.users["caseworker"], hopes="Komme ud blandt andre",
                                      support_need=term("Moderat støttebehov"))
    proposal = services.propose(citizen, actor=world.users["caseworker"], assessment=assessment, kind="grant",
                                paragraph="SEL104", offer=world.day_offer, start=datetime.date.today(),
                                justification="Behov for fællesskab")
    # The meeting's day has come, so the leader may answer the proposal on its agenda.
    type(meeting).objects.filter(pk=meeting.pk).update(held_on=datetime.date.today())
    return {"meeting_pk": meeting.pk, "proposal_pk": proposal.pk, "leader_pk": leader.pk,
            "day_offer_pk": world.day_offer.pk}
