"""Each catalogue service called as every persona: the allowed ones write and leave an audit row
with before, after and the reason; the others get NotInScope and nothing changes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from roret.core.models import AuditEntry, Centre, Term
from roret.core.permissions import NotInScope
from roret.offers import services
from roret.offers.models import Offer, PlaceChange, Provider, Tariff
from tests.url_roles import PERSONAS

USERS = [p for p in PERSONAS if p != "anonymous"]
EDITORS = {"economist", "admin"}
# The walker's offer (Bostedet) is run by Center A, the centre leader's centre.
PLACE_EDITORS = EDITORS | {"centre_leader"}
REASON = "Aftalt med leverandøren på mødet i marts"
TODAY = datetime.date.today()


def snapshot():
    """Everything the catalogue services may write, to compare before and after a refused call."""
    return (
        list(Provider.objects.order_by("pk").values()),
        list(Offer.objects.order_by("pk").values()),
        list(Tariff.history.order_by("pk").values()),
        list(PlaceChange.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def newest_audit(obj):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).latest("id")


def attempt(persona, allowed, call):
    """Run ``call``; as an allowed persona it returns its result, else it must be refused with
    nothing written."""
    if persona in allowed:
        return call()
    before = snapshot()
    with pytest.raises(NotInScope):
        call()
    assert snapshot() == before
    return None


@pytest.mark.parametrize("persona", USERS)
def test_save_provider_creates_as_each_persona(world, persona):
    actor = world.users[persona]
    provider = attempt(persona, EDITORS, lambda: services.save_provider(
        Provider(kind="private", name="Bostedet Kilden ApS", cvr="25990862"), actor=actor, reason=REASON))
    if provider:
        entry = newest_audit(provider)
        assert (entry.action, entry.actor, entry.before, entry.reason) == ("create", actor, None, REASON)
        assert entry.after == {"kind": "private", "name": "Bostedet Kilden ApS", "centre": None,
                               "municipality_code": "", "cvr": "25990862"}


@pytest.mark.parametrize("persona", USERS)
def test_save_provider_changes_as_each_persona(world, persona):
    actor = world.users[persona]
    provider = Provider.objects.get(pk=world.external_provider.pk)
    provider.municipality_code = "992"
    saved = attempt(persona, EDITORS, lambda: services.save_provider(provider, actor=actor, reason=REASON))
    if saved:
        entry = newest_audit(saved)
        assert (entry.action, entry.reason) == ("change", REASON)
        assert (entry.before["municipality_code"], entry.after["municipality_code"]) == ("991", "992")
        assert "kommunekode" in entry.summary


@pytest.mark.parametrize("persona", USERS)
def test_save_offer_creates_as_each_persona(world, persona):
    actor = world.users[persona]
    groups = list(Term.objects.filter(group="target_group", display__in=["Angst", "Depression"]))
    offer = Offer(provider=world.own_provider, name="Nyt bofællesskab", legal_basis="ABL105",
                  offer_type=world.residential.offer_type, staircase_step=5, account_function="5.38.50")
    saved = attempt(persona, EDITORS, lambda: services.save_offer(offer, actor=actor, target_groups=groups,
                                                                  reason=REASON))
    if saved:
        assert saved.is_residential and set(saved.target_groups.all()) == set(groups)
        entry = newest_audit(saved)
        assert (entry.action, entry.before, entry.reason) == ("create", None, REASON)
        assert entry.after["name"] == "Nyt bofællesskab"
        assert entry.after["target_groups"] == sorted(g.pk for g in groups)


@pytest.mark.parametrize("persona", USERS)
def test_save_offer_changes_as_each_persona(world, persona):
    actor = world.users[persona]
    offer = Offer.objects.get(pk=world.day_offer.pk)
    offer.age_max = 65
    saved = attempt(persona, EDITORS, lambda: services.save_offer(offer, actor=actor, reason=REASON))
    if saved:
        entry = newest_audit(saved)
        assert (entry.action, entry.reason) == ("change", REASON)
        assert (entry.before["age_max"], entry.after["age_max"]) == (None, 65)


@pytest.mark.parametrize("persona", USERS)
def test_add_tariff_as_each_persona(world, persona):
    actor = world.users[persona]
    row = attempt(persona, EDITORS, lambda: services.add_tariff(
        world.residential, valid_from=TODAY + datetime.timedelta(days=30), amount="2.400,50", unit="day",
        actor=actor, reason=REASON))
    if row:
        assert row.amount == Decimal("2400.50") and row.recorded_by == actor
        entry = newest_audit(row)
        assert (entry.action, entry.reason) == ("create", REASON)
        assert entry.after["amount"] == "2400.50"


@pytest.mark.parametrize("persona", USERS)
def test_correct_tariff_as_each_persona(world, persona):
    actor = world.users[persona]
    wrong = world.residential.tariffs.get()
    correction = attempt(persona, EDITORS, lambda: services.correct_tariff(
        wrong, amount=Decimal("2300.00"), unit="day", actor=actor, reason=REASON))
    if correction:
        assert Tariff.history.filter(pk=wrong.pk, amount=Decimal("2250.00")).exists()
        assert list(world.residential.tariffs.all()) == [correction]
        entry = newest_audit(correction)
        assert (entry.before["amount"], entry.after["amount"], entry.after["corrects"]) == (
            "2250.00", "2300.00", wrong.pk)
        assert entry.reason == REASON


@pytest.mark.parametrize("persona", USERS)
def test_set_places_as_each_persona(world, persona):
    actor = world.users[persona]
    row = attempt(persona, PLACE_EDITORS, lambda: services.set_places(
        world.residential, valid_from=TODAY, places=5, actor=actor, reason=REASON))
    if row:
        assert row.change == 3 and services.places_on(world.residential, TODAY) == 5
        entry = newest_audit(row)
        assert (entry.before, entry.after["places"], entry.reason) == ({"places": 2}, 5, REASON)


@pytest.mark.parametrize("persona", USERS)
def test_correct_place_change_as_each_persona(world, persona):
    actor = world.users[persona]
    wrong = world.residential.place_changes.get()
    rows = attempt(persona, PLACE_EDITORS, lambda: services.correct_place_change(
        wrong, valid_from=wrong.valid_from, change=4, actor=actor, reason=REASON))
    if rows:
        assert [r.change for r in rows] == [2] and PlaceChange.objects.filter(pk=wrong.pk, change=2).exists()
        entry = newest_audit(wrong)
        assert entry.before == {"changes": {str(wrong.valid_from): 2}}
        assert entry.after["changes"] == {str(wrong.valid_from): 4} and entry.reason == REASON


@pytest.mark.parametrize("persona", USERS)
def test_set_strategic_vacancy_as_each_persona(world, persona):
    actor = world.users[persona]
    offer = attempt(persona, PLACE_EDITORS, lambda: services.set_strategic_vacancy(
        world.residential, places=1, actor=actor, reason=REASON))
    if offer:
        entry = newest_audit(offer)
        assert (entry.before, entry.after, entry.reason) == ({"strategic_vacancy": 0}, {"strategic_vacancy": 1},
                                                             REASON)


@pytest.mark.parametrize("call", ["set_places", "correct_place_change", "set_strategic_vacancy"])
def test_a_centre_leader_changes_only_the_own_centres_places(world, call):
    other = Offer.objects.create(provider=world.other_provider, name="Andet bosted", legal_basis="SEL108",
                                 offer_type=world.residential.offer_type, staircase_step=7, account_function="5.38.50")
    row = PlaceChange.objects.create(offer=other, valid_from=datetime.date(2020, 1, 1), change=4)
    leader = world.users["centre_leader"]
    calls = {
        "set_places": lambda: services.set_places(other, valid_from=TODAY, places=6, actor=leader, reason=REASON),
        "correct_place_change": lambda: services.correct_place_change(row, valid_from=row.valid_from, change=3,
                                                                      actor=leader, reason=REASON),
        "set_strategic_vacancy": lambda: services.set_strategic_vacancy(other, places=1, actor=leader,
                                                                        reason=REASON),
    }
    attempt("centre_leader", set(), calls[call])


def test_a_deactivated_editor_is_refused(world):
    economist = world.users["economist"]
    economist.is_active = False
    economist.save()
    attempt("economist", set(), lambda: services.add_tariff(
        world.residential, valid_from=TODAY, amount="1", unit="day", actor=economist, reason=REASON))


# --- what the services refuse, for everyone ------------------------------------------------

def test_the_same_tariff_twice_for_a_date_is_refused(world):
    economist = world.users["economist"]
    day = TODAY + datetime.timedelta(days=10)
    services.add_tariff(world.residential, valid_from=day, amount="2400", unit="day", actor=economist)
    with pytest.raises(services.CatalogueError) as refused:
        services.add_tariff(world.residential, valid_from=day, amount="2400", unit="day", actor=economist)
    assert "valid_from" in refused.value.message_dict
    assert Tariff.history.filter(offer=world.residential, valid_from=day).count() == 1


def test_a_back_dated_tariff_needs_a_reason(world):
    with pytest.raises(services.CatalogueError) as refused:
        services.add_tariff(world.residential, valid_from=TODAY - datetime.timedelta(days=1), amount="2400",
                            unit="day", actor=world.users["economist"], reason="fordi")
    assert "reason" in refused.value.message_dict
    assert world.residential.tariffs.count() == 1


def test_a_corrected_tariff_is_not_corrected_twice(world):
    economist = world.users["economist"]
    wrong = world.residential.tariffs.get()
    services.correct_tariff(wrong, amount="2300", unit="day", actor=economist, reason=REASON)
    with pytest.raises(services.CatalogueError):
        services.correct_tariff(wrong, amount="2300", unit="day", actor=economist, reason=REASON)
    assert Tariff.history.filter(corrects=wrong).count() == 1


def test_changes_need_a_reason_and_a_change_that_changes_nothing_writes_nothing(world):
    economist = world.users["economist"]
    offer = Offer.objects.get(pk=world.day_offer.pk)
    offer.age_max = 65
    with pytest.raises(services.CatalogueError) as refused:
        services.save_offer(offer, actor=economist, reason="")
    assert "reason" in refused.value.message_dict
    entries = AuditEntry.objects.count()
    services.save_offer(Offer.objects.get(pk=world.day_offer.pk), actor=economist, reason="")
    provider = Provider.objects.get(pk=world.external_provider.pk)
    services.save_provider(provider, actor=economist)
    assert AuditEntry.objects.count() == entries


def test_the_offer_form_does_not_change_the_strategic_vacancy(world):
    offer = Offer.objects.get(pk=world.residential.pk)
    offer.strategic_vacancy = 2
    offer.name = "Bostedet Ny"
    services.save_offer(offer, actor=world.users["economist"], reason=REASON)
    offer.refresh_from_db()
    assert (offer.name, offer.strategic_vacancy) == ("Bostedet Ny", 0)


def test_strategic_vacancy_is_not_more_than_the_places_and_is_not_set_twice(world):
    leader = world.users["centre_leader"]
    with pytest.raises(services.CatalogueError) as refused:
        services.set_strategic_vacancy(world.residential, places=3, actor=leader, reason=REASON)
    assert "strategic_vacancy" in refused.value.message_dict
    services.set_strategic_vacancy(world.residential, places=2, actor=leader, reason=REASON)
    with pytest.raises(services.CatalogueError):
        services.set_strategic_vacancy(world.residential, places=2, actor=leader, reason=REASON)


def test_an_external_provider_has_no_centre(world):
    """A centre on an external provider would hand its offers' places to that centre's leader."""
    provider = Provider.objects.get(pk=world.external_provider.pk)
    provider.centre = Centre.objects.create(department=world.department, name="Center C")
    with pytest.raises(ValidationError) as refused:
        services.save_provider(provider, actor=world.users["economist"], reason=REASON)
    assert "centre" in refused.value.message_dict


def test_an_offers_unit_belongs_to_its_providers_centre(world):
    from roret.core.models import Unit

    unit = Unit.objects.create(centre=world.other_centre, name="Ungeenheden")
    offer = Offer.objects.get(pk=world.residential.pk)
    offer.unit = unit
    with pytest.raises(ValidationError) as refused:
        services.save_offer(offer, actor=world.users["economist"], reason=REASON)
    assert "unit" in refused.value.message_dict
