"""The economist corrects a wrong tariff on the offer's page and sees the wrong row beside its
correction; the centre leader gives the centre's offer more places from a date, after being told
what was missing."""

import datetime
from decimal import Decimal

import pytest

from roret.core.models import AuditEntry
from roret.offers.models import PlaceChange, Tariff
from tests.browser.conftest import login


@pytest.mark.django_db(transaction=True)
def test_the_economist_corrects_a_tariff(world, page, live_server):
    wrong = world.residential.tariffs.get()
    login(page, live_server, "economist")
    page.goto(f"{live_server.url}/offers/{world.residential.pk}/")
    row = page.locator(f"#tariff-{wrong.pk}")
    row.locator("summary").click()
    form = row.locator("details[open] form")
    form.get_by_label("Rigtigt beløb (kr.)").fill("2.310,50")
    form.locator("button[type=submit]").click()
    # Without a reason nothing is saved, and the form says so by the field.
    error = page.locator(f"#tariff-{wrong.pk} .alert-error")
    assert "Begrundelse for rettelsen" in error.inner_text()
    assert not Tariff.history.filter(corrects=wrong).exists()
    page.locator(f"#tariff-{wrong.pk} details[open] form").get_by_label("Begrundelse for rettelsen").fill(
        "Taksten for 2015 var indtastet uden pristalsregulering")
    page.locator(f"#tariff-{wrong.pk} details[open] form button[type=submit]").click()
    page.wait_for_url("**#tariffs")
    assert "rettet til 2.310,50 kr. pr. dag" in page.locator(".alert-success").inner_text()
    history = page.locator("#tariff-history")
    assert history.locator(f"#tariff-{wrong.pk} del").inner_text() == "2.250,00 kr."
    correction = Tariff.history.get(corrects=wrong)
    beneath = history.locator(f"#tariff-{correction.pk}").inner_text()
    assert "Rettelse" in beneath and "2.310,50 kr." in beneath and "Gælder nu" in beneath
    assert "Taksten for 2015 var indtastet uden pristalsregulering" in beneath
    assert correction.amount == Decimal("2310.50")
    assert AuditEntry.objects.filter(object_type="offers.tariff", object_id=str(correction.pk),
                                     actor=world.users["economist"]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_centre_leader_changes_places(world, page, live_server):
    from_day = datetime.date.today() + datetime.timedelta(days=30)
    login(page, live_server, "centre_leader")
    page.goto(f"{live_server.url}/offers/{world.residential.pk}/")
    # A centre leader may change places but not tariffs.
    assert page.locator("#tariff-new").count() == 0
    page.locator("#places-new summary").click()
    page.fill("#id_places-valid_from", from_day.isoformat())
    page.fill("#id_places-places", "4")
    page.click("#places-new button[type=submit]")
    assert "Begrundelse" in page.locator("#places-new .alert-error").inner_text()
    assert world.residential.place_changes.count() == 1
    page.fill("#id_places-reason", "To nye lejligheder tages i brug")
    page.click("#places-new button[type=submit]")
    page.wait_for_url("**#places")
    row = PlaceChange.objects.get(offer=world.residential, valid_from=from_day)
    text = page.locator(f"#place-change-{row.pk}").inner_text()
    assert "+2" in text and "4" in text and "To nye lejligheder tages i brug" in text
    assert world.residential.places_on(from_day) == 4
