"""Corrections of recorded case data: the new value on the record, the old one kept in the history
(who, when, why), a dated tariff corrected with a new row, the economy re-costed, the history rows
append-only like the journal's."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from roret.core.permissions import NotInScope
from roret.economy.models import CostSegment
from roret.journal import corrections
from roret.journal.corrections import CorrectionError
from roret.journal.models import Correction
from roret.placements.models import PlacementTariff
from roret.visitation import services as case_services
from tests.factories import committed, term

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
START = datetime.date(2024, 1, 1)


@pytest.fixture
def placement(world):
    return world.place(world.citizen(first_name="Rettelse"), world.external, start=START,
                       agreed_amount=Decimal("3000.00"), agreed_unit="day")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rates(placement) -> set[int]:
    return set(CostSegment.objects.filter(placement=placement).values_list("rate", flat=True))


def test_a_corrected_tariff_is_a_new_row_and_the_old_stays_in_the_history(world, placement, assert_audited):
    cw = world.users["caseworker"]
    wrong = placement.tariffs.get()
    before = rates(placement)
    with committed():
        fixed = corrections.correct_placement_tariff(wrong, actor=cw, amount=Decimal("2700.00"),
                                                     reason="Aftalen siger 2.700 kr.")
    assert fixed.corrects == wrong and fixed.valid_from == wrong.valid_from
    assert list(placement.tariffs.all()) == [fixed]                       # in force: the correction
    assert set(PlacementTariff.history.filter(placement=placement)) == {wrong, fixed}
    assert PlacementTariff.history.get(pk=wrong.pk).amount == Decimal("3000.00")  # never overwritten
    row = Correction.objects.get(object_type="placements.placement", object_id=placement.pk)
    assert (row.field, row.reason, row.actor) == ("tariff", "Aftalen siger 2.700 kr.", cw)
    assert row.old_value.startswith("3.000,00 kr.") and row.new_value.startswith("2.700,00 kr.")  # in Danish
    assert rates(placement) != before                                      # re-costed after the commit
    assert_audited("change", cw, citizen=placement.citizen, obj=fixed)
    with pytest.raises(CorrectionError):
        corrections.correct_placement_tariff(wrong, actor=cw, amount=Decimal("2600.00"), reason="Igen")


def test_a_corrected_placement_start_keeps_the_old_date_in_the_history_and_recosts(world, placement):
    cw = world.users["caseworker"]
    with committed():
        corrections.correct_placement(placement, actor=cw, start=START + 14 * DAY, reason="Flyttede ind senere")
    placement.refresh_from_db()
    assert placement.start == START + 14 * DAY
    row = Correction.objects.get(object_id=placement.pk, field="start")
    assert (row.old_value, row.new_value, row.reason) == ("01.01.2024", "15.01.2024", "Flyttede ind senere")
    first_day = CostSegment.objects.filter(placement=placement).order_by("start_day").first().start_day
    assert first_day == (START + 14 * DAY).toordinal()


def test_an_agreed_tariff_from_the_old_start_moves_with_the_start(world):
    """Moved earlier, the placement's first days are priced as agreed (3,000 kr.), not at the offer's
    standard tariff (3,100 kr.): one rate all through."""
    from roret.placements import services as placement_services

    cw = world.users["caseworker"]
    citizen = world.citizen(first_name="Tidligere")
    grant = world.grant(citizen, world.external, start=START - 60 * DAY)
    with committed():
        placement = placement_services.start_placement(grant, world.external, START, actor=cw,
                                                       agreed_amount=Decimal("3000.00"), agreed_unit="day",
                                                       external_reason="no_vacancy")
    wrong = placement.tariffs.get()
    with committed():
        corrections.correct_placement(placement, actor=cw, start=START - 20 * DAY, reason="Flyttede ind tidligere")
    moved = placement.tariffs.get()
    assert (moved.valid_from, moved.amount, moved.corrects) == (START - 20 * DAY, Decimal("3000.00"), wrong)
    assert PlacementTariff.history.filter(pk=wrong.pk, valid_from=START).exists()  # the old row stays
    assert set(Correction.objects.filter(object_id=placement.pk).values_list("field", flat=True)) == {"start", "tariff"}
    assert len(rates(placement)) == 1
    assert CostSegment.objects.filter(placement=placement).order_by("start_day").first().start_day == (
        START - 20 * DAY).toordinal()


def test_a_placement_correction_keeps_the_rules_of_a_placement(world, placement):
    cw = world.users["caseworker"]
    with pytest.raises(CorrectionError):
        corrections.correct_placement(placement, actor=cw, start=START - 30 * DAY, reason="Før bevillingen")
    with pytest.raises(CorrectionError):
        corrections.correct_placement(placement, actor=cw, end=START + 10 * DAY, reason="Et løbende ophold")
    with pytest.raises(CorrectionError):
        corrections.correct_placement(placement, actor=cw, start=START + 14 * DAY, reason=" ")
    assert not Correction.objects.exists()


def test_a_corrected_decision_keeps_the_old_justification(world, assert_audited):
    cw = world.users["caseworker"]
    citizen = world.citizen(first_name="Afgørelse")
    decision = case_services.decide(citizen, actor=cw, kind="grant", paragraph="SEL104",
                                    justification="Behov for fællesskab", offer=world.day_offer, start=TODAY)
    corrections.correct_decision(decision, actor=cw, reason="Begrundelsen var ufuldstændig",
                                 justification="Behov for fællesskab og en fast struktur i hverdagen")
    decision.refresh_from_db()
    assert decision.justification.endswith("fast struktur i hverdagen")
    row = Correction.objects.get(object_type="visitation.decision", object_id=decision.pk)
    assert (row.field, row.old_value, row.actor) == ("justification", "Behov for fællesskab", cw)
    assert_audited("change", cw, citizen=citizen, obj=decision)
    page = client_of(cw).get(reverse("visitation:decision", args=[decision.pk])).content.decode()
    assert "<s>Behov for fællesskab</s>" in page and "Begrundelsen var ufuldstændig" in page
    with pytest.raises(CorrectionError):  # an empty justification breaks the decision's rule
        corrections.correct_decision(decision, actor=cw, reason="Tom", justification="")


def test_a_corrected_inquiry_date_moves_the_deadline_and_says_so(world):
    cw = world.users["caseworker"]
    citizen = world.citizen(first_name="Henvendelse")
    inquiry = case_services.register_inquiry(actor=cw, citizen=citizen, source="relative", received_on=TODAY - 2 * DAY,
                                             about="Ønsker aktivitetstilbud", paragraph="SEL104")
    old_deadline = inquiry.deadline
    corrections.correct_inquiry(inquiry, actor=cw, received_on=TODAY - 20 * DAY, reason="Modtaget tidligere på mail")
    inquiry.refresh_from_db()
    assert inquiry.deadline < old_deadline
    fields = dict(Correction.objects.filter(object_id=inquiry.pk, object_type="visitation.inquiry")
                  .values_list("field", "old_value"))
    assert fields == {"received_on": f"{TODAY - 2 * DAY:%d.%m.%Y}", "deadline": f"{old_deadline:%d.%m.%Y}"}


def test_goals_are_corrected_by_centre_staff_and_relatives_only_by_the_caseworker(world):
    from roret.citizens import services as citizen_services
    from roret.outcomes import services as outcome_services

    citizen = world.place(world.citizen(first_name="Bosted"), world.residential).citizen  # in Center A
    cw, staff = world.users["caseworker"], world.users["centre_staff"]
    goal = outcome_services.add_goal(citizen, actor=cw, goal_type=term("Udvikle funktionsevne"),
                                     theme=term("Praktiske opgaver"), own_words="Gøre rent", target_date=TODAY + 90 * DAY)
    relative = citizen_services.add_relative(citizen, actor=cw, name="Søster Hansen", relation="sibling")
    corrections.correct_goal(goal, actor=staff, own_words="Gøre rent selv hver uge", reason="Borgerens egne ord")
    with pytest.raises(NotInScope):
        corrections.correct_relative(relative, actor=staff, name="Søster Berg", reason="Stavefejl")
    with pytest.raises(NotInScope):
        corrections.correct_goal(goal, actor=world.users["outsider"], own_words="X", reason="Y")
    corrections.correct_relative(relative, actor=cw, name="Søster Hansen-Berg", reason="Stavefejl")
    history = corrections.citizen_history(citizen)
    assert [(c.field, c.old_value, c.new_value) for c in history] == [
        ("name", "Søster Hansen", "Søster Hansen-Berg"), ("own_words", "Gøre rent", "Gøre rent selv hver uge")]
    page = client_of(cw).get(reverse("citizens:detail", args=[citizen.pk])).content.decode()
    assert "<s>Søster Hansen</s>" in page and "Stavefejl" in page


def test_nothing_changed_is_not_a_correction(world, placement):
    with pytest.raises(CorrectionError):
        corrections.correct_placement(placement, actor=world.users["caseworker"], start=START, reason="Samme")
    with pytest.raises(CorrectionError):
        corrections.correct_placement_tariff(placement.tariffs.get(), actor=world.users["caseworker"],
                                             amount=Decimal("3000"), reason="Samme")


def test_the_history_cannot_be_edited_or_deleted(world, placement):
    corrections.correct_placement(placement, actor=world.users["caseworker"], start=START + DAY, reason="Fejl")
    row = Correction.objects.get(field="start")
    for statement in ("UPDATE journal_correction SET old_value = 'x' WHERE id = %s",
                      "UPDATE journal_correction SET reason = 'x' WHERE id = %s",
                      "DELETE FROM journal_correction WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [row.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        Correction.objects.filter(pk=row.pk).delete()
    assert Correction.objects.get(pk=row.pk).old_value == "01.01.2024"


def test_the_correction_page_shows_the_history_and_the_form_only_to_who_may(world):
    cw, staff = world.users["caseworker"], world.users["centre_staff"]
    placement = world.place(world.citizen(first_name="Bosted"), world.residential, start=START)  # in Center A
    corrections.correct_placement(placement, actor=cw, start=START + DAY, reason="Indflyttet dagen efter")
    url = reverse("journal:correct_placement", args=[placement.pk])
    as_staff = client_of(staff).get(url).content.decode()
    assert "Indflyttet dagen efter" in as_staff and 'id="correct-form"' not in as_staff
    assert client_of(staff).post(url, {"start": "2024-01-05", "reason": "Nej"}).status_code == 404
    assert client_of(world.users["outsider"]).get(url).status_code == 404
    as_cw = client_of(cw)
    response = as_cw.post(url, {"start": "", "reason": ""})
    page = response.content.decode()
    assert response.status_code == 200 and 'href="#id_start"' in page and 'href="#id_reason"' in page
    assert as_cw.post(url, {"start": "2024-01-05", "reason": "Rettet igen"}).status_code == 302
    assert Correction.objects.filter(object_id=placement.pk, field="start").count() == 2


def test_retention_anonymises_the_journal_and_the_history_past_their_triggers(world, placement):
    """The one UPDATE the triggers allow: a closed case's free text replaced by [anonymiseret]; the
    dated rows, their categories and fields stay for the statistics."""
    from roret.citizens import retention
    from roret.core.retention import Policy
    from roret.journal import services
    from roret.journal.models import JournalNote

    cw = world.users["caseworker"]
    citizen = placement.citizen
    note = services.add_note(citizen, actor=cw, noted_on=TODAY, category="phone", text="Søster Hansen ringede")
    services.correct_note(note, actor=cw, text="Søster Hansen-Berg ringede", reason="Navnet på søster Hansen")
    with committed():
        corrections.correct_placement_tariff(placement.tariffs.get(), actor=cw, amount=Decimal("2900"),
                                             reason="Søster Hansen fandt fejlen")
    retention.anonymise(citizen.pk, TODAY, Policy.from_settings(TODAY + 6 * 365 * DAY))
    gone = retention.REDACTED
    assert set(JournalNote.objects.filter(citizen=citizen).values_list("text", flat=True)) == {gone}
    assert set(JournalNote.objects.exclude(corrects=None).values_list("correction_reason", flat=True)) == {gone}
    assert set(Correction.objects.filter(citizen=citizen).values_list("old_value", "new_value", "reason")) == {
        (gone, gone, gone)}
    assert set(JournalNote.objects.filter(citizen=citizen).values_list("category", flat=True)) == {"phone"}
    assert PlacementTariff.history.filter(placement=placement).count() == 2
