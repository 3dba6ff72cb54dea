"""No differencing for the committee: standard half-years only on the economy pages and the KPI
report, so no two answers overlap and none can be subtracted from another to recover a hidden cell."""

import datetime

import pytest
from django.urls import reverse

from roret.core.periods import Period, period_of
from tests.economy.period_tables import get
from tests.factories import PASSWORD

day = datetime.date
LAST_YEAR = datetime.date.today().year - 1
H1 = period_of("half", day(LAST_YEAR, 3, 1))
NOTE = 'id="halves-only"'


def page(client, persona, url):
    assert client.login(username=persona, password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("query", [f"kind=year&at={LAST_YEAR}-03-01", f"kind=quarter&at={LAST_YEAR}-03-01",
                                   f"kind=month&at={LAST_YEAR}-03-01", f"from={LAST_YEAR}-01-01&to={LAST_YEAR}-03-01",
                                   f"kind=year&from={LAST_YEAR - 1}-07-01&to={LAST_YEAR}-07-01",
                                   f"kind=half&at={LAST_YEAR}-03-01"])
def test_the_committee_gets_a_standard_half_year_whatever_it_asks(placed, client, query):
    url = reverse("economy:overview") + f"?{query}"
    response = page(client, "committee", url)
    assert response.context["period"] == H1 or ("from=" in query and response.context["period"].kind == "half")
    assert response.context["kinds"] == [("half", "Halvår")]
    text = response.content.decode()
    assert NOTE in text and "Udvalget ser kun hele halvår" in text
    if "kind=half" not in query:
        assert "Udvalgets tal vises kun for hele halvår" in text
    # Every figure on the page, the trend included, comes from standard half-years.
    client.logout()
    asked, built = get(client, "committee", url)
    assert asked and all(p.kind == "half" for p in asked + built), asked


def test_other_roles_keep_years_quarters_months_and_their_own_periods(placed, client):
    response = page(client, "economist", reverse("economy:overview") + f"?kind=year&at={LAST_YEAR}-03-01")
    assert response.context["period"] == period_of("year", day(LAST_YEAR, 1, 1))
    assert len(response.context["kinds"]) == 4 and NOTE not in response.content.decode()
    custom = Period(day(LAST_YEAR, 1, 10), day(LAST_YEAR, 3, 20))
    response = client.get(reverse("economy:overview") + f"?from={custom.start}&to={custom.end}")
    assert response.context["period"] == custom


def test_the_kpi_report_offers_the_committee_half_years_and_says_why(placed, client):
    for wanted in (f"{LAST_YEAR}-H1", f"{LAST_YEAR}", f"{LAST_YEAR}-Q1", f"{LAST_YEAR}-H3"):
        response = page(client, "committee", reverse("reports:kpi_report") + f"?half={wanted}")
        assert response.context["period"].kind == "half", wanted
        assert NOTE in response.content.decode()
    assert page(client, "committee", reverse("reports:kpi_report") + f"?half={LAST_YEAR}-H1").context["period"] == H1
    client.logout()
    assert NOTE not in page(client, "economist", reverse("reports:kpi_report")).content.decode()


def test_the_committees_self_sufficiency_page_ends_at_a_half_year(placed, client):
    response = page(client, "committee", reverse("economy:self_sufficiency"))
    today = datetime.date.today()
    latest = period_of("half", today).previous(1)[0]
    assert response.context["year"] == latest                      # the contributions: a half-year, not a year
    labels = [row[0].value for row in response.context["table"].rows]
    assert labels[-1] in (latest.label, str(latest.start.year))   # this year only up to a completed half-year
    assert "to date" not in " ".join(labels) and "til dato" not in " ".join(labels)
    assert NOTE in response.content.decode()
