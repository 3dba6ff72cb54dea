import datetime
from decimal import Decimal

from tests.url_roles import CITIZEN, reads, writes

RECORDERS = ("caseworker", "centre_staff", "centre_leader")

EXPECTED = {
    "journal:citizen": CITIZEN,
    # Writing and correcting notes is the "record" action: the team's caseworker and the staff and
    # leader of the centre the walker citizen lives in.
    "journal:add": CITIZEN,
    "journal:correct": CITIZEN,
    # The correction pages show the record and its history to whoever may see the citizen; the form
    # (and the POST) only to who may correct it.
    "journal:correct_inquiry": CITIZEN,
    "journal:correct_decision": CITIZEN,
    "journal:correct_placement": CITIZEN,
    "journal:correct_placement_tariff": CITIZEN,
    "journal:correct_goal": CITIZEN,
    "journal:correct_relative": CITIZEN,
}
PATH_IDS = {
    "journal:correct": {"note_pk": "j_note"},
    "journal:correct_inquiry": {"object_id": "j_inquiry"},
    "journal:correct_decision": {"object_id": "j_decision"},
    "journal:correct_placement": {"object_id": "j_placement"},
    "journal:correct_placement_tariff": {"object_id": "j_tariff"},
    "journal:correct_goal": {"object_id": "j_goal"},
    "journal:correct_relative": {"object_id": "j_relative"},
}
TODAY = datetime.date.today()

POSTS = {
    "journal:citizen": reads({"q": "telefon", "category": "phone"}),  # the search posts: no words in URLs
    "journal:add": writes({"noted_on": "2024-03-01", "category": "phone", "text": "Borgeren ringede om bussen."},
                          *RECORDERS),
    "journal:correct": writes({"noted_on": "2024-02-01", "category": "phone", "text": "Borgeren ringede om toget.",
                               "reason": "Forkert transportmiddel"}, *RECORDERS),
    "journal:correct_inquiry": writes({"source": "relative", "source_detail": "Søster", "received_on": "2024-01-02",
                                       "about": "Ønsker aktivitetstilbud to dage om ugen", "paragraph": "SEL104",
                                       "reason": "Antal dage manglede"}, "caseworker"),
    "journal:correct_decision": writes({"decided_on": TODAY.isoformat(), "justification": "Behov for fællesskab og "
                                        "struktur", "intrusive_reason": "", "reason": "Begrundelsen var ufuldstændig"},
                                       "caseworker"),
    "journal:correct_placement": writes({"start": "2024-01-15", "reason": "Indflytningsdatoen var forkert"},
                                        "caseworker"),
    "journal:correct_placement_tariff": writes({"amount": "2400.00", "unit": "day", "reason": "Aftalt takst var "
                                                "tastet forkert"}, "caseworker"),
    "journal:correct_goal": writes({"own_words": "Gøre rent selv hver uge", "target_date": "2030-01-01",
                                    "reason": "Borgeren præciserede målet"}, *RECORDERS),
    "journal:correct_relative": writes({"name": "Søster Hansen-Berg", "relation": "sibling", "phone": "",
                                        "email": "", "reason": "Navnet var stavet forkert"}, "caseworker"),
}


def url_ids(world, citizen) -> dict:
    """A note, an inquiry, a decision, a goal, a relative and an agreed tariff of the walker citizen."""
    from roret.citizens import services as citizen_services
    from roret.journal import services
    from roret.outcomes import services as outcome_services
    from roret.placements.models import PlacementTariff
    from roret.visitation import services as case_services
    from tests.factories import term

    cw = world.users["caseworker"]
    note = services.add_note(citizen, actor=cw, noted_on=datetime.date(2024, 2, 1), category="phone",
                             text="Borgeren ringede om bussen.")
    inquiry = case_services.register_inquiry(actor=cw, citizen=citizen, source="relative",
                                             received_on=datetime.date(2024, 1, 2), about="Ønsker aktivitetstilbud",
                                             paragraph="SEL104")
    decision = case_services.decide(citizen, actor=cw, kind="grant", paragraph="SEL104",
                                    justification="Behov for fællesskab", offer=world.day_offer, start=TODAY)
    goal = outcome_services.add_goal(citizen, actor=cw, goal_type=term("Udvikle funktionsevne"),
                                     theme=term("Praktiske opgaver"), own_words="Gøre rent selv",
                                     target_date=TODAY + datetime.timedelta(days=100))
    relative = citizen_services.add_relative(citizen, actor=cw, name="Søster Hansen", relation="sibling")
    placement = citizen.placements.filter(offer=world.residential).order_by("pk").first()
    tariff = PlacementTariff.objects.create(placement=placement, valid_from=datetime.date(2024, 2, 1),
                                            amount=Decimal("2300.00"), unit="day")
    return {"j_note": note.pk, "j_inquiry": inquiry.pk, "j_decision": decision.pk, "j_placement": placement.pk,
            "j_tariff": tariff.pk, "j_goal": goal.pk, "j_relative": relative.pk}
