"""The administrator's audit log page: its period is [from, to), like every period in roret."""

import datetime

from django.urls import reverse
from django.utils import timezone

from roret.core import audit
from tests.factories import PASSWORD


def test_the_to_day_is_not_included(world, client):
    entry = audit.record(world.users["caseworker"], "view", summary="Periodeprøve")
    day = timezone.localdate(entry.at)
    assert client.login(username="admin", password=PASSWORD)

    def found(**period) -> bool:
        response = client.get(reverse("core:audit_log"), {"text": "Periodeprøve", **period})
        assert response.status_code == 200 and not response.context["errors"]
        return entry in response.context["page"].object_list

    assert not found(to=day.isoformat())
    assert found(to=(day + datetime.timedelta(days=1)).isoformat())
    assert found(**{"from": day.isoformat()})
    assert not found(**{"from": (day + datetime.timedelta(days=1)).isoformat()})
    assert found(**{"from": day.isoformat(), "to": (day + datetime.timedelta(days=1)).isoformat()})


def test_the_period_fields_say_which_days_count(world, client):
    assert client.login(username="admin", password=PASSWORD)
    page = client.get(reverse("core:audit_log")).content.decode()
    assert "Fra og med" in page
    assert "Til (ikke medregnet)" in page
