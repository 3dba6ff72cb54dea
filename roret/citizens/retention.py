"""Retention of closed cases: a citizen with no grant, placement, inquiry or transition open and no
activity newer than ``RETENTION_CASE_YEARS`` years is anonymised (a step of ``roret retention``).

The person goes, the statistics stay. Removed or replaced: the name (``Anonymiseret borger``),
CPR number (ciphertext emptied, hash replaced by a marker), address, district, responsible team,
relatives and network persons, and every free-text field of the case (what the inquiry was about
and who made it, screening reasons, the citizen's hopes and goals in their own words, notes,
justifications, action-plan steps, consents' text: replaced by ``[anonymiseret]``); the birth
date is kept to the year (1 July).
Kept: the dated rows and their codes — inquiries, assessments with their functional levels,
decisions, grants, placements with their dates, offers and tariffs, cost segments, follow-ups
with their outcomes, measurements with their scores, target groups — so every figure the economy,
capacity and outcome pages compute from closed cases stays the same. One audit entry per citizen,
without personal data, says it was done.

Audit entries written before about the citizen keep what they recorded until the audit log's own
period ends (``RETENTION_AUDIT_YEARS``): the log is append-only and hash-chained.

Which models hold what is written in :data:`CASE_MODELS`, by model label, with ``apps.get_model``:
a new model with free text about a citizen must be added there (tests/citizens/test_retention.py
fails for a text field it does not know).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import Max, Q

from roret.citizens.models import Citizen
from roret.core import audit
from roret.core.models import AuditAction, AuditEntry
from roret.core.retention import Policy, StepResult, step

#: What a cleared free-text field holds: not empty, so the rules that a text be given where it is
#: required (a justification, the reason for an intrusive step) still hold.
REDACTED = "[anonymiseret]"
ANONYMOUS_FIRST_NAME = "Anonymiseret"
ANONYMOUS_LAST_NAME = "borger"
#: The CPR hash of an anonymised citizen: unique, and never the hash of a number.
HASH_MARKER = "anonymised-"


@dataclass(frozen=True)
class CaseModel:
    label: str
    citizen: str                       # the path from the model to its citizen's id
    dates: tuple[str, ...] = ()        # dates of what happened on the case (not planned dates: due, target)
    clear: tuple[str, ...] = ()        # free text replaced by REDACTED (an empty field stays empty)
    empty_json: tuple[str, ...] = ()   # JSON emptied
    kept_text: tuple[str, ...] = ()    # text fields that are codes or figures, not free text (kept)
    delete: bool = False               # rows removed altogether
    open: Q | None = None              # rows that keep the case open


CASE_MODELS = (
    CaseModel("visitation.inquiry", "citizen_id", ("received_on", "closed_on"),
              clear=("source_detail", "about"), kept_text=("source", "paragraph", "status"),
              open=Q(status="open")),
    CaseModel("visitation.screening", "inquiry__citizen_id", ("screened_on",),
              clear=("reason", "guided_to_detail"), kept_text=("outcome", "guided_to")),
    CaseModel("visitation.assessment", "citizen_id", ("assessed_on",), clear=("hopes", "what_matters")),
    CaseModel("visitation.themeassessment", "assessment__citizen_id", clear=("notes",)),
    CaseModel("visitation.networkmeeting", "assessment__citizen_id", ("held_on",),
              clear=("relatives", "providers", "others", "notes")),
    CaseModel("visitation.decision", "citizen_id", ("decided_on",),
              clear=("scope", "justification", "intrusive_reason"), kept_text=("kind", "paragraph")),
    # A proposal to the visitation meeting: a waiting one keeps the case open.
    CaseModel("meetings.proposal", "citizen_id", clear=("scope", "justification", "intrusive_reason", "reason"),
              kept_text=("kind", "paragraph", "status"), open=Q(status="proposed")),
    CaseModel("visitation.transition", "citizen_id", ("opened_on", "closed_on"), clear=("expected_need", "end_reason"),
              kept_text=("kind",), open=Q(closed_on__isnull=True)),
    CaseModel("placements.grant", "citizen_id", ("start", "end"), clear=("scope",), kept_text=("paragraph",),
              open=Q(end__isnull=True)),
    CaseModel("placements.placement", "citizen_id", ("start", "end"), clear=("over_occupancy_reason",),
              kept_text=("external_reason", "acting_municipality", "paying_municipality", "end_reason"),
              open=Q(end__isnull=True)),
    CaseModel("placements.placementtariff", "placement__citizen_id", ("valid_from",), clear=("note",),
              kept_text=("unit",)),
    CaseModel("outcomes.goal", "citizen_id", ("created_on",), clear=("own_words",),
              kept_text=("status",)),
    CaseModel("outcomes.actionstep", "goal__citizen_id", ("done_on",), clear=("what", "who")),
    CaseModel("outcomes.followup", "citizen_id", ("held_on",), clear=("notes",), kept_text=("outcome",)),
    CaseModel("outcomes.goalprogress", "goal__citizen_id", clear=("note",), kept_text=("progress",)),
    CaseModel("outcomes.measurement", "citizen_id", ("measured_on",),
              kept_text=("instrument", "band", "occasion")),
    # The stored compliance list: derived from the rows above, codes and dates only.
    CaseModel("outcomes.missingmeasurement", "citizen_id", kept_text=("instrument", "reason")),
    CaseModel("outcomes.tariffrenegotiation", "placement__citizen_id", ("valid_from",), clear=("note",),
              kept_text=("unit",)),
    CaseModel("citizens.consent", "citizen_id", ("given_on", "withdrawn_on"), clear=("description", "given_by"),
              kept_text=("subject",)),
    # Who of the network was at a meeting or supports a goal names a person: removed with the
    # relatives themselves (before them: the rows point to them).
    CaseModel("visitation.networkmeetingparticipant", "meeting__assessment__citizen_id", delete=True),
    CaseModel("outcomes.followupparticipant", "follow_up__citizen_id", delete=True),
    CaseModel("outcomes.goalsupporter", "goal__citizen_id", delete=True),
    CaseModel("citizens.relative", "citizen_id", delete=True),
    # The journal's tables refuse every UPDATE but this one (their triggers, journal 0001).
    CaseModel("journal.journalnote", "citizen_id", ("noted_on",), clear=("text", "correction_reason"),
              kept_text=("category",)),
    CaseModel("journal.correction", "citizen_id", clear=("old_value", "new_value", "reason"),
              kept_text=("object_type", "field", "field_label")),
    # What the citizen entered on their own page (roret.helm), and their invitations (digests only).
    CaseModel("helm.goalrating", "citizen_id", ("rated_on",), clear=("went_well", "matters_now")),
    CaseModel("helm.planresponse", "citizen_id", ("created",), clear=("comment",)),
    CaseModel("helm.invitation", "citizen_id", delete=True),
    # A caseworker's link of an event to a plan's initiative holds no free text: the kind of action.
    CaseModel("plans.effectlink", "placement__citizen_id", kept_text=("action",)),
)
#: The citizen's own fields that go, and those that stay.
CITIZEN_CLEARED = ("address", "postcode", "city", "district")
CITIZEN_KEPT_TEXT = ("cpr_encrypted", "cpr_hash", "first_name", "last_name", "name_search", "last_name_search")


def _model(label):
    return apps.get_model(label)


def is_anonymised(citizen) -> bool:
    return citizen.cpr_hash.startswith(HASH_MARKER)


def _open_case_ids(today: datetime.date) -> set[int]:
    ids = set()
    for spec in CASE_MODELS:
        if spec.open is None:
            continue
        rows = _model(spec.label).objects.all()
        # A dated row with an end in the future is open too (a placement ending next month).
        query = spec.open | Q(end__gt=today) if "end" in spec.dates else spec.open
        ids |= set(rows.filter(query).values_list(spec.citizen, flat=True).distinct())
    return ids


def last_activity() -> dict[int, datetime.date]:
    """Each citizen's last day of activity: the latest date on any row of the case, the record's
    creation, and the last change or creation written to the audit log about them."""
    latest: dict[int, datetime.date] = {}

    def take(citizen_id, day):
        if citizen_id is not None and day is not None:
            if isinstance(day, datetime.datetime):
                day = day.date()
            if day > latest.get(citizen_id, datetime.date.min):
                latest[citizen_id] = day

    for citizen_id, created in Citizen.objects.values_list("pk", "created"):
        take(citizen_id, created)
    for spec in CASE_MODELS:
        for date_field in spec.dates:
            rows = (_model(spec.label).objects.exclude(**{date_field: None}).values(spec.citizen)
                    .annotate(last=Max(date_field)).values_list(spec.citizen, "last"))
            for citizen_id, day in rows:
                take(citizen_id, day)
    changes = (AuditEntry.objects.filter(citizen_id__isnull=False,
                                         action__in=[AuditAction.CREATE, AuditAction.CHANGE])
               .values("citizen_id").annotate(last=Max("at")).values_list("citizen_id", "last"))
    for citizen_id, at in changes:
        take(citizen_id, at)
    return latest


def due(policy: Policy) -> list[tuple[int, datetime.date]]:
    """(citizen id, last activity) of the closed cases whose time is up, oldest first."""
    cutoff = policy.case_cutoff
    blocked = _open_case_ids(policy.today)
    anonymised = set(Citizen.objects.filter(cpr_hash__startswith=HASH_MARKER).values_list("pk", flat=True))
    latest = last_activity()
    return sorted(((pk, day) for pk, day in latest.items()
                   if day < cutoff and pk not in blocked and pk not in anonymised), key=lambda r: (r[1], r[0]))


@transaction.atomic
def anonymise(citizen_id: int, last: datetime.date, policy: Policy) -> None:
    """Remove the person from one closed case and keep its statistics (see the module's docstring)."""
    citizen = Citizen.objects.select_for_update().get(pk=citizen_id)
    for spec in CASE_MODELS:
        # Every row, also those a default manager leaves out (a corrected agreed tariff).
        rows = _model(spec.label)._base_manager.filter(**{spec.citizen: citizen_id})
        if spec.delete:
            rows.delete()
            continue
        for name in spec.clear:
            rows.exclude(**{name: ""}).update(**{name: REDACTED})
        if spec.empty_json:
            rows.update(**{name: {} for name in spec.empty_json})
    citizen.first_name, citizen.last_name = ANONYMOUS_FIRST_NAME, ANONYMOUS_LAST_NAME
    for name in CITIZEN_CLEARED:
        setattr(citizen, name, "")
    citizen.cpr_encrypted, citizen.cpr_hash = "", f"{HASH_MARKER}{citizen.pk}"
    citizen.birth_date = datetime.date(citizen.birth_date.year, 7, 1)
    citizen.team = None
    citizen.save()
    audit.record(None, AuditAction.ANONYMISE, citizen=citizen_id, obj=citizen, channel="cli",
                 summary=f"Borger anonymiseret: sagen lukket, sidste aktivitet i {last.year}, "
                         f"opbevaringstid {policy.case_years} år",
                 after={"last_activity_year": last.year, "case_years": policy.case_years})


@step("cases", "Closed cases (anonymised)", order=10)
def anonymise_closed_cases(policy: Policy, dry_run: bool, progress) -> StepResult:
    rows = due(policy)
    result = StepResult("cases", f"Closed cases anonymised (no activity since before {policy.case_cutoff:%Y-%m-%d})",
                        count=len(rows))
    result.lines = [f"citizen #{pk}: last activity {day:%Y-%m-%d}" for pk, day in rows]
    if dry_run:
        return result
    for done, (pk, day) in enumerate(rows, start=1):
        anonymise(pk, day, policy)
        if progress:
            progress(done, len(rows))
    return result
