"""Every service that writes, called as every persona (and inactive users) on the right object.

The allowed personas succeed and write an audit row; the others get NotInScope (a 404 on pages and
the API) and change nothing. The inactive users are a deactivated caseworker and a deactivated twin
(same role, team and centre) of each allowed persona: a deactivated account may do nothing. Pages, the API, commands and tasks all reach the data through these
functions, so this table is the access rule for all of them.

To add a service: one line in CASES, ``Case(function, (scene objects it uses), call, allowed)``.
``call(scene, actor)`` calls the function on the scene's objects; ``allowed`` names the personas that
may. A public function of a services module that takes an ``actor`` (or, in capacity.runs, ``user``)
keyword and is in no row fails test_every_write_service_is_in_the_table.
"""

import datetime
import inspect
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import pytest
from django.db import transaction

from roret.balance import services as balance_services
from roret.capacity import runs, scenarios
from roret.capacity import services as capacity_services
from roret.capacity.forms import EventFormSet, ScenarioForm
from roret.capacity.groups import get_group
from roret.capacity.models import PlanRun, Scenario
from roret.citizens import services as citizen_services
from roret.citizens.models import Citizen
from roret.core import api_tokens, permissions
from roret.core import services as core_services
from roret.core.models import AuditEntry, Role
from roret.core.permissions import NotInScope
from roret.economy import services as economy_services
from roret.helm import services as helm_services
from roret.imports import services as import_services
from roret.journal import corrections as correction_services
from roret.journal import services as journal_services
from roret.meetings import services as meeting_services
from roret.offers import services as offer_services
from roret.offers.models import Offer, Provider
from roret.outcomes import services as outcome_services
from roret.outcomes.models import FollowUpParticipant
from roret.placements import services as placement_services
from roret.plans import effect_services as plan_effects
from roret.plans import lights as plan_lights
from roret.plans import services as plan_services
from roret.plans.loading import parse_json
from roret.reports import services as report_services
from roret.visitation import services as case_services
from roret.visitation.models import Inquiry
from tests.db_fingerprint import difference, fingerprint
from tests.factories import committed, make_cpr, term
from tests.visitation.helpers import theme_id

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
PERSONAS = ["caseworker", "centre_staff", "centre_leader", "economist", "committee", "admin", "outsider", "leader"]
CW = {"caseworker"}
CASEWORKERS = {"caseworker", "outsider"}  # a caseworker of either team, on something of their own team
RECORDERS = {"caseworker", "centre_staff", "centre_leader"}  # the citizen is placed in the centre's offer
EDITORS = {"economist", "admin"}
PLACES = EDITORS | {"centre_leader"}
ECONOMIST = {"economist"}
ADMINS = {"admin"}
PLAN_READERS = {"economist", "committee", "centre_leader", "leader"}
LEADER = {"leader"}


class Scene:
    """The objects the services act on, made with the real services on first use. The citizen is in
    the caseworker's team (Nord) and lives in the residential offer of the centre of centre staff
    and leader (Center A); the outsider is a caseworker of the other team (Syd)."""

    def __init__(self, world):
        self.world = world
        self.cw = world.users["caseworker"]
        self.frozen = False  # set while the personas call: every object must exist before

    def __getattribute__(self, name):
        if name in type(self).__dict__ and isinstance(type(self).__dict__[name], cached_property):
            if name not in self.__dict__ and object.__getattribute__(self, "frozen"):
                raise AssertionError(f"name {name!r} in the case's scene objects: it is made before the personas call")
        return object.__getattribute__(self, name)

    @cached_property
    def citizen(self) -> Citizen:
        return self.placement.citizen

    @cached_property
    def citizen_account(self):
        """The citizen's own account (they have signed in to their own page)."""
        from roret.helm.models import CitizenAccount

        return CitizenAccount.objects.create(user=self.world.user("borger-omfang", Role.CITIZEN), citizen=self.citizen)

    @cached_property
    def import_batch(self):
        """A citizens file the caseworker has staged, waiting to be imported (roret.imports)."""
        return stage_import("citizens", self.cw, ("cpr", "fornavn", "efternavn"), (make_cpr(), "Import", "Borger"))

    @cached_property
    def placement(self):
        return self.world.place(self.world.citizen(first_name="Omfang"), self.world.residential)

    @cached_property
    def other_citizen(self) -> Citizen:
        return self.world.citizen(first_name="Syd", team=self.world.other_team)

    @cached_property
    def teamless(self) -> Citizen:
        citizen = self.world.citizen(first_name="Uden", last_name="Team")
        Citizen.objects.filter(pk=citizen.pk).update(team=None)
        return citizen

    @cached_property
    def api_token(self):
        """The caseworker's API token."""
        return api_tokens.create_token(actor=self.cw, name="Integration", days=30).row

    @cached_property
    def invitation(self):
        """An open invitation to the citizen's own page."""
        return helm_services.issue_invitation(self.citizen, actor=self.cw).invitation

    @cached_property
    def consent(self):
        return citizen_services.record_consent(self.citizen, actor=self.cw, subject="other", given_on=TODAY - 30 * DAY,
                                               given_by="Borgeren")

    @cached_property
    def inquiry(self) -> Inquiry:
        return case_services.register_inquiry(actor=self.cw, citizen=self.citizen, source="relative",
                                              received_on=TODAY - 5 * DAY, about="Ønsker aktivitetstilbud",
                                              paragraph="SEL104")

    @cached_property
    def routed_inquiry(self) -> Inquiry:
        """An inquiry the other team registered by the citizen's CPR number: sent to Team Nord, unassigned."""
        case_services.register_inquiry(actor=self.world.users["outsider"], cpr=self.citizen.cpr, source="hospital",
                                       received_on=TODAY - 2 * DAY, about="Udskrives", paragraph="SEL108")
        return Inquiry.objects.get(citizen=self.citizen, caseworker__isnull=True)

    @cached_property
    def decision(self):
        return case_services.decide(self.citizen, actor=self.cw, kind="grant", paragraph="SEL104",
                                    justification="Behov for fællesskab", offer=self.world.day_offer, start=TODAY)

    @cached_property
    def assessment(self):
        return case_services.assess(self.citizen, actor=self.cw, hopes="Komme ud blandt andre",
                                    support_need=term("Moderat støttebehov"))

    @cached_property
    def meeting(self):
        leader = self.world.users["leader"]
        return meeting_services.plan_meeting(actor=leader, held_on=TODAY + 7 * DAY, participants=[leader])

    @cached_property
    def proposal(self):
        self.meeting  # noqa: B018 (planned first, so the proposal is on its agenda)
        proposal = meeting_services.propose(self.citizen, actor=self.cw, assessment=self.assessment, kind="grant",
                                            paragraph="SEL104", offer=self.world.day_offer, start=TODAY,
                                            justification="Behov for fællesskab")
        # The meeting's day has come, so the leader may answer it.
        type(self.meeting).objects.filter(pk=self.meeting.pk).update(held_on=TODAY)
        return proposal

    @cached_property
    def follow_up(self):
        return self.decision.grant.follow_ups.get()

    @cached_property
    def transition(self):
        return case_services.open_transition(self.citizen, "youth", actor=self.cw)

    @cached_property
    def goal(self):
        return outcome_services.add_goal(self.citizen, actor=self.cw, goal_type=term("Udvikle funktionsevne"),
                                         theme=term("Praktiske opgaver"), own_words="Gøre rent selv",
                                         target_date=TODAY + 100 * DAY)

    @cached_property
    def step(self):
        return outcome_services.add_step(self.goal, actor=self.cw, what="Rengøringsplan", who="Kontaktperson",
                                         due_on=TODAY + 14 * DAY)

    @cached_property
    def note(self):
        from roret.journal import services

        return services.add_note(self.citizen, actor=self.cw, noted_on=TODAY - DAY, category="phone",
                                 text="Borgeren ringede om bussen")

    @cached_property
    def relative(self):
        return citizen_services.add_relative(self.citizen, actor=self.cw, name="Søster Hansen", relation="sibling")

    @cached_property
    def network_consent(self):
        """The citizen's consents to invite their network to meetings and to share with relatives."""
        for subject in ("network_meeting", "share_relatives"):
            citizen_services.record_consent(self.citizen, actor=self.cw, subject=subject, given_on=TODAY - 30 * DAY,
                                            given_by="Borgeren")
        return subject

    @cached_property
    def network_meeting(self):
        return case_services.assess(self.citizen, actor=self.cw, hopes="Se min søster oftere",
                                    support_need=term("Moderat støttebehov"),
                                    meeting={"held_on": TODAY - DAY}).meetings.get()

    @cached_property
    def meeting_participant(self):
        """The relative invited to the network meeting."""
        self.network_consent  # noqa: B018
        return case_services.invite_to_meeting(self.network_meeting, self.relative, actor=self.cw)

    @cached_property
    def held_participant(self):
        """The relative invited to a follow-up that has been held (of a second grant)."""
        self.network_consent  # noqa: B018
        decision = case_services.decide(self.citizen, actor=self.cw, kind="grant", paragraph="SEL104",
                                        justification="Behov for samvær", offer=self.world.day_offer,
                                        start=TODAY - 10 * DAY)
        follow_up = decision.grant.follow_ups.get()
        row = outcome_services.invite_to_follow_up(follow_up, self.relative, actor=self.cw)
        outcome_services.hold_follow_up(follow_up, actor=self.cw, held_on=TODAY, outcome="continue")
        return row

    @cached_property
    def agreed_tariff(self):
        from roret.placements.models import PlacementTariff

        return PlacementTariff.objects.create(placement=self.placement, valid_from=self.placement.start + 30 * DAY,
                                              amount=Decimal("2300.00"), unit="day")

    @cached_property
    def external_placement(self):
        return self.world.place(self.world.citizen(first_name="Ekstern"), self.world.external)

    @cached_property
    def other_offer(self) -> Offer:
        """An offer of the other centre (Center B), whose places Center A's leader may not change."""
        return self.world.offer("Center B's bosted", "SEL108", places=4, tariff="2400.00",
                                provider=self.world.other_provider)

    @cached_property
    def staff_upload(self) -> str:
        """The SHA-256 of a staff file the economist has uploaded for its preview."""
        return balance_services.stage_upload(staff_file(self), actor=self.world.users["economist"],
                                             file_name="hr.csv")[1].sha256

    @cached_property
    def scenario(self) -> Scenario:
        return Scenario.objects.create(group="sel108", name="Ny bolig", created_by=self.world.users["economist"])

    def ready_run(self, group: str) -> PlanRun:
        """A stored run with results (start_pdf needs one; what is in the results does not matter here)."""
        return PlanRun.objects.create(group=group, day=TODAY, seed=1, scenarios=[runs.baseline_snapshot()],
                                      results={"scenarios": []}, created_by=self.world.users["economist"])

    @cached_property
    def run(self) -> PlanRun:
        return self.ready_run("sel108")

    @cached_property
    def run_elsewhere(self) -> PlanRun:
        """A run of a group Center A runs no places in."""
        return self.ready_run("sel107")

    @cached_property
    def initiative(self):
        """An initiative of a development plan over this and next year, Center A its responsible
        centre, with a rule (moves to elderly care)."""
        from tests.plans.helpers import make_plan

        plan = make_plan([{"track": "1", "initiative": "Livsfaser", "investment": [1000, 1000],
                           "effect": [-5000, -6000]}], title="Adgangsplan", years=[TODAY.year, TODAY.year + 1])
        initiative = plan.initiatives.get()
        initiative.responsible_centre = self.world.centre
        initiative.save()
        return initiative

    @cached_property
    def effect_rule(self):
        return plan_effects.add_rule(self.initiative, "elderly_care", actor=None)


def fresh(obj):
    """The object as it is in the database now (a service may leave the instance changed)."""
    return type(obj)._default_manager.get(pk=obj.pk)


def scenario_forms(scenario: Scenario):
    data = {"name": "Udbygning", "description": "", "reserved_places": "0", "reserved_from": "0",
            "demand_factor": "1.00", "demand_from": "0", "events-TOTAL_FORMS": "1", "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0", "events-MAX_NUM_FORMS": "1000", "events-0-kind": "place_change",
            "events-0-month": "6", "events-0-places": "2", "events-0-label": "2 boliger"}
    form, formset = ScenarioForm(data, instance=scenario), EventFormSet(data, instance=scenario, prefix="events")
    assert form.is_valid() and formset.is_valid(), (form.errors, formset.errors)
    return form, formset


def locked_out(username: str) -> str:
    """A user name locked out after failed logins (the axes tables are no case data: the
    fingerprint leaves them out)."""
    from axes.models import AccessAttempt
    from django.conf import settings

    AccessAttempt.objects.create(username=username, ip_address="10.0.0.9", user_agent="test",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT)
    return username


def staff_file(scene) -> io.BytesIO:
    header = "centre;month;fte_employed;fte_budgeted;sickness_days;working_days;leavers;vacancies"
    return io.BytesIO(f"{header}\n{scene.world.centre.name};2024-01;10;12;3;200;0;1\n".encode())


def import_file(header, *rows) -> bytes:
    """An .xlsx sheet for roret.imports: ``header`` and ``rows``."""
    from openpyxl import Workbook

    book = Workbook()
    for row in (header, *rows):
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stage_import(kind: str, actor, header, *rows):
    return import_services.stage(import_file(header, *rows), f"{kind}.xlsx", kind, actor=actor, background=False)


def budget_file() -> io.BytesIO:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["year", "account_function", "amount"])
    book.active.append([TODAY.year, "5.38.50", 1_000_000])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


@dataclass(frozen=True)
class Case:
    service: object
    objects: tuple[str, ...]  # the scene objects the call uses (made before the personas call)
    call: object              # call(scene, actor)
    allowed: set[str]
    on: str = ""              # which object, where a service has more than one row

    @property
    def id(self) -> str:
        return f"{self.service.__module__.removeprefix('roret.')}.{self.service.__name__}" + (
            f"[{self.on}]" if self.on else "")


cs, ps, vs, os_, es = citizen_services, placement_services, case_services, outcome_services, economy_services
CASES = [
    # citizens
    Case(cs.create_citizen, (), lambda s, a: cs.create_citizen(cpr=make_cpr(), first_name="Ny", last_name="Borger",
                                                               actor=a), CASEWORKERS),
    Case(cs.create_citizen, (), lambda s, a: cs.create_citizen(cpr=make_cpr(), first_name="Ny", last_name="Borger",
                                                               team=s.world.other_team, actor=a), {"outsider"},
         on="into the other team's caseload"),
    Case(cs.update_citizen, ("citizen",), lambda s, a: cs.update_citizen(s.citizen, actor=a, address="Nyvej 2"), CW),
    Case(cs.update_citizen, ("other_citizen",), lambda s, a: cs.update_citizen(s.other_citizen, actor=a, address="Nyvej 2"),
         {"outsider"}, on="the other team's citizen"),
    Case(cs.take_into_caseload, ("teamless",), lambda s, a: cs.take_into_caseload(
        s.teamless.pk, actor=a, reason="Borgeren bor i vores distrikt"), CASEWORKERS),
    Case(cs.take_into_caseload, ("other_citizen",), lambda s, a: cs.take_into_caseload(
        s.other_citizen.pk, actor=a, reason="Borgeren bor i vores distrikt"), set(),
         on="a citizen another team holds"),
    Case(cs.transfer_case, ("citizen",), lambda s, a: cs.transfer_case(
        s.citizen, s.world.other_team, actor=a, reason="Borgeren er flyttet til syd"), CW),
    Case(cs.add_relative, ("citizen",), lambda s, a: cs.add_relative(s.citizen, actor=a, name="Søster Hansen",
                                                                      relation="sibling"), CW),
    Case(cs.record_consent, ("citizen",), lambda s, a: cs.record_consent(
        s.citizen, actor=a, subject="other", given_on=TODAY, given_by="Borgeren"), CW),
    Case(cs.withdraw_consent, ("consent",), lambda s, a: cs.withdraw_consent(s.consent, actor=a, on=TODAY), CW),
    # placements
    Case(ps.create_grant, ("citizen",), lambda s, a: ps.create_grant(
        s.citizen, paragraph="SEL104", offer_type=s.world.day_offer.offer_type, start=TODAY, actor=a), CW),
    Case(ps.start_placement, ("decision",), lambda s, a: ps.start_placement(
        s.decision.grant, s.world.day_offer, TODAY, actor=a), CW),
    Case(ps.end_placement, ("placement",), lambda s, a: ps.end_placement(s.placement, TODAY, "citizen_wish", actor=a), CW),
    # visitation
    Case(vs.register_inquiry, (), lambda s, a: vs.register_inquiry(
        actor=a, cpr=make_cpr(), first_name="Ny", last_name="Borger", source="relative", received_on=TODAY,
        about="Ønsker støtte", paragraph="SEL85"), CASEWORKERS, on="a new citizen"),
    Case(vs.register_inquiry, ("citizen",), lambda s, a: vs.register_inquiry(
        actor=a, citizen=s.citizen, source="relative", received_on=TODAY, about="Ønsker støtte", paragraph="SEL85"),
        CW, on="a citizen of the caseload"),
    Case(vs.register_inquiry, ("citizen",), lambda s, a: vs.register_inquiry(
        actor=a, cpr=s.citizen.cpr, source="hospital", received_on=TODAY, about="Udskrives", paragraph="SEL108"),
        CASEWORKERS, on="by the CPR number of a citizen of a caseload (the other team's: routed)"),
    Case(vs.take_inquiry, ("routed_inquiry",), lambda s, a: vs.take_inquiry(s.routed_inquiry, actor=a), CW),
    Case(vs.screen, ("inquiry",), lambda s, a: vs.screen(s.inquiry, actor=a, outcome="in", reason="I målgruppen"), CW),
    Case(vs.assess, ("citizen",), lambda s, a: vs.assess(
        s.citizen, actor=a, hopes="Komme ud blandt andre", support_need=term("Moderat støttebehov"),
        levels={theme_id("Relationer"): 2}), CW),
    Case(vs.decide, ("citizen",), lambda s, a: vs.decide(
        s.citizen, actor=a, kind="refusal", paragraph="SEL104", justification="Behovet dækkes af §85"), CW),
    Case(vs.place_from_decision, ("decision",), lambda s, a: vs.place_from_decision(
        s.decision, s.world.day_offer, TODAY, actor=a), CW),
    Case(vs.wait_for_offer, ("decision",), lambda s, a: vs.wait_for_offer(s.decision, s.world.day_offer, actor=a), CW),
    Case(vs.open_transition, ("citizen",), lambda s, a: vs.open_transition(s.citizen, "elderly", actor=a), CW),
    Case(vs.tick_checklist, ("transition",), lambda s, a: vs.tick_checklist(s.transition, "consent", actor=a), CW),
    Case(vs.close_transition, ("transition",), lambda s, a: vs.close_transition(
        s.transition, actor=a, end_reason="Overgangen er gennemført"), CW),
    Case(vs.move_to_elderly_care, ("citizen",), lambda s, a: vs.move_to_elderly_care(s.citizen, actor=a, on=TODAY), CW),
    # outcomes
    Case(os_.schedule_follow_up, ("decision",), lambda s, a: os_.schedule_follow_up(
        s.decision.grant, TODAY + 30 * DAY, actor=a), CW),
    Case(os_.add_goal, ("citizen",), lambda s, a: os_.add_goal(
        s.citizen, actor=a, goal_type=term("Udvikle funktionsevne"), theme=term("Praktiske opgaver"),
        own_words="Lave mad selv", target_date=TODAY + 90 * DAY), RECORDERS),
    Case(os_.add_goal, ("other_citizen",), lambda s, a: os_.add_goal(
        s.other_citizen, actor=a, goal_type=term("Udvikle funktionsevne"), theme=term("Praktiske opgaver"),
        own_words="Lave mad selv", target_date=TODAY + 90 * DAY), {"outsider"},
        on="a citizen of the other team, not living in the centre"),
    Case(os_.add_step, ("goal",), lambda s, a: os_.add_step(s.goal, actor=a, what="Madplan", who="Kontaktperson",
                                                            due_on=TODAY + 7 * DAY), RECORDERS),
    Case(os_.complete_step, ("step",), lambda s, a: os_.complete_step(s.step, actor=a), RECORDERS),
    Case(os_.record_measurement, ("citizen",), lambda s, a: os_.record_measurement(
        s.citizen, "WHO-5", [3, 3, 3, 3, 3], actor=a), RECORDERS),
    Case(os_.renegotiate_tariff, ("external_placement",), lambda s, a: os_.renegotiate_tariff(
        s.external_placement, actor=a, new_amount=Decimal("3000.00"), valid_from=TODAY), CW),
    Case(os_.hold_follow_up, ("follow_up",), lambda s, a: os_.hold_follow_up(
        s.follow_up, actor=a, held_on=TODAY, outcome="continue"), CW),
    # relatives at meetings and as supporters: inviting is the case's, naming a supporter the plan's
    Case(os_.invite_to_follow_up, ("follow_up", "relative", "network_consent"), lambda s, a: os_.invite_to_follow_up(
        s.follow_up, s.relative, actor=a), CW),
    Case(os_.record_follow_up_attendance, ("held_participant",), lambda s, a: os_.record_follow_up_attendance(
        s.held_participant.follow_up, {s.held_participant.pk: "yes"}, actor=a), CW),
    Case(os_.name_supporter, ("goal", "relative", "network_consent"), lambda s, a: os_.name_supporter(
        s.goal, s.relative, actor=a), RECORDERS),
    Case(cs.invite_relative, ("follow_up", "relative", "network_consent"), lambda s, a: cs.invite_relative(
        FollowUpParticipant, s.follow_up, s.relative, actor=a, day=lambda f: f.due_on, what="opfølgning"), CW),
    Case(vs.invite_to_meeting, ("network_meeting", "relative", "network_consent"), lambda s, a: vs.invite_to_meeting(
        s.network_meeting, s.relative, actor=a), CW),
    Case(vs.record_meeting_attendance, ("meeting_participant",), lambda s, a: vs.record_meeting_attendance(
        s.meeting_participant.meeting, {s.meeting_participant.pk: "yes"}, actor=a), CW),
    # journal: notes are the working record (the centre writes them too); corrections follow the record's own rule
    Case(journal_services.add_note, ("citizen",), lambda s, a: journal_services.add_note(
        s.citizen, actor=a, noted_on=TODAY, category="phone", text="Borgeren ringede om bussen"), RECORDERS),
    Case(journal_services.add_note, ("other_citizen",), lambda s, a: journal_services.add_note(
        s.other_citizen, actor=a, noted_on=TODAY, category="phone", text="Borgeren ringede"), {"outsider"},
         on="the other team's citizen"),
    Case(journal_services.correct_note, ("note",), lambda s, a: journal_services.correct_note(
        s.note, actor=a, text="Borgeren ringede om toget", reason="Forkert transportmiddel"), RECORDERS),
    Case(correction_services.correct_inquiry, ("inquiry",), lambda s, a: correction_services.correct_inquiry(
        s.inquiry, actor=a, about="Ønsker aktivitetstilbud to dage om ugen", reason="Antal dage manglede"), CW),
    Case(correction_services.correct_decision, ("decision",), lambda s, a: correction_services.correct_decision(
        s.decision, actor=a, justification="Behov for fællesskab og struktur", reason="Ufuldstændig"), CW),
    Case(correction_services.correct_placement, ("placement",), lambda s, a: correction_services.correct_placement(
        s.placement, actor=a, start=s.placement.start + DAY, reason="Flyttede ind dagen efter"), CW),
    Case(correction_services.correct_placement_tariff, ("agreed_tariff",),
         lambda s, a: correction_services.correct_placement_tariff(
             s.agreed_tariff, actor=a, amount=Decimal("2400.00"), reason="Tastefejl"), CW),
    Case(correction_services.correct_goal, ("goal",), lambda s, a: correction_services.correct_goal(
        s.goal, actor=a, own_words="Gøre rent selv hver uge", reason="Borgerens egne ord"), RECORDERS),
    Case(correction_services.correct_relative, ("relative",), lambda s, a: correction_services.correct_relative(
        s.relative, actor=a, name="Søster Hansen-Berg", reason="Stavefejl"), CW),
    # offers: the catalogue (economist, administrator) and places (also the leader of the centre that runs them)
    Case(offer_services.save_provider, (), lambda s, a: offer_services.save_provider(
        Provider(kind="municipality", name="Ny kommune", municipality_code="992"), actor=a), EDITORS),
    Case(offer_services.save_offer, (), lambda s, a: offer_services.save_offer(
        Offer(provider=s.world.own_provider, name="Nyt tilbud", legal_basis="SEL104", offer_type=s.world.day_offer.offer_type,
              staircase_step=3, account_function="5.38.50"), actor=a), EDITORS, on="a new offer"),
    Case(offer_services.save_offer, (), lambda s, a: offer_services.save_offer(
        _renamed(s.world.residential), actor=a, reason="Nyt navn efter flytningen"), EDITORS, on="an offer"),
    Case(offer_services.add_tariff, (), lambda s, a: offer_services.add_tariff(
        s.world.residential, valid_from=TODAY + 30 * DAY, amount="2300.00", unit="day", actor=a), EDITORS),
    Case(offer_services.correct_tariff, (), lambda s, a: offer_services.correct_tariff(
        s.world.residential.tariffs.get(), amount="2200.00", unit="day", actor=a, reason="Forkert takst indtastet"),
        EDITORS),
    Case(offer_services.set_places, (), lambda s, a: offer_services.set_places(
        s.world.residential, valid_from=TODAY + 30 * DAY, places=3, actor=a, reason="En ny bolig åbner"), PLACES),
    Case(offer_services.set_places, ("other_offer",), lambda s, a: offer_services.set_places(
        s.other_offer, valid_from=TODAY + 30 * DAY, places=5, actor=a, reason="En ny bolig åbner"), EDITORS,
        on="another centre's offer"),
    Case(offer_services.correct_place_change, (), lambda s, a: offer_services.correct_place_change(
        s.world.residential.place_changes.get(), valid_from=datetime.date(2015, 1, 1), change=3, actor=a,
        reason="Der var tre pladser fra start"), PLACES),
    Case(offer_services.correct_place_change, ("other_offer",), lambda s, a: offer_services.correct_place_change(
        s.other_offer.place_changes.get(), valid_from=datetime.date(2015, 1, 1), change=3, actor=a,
        reason="Der var tre pladser fra start"), EDITORS, on="another centre's offer"),
    Case(offer_services.set_strategic_vacancy, (), lambda s, a: offer_services.set_strategic_vacancy(
        s.world.residential, places=1, actor=a, reason="En plads holdes til akutte behov"), PLACES),
    Case(offer_services.set_strategic_vacancy, ("other_offer",), lambda s, a: offer_services.set_strategic_vacancy(
        s.other_offer, places=1, actor=a, reason="En plads holdes til akutte behov"), EDITORS,
        on="another centre's offer"),
    # imports: each kind by the roles whose services it writes through; a staged file is imported by its
    # uploader alone (the administrator, who sees every batch, imports none of anyone else's)
    Case(import_services.stage, (), lambda s, a: stage_import("citizens", a, ("cpr", "fornavn", "efternavn"),
                                                              (make_cpr(), "Ny", "Borger")), CASEWORKERS, on="citizens"),
    Case(import_services.stage, (), lambda s, a: stage_import("placements", a, ("cpr", "tilbud", "start"),
                                                              (make_cpr(), "Bostedet", "01-01-2024")),
         CASEWORKERS, on="placements"),
    Case(import_services.stage, (), lambda s, a: stage_import("grants", a, ("cpr", "paragraf", "tilbudstype", "start"),
                                                              (make_cpr(), "SEL108", "x", "01-01-2024")),
         CASEWORKERS, on="grants"),
    Case(import_services.stage, (), lambda s, a: stage_import("catalogue", a, ("tilbud", "gælder fra", "pladser"),
                                                              ("Bostedet", "01-01-2030", 5)), EDITORS, on="catalogue"),
    Case(import_services.stage, (), lambda s, a: stage_import("budgets", a, ("år", "kontofunktion", "beløb"),
                                                              (TODAY.year, "5.38.50", 1000)), ECONOMIST, on="budgets"),
    Case(import_services.commit, ("import_batch",), lambda s, a: import_services.commit(
        s.import_batch, actor=a, background=False), CW),
    # economy
    Case(es.set_budget, (), lambda s, a: es.set_budget(TODAY.year, "5.38.50", "1000000", actor=a), ECONOMIST),
    Case(es.import_budgets, (), lambda s, a: es.import_budgets(budget_file(), actor=a), ECONOMIST),
    Case(es.set_reimbursement_levels, (), lambda s, a: es.set_reimbursement_levels(
        TODAY.year + 1, [("900000", "0.25"), ("1750000", "0.5")], actor=a), ECONOMIST),
    Case(es.set_self_sufficiency_target, (), lambda s, a: es.set_self_sufficiency_target(
        TODAY.year + 1, "51", actor=a), ECONOMIST),
    # balance: the HR staff figures (the economist) and targets (the economist; a centre leader their centre's)
    Case(balance_services.import_staff, (), lambda s, a: balance_services.import_staff(
        staff_file(s), actor=a, file_name="hr.csv"), ECONOMIST),
    Case(balance_services.stage_upload, (), lambda s, a: balance_services.stage_upload(
        staff_file(s), actor=a, file_name="hr.csv"), ECONOMIST),
    Case(balance_services.commit_upload, ("staff_upload",), lambda s, a: balance_services.commit_upload(
        s.staff_upload, actor=a), ECONOMIST),
    Case(balance_services.set_target, (), lambda s, a: balance_services.set_target(
        "sickness", "5,5", TODAY, centre=s.world.centre, actor=a), {"economist", "centre_leader"}),
    Case(balance_services.set_target, (), lambda s, a: balance_services.set_target(
        "sickness", "5,5", TODAY, centre=s.world.other_centre, actor=a), ECONOMIST, on="another centre"),
    Case(balance_services.set_target, (), lambda s, a: balance_services.set_target(
        "sickness", "5,5", TODAY, actor=a), ECONOMIST, on="the department"),
    # users: the administrator's
    Case(core_services.create_user, (), lambda s, a: core_services.create_user(
        actor=a, username="ny_medarbejder", first_name="Ny", last_name="Medarbejder", email="", role="economist",
        password="Langt-og-sikkert-2026!"), ADMINS),
    Case(core_services.change_access, (), lambda s, a: core_services.change_access(
        fresh(s.world.users["outsider"]), actor=a, role="caseworker", team=s.world.team,
        reason="Flyttet til Team Nord fra 1. marts"), ADMINS),
    Case(core_services.set_active, (), lambda s, a: core_services.set_active(
        fresh(s.world.users["committee"]), actor=a, active=False, reason="Udtrådt af udvalget"), ADMINS),
    Case(core_services.set_password, (), lambda s, a: core_services.set_password(
        fresh(s.world.users["committee"]), actor=a, password="Langt-og-sikkert-2026!",
        reason="Glemt adgangskoden; identitet tjekket"), ADMINS),
    Case(core_services.lift_lockout, (), lambda s, a: core_services.lift_lockout(
        actor=a, kind="username", value=locked_out("committee"), reason="Ringet op; identitet tjekket"), ADMINS),
    # API tokens: anyone active makes their own; a token is revoked by its user or the administrator
    Case(api_tokens.create_token, (), lambda s, a: api_tokens.create_token(actor=a, name="Script", days=30),
         set(PERSONAS)),
    Case(api_tokens.revoke_token, ("api_token",), lambda s, a: api_tokens.revoke_token(fresh(s.api_token), actor=a),
         {"caseworker", "admin"}),
    # capacity
    Case(runs.create_run, (), lambda s, a: runs.create_run(get_group("sel108"), user=a, replications=100), ECONOMIST),
    Case(runs.start_run, (), lambda s, a: runs.start_run(get_group("sel108"), user=a, replications=100), ECONOMIST),
    Case(runs.start_pdf, ("run",), lambda s, a: runs.start_pdf(s.run, user=a), PLAN_READERS),
    Case(runs.start_pdf, ("run_elsewhere",), lambda s, a: runs.start_pdf(s.run_elsewhere, user=a),
         {"economist", "committee", "leader"}, on="a group the centre runs no places in"),
    Case(scenarios.save_scenario, (), lambda s, a: scenarios.save_scenario(
        *scenario_forms(Scenario(group="sel108", created_by=s.world.users["economist"])), actor=a), ECONOMIST),
    Case(scenarios.delete_scenario, ("scenario",), lambda s, a: scenarios.delete_scenario(fresh(s.scenario), actor=a),
         ECONOMIST),
    # development plans: the plan itself, realised effects and traffic lights
    Case(plan_services.load_plan, (), lambda s, a: plan_services.load_plan(parse_json(
        b'{"title": "Ny plan", "unit": "kr", "years": [2030], "rows": [{"track": "1", "initiative": "A", '
        b'"effect": [-1]}]}'), actor=a), ECONOMIST),
    Case(plan_services.revise_estimate, ("initiative",), lambda s, a: plan_services.revise_estimate(
        s.initiative.row, kind="effect", year=TODAY.year, amount=Decimal("-7000"), actor=a, note="Ny viden"), ECONOMIST),
    Case(plan_services.adopt_plan, ("initiative",), lambda s, a: plan_services.adopt_plan(
        s.initiative.plan, adopted_by="Udvalget", adopted_on=TODAY, actor=a), ECONOMIST),
    Case(plan_services.make_status_report, ("initiative",), lambda s, a: plan_services.make_status_report(
        s.initiative.plan, f"{TODAY.year - 1}H2", actor=a), {"economist", "committee", "leader"}),
    Case(plan_effects.add_rule, ("initiative",), lambda s, a: plan_effects.add_rule(s.initiative, "renegotiation",
                                                                                   actor=a), ECONOMIST),
    Case(plan_effects.remove_rule, ("effect_rule",), lambda s, a: plan_effects.remove_rule(fresh(s.effect_rule),
                                                                                          actor=a), ECONOMIST),
    Case(plan_effects.link_event, ("initiative", "placement"), lambda s, a: plan_effects.link_event(
        s.initiative, actor=a, placement=s.placement, action="new_placement"), CW),
    Case(plan_effects.record_investment, ("initiative",), lambda s, a: plan_effects.record_investment(
        s.initiative, spent_on=TODAY, amount=Decimal("250.00"), note="Kursus", actor=a), ECONOMIST),
    Case(plan_effects.record_manual_effect, ("initiative",), lambda s, a: plan_effects.record_manual_effect(
        s.initiative, year=TODAY.year, amount=Decimal("-100.00"), reason="Ingen sagshændelse", actor=a), ECONOMIST),
    Case(plan_lights.set_light, ("initiative",), lambda s, a: plan_lights.set_light(
        s.initiative, f"{TODAY.year}H1", "red", actor=a, remark="Vurderet"), {"economist", "centre_leader"},
        on="an initiative of the centre leader's centre"),
    # The visitation meeting: a caseworker proposes for their own citizens; only the leader answers.
    Case(meeting_services.set_rule, (), lambda s, a: meeting_services.set_rule(
        actor=a, paragraphs=["SEL108"], external_offers=True, yearly_cost_above=Decimal("1000000")), LEADER | ADMINS),
    Case(meeting_services.plan_meeting, (), lambda s, a: meeting_services.plan_meeting(
        actor=a, held_on=TODAY + 14 * DAY, participants=[s.world.users["leader"]]), LEADER),
    Case(meeting_services.hold_meeting, ("meeting",), lambda s, a: meeting_services.hold_meeting(s.meeting, actor=a),
         LEADER),
    Case(meeting_services.propose, ("assessment",), lambda s, a: meeting_services.propose(
        s.citizen, actor=a, assessment=s.assessment, kind="grant", paragraph="SEL104", offer=s.world.day_offer,
        start=TODAY, justification="Behov for fællesskab"), CW),
    Case(meeting_services.schedule, ("proposal",), lambda s, a: meeting_services.schedule(
        s.proposal, s.meeting, actor=a), LEADER),
    Case(meeting_services.approve, ("proposal",), lambda s, a: meeting_services.approve(s.proposal, actor=a), LEADER),
    Case(meeting_services.change, ("proposal",), lambda s, a: meeting_services.change(
        s.proposal, actor=a, reason="Senere start", start=TODAY + 7 * DAY), LEADER),
    Case(meeting_services.send_back, ("proposal",), lambda s, a: meeting_services.send_back(
        s.proposal, actor=a, reason="Udred boligbehovet"), LEADER),
    # the citizen's own page: invitations are the caseworker's; what the citizen says about their
    # goals and plan may also be entered by staff sitting with them (their "self_report" scope)
    Case(helm_services.issue_invitation, ("citizen",), lambda s, a: helm_services.issue_invitation(
        s.citizen, actor=a), CW),
    Case(helm_services.revoke_invitation, ("invitation",), lambda s, a: helm_services.revoke_invitation(
        s.invitation.pk, actor=a), CW),
    Case(helm_services.end_citizen_sessions, ("citizen_account",), lambda s, a: helm_services.end_citizen_sessions(
        s.citizen_account.citizen, actor=a), CW),
    Case(helm_services.rate_goal, ("goal",), lambda s, a: helm_services.rate_goal(
        s.goal.pk, actor=a, rating=7, went_well="Jeg gør selv rent"), RECORDERS),
    Case(helm_services.respond_to_plan, ("citizen",), lambda s, a: helm_services.respond_to_plan(
        s.citizen, actor=a, comment="Det er en god plan", agrees=True), RECORDERS),
]


def _renamed(offer: Offer) -> Offer:
    offer = fresh(offer)
    offer.name = "Bostedet ved søen"
    return offer


#: Public write functions that trust their caller's gate: each is the second half of a service that
#: has fetched the citizen for "change" already (so the gate runs once per action). Called only from
#: services modules (test_ungated_helpers_are_called_only_by_services).
UNGATED = {
    placement_services.grant_for: "the grant of a decision; decide() fetched the citizen",
    outcome_services.follow_up_for: "the follow-up of a grant; decide(), place_from_decision() and hold_follow_up() "
                                    "fetched the citizen",
}

SERVICE_MODULES = [journal_services, correction_services,
                   citizen_services, placement_services, case_services, outcome_services, offer_services,
                   economy_services, capacity_services, runs, scenarios, core_services, report_services,
                   balance_services, plan_services, plan_effects, plan_lights, meeting_services, api_tokens,
                   helm_services, import_services]
RORET = Path(__file__).resolve().parent.parent / "roret"


@pytest.fixture
def scene(world):
    return Scene(world)


def inactive_twins(world, personas) -> list[str]:
    """Deactivated copies of ``personas`` (role, team, centre), as world.users["inactive <persona>"]."""
    names = []
    for persona in sorted(personas):
        user = world.users[persona]
        twin = world.user(f"inactive_{persona}", user.role, team=user.team, centre=user.centre, is_active=False)
        world.users[f"inactive {persona}"] = twin
        names.append(f"inactive {persona}")
    return names


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_persona_may_call_the_service_as_declared(scene, case):
    with committed():  # the objects as a user would find them: after-commit effects done
        for name in case.objects:
            getattr(scene, name)
    inactive = inactive_twins(scene.world, case.allowed | {"caseworker"})
    scene.frozen = True
    failures = []
    for persona in PERSONAS + inactive:
        actor = scene.world.users[persona]
        with transaction.atomic():
            before = fingerprint()
            last_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            try:
                case.call(scene, actor)
            except NotInScope:
                outcome = "refused"
            except Exception as exc:  # noqa: BLE001 (reported below with its persona)
                outcome = f"{type(exc).__name__}: {exc}"
            else:
                outcome = "done"
            changed = difference(before, fingerprint())
            audited = AuditEntry.objects.filter(pk__gt=last_audit, actor=actor,
                                                action__in=["create", "change", "delete", "export"]).exists()
            transaction.set_rollback(True)
        if persona in case.allowed:
            if outcome != "done" or not audited:
                failures.append(f"{persona} may: {outcome}" + ("" if audited else ", and no audit row by them"))
        elif outcome != "refused" or changed:
            failures.append(f"{persona} may not: {outcome}" + (f", and it changed {changed}" if changed else ""))
    assert not failures, f"{case.id}:\n" + "\n".join(failures)


def _write_functions(module) -> set:
    """The module's public functions that act for someone: a keyword-only ``actor`` (or ``user``)."""
    found = set()
    for name, fn in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
            continue
        params = inspect.signature(fn).parameters
        if any(p.kind is p.KEYWORD_ONLY and p.name in ("actor", "user") for p in params.values()):
            found.add(fn)
    return found


def test_every_write_service_is_in_the_table():
    modules = {m.__name__ for m in SERVICE_MODULES}
    on_disk = {f"roret.{p.parent.name}.services" for p in RORET.glob("*/services.py")}
    assert on_disk <= modules, f"add these services modules to SERVICE_MODULES: {sorted(on_disk - modules)}"
    written = set().union(*(_write_functions(m) for m in SERVICE_MODULES))
    declared = {c.service for c in CASES} | set(UNGATED)
    missing = sorted(f"{f.__module__}.{f.__name__}" for f in written - declared)
    assert not missing, f"declare who may call these in CASES: {missing}"


def test_ungated_helpers_are_called_only_by_services():
    """A helper that trusts its caller's gate must not be reachable from a page, the API, a command
    or a task: only the services that have taken the citizen through the gate call it."""
    callers = []
    for path in RORET.rglob("*.py"):
        if path.name == "services.py" or "migrations" in path.parts:
            continue
        text = path.read_text()
        callers += [f"{path.relative_to(RORET.parent)}: {fn.__name__}" for fn in UNGATED if re.search(rf"\b{fn.__name__}\(", text)]
    assert not callers, f"call the gated service instead: {callers}"


def test_the_aggregate_scope_by_persona(world):
    """Which figures each persona sees: the department's (the committee's suppressed), a centre leader
    only their own centre's, everyone else none; a deactivated account none."""
    expected = {"economist": (None, False), "committee": (None, True), "centre_leader": (world.centre.pk, False),
                "leader": (None, False)}
    for persona in PERSONAS + inactive_twins(world, expected):
        user = world.users[persona]
        if persona in expected:
            scope = permissions.aggregate_scope(user)
            assert (scope.centre_id, scope.suppress) == expected[persona], persona
            assert scope.covers([world.centre.pk]) and scope.covers([world.other_centre.pk]) == (scope.centre_id is None)
        else:
            with pytest.raises(NotInScope):
                permissions.aggregate_scope(user)


def test_a_budget_import_is_refused_before_the_file_is_read(world):
    """The gate comes first: someone who may not import budgets learns nothing about the file (no
    parse errors) and costs no work."""
    inactive = inactive_twins(world, ECONOMIST)
    for persona in [p for p in PERSONAS if p not in ECONOMIST] + inactive:
        with pytest.raises(NotInScope):
            es.import_budgets(io.BytesIO(b"not a workbook"), actor=world.users[persona])
    with pytest.raises(es.BudgetImportError):
        es.import_budgets(io.BytesIO(b"not a workbook"), actor=world.users["economist"])
