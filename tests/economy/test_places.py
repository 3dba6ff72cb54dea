"""Occupancy of places over a period, and the centre leader's overview showing it where
self-sufficiency means nothing (a centre's own offers are own by definition)."""

import datetime
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse

from roret.core.periods import Period, period_of
from roret.economy import kpi
from roret.economy.places import Occupancy, occupancy, place_days
from roret.offers import services as offer_services
from roret.offers.models import Offer
from tests.factories import PASSWORD

day = datetime.date
LAST_YEAR = datetime.date.today().year - 1
YEAR = period_of("year", day(LAST_YEAR, 1, 1))


def test_place_days_sum_the_dated_places_day_by_day():
    may = Period(day(2025, 5, 1), day(2025, 6, 1))              # 31 days
    rows = [(1, day(2020, 1, 1), 10), (1, day(2025, 5, 11), -4), (1, day(2025, 7, 1), 20),
            (2, day(2025, 5, 21), 3),                          # opens mid-month
            (3, day(2020, 1, 1), 5),                           # closes on 16 May
            (4, day(2020, 1, 1), 5), (4, day(2024, 1, 1), -5),  # no places any more
            (5, day(2026, 1, 1), 8)]                           # not yet
    closed = {1: None, 2: None, 3: day(2025, 5, 16), 4: None, 5: None}
    assert place_days(may, rows, closed) == {1: 10 * 10 + 6 * 21, 2: 3 * 11, 3: 5 * 15}
    assert Occupancy(used=0, available=0, offers=0).rate is None
    assert Occupancy(used=2, available=3, offers=1).rate == Decimal("66.67")


def test_occupancy_counts_every_citizen_in_the_places_against_the_dated_places(world):
    start = day(LAST_YEAR, 1, 1)
    for _ in range(6):
        world.place(world.citizen(), world.day_offer, start=start)
    world.place(world.citizen(), world.residential, start=start)
    world.place(world.citizen(), world.residential, start=day(LAST_YEAR, 7, 1), paying_municipality="0101")  # sold
    world.place(world.citizen(), world.external, start=start)        # bought: no places of ours
    offer_services.set_places(world.day_offer, valid_from=day(LAST_YEAR, 4, 1), places=8,
                              actor=world.users["economist"], reason="Ombygning af to værelser")
    days = YEAR.days
    april = (day(LAST_YEAR, 4, 1) - YEAR.start).days
    where = {"provider__centre_id": world.centre.pk}
    with kpi.Figures(Q(centre_id=world.centre.pk)) as figures:
        found = occupancy(figures, YEAR, Offer.objects.filter(**where))
    used = 6 * days + days + (YEAR.end - day(LAST_YEAR, 7, 1)).days
    available = 2 * days + 10 * april + 8 * (days - april)
    assert found == Occupancy(used=used, available=available, offers=2)
    assert found.rate == (Decimal(used) * 100 / available).quantize(Decimal("0.01"))


def test_the_centre_leader_sees_the_occupancy_of_the_centres_places_not_self_sufficiency(world, client):
    start = day(LAST_YEAR, 1, 1)
    for _ in range(9):
        world.place(world.citizen(), world.day_offer, start=start)
    world.place(world.citizen(), world.residential, start=start)
    world.place(world.citizen(), world.external, start=start)
    url = reverse("economy:overview") + f"?kind=year&at={LAST_YEAR}-06-01"
    assert client.login(username="centre_leader", password=PASSWORD)
    text = client.get(url).content.decode()
    tiles = text[text.index('id="kpi-tiles"'):text.index("</div>\n</div>", text.index('id="kpi-tiles"'))]
    # 10 of the centre's 12 places used all year: 83,3 %; the self-sufficiency tile (100 %) is gone.
    assert 'id="occupancy"' in tiles and "83,3 %" in tiles and "belægning af centrets egne pladser" in tiles
    assert "selvforsyningsgrad" not in tiles and "100,0 %" not in tiles
    client.logout()
    assert client.login(username="economist", password=PASSWORD)
    text = client.get(url).content.decode()
    assert 'id="occupancy"' not in text and "selvforsyningsgrad (pladsdøgn)" in text
