"""A citizen's assessment, goals, grants and follow-ups as a FHIR R4 Bundle, shaped after KL's
shared municipal information model (FKI / KL Gateway): Patient; Condition per FFB theme with the
functional level as severity; Observation for the overall support need, WHO-5 scores and the
follow-up result; Goal; CarePlan per grant with the action plan; Encounter per follow-up and
network meeting. Codes are KL's FFB codes (urn:oid:1.2.208.176.2.22), so the export speaks KL's
terminology. Validated in tests with fhir.resources (its R4B models; these resources are
unchanged from R4 4.0.1)."""

import datetime
import json
import uuid

from django.conf import settings

from roret.core.models import Term
from roret.outcomes.instruments import get as instrument
from roret.outcomes.models import FFB_OUTCOME, FollowUp, GoalStatus, Measurement
from roret.outcomes.queries import citizen_goals
from roret.placements.models import Grant
from roret.visitation import themes
from roret.visitation.models import Assessment

FFB = Term.SYSTEM
CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
INSTRUMENT_SYSTEM = "urn:roret:instrument"
LEGAL_SYSTEM = "urn:roret:legal-basis"
CONTENT_TYPE = "application/fhir+json; charset=utf-8"
NAMESPACE = uuid.UUID("6f1d0e4e-6b1f-4b7a-9a55-7a0c2b7e0c31")


def _uid(kind: str, pk) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{settings.RORET['MUNICIPALITY_CODE']}/{kind}/{pk}"))


def _ref(kind: str, pk) -> dict:
    return {"reference": f"urn:uuid:{_uid(kind, pk)}"}


def _coding(term: Term) -> dict:
    return {"coding": [{"system": FFB, "code": term.code, "display": term.display}], "text": term.display}


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _entry(kind: str, pk, resource: dict) -> dict:
    resource = {"resourceType": resource.pop("resourceType"), "id": _uid(kind, pk), **resource}
    return {"fullUrl": f"urn:uuid:{_uid(kind, pk)}", "resource": {k: v for k, v in resource.items() if v is not None}}


def citizen_bundle(citizen) -> dict:
    """The Bundle (type collection) as a JSON-ready dict."""
    subject = _ref("patient", citizen.pk)
    entries = [_entry("patient", citizen.pk, {
        "resourceType": "Patient",
        "identifier": [{"system": CPR_SYSTEM, "value": citizen.cpr.replace("-", "")}],
        "name": [{"family": citizen.last_name, "given": [citizen.first_name]}],
        "birthDate": citizen.birth_date.isoformat(),
        "address": [{"line": [citizen.address], "postalCode": citizen.postcode, "city": citizen.city}]
        if citizen.address else None,
    })]
    level_terms = {t.display: t for t in Term.objects.filter(group="functional_level")}
    levelled = themes.levelled_theme_ids()
    condition_by_theme = {}
    for assessment in (Assessment.objects.filter(citizen=citizen).select_related("support_need__parent")
                       .prefetch_related("themes__theme", "meetings").order_by("version")):
        for row in assessment.themes.all():
            resource = {
                "resourceType": "Condition",
                "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                               "code": "active"}]},
                "category": [{"text": "FFB tilstand"}],
                "code": _coding(row.theme), "subject": subject, "recordedDate": _day(assessment.assessed_on),
                "note": [{"text": row.notes}] if row.notes else None,
            }
            if row.theme_id in levelled:
                resource["severity"] = _coding(level_terms[themes.level_label(row.level)])
            entries.append(_entry("condition", row.pk, resource))
            condition_by_theme[row.theme_id] = row.pk
        entries.append(_entry("support-need", assessment.pk, {
            "resourceType": "Observation", "status": "final",
            "code": _coding(assessment.support_need.parent) if assessment.support_need.parent else {"text": "Støttebehov"},
            "subject": subject, "effectiveDateTime": _day(assessment.assessed_on),
            "valueCodeableConcept": _coding(assessment.support_need),
            "note": [{"text": assessment.hopes}],
        }))
        for meeting in assessment.meetings.all():
            who = ", ".join(x for x in (meeting.relatives, meeting.providers, meeting.others) if x)
            entries.append(_entry("meeting", meeting.pk, {
                "resourceType": "Encounter", "status": "finished",
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB",
                          "display": "ambulatory"},
                "type": [{"text": "Netværksmøde"}], "subject": subject,
                "period": {"start": _day(meeting.held_on), "end": _day(meeting.held_on)},
                "reasonCode": [{"text": f"Deltagere: {'borgeren, ' if meeting.citizen_took_part else ''}{who}"}],
            }))
    goals = citizen_goals(citizen)
    lifecycle = {GoalStatus.ACTIVE: "active", GoalStatus.ACHIEVED: "completed", GoalStatus.PARTLY: "completed",
                 GoalStatus.NOT_ACHIEVED: "completed", GoalStatus.DROPPED: "cancelled"}
    achievement = {GoalStatus.ACTIVE: "in-progress", GoalStatus.ACHIEVED: "achieved", GoalStatus.PARTLY: "some-progress",
                   GoalStatus.NOT_ACHIEVED: "not-achieved", GoalStatus.DROPPED: "not-achieved"}
    for goal in goals:
        addresses = condition_by_theme.get(goal.theme_id)
        entries.append(_entry("goal", goal.pk, {
            "resourceType": "Goal", "lifecycleStatus": lifecycle[goal.status],
            "achievementStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                                              "code": achievement[goal.status]}]},
            "category": [_coding(goal.goal_type), _coding(goal.theme)],
            "description": {"text": goal.own_words}, "subject": subject, "startDate": _day(goal.created_on),
            "target": [{"dueDate": _day(goal.target_date)}],
            "addresses": [_ref("condition", addresses)] if addresses else None,
        }))
    for grant in Grant.objects.filter(citizen=citizen).select_related("offer_type"):
        grant_goals = [g for g in goals if g.grant_id == grant.pk]
        activities = [{"detail": {"kind": "ServiceRequest", "code": _coding(grant.offer_type), "status": "in-progress"
                                  if grant.end is None or grant.end > datetime.date.today() else "completed",
                                  "description": f"{grant.get_paragraph_display()}. {grant.scope}".strip()}}]
        for goal in grant_goals:
            for step in goal.steps.all():
                activities.append({"detail": {"status": "completed" if step.done_on else "not-started",
                                              "description": f"{step.what} (ansvarlig: {step.who})",
                                              "scheduledString": f"senest {step.due_on:%d.%m.%Y}",
                                              "goal": [_ref("goal", goal.pk)]}})
        entries.append(_entry("careplan", grant.pk, {
            "resourceType": "CarePlan", "intent": "plan",
            "status": "active" if grant.end is None or grant.end > datetime.date.today() else "completed",
            "title": f"Bevilling: {grant.offer_type.display}",
            "category": [{"coding": [{"system": LEGAL_SYSTEM, "code": grant.paragraph,
                                      "display": str(grant.get_paragraph_display())}]}],
            "subject": subject, "period": {"start": _day(grant.start), "end": _day(grant.end)} if grant.end
            else {"start": _day(grant.start)},
            "goal": [_ref("goal", g.pk) for g in grant_goals] or None, "activity": activities,
        }))
    outcome_terms = {t.display: t for t in Term.objects.filter(group="follow_up_status")}
    for follow_up in FollowUp.objects.filter(citizen=citizen, held_on__isnull=False):
        entries.append(_entry("follow-up", follow_up.pk, {
            "resourceType": "Encounter", "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB",
                      "display": "ambulatory"},
            "type": [{"text": "Opfølgningsmøde"}], "subject": subject,
            "period": {"start": _day(follow_up.held_on), "end": _day(follow_up.held_on)},
            "basedOn": None,
        }))
        term = outcome_terms.get(FFB_OUTCOME[follow_up.outcome])
        entries.append(_entry("follow-up-result", follow_up.pk, {
            "resourceType": "Observation", "status": "final",
            "code": _coding(term.parent) if term and term.parent else {"text": "Status på indsats"},
            "subject": subject, "encounter": _ref("follow-up", follow_up.pk),
            "effectiveDateTime": _day(follow_up.held_on),
            "valueCodeableConcept": _coding(term) if term else {"text": follow_up.get_outcome_display()},
            "note": [{"text": follow_up.notes}] if follow_up.notes else None,
        }))
    for m in Measurement.objects.filter(citizen=citizen).order_by("measured_on", "pk"):
        definition = instrument(m.instrument)
        entries.append(_entry("measurement", m.pk, {
            "resourceType": "Observation", "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "survey"}]}],
            "code": {"coding": [{"system": INSTRUMENT_SYSTEM, "code": m.instrument, "display": definition.name}],
                     "text": definition.name},
            "subject": subject, "effectiveDateTime": _day(m.measured_on),
            "encounter": _ref("follow-up", m.follow_up_id) if m.follow_up_id else None,
            "valueInteger": m.score,
            "interpretation": [{"text": m.band_label}],
            "component": [{"code": {"text": "Råscore (0-25)"}, "valueInteger": m.raw}]
            + [{"code": {"text": f"Spørgsmål {i}: {item}"}, "valueInteger": answer}
               for i, (item, answer) in enumerate(zip(definition.items, m.answers, strict=True), start=1)],
        }))
    return {"resourceType": "Bundle", "id": _uid("bundle", f"{citizen.pk}/{datetime.date.today()}"),
            "type": "collection", "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "entry": entries}


def export(user, citizen_id, *, channel: str = "web") -> tuple:
    """(citizen, the Bundle as FHIR JSON text) for ``user``: through the gate (404 outside the
    scope) and audited as an export. The page and the API both export through here."""
    from roret.citizens.services import get_citizen
    from roret.core.permissions import EXPORT

    citizen = get_citizen(user, citizen_id, action=EXPORT, summary="FHIR-eksport", channel=channel)
    return citizen, json.dumps(citizen_bundle(citizen), ensure_ascii=False, indent=2)
