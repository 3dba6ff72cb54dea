"""Retention of closed cases: the person goes, the statistics stay; a dry run shows what would go."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from roret.citizens import retention
from roret.citizens.checks import check_field_keys
from roret.citizens.models import Citizen
from roret.core import audit_chain
from roret.core.models import AuditEntry
from roret.core.periods import Period
from roret.core.retention import Policy
from roret.economy import kpi
from roret.economy.models import CostSegment
from roret.outcomes import services as outcomes
from roret.outcomes.models import ActionStep, FollowUp, Goal, GoalProgress, Measurement
from roret.placements.models import Grant, Placement
from roret.visitation import services as visitation
from roret.visitation.models import Assessment, Decision, Inquiry, Screening, ThemeAssessment
from tests.factories import committed
from tests.visitation import helpers
from tests.visitation.helpers import TODAY, term

DAY = datetime.timedelta(days=1)
GONE = retention.REDACTED
LATER = TODAY + 6 * 365 * DAY  # the day retention runs: five years and more after the case closed


@pytest.fixture(autouse=True)
def _own_jobs_folder(monkeypatch, tmp_path):
    """Retention deletes old files in the jobs folder: a folder of the test's, never the developer's."""
    from django.core.files.storage import FileSystemStorage

    from roret.core.jobs import Job

    monkeypatch.setattr(Job._meta.get_field("output"), "storage", FileSystemStorage(location=tmp_path / "jobs"))


@pytest.fixture
def closed_case(world):
    """A citizen taken through the whole flow and out again: inquiry, assessment, decision,
    placement, goal and step, WHO-5, a relative and a consent, a follow-up that ends the grant."""
    cw = world.users["caseworker"]
    decision = helpers.granted(world, offer=world.residential, start=TODAY - 400 * DAY)
    citizen = decision.citizen
    with committed():
        placement = visitation.place_from_decision(decision, world.residential, TODAY - 400 * DAY, actor=cw)
    goal = outcomes.add_goal(citizen, actor=cw, goal_type=term("Udvikle funktionsevne"), theme=term("Købe ind"),
                             own_words="Handle ind selv hos købmanden", target_date=TODAY + 90 * DAY,
                             grant=decision.grant)
    outcomes.add_step(goal, actor=cw, what="Handle ind med Lise om tirsdagen", who="Kontaktperson Lise",
                      due_on=TODAY + 30 * DAY)
    outcomes.record_measurement(citizen, "WHO-5", [2, 2, 2, 2, 2], actor=cw, measured_on=placement.start,
                                occasion="move_in", placement=placement)
    from roret.citizens import services as citizen_services

    citizen_services.add_relative(citizen, actor=cw, name="Søster Sørensen", relation="sibling", phone="12345678")
    citizen_services.record_consent(citizen, actor=cw, subject="share_relatives", given_on=TODAY - 300 * DAY,
                                    given_by="Borgeren selv", description="Må dele med søsteren")
    follow_up = decision.grant.follow_ups.get(held_on=None)
    with committed():
        outcomes.hold_follow_up(follow_up, actor=cw, held_on=TODAY - 5 * DAY, outcome="end",
                                notes="Flytter til egen bolig, har det godt", end_on=TODAY - 2 * DAY,
                                end_reason="goal_achieved", goal_progress={goal.pk: ("achieved", "Handler selv")},
                                who5_answers=[4, 4, 4, 4, 4])
    still_placed = world.citizen(first_name="Stadig", last_name="Placeret")
    world.place(still_placed, world.day_offer, start=TODAY - 800 * DAY)
    return {"citizen": Citizen.objects.get(pk=citizen.pk), "cpr": citizen.cpr, "still_placed": still_placed,
            "placement": placement}


def policy(**overrides):
    return Policy.from_settings(LATER, **overrides)


def figures():
    period = Period(TODAY - 500 * DAY, TODAY)
    return (kpi.totals(period), sorted(CostSegment.objects.values_list("citizen_id", "placement_id", "start_day", "end_day", "rate")),
            sorted(Measurement.objects.values_list("citizen_id", "measured_on", "raw", "score", "band")),
            sorted(Placement.objects.values_list("citizen_id", "offer_id", "start", "end", "end_reason")),
            sorted(Grant.objects.values_list("citizen_id", "paragraph", "start", "end")),
            sorted(ThemeAssessment.objects.values_list("assessment__citizen_id", "theme_id", "level")))


def test_a_closed_case_is_anonymised_and_its_statistics_kept(closed_case):
    citizen, still = closed_case["citizen"], closed_case["still_placed"]
    assert retention.due(policy()) == [(citizen.pk, TODAY)]  # the open placement keeps the other case
    before = figures()
    out = io.StringIO()
    call_command("retention", "--today", LATER.isoformat(), "--only", "cases", stdout=out, verbosity=0)
    assert f"Closed cases anonymised (no activity since before {LATER.year - 5}" in out.getvalue()
    assert "): 1 done" in out.getvalue()
    gone = Citizen.objects.get(pk=citizen.pk)
    assert (gone.first_name, gone.last_name, gone.address, gone.postcode, gone.city, gone.team_id) == (
        "Anonymiseret", "borger", "", "", "", None)
    assert gone.cpr_encrypted == "" and gone.cpr_hash.startswith("anonymised-")
    assert gone.birth_date == datetime.date(citizen.birth_date.year, 7, 1)
    assert not Citizen.objects.with_cpr(closed_case["cpr"]).exists()
    assert not gone.relatives.exists()
    assert set(gone.consents.values_list("description", "given_by")) == {(GONE, GONE)}
    for model, field in [(Inquiry, "about"), (Inquiry, "source_detail"), (Assessment, "hopes"),
                         (Decision, "justification"), (Decision, "intrusive_reason"), (Goal, "own_words"),
                         (FollowUp, "notes")]:
        assert set(model.objects.filter(citizen=citizen).values_list(field, flat=True)) <= {"", GONE}, (model, field)
    assert set(Inquiry.objects.filter(citizen=citizen).values_list("about", flat=True)) == {GONE}
    assert set(Screening.objects.filter(inquiry__citizen=citizen).values_list("reason", flat=True)) == {GONE}
    assert set(ThemeAssessment.objects.filter(assessment__citizen=citizen).values_list("notes", flat=True)) <= {
        "", GONE}
    assert set(ActionStep.objects.filter(goal__citizen=citizen).values_list("what", "who")) == {(GONE, GONE)}
    assert set(GoalProgress.objects.filter(goal__citizen=citizen).values_list("note", "progress")) == {
        (GONE, "achieved")}
    # Nothing the citizen or the caseworkers wrote is left anywhere in the case.
    for text in ("Handle ind", "Søster", "Flytter til egen bolig", "Jeg vil gerne", "Hører stemmer",
                 "Udskrives fra psykiatrisk", "hele døgnet", "Må dele"):
        assert not _anywhere(text), text
    # The statistics are those of before, to the øre and the day.
    assert figures() == before
    # The other citizen is untouched.
    assert Citizen.objects.get(pk=still.pk).first_name == "Stadig"
    # One audit entry, without personal data.
    entry = AuditEntry.objects.get(action="anonymise")
    assert entry.citizen_id == citizen.pk and entry.actor_name == "system" and entry.channel == "cli"
    for personal in (citizen.first_name, citizen.last_name, citizen.cpr_masked[:6], closed_case["cpr"]):
        assert personal not in entry.summary and personal not in str(entry.after)
    # The start-up key check and the key rotation step over a citizen without a number.
    assert check_field_keys() == []
    from roret.citizens import rotation

    assert rotation.rotate().finished is not None
    assert audit_chain.verify().ok


def test_a_dry_run_shows_what_would_go_and_changes_nothing(closed_case):
    citizen = closed_case["citizen"]
    out = io.StringIO()
    entries = AuditEntry.objects.count()
    call_command("retention", "--dry-run", "--today", LATER.isoformat(), stdout=out, verbosity=0)
    assert f"citizen #{citizen.pk}: last activity {TODAY:%Y-%m-%d}" in out.getvalue()
    assert "Closed cases anonymised (no activity since before" in out.getvalue() and "): 1 would go" in out.getvalue()
    assert citizen.first_name not in out.getvalue() and closed_case["cpr"] not in out.getvalue()
    assert Citizen.objects.get(pk=citizen.pk).first_name == citizen.first_name
    assert AuditEntry.objects.count() == entries


def test_a_case_with_recent_activity_is_kept(closed_case):
    assert retention.due(policy(case_years=7)) == []  # the last activity is within seven years of LATER
    assert retention.due(Policy.from_settings(TODAY)) == []  # and today, nothing is five years old


def test_running_twice_anonymises_once(closed_case):
    call_command("retention", "--today", LATER.isoformat(), "--only", "cases", verbosity=0)
    call_command("retention", "--today", LATER.isoformat(), "--only", "cases", verbosity=0)
    assert AuditEntry.objects.filter(action="anonymise").count() == 1


def test_every_text_field_about_a_citizen_is_classified():
    """A text field on a model of a citizen's case is either cleared or declared a code or figure:
    a new free-text field must be added to retention.CASE_MODELS, or it would outlive the person."""
    declared = {spec.label: spec for spec in retention.CASE_MODELS}
    unknown = []
    for model in apps.get_models():
        label = model._meta.label_lower
        path = _path_to_citizen(model)
        if path is None or label.startswith(("economy.", "core.")):
            continue
        spec = declared.get(label)
        for field in model._meta.get_fields():
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            if label == "citizens.citizen":
                known = set(retention.CITIZEN_CLEARED) | set(retention.CITIZEN_KEPT_TEXT)
            elif spec is None:
                unknown.append(f"{label} (not in CASE_MODELS)")
                break
            else:
                known = set(spec.clear) | set(spec.kept_text) | set(spec.empty_json) | (
                    {f.name for f in model._meta.fields} if spec.delete else set())
                if isinstance(field, models.JSONField):
                    known |= {"answers", "flagged_items", "checklist"}  # numbers and dates, not text
            if field.name not in known:
                unknown.append(f"{label}.{field.name}")
    assert not unknown, f"classify these in roret/citizens/retention.py: {unknown}"


def _anywhere(text: str) -> list[str]:
    """The case models' text fields that still hold ``text``."""
    found = []
    for spec in retention.CASE_MODELS:
        model = apps.get_model(spec.label)
        for field in model._meta.fields:
            if isinstance(field, models.CharField | models.TextField):
                if model.objects.filter(**{f"{field.name}__contains": text}).exists():
                    found.append(f"{spec.label}.{field.name}")
    return found


def _path_to_citizen(model, depth=0):
    if model._meta.label_lower == "citizens.citizen":
        return ""
    if depth > 2:
        return None
    for field in model._meta.fields:
        if field.is_relation and field.related_model is not None and field.many_to_one:
            if _path_to_citizen(field.related_model, depth + 1) is not None:
                return field.name
    return None
