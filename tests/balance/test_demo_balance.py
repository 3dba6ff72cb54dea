"""The demo's staff figures and targets: ten years per centre, realistic, the same for the same seed."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roret.balance.models import BalanceTarget, StaffMonth
from roret.demo.balance import build_balance, staff_months

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 28)


def _values(months):
    return [(m.month, m.fte_employed, m.fte_budgeted, m.sickness_days, m.working_days, m.leavers, m.vacancies)
            for m in months]


def test_the_figures_are_the_same_for_the_same_seed_and_differ_for_another(world):
    a = _values(staff_months(7, world.centre, 40.0, TODAY))
    assert a == _values(staff_months(7, world.centre, 40.0, TODAY))
    assert a != _values(staff_months(8, world.centre, 40.0, TODAY))


def test_ten_years_per_centre_up_to_last_month_and_realistic(world):
    made = build_balance(7, TODAY)
    assert made["months"] == 2 * 120
    months = StaffMonth.objects.filter(centre=world.centre).order_by("month")
    assert months.first().month == datetime.date(2016, 11, 1) and months.last().month == datetime.date(2026, 10, 1)
    sick = sum(m.sickness_days for m in months) / sum(m.working_days for m in months) * 100
    assert Decimal("4.5") < sick < Decimal("7.5")
    yearly_turnover = Decimal(sum(m.leavers for m in months)) / 10 / (sum(m.fte_employed for m in months) / 120) * 100
    assert 5 < yearly_turnover < 30
    assert all(m.fte_employed <= m.fte_budgeted for m in months)
    assert BalanceTarget.objects.filter(kind="sickness", centre__isnull=True).count() == 2


def test_the_command_adds_the_figures_once(world, settings):
    settings.DEMO_ALLOWED = True
    call_command("balance_demo", "--seed", "7", "--today", "2026-11-28", verbosity=0)
    assert StaffMonth.objects.count() == 240
    with pytest.raises(CommandError, match="already"):
        call_command("balance_demo", "--seed", "7", verbosity=0)
