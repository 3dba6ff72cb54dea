"""The economist's yearly settings: SEL §176 reimbursement levels and self-sufficiency targets,
through services that check the role, refuse bad input by field, and audit before and after."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from roret.core.models import AuditEntry
from roret.core.permissions import NotInScope
from roret.economy import expensive
from roret.economy.models import ReimbursementLevel, SelfSufficiencyTarget
from roret.economy.services import SettingsError, set_reimbursement_levels, set_self_sufficiency_target
from tests.factories import PASSWORD

LEVELS_2027 = [("900.000", "0,25"), ("1.750.000", "0,5"), ("2.200.000", "0,75")]


def test_a_new_years_levels_apply_from_that_year_and_are_audited(world):
    set_reimbursement_levels(2027, LEVELS_2027, actor=world.users["economist"])
    assert expensive.levels_for(2027) == [(90_000_000, Decimal("0.250")), (175_000_000, Decimal("0.500")),
                                          (220_000_000, Decimal("0.750"))]
    assert expensive.levels_for(2026)[0][0] == 86_000_000     # the 2022 levels still hold before 2027
    entry = AuditEntry.objects.get(action="create", summary__startswith="Refusionsgrænser")
    assert entry.after == {"year": 2027, "levels": [["900000.00", "0.250"], ["1750000.00", "0.500"],
                                                    ["2200000.00", "0.750"]]}


def test_correcting_a_years_levels_needs_a_reason_and_keeps_before_in_the_log(world):
    economist = world.users["economist"]
    set_reimbursement_levels(2027, LEVELS_2027, actor=economist)
    corrected = [("900.000", "0,25"), ("1.760.000", "0,5"), ("2.200.000", "0,75")]
    with pytest.raises(SettingsError) as refused:
        set_reimbursement_levels(2027, corrected, actor=economist)
    assert "reason" in refused.value.errors
    set_reimbursement_levels(2027, corrected, actor=economist, reason="Rettet efter bekendtgørelsen for 2027")
    entry = AuditEntry.objects.get(action="change", summary__startswith="Refusionsgrænser")
    assert entry.before["levels"][1] == ["1750000.00", "0.500"] and entry.after["levels"][1] == ["1760000.00", "0.500"]
    assert ReimbursementLevel.objects.filter(year=2027).count() == 3


@pytest.mark.parametrize("levels, field", [
    ([("nine hundred", "0,25")], "level_1"),
    ([("900000", "1,5")], "level_1"),
    ([("900000", "0,25"), ("800000", "0,5")], "level_1"),
    ([("", "")], "level_1"),
    ([("99999999999999999999", "0,25")], "level_1"),
])
def test_bad_levels_are_refused_by_field_and_nothing_is_written(world, levels, field):
    before = ReimbursementLevel.objects.count()
    with pytest.raises(SettingsError) as refused:
        set_reimbursement_levels(2027, levels, actor=world.users["economist"])
    assert field in refused.value.errors
    assert ReimbursementLevel.objects.count() == before


@pytest.mark.parametrize("persona", ["caseworker", "centre_staff", "centre_leader", "committee", "admin", "outsider"])
def test_only_the_economist_sets_levels_and_targets(world, persona):
    with pytest.raises(NotInScope):
        set_reimbursement_levels(2027, LEVELS_2027, actor=world.users[persona])
    with pytest.raises(NotInScope):
        set_self_sufficiency_target(2027, "51", actor=world.users[persona])
    assert not ReimbursementLevel.objects.filter(year=2027).exists() and not SelfSufficiencyTarget.objects.exists()


def test_a_target_is_set_and_changed_only_with_a_reason(world):
    economist = world.users["economist"]
    set_self_sufficiency_target(2027, "51", actor=economist)
    with pytest.raises(SettingsError) as refused:
        set_self_sufficiency_target(2027, "52,5", actor=economist)
    assert "reason" in refused.value.errors
    set_self_sufficiency_target(2027, "52,5", actor=economist, reason="Udvalgets beslutning 12. marts")
    assert SelfSufficiencyTarget.objects.get(year=2027).target == Decimal("52.50")
    entry = AuditEntry.objects.get(action="change", summary__startswith="Mål for selvforsyningsgrad")
    assert (entry.before["target"], entry.after["target"], entry.reason) == ("51.00", "52.50",
                                                                            "Udvalgets beslutning 12. marts")
    with pytest.raises(SettingsError) as refused:
        set_self_sufficiency_target(2027, "140", actor=economist, reason="en grund der er lang nok")
    assert "target" in refused.value.errors


def test_the_page_saves_and_shows_errors_by_field_without_a_server_error(world, client):
    client.login(username="economist", password=PASSWORD)
    url = reverse("economy:settings")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"action": "levels", "year": "20x7", "threshold_1": "900000", "rate_1": "0,25"})
    assert bad.status_code == 400 and "four digits" in bad.content.decode() or "fire cifre" in bad.content.decode()
    assert 'value="900000"' in bad.content.decode()       # what was typed is kept
    ok = client.post(url, {"action": "levels", "year": "2027", "threshold_1": "900.000", "rate_1": "0,25"})
    assert ok.status_code == 302 and ReimbursementLevel.objects.filter(year=2027).count() == 1
    again = client.post(url, {"action": "levels", "year": "2027", "threshold_1": "900.000", "rate_1": "0,25"})
    assert again.status_code == 400 and ReimbursementLevel.objects.filter(year=2027).count() == 1  # twice writes once
    target = client.post(url, {"action": "target", "year": str(datetime.date.today().year + 1), "target": "51"})
    assert target.status_code == 302 and SelfSufficiencyTarget.objects.count() == 1
