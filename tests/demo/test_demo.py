"""The demo municipality: deterministic, calibrated to public figures, clearly fictitious, and
consistent with every invariant of the record."""

import datetime
import hashlib
import re
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roret.citizens import cpr as cprlib
from roret.citizens.models import Citizen
from roret.core.models import Department, User
from roret.demo.catalogue import PRICE_INDEX
from roret.demo.stays import make_plan
from roret.offers.models import Offer, ProviderKind
from roret.placements.models import Grant, Placement
from roret.placements.services import occupancy_conflicts

TODAY = datetime.date(2026, 11, 23)
RESIDENTIAL = {"SEL107", "SEL108", "ABL105"}


def plan_digest(plan) -> str:
    text = "|".join(f"{s.spec.key},{s.start},{s.end},{s.citizen.index},{s.citizen.birth}" for s in plan.stays)
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_plan_is_deterministic_for_a_seed_and_day():
    assert plan_digest(make_plan(7, 1200, TODAY)) == plan_digest(make_plan(7, 1200, TODAY))
    assert plan_digest(make_plan(7, 1200, TODAY)) != plan_digest(make_plan(8, 1200, TODAY))


def yearly_cost_by_kind(plan, year):
    """A simple day-count approximation (the economy engine does it exactly)."""
    y0, y1 = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    cost = defaultdict(float)
    for s in plan.stays:
        days = (min(s.end or y1, y1) - max(s.start, y0)).days
        if days <= 0:
            continue
        tariff = s.spec.tariff / (1 + PRICE_INDEX) ** (plan.today.year - year) * s.agreed_factor
        per_day = {"day": tariff, "module": tariff, "month": tariff * 12 / 365,
                   "hour": tariff * (s.hours or 0) / 7}[s.spec.unit]
        kind = "sold" if s.citizen.foreign_code else ("own" if s.own else "external")
        cost[kind, s.spec.legal_basis in RESIDENTIAL] += per_day * days
    return cost


def test_the_plan_is_calibrated_to_a_mid_sized_department():
    plan = make_plan(2026, 1200, TODAY)
    cost = yearly_cost_by_kind(plan, TODAY.year - 1)
    total = sum(v for (kind, _r), v in cost.items() if kind != "sold")
    own = sum(v for (kind, _r), v in cost.items() if kind == "own")
    residential = sum(v for (kind, r), v in cost.items() if kind != "sold" and r)
    assert 340e6 < total < 460e6, total                 # about 400 mio. kr. a year
    assert 0.70 < residential / total < 0.82            # about three quarters residential
    assert 0.38 < own / total < 0.52                    # own offers about 45 % of the cost
    assert cost["sold", True] > 0                       # some own places sold
    assert 1000 < len(plan.citizens) < 1500             # about 1,200 citizens
    ages = [(TODAY - c.birth).days / 365.25 for c in plan.citizens]
    assert min(ages) >= 18 and max(ages) < 96


def test_external_placements_get_realistic_reasons_without_changing_the_rest_of_the_plan():
    plan = make_plan(2026, 1200, TODAY)
    external = [s for s in plan.stays if not s.own]
    share = {r: sum(s.external_reason == r for s in external) / len(external)
             for r in ("no_vacancy", "specialised", "free_choice", "network", "unknown")}
    assert 0.40 <= share["no_vacancy"] <= 0.50, share
    assert 0.25 <= share["specialised"] <= 0.35, share
    assert 0.10 <= share["free_choice"] <= 0.15, share
    assert 0.02 <= share["network"] <= 0.10 and 0.02 <= share["unknown"] <= 0.12, share
    assert not any(s.external_reason for s in plan.stays if s.own)
    # "Not recorded" belongs mostly to old history.
    old = datetime.date(TODAY.year - 8, TODAY.month, 1)
    unknown = [s for s in external if s.external_reason == "unknown"]
    assert sum(s.start < old for s in unknown) > len(unknown) / 2
    # Deterministic for a seed; drawn apart from the plan's generator, so the stays are as before.
    again = make_plan(2026, 1200, TODAY)
    assert [s.external_reason for s in again.stays] == [s.external_reason for s in plan.stays]
    assert plan_digest(again) == plan_digest(plan)


def test_stays_run_from_months_to_decades():
    plan = make_plan(2026, 1200, TODAY)
    long_term = [((s.end or TODAY) - s.start).days for s in plan.stays if s.spec.legal_basis == "SEL108"]
    temporary = [((s.end or TODAY) - s.start).days for s in plan.stays if s.spec.legal_basis == "SEL107"]
    assert max(long_term) > 20 * 365
    assert sorted(temporary)[len(temporary) // 2] < 3 * 365


@pytest.mark.django_db(transaction=True)
def test_the_demo_database_is_marked_consistent_and_complete():
    call_command("demo", seed=2026, today=TODAY, verbosity=0)

    department = Department.objects.get()
    assert department.is_demo
    assert not Citizen.objects.filter(is_demo=False).exists()
    for username in ["caseworker", "centre_staff", "centre_leader", "economist", "committee", "admin", "leader"]:
        assert User.objects.get(username=username).check_password("demo")
    # The citizen's own page: a few accounts with their own entries, and the open invitation `roret
    # demo` prints (its code matches; no password opens a citizen's account).
    from roret.demo.helm import DEMO_CODE, DEMO_TOKEN
    from roret.helm import services as helm_services
    from roret.helm.models import CitizenAccount, GoalRating, PlanResponse
    from roret.outcomes.models import Measurement

    accounts = CitizenAccount.objects.select_related("user")
    assert accounts.count() == 12 and not any(a.user.has_usable_password() for a in accounts)
    assert GoalRating.objects.count() >= 12 and PlanResponse.objects.count() == 12
    # 36 answers on the own page (the citizen's account recorded them), and answers given on a tablet at
    # follow-up meetings: every completed half-year of the last two has self-reported and staff-reported ones.
    assert Measurement.objects.filter(self_reported=True, recorded_by__role="citizen").count() == 36
    for start in (datetime.date(2025, 1, 1), datetime.date(2025, 7, 1), datetime.date(2026, 1, 1)):
        half = Measurement.objects.filter(measured_on__gte=start, measured_on__lt=start.replace(
            year=start.year + (start.month == 7), month=1 if start.month == 7 else 7))
        assert half.filter(self_reported=True).exists() and half.filter(self_reported=False).exists(), start
    invitation = helm_services.find_invitation(DEMO_TOKEN)
    assert invitation.used_at is None and invitation.revoked_at is None
    assert helm_services.digest("code", f"{invitation.token_digest}:{DEMO_CODE}") == invitation.code_digest
    # Past visitation meetings whose approvals made the recent residential decisions, and the next one.
    from roret.meetings.models import Meeting, Proposal

    assert Meeting.objects.filter(status="held").count() >= 10
    upcoming = Meeting.objects.get(status="planned")
    assert upcoming.held_on > TODAY and upcoming.participants.filter(role="leader").exists()
    assert 2 <= upcoming.proposals.filter(status="proposed").count() <= 4
    assert not Proposal.objects.filter(status="proposed", decision__isnull=False).exists()
    assert Proposal.objects.filter(status="approved", decision__paragraph__in=["SEL107", "SEL108"]).count() >= 5
    assert Proposal.objects.filter(status="changed").exclude(reason="").exists()
    assert Proposal.objects.filter(status="sent_back", proposed_by__username="caseworker").exists()
    # The demo administrator's authenticator has the secret the README and `make run` print.
    import base64
    from pathlib import Path

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from roret.demo.build import DEMO_ADMIN_TOTP_SECRET

    device = TOTPDevice.objects.get(user__username="admin", confirmed=True)
    assert base64.b32encode(device.bin_key).decode() == DEMO_ADMIN_TOTP_SECRET
    root = Path(__file__).resolve().parents[2]
    assert DEMO_ADMIN_TOTP_SECRET in (root / "README.md").read_text()
    assert DEMO_ADMIN_TOTP_SECRET in (root / "Makefile").read_text()

    # Recognisably fictitious CPR numbers: DDMMYY-99xx, valid, unique.
    numbers = [cprlib.decrypt(t) for t in Citizen.objects.values_list("cpr_encrypted", flat=True)[:300]]
    assert all(re.fullmatch(r"\d{6}99\d\d", n) for n in numbers)
    assert all(cprlib.validate(n) for n in numbers)

    # The social psychiatry centre as the calibration describes it.
    def places(name):
        return Offer.objects.get(name=name).places_on(TODAY)

    assert places("Ungeteamet – behandling") == 16 and Offer.objects.get(name="Ungeteamet – behandling").legal_basis == "SEL102"
    assert places("Ungeenhedens aktivitetstilbud") == 24 and places("Ungebostedet") == 16
    assert places("Værestedet (uden visitation)") == 30
    assert not Offer.objects.get(name="Værestedet (uden visitation)").requires_visitation
    assert places("Lindehuset (§105-bolig)") == 11 and places("Daghøjskolen") == 82
    assert Offer.objects.filter(provider__kind=ProviderKind.OWN).values("provider").distinct().count() == 5

    # Occupancy never exceeds places in an own offer, on any day (checked at every start).
    for offer in Offer.objects.filter(provider__kind=ProviderKind.OWN):
        for start in Placement.objects.filter(offer=offer).values_list("start", flat=True).distinct():
            conflicts = occupancy_conflicts(offer, start, start + datetime.timedelta(days=1))
            # occupancy_conflicts asks whether ONE MORE citizen fits; the placements themselves fit.
            for _day, occupied, places_then in conflicts:
                assert occupied <= places_then, (offer, start, occupied, places_then)

    # Ten years of history, sold places, a waiting list, residential stays never overlapping.
    years = {d.year for d in Placement.objects.dates("start", "year")}
    assert set(range(TODAY.year - 10, TODAY.year + 1)) <= years
    assert Placement.objects.active_on(TODAY).exclude(paying_municipality=department.municipality_code).exists()
    assert Grant.objects.waiting_on(TODAY).filter(preferred_offer__isnull=False).count() >= 10
    residential = defaultdict(list)
    for citizen_id, start, end in Placement.objects.filter(is_residential=True).values_list("citizen_id", "start", "end"):
        residential[citizen_id].append((start, end or datetime.date.max))
    for stays in residential.values():
        stays.sort()
        assert all(a[1] <= b[0] for a, b in zip(stays, stays[1:], strict=False))

    # Every placement in an external offer says why, and only those do.
    assert not Placement.objects.exclude(offer__provider__kind=ProviderKind.OWN).filter(external_reason="").exists()
    assert not Placement.objects.filter(offer__provider__kind=ProviderKind.OWN).exclude(external_reason="").exists()
    assert (Placement.objects.filter(is_external=True).count()
            == Placement.objects.exclude(offer__provider__kind=ProviderKind.OWN).count())

    # The journal: notes in all six categories, some corrected by a note that points to them, and
    # corrections of recorded data with the old value kept (an agreed tariff by a new dated row).
    from roret.journal.models import Correction, JournalNote, NoteCategory
    from roret.placements.models import PlacementTariff

    assert set(JournalNote.objects.values_list("category", flat=True)) == set(NoteCategory.values)
    assert JournalNote.objects.values("citizen").distinct().count() >= 50
    fixes = JournalNote.objects.exclude(corrects=None).select_related("corrects")
    assert fixes.exists() and all(f.corrects.citizen_id == f.citizen_id and f.correction_reason for f in fixes)
    assert {"visitation.inquiry", "visitation.decision", "outcomes.goal", "placements.placement"} <= set(
        Correction.objects.values_list("object_type", flat=True))
    assert PlacementTariff.history.exclude(corrects=None).exists()

    # Relatives at past network meetings and follow-ups (who took part recorded), goals with a
    # supporter: each covered by the citizen's consent as the services require, and the same again
    # for the seed.
    from roret.citizens.models import Consent
    from roret.citizens.services import valid_consent
    from roret.demo.network import build_network
    from roret.outcomes.models import FollowUpParticipant, GoalSupporter
    from roret.visitation.models import NetworkMeetingParticipant

    def network_digest() -> str:
        rows = [*NetworkMeetingParticipant.objects.order_by("meeting_id", "relative_id").values_list(
                    "meeting_id", "relative_id", "invited_on", "took_part", "role"),
                *FollowUpParticipant.objects.order_by("follow_up_id", "relative_id").values_list(
                    "follow_up_id", "relative_id", "invited_on", "took_part", "role"),
                *GoalSupporter.objects.order_by("goal_id", "relative_id").values_list("goal_id", "relative_id", "how")]
        return hashlib.sha256(repr(rows).encode()).hexdigest()

    at_meetings = NetworkMeetingParticipant.objects.select_related("meeting__assessment__citizen", "relative")
    assert at_meetings.filter(meeting__held_on__lt=TODAY, took_part="yes").count() >= 20
    assert FollowUpParticipant.objects.filter(follow_up__held_on__isnull=False, took_part="yes").count() >= 20
    assert GoalSupporter.objects.count() >= 20
    for p in at_meetings:
        assert p.relative.citizen_id == p.meeting.assessment.citizen_id
        assert valid_consent(p.meeting.assessment.citizen, "network_meeting", p.meeting.held_on) is not None
    for s in GoalSupporter.objects.select_related("goal__citizen", "relative"):
        assert s.relative.citizen_id == s.goal.citizen_id
        assert valid_consent(s.goal.citizen, "share_relatives", TODAY) is not None
    before = network_digest()
    NetworkMeetingParticipant.objects.all().delete()
    FollowUpParticipant.objects.all().delete()
    GoalSupporter.objects.all().delete()
    Consent.objects.filter(subject__in=["network_meeting", "share_relatives"]).delete()
    build_network(TODAY, 2026)
    assert network_digest() == before

    with pytest.raises(CommandError, match="already holds data"):
        call_command("demo", seed=2026, today=TODAY, verbosity=0)
    call_command("demo", seed=2026, today=TODAY, if_empty=True, verbosity=0)  # a no-op, not an error
