"""The demo municipality's case flow: inquiries, screenings, assessments with FFB levels,
decisions, goals and action plans, follow-ups and WHO-5 measurements, tariff renegotiations,
open cases near and past their deadline, and young people known from children's services.

Deterministic for a seed: one ``random.Random(seed + 303)``, rows read in primary-key order.
Written with bulk inserts after the placements (see DemoBuilder.build)."""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from roret.citizens import cpr as cprlib
from roret.citizens.models import Citizen, normalise_name
from roret.core.models import Role, Term, User
from roret.core.periods import add_months_clamped
from roret.core.terms import FUNCTIONAL_LEVELS, SUPPORT_NEEDS
from roret.demo import names
from roret.economy import engine
from roret.outcomes.instruments import WHO5
from roret.outcomes.models import (
    ActionStep,
    FollowUp,
    Goal,
    GoalProgress,
    Measurement,
    TariffRenegotiation,
)
from roret.outcomes.services import yearly_amount
from roret.placements.models import Grant, Placement, PlacementTariff
from roret.visitation import deadlines
from roret.visitation.models import (
    YOUTH_CHECKLIST,
    Assessment,
    Decision,
    Inquiry,
    NetworkMeeting,
    Screening,
    ThemeAssessment,
    Transition,
)
from roret.visitation.staircase import ADEQUATE_STEP
from roret.visitation.themes import ACTIVITY_ORDER

DAY = datetime.timedelta(days=1)
EXTRA_CASEWORKERS = [("caseworker_young", "Ulla", "Ungerådgiver", "young"),
                     ("caseworker_disability", "Henrik", "Handicaprådgiver", "disability")]
SOURCES = ["citizen", "relative", "hospital", "single_entry", "children", "other"]
SOURCE_WEIGHTS = [0.22, 0.2, 0.28, 0.18, 0.04, 0.08]
HOPES = [
    "Jeg vil gerne have mit eget sted at bo og klare mere selv.",
    "Jeg drømmer om at få et arbejde, også selv om det kun er få timer.",
    "At have nogen at snakke med og ikke være så alene om aftenen.",
    "Jeg vil gerne se min datter oftere og være en god mor for hende.",
    "At kunne tage bussen selv og komme til min fodboldklub.",
    "Jeg vil have ro i hovedet og sove bedre om natten.",
    "Jeg håber at kunne lave min egen mad og passe min lejlighed.",
    "At blive færdig med min uddannelse.",
]
ABOUT = [
    "Udskrives fra psykiatrisk afdeling og har brug for støtte i hverdagen.",
    "Pårørende oplever, at borgeren ikke længere kan klare sig selv i egen bolig.",
    "Borgeren ønsker hjælp til struktur, økonomi og kontakt med myndigheder.",
    "Henvist fra En Indgang efter gruppeforløb; behovet er større end forventet.",
    "Ønsker et dagtilbud med fællesskab og meningsfuld beskæftigelse.",
]
GOALS = [
    ("Udvikle funktionsevne", "Lave mad", "Jeg vil lave aftensmad selv to gange om ugen."),
    ("Udvikle funktionsevne", "Købe ind", "Jeg vil handle ind selv i Netto."),
    ("Udvikle funktionsevne", "Færdes med transportmidler", "Jeg vil kunne tage bussen til byen alene."),
    ("Fastholde funktionsevne", "Varetage relationer til netværk", "Jeg vil blive ved med at se min bror hver uge."),
    ("Udvikle funktionsevne", "Varetage økonomi", "Jeg vil selv kunne betale mine regninger."),
    ("Fastholde funktionsevne", "Pleje sin krop", "Jeg vil passe på mig selv og gå i bad hver dag."),
    ("Begrænse tab af funktionsevne", "Gå og bevæge sig", "Jeg vil kunne gå min tur rundt om søen."),
    ("Udvikle funktionsevne", "Deltage i sociale fællesskaber og fritidsaktiviteter", "Jeg vil med i løbeklubben."),
]
STEPS = [("Fast ugentlig aftale med kontaktperson", "Kontaktperson"), ("Lave en ugeplan sammen", "Borger og bostøtte"),
         ("Øve turen sammen de første gange", "Kontaktperson"), ("Aftale møde med netværket", "Sagsbehandler")]
PROFILE_WELLBEING = {"psychiatry": 2.0, "social": 2.1, "autism": 2.6, "intellectual": 3.0, "brain_injury": 2.6}


def _support_level(step: int, rng: random.Random) -> int:
    """The assessed support-need level (0..4) that leads to an offer at ``step``."""
    for level in (4, 3, 2, 1, 0):
        if step >= ADEQUATE_STEP[level]:
            base = level
            break
    return max(0, min(4, base + (1 if step == 7 and rng.random() < 0.3 else 0)))


def _who5(rng: random.Random, mean: float) -> list[int]:
    return [max(0, min(5, round(rng.gauss(mean, 0.9)))) for _ in WHO5.items]


def _measurement(citizen_id, day, answers, occasion, **extra) -> Measurement:
    scored = WHO5.score(answers)
    return Measurement(citizen_id=citizen_id, instrument="WHO-5", measured_on=day, answers=list(answers),
                       raw=scored.raw, score=scored.score, band=scored.band.key,
                       flagged_items=list(scored.flagged_items), occasion=occasion, **extra)


class CaseFlow:
    def __init__(self, builder, plan):
        self.b, self.today = builder, builder.today
        self.rng = random.Random(builder.seed + 303)
        self.terms = {(t.group, t.display): t for t in Term.objects.filter(
            group__in=["support_need", "theme", "goal_type", "functional_level"])}
        self.themes = [self.terms[("theme", name)] for name in ACTIVITY_ORDER]
        self.profile = {c.pk: p.profile for p, c in zip(plan.citizens, builder.citizen_rows, strict=True)}
        self.caseworkers = {"psychiatry": User.objects.get(username="caseworker")}
        for username, first, last, team in EXTRA_CASEWORKERS:
            user = User(username=username, first_name=first, last_name=last, role=Role.CASEWORKER,
                        team=builder.teams[team], email=f"{username}@demo.invalid")
            user.set_password("demo")
            user.save()
            self.caseworkers[team] = user
        self.by_team = {builder.teams[k].pk: u for k, u in self.caseworkers.items()}
        self.versions: dict = {}

    def build(self):
        rows = self._histories()
        rows = self._open_cases(rows)
        self._youth(rows)
        self._write(rows)
        return rows

    # --- the recorded path of citizens granted in the last years --------------------------------

    def _histories(self) -> dict:
        rng, today = self.rng, self.today
        out = {k: [] for k in ("inquiry", "screening", "assessment", "theme", "meeting", "decision", "goal", "step",
                               "follow_up", "progress", "measurement", "renegotiation", "tariff")}
        placements = (Placement.objects.filter(citizen__team__isnull=False, grant__start__gte=today - 3 * 365 * DAY)
                      .filter(Q(end__isnull=True) | Q(end__gt=today)).select_related("offer__provider", "grant", "citizen")
                      .prefetch_related("tariffs", "offer__tariffs").order_by("pk"))
        seen_grants = set()
        for p in placements:
            grant = p.grant
            if grant.pk in seen_grants or not p.offer.requires_visitation:
                continue
            seen_grants.add(grant.pk)
            self._history(p, grant, out)
        # Every other grant in force still gets its next follow-up date.
        for grant in (Grant.objects.filter(citizen__team__isnull=False).active_on(today)
                      .exclude(pk__in=seen_grants).order_by("pk").only("pk", "start", "citizen_id")):
            due = grant.start
            while due < today - 45 * DAY:
                due = add_months_clamped(due, 12)
            due = due + rng.randint(-20, 40) * DAY if rng.random() < 0.1 else due
            out["follow_up"].append(FollowUp(citizen_id=grant.citizen_id, grant_id=grant.pk, due_on=due))
        return out

    def _history(self, p: Placement, grant: Grant, out: dict):
        rng, today, citizen = self.rng, self.today, p.citizen
        worker = self.by_team.get(citizen.team_id, self.caseworkers["psychiatry"])
        decided = max(grant.start - rng.randint(3, 30) * DAY, citizen.birth_date + 18 * 365 * DAY)
        received = decided - rng.randint(20, 80) * DAY
        inquiry = Inquiry(citizen_id=citizen.pk, source=rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
                          received_on=received, about=rng.choice(ABOUT), paragraph=grant.paragraph,
                          deadline=deadlines.deadline_for(received, grant.paragraph), caseworker=worker, registered_by=worker,
                          team_id=citizen.team_id, status="decided", closed_on=decided)
        out["inquiry"].append(inquiry)
        out["screening"].append((inquiry, Screening(screened_on=received + rng.randint(3, 12) * DAY, outcome="in",
                                                    reason="I målgruppen og inden for serviceniveauet",
                                                    screened_by=worker)))
        need = _support_level(p.offer.staircase_step, rng)
        levels = {t.pk: max(0, min(4, need + rng.choice((-1, 0, 0, 1)))) for t in self.themes}
        assessments = [(received + rng.randint(14, 30) * DAY, need, levels)]
        if grant.start < today - 400 * DAY:
            # A re-assessment about a year in: most citizens have come some way.
            better = {k: max(0, v - (1 if rng.random() < 0.45 else 0)) for k, v in levels.items()}
            assessments.append((add_months_clamped(grant.start, 12), max(0, need - (rng.random() < 0.3)), better))
        made = []
        for n, (day, level, theme_levels) in enumerate(assessments):
            version = self.versions[citizen.pk] = self.versions.get(citizen.pk, 0) + 1
            a = Assessment(citizen_id=citizen.pk, inquiry=inquiry if n == 0 else None, version=version,
                           assessed_on=min(day, today), hopes=rng.choice(HOPES), assessed_by=worker,
                           what_matters="Familien, ro og at have noget at stå op til.",
                           support_need=self.terms[("support_need", SUPPORT_NEEDS[level])])
            out["assessment"].append((a, theme_levels))
            made.append(a)
        if rng.random() < 0.6:
            out["meeting"].append((made[0], NetworkMeeting(
                held_on=made[0].assessed_on, citizen_took_part=True,
                relatives=rng.choice(["Mor", "Søster", "Far og mor", "Kæreste", ""]),
                providers=str(p.offer.provider), notes="Borgeren fortalte selv, hvad der betyder noget.")))
        lowest = ADEQUATE_STEP[need]
        step = p.offer.staircase_step
        out["decision"].append((made[0], Decision(
            citizen_id=citizen.pk, inquiry=inquiry, kind="grant", paragraph=grant.paragraph,
            offer_type_id=grant.offer_type_id, offer_id=p.offer_id, scope=grant.scope, hours_per_week=grant.hours_per_week,
            start=grant.start, review_on=grant.review_on, decided_on=decided, decided_by=worker, grant_id=grant.pk,
            justification="Udredningen viser et støttebehov, som tilbuddet kan dække, og borgeren ønsker det selv.",
            lowest_adequate_step=lowest, chosen_step=step,
            intrusive_reason="Mindre indgribende støtte er prøvet uden tilstrækkelig effekt." if step > lowest else "")))
        # WHO-5 at move-in and before each yearly follow-up; well-being rises a little over time.
        mean = PROFILE_WELLBEING.get(self.profile.get(citizen.pk), 2.4) + rng.gauss(0, 0.4)
        if p.is_residential or rng.random() < 0.5:
            out["measurement"].append(_measurement(citizen.pk, p.start, _who5(rng, mean), "move_in", placement_id=p.pk))
        goal_specs = rng.sample(GOALS, k=rng.choice((1, 2, 2, 3)))
        goals = []
        for goal_type, theme, words in goal_specs:
            created = p.start + rng.randint(7, 40) * DAY
            if created >= today:
                continue
            g = Goal(citizen_id=citizen.pk, grant_id=grant.pk, goal_type=self.terms[("goal_type", goal_type)],
                     theme=self.terms[("theme", theme)], own_words=words, created_on=created,
                     target_date=created + rng.randint(120, 365) * DAY, created_by=worker)
            goals.append(g)
            out["goal"].append(g)
            for what, who in rng.sample(STEPS, k=2):
                due = created + rng.randint(14, 90) * DAY
                out["step"].append((g, ActionStep(what=what, who=who, due_on=due, created_by=worker,
                                                  done_on=due - rng.randint(0, 7) * DAY if due < today and rng.random() < 0.7
                                                  else None)))
        first_due = add_months_clamped(p.start, 3) if p.is_residential else add_months_clamped(grant.start, 12)
        due = first_due
        while due < today - 30 * DAY:
            held = due + rng.randint(-10, 20) * DAY
            if held >= today:
                break
            mean += rng.uniform(0.0, 0.35)
            f = FollowUp(citizen_id=citizen.pk, grant_id=grant.pk, due_on=due, held_on=held, held_by=worker,
                         outcome="continue" if rng.random() < 0.85 else "change",
                         notes="Opfølgning med borger og kontaktperson.")
            out["follow_up"].append(f)
            out["measurement"].append(_measurement(citizen.pk, held - rng.randint(1, 14) * DAY, _who5(rng, mean),
                                                   "follow_up", follow_up=f))
            for g in goals:
                if g.created_on < held:
                    out["progress"].append((f, g, rng.choice(["progressing", "progressing", "unchanged", "achieved"])))
            if not p.offer.provider.is_own and f.outcome == "change" and p.tariffs.all():
                self._renegotiate(p, f, held, out)
            due = add_months_clamped(held, 12)
        out["follow_up"].append(FollowUp(citizen_id=citizen.pk, grant_id=grant.pk,
                                         due_on=max(due, today - self.rng.randint(0, 40) * DAY)
                                         if due < today else due))

    def _renegotiate(self, p: Placement, f: FollowUp, held: datetime.date, out: dict):
        current = engine.in_force(p.tariffs.all(), held)
        # Only this year's: the agreed tariff is indexed by a new row every 1 January.
        if current is None or held.year != self.today.year or (held.month, held.day) == (1, 1):
            return
        hours = current.hours_per_week or p.grant.hours_per_week
        if current.unit == "hour" and not hours:
            return
        new = (current.amount * Decimal(str(self.rng.uniform(0.82, 0.93)))).quantize(Decimal("0.01"), ROUND_HALF_UP)
        f.need_fallen = True
        f.support_need = None
        out["tariff"].append(PlacementTariff(placement_id=p.pk, valid_from=held, amount=new, unit=current.unit,
                                             hours_per_week=hours, note="Genforhandlet takst"))
        out["renegotiation"].append((f, TariffRenegotiation(
            placement_id=p.pk, old_amount=current.amount, new_amount=new, unit=current.unit, hours_per_week=hours,
            valid_from=held, yearly_saving=yearly_amount(current.amount - new, current.unit, hours),
            note="Behovet er faldet; takst tilpasset")))

    # --- open cases near and past their deadline ------------------------------------------------

    def _open_cases(self, out: dict) -> dict:
        rng, today = self.rng, self.today
        busy = Placement.objects.filter(Q(end__isnull=True) | Q(end__gt=today)).values("citizen_id")
        returning = list(Citizen.objects.filter(team__isnull=False, birth_date__gt=today - 64 * 365 * DAY)
                         .exclude(pk__in=busy).exclude(grants__end__isnull=True).order_by("pk")[:400])
        rng.shuffle(returning)
        for citizen in returning[:60]:
            worker = self.by_team.get(citizen.team_id, self.caseworkers["psychiatry"])
            paragraph = rng.choice(["SEL85", "SEL85", "SEL104", "SEL107", "SEL108", "ABL105", "SEL103"])
            received = today - rng.randint(1, 120) * DAY
            deadline = deadlines.deadline_for(received, paragraph)
            inquiry = Inquiry(citizen_id=citizen.pk, source=rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
                              received_on=received, about=rng.choice(ABOUT), paragraph=paragraph, deadline=deadline,
                              caseworker=worker, registered_by=worker, team_id=citizen.team_id, status="open")
            screened = received + rng.randint(2, 15) * DAY
            if screened < today and rng.random() < 0.85:
                out_ = rng.random() < 0.15
                if out_:
                    inquiry.status, inquiry.closed_on = "screened_out", screened
                out["screening"].append((inquiry, Screening(
                    screened_on=screened, outcome="out" if out_ else "in", screened_by=worker,
                    reason="Behovet kan dækkes af almene tilbud" if out_ else "I målgruppen",
                    guided_to=rng.choice(["single_entry", "normal", "other_department"]) if out_ else "")))
            out["inquiry"].append(inquiry)
        return out

    def _youth(self, out: dict):
        """Young people (16-17) known from children's services, each with an open transition."""
        rng, today = self.rng, self.today
        team = self.b.teams["young"]
        worker = self.caseworkers["young"]
        used = set(Citizen.objects.values_list("cpr_hash", flat=True))
        out["youth"] = []
        for i in range(8):
            birth = today - datetime.timedelta(days=rng.randint(16 * 365 + 5, 18 * 365 - 20))
            for _ in range(100):
                number = f"{birth:%d%m%y}99{rng.randint(0, 9)}{rng.randint(0, 9)}"
                if cprlib.lookup_hash(number) not in used:
                    break
            used.add(cprlib.lookup_hash(number))
            female = int(number[-1]) % 2 == 0
            first = rng.choice(names.FIRST_NAMES_F if female else names.FIRST_NAMES_M)
            last = rng.choice(names.LAST_NAMES)
            citizen = Citizen(cpr_encrypted=cprlib.encrypt(number), cpr_hash=cprlib.lookup_hash(number),
                              birth_date=cprlib.birth_date(number), first_name=first, last_name=last,
                              name_search=normalise_name(f"{first} {last}"), last_name_search=normalise_name(last),
                              address=f"{rng.choice(names.STREETS)} {rng.randint(1, 120)}", postcode=names.POSTCODE,
                              city=names.CITY, team=team, is_demo=True)
            received = today - rng.randint(5, 200) * DAY
            done = rng.sample([k for k, _ in YOUTH_CHECKLIST], k=rng.randint(0, len(YOUTH_CHECKLIST) - 2))
            out["youth"].append((citizen, Inquiry(
                source="children", received_on=received, paragraph=rng.choice(["SEL85", "SEL107", "SEL104"]),
                about="Kendt i børneområdet; forventes at få brug for hjælp som voksen fra 18 år.",
                deadline=deadlines.deadline_for(received, "SEL85"), caseworker=worker, registered_by=worker, team=team, status="open"),
                Transition(kind="youth", opened_on=received, expected_need="Bostøtte og afklaring af uddannelse",
                           checklist={k: (received + rng.randint(1, 30) * DAY).isoformat() for k in done})))
            del i

    # --- writing ---------------------------------------------------------------------------------

    def _write(self, out: dict):
        youth = out.get("youth", [])
        citizens = Citizen.objects.bulk_create([c for c, _i, _t in youth])
        for citizen, inquiry, transition in zip(citizens, [i for _c, i, _t in youth], [t for _c, _i, t in youth],
                                                strict=True):
            inquiry.citizen_id = transition.citizen_id = citizen.pk
            out["inquiry"].append(inquiry)
        Inquiry.objects.bulk_create(out["inquiry"], batch_size=2000)
        Transition.objects.bulk_create([t for _c, _i, t in youth])
        screenings = []
        for inquiry, screening in out["screening"]:
            screening.inquiry_id = inquiry.pk
            screenings.append(screening)
        Screening.objects.bulk_create(screenings, batch_size=2000)
        Assessment.objects.bulk_create([a for a, _levels in out["assessment"]], batch_size=2000)
        # The assessment records the target groups the citizen is known with.
        groups: dict = {}
        for citizen_id, term_id in (Citizen.target_groups.through.objects
                                    .filter(citizen_id__in={a.citizen_id for a, _l in out["assessment"]})
                                    .values_list("citizen_id", "term_id").order_by("pk")):
            groups.setdefault(citizen_id, []).append(term_id)
        Through = Assessment.target_groups.through
        Through.objects.bulk_create([Through(assessment_id=a.pk, term_id=t) for a, _l in out["assessment"]
                                     for t in groups.get(a.citizen_id, [])], batch_size=5000)
        level_terms = [ThemeAssessment(assessment_id=a.pk, theme_id=theme_id, level=level,
                                       notes=f"{FUNCTIONAL_LEVELS[level]} efter samtale med borgeren" if level else "")
                       for a, levels in out["assessment"] for theme_id, level in levels.items()]
        ThemeAssessment.objects.bulk_create(level_terms, batch_size=5000)
        for a, meeting in out["meeting"]:
            meeting.assessment_id = a.pk
        NetworkMeeting.objects.bulk_create([m for _a, m in out["meeting"]], batch_size=2000)
        for a, decision in out["decision"]:
            decision.assessment_id = a.pk
        Decision.objects.bulk_create([d for _a, d in out["decision"]], batch_size=2000)
        Goal.objects.bulk_create(out["goal"], batch_size=2000)
        for goal, step in out["step"]:
            step.goal_id = goal.pk
        ActionStep.objects.bulk_create([s for _g, s in out["step"]], batch_size=2000)
        FollowUp.objects.bulk_create(out["follow_up"], batch_size=2000)
        GoalProgress.objects.bulk_create([GoalProgress(follow_up_id=f.pk, goal_id=g.pk, progress=level)
                                          for f, g, level in out["progress"]], batch_size=5000)
        for m in out["measurement"]:
            if m.follow_up is not None:
                m.follow_up_id = m.follow_up.pk
        Measurement.objects.bulk_create(out["measurement"], batch_size=5000)
        PlacementTariff.objects.bulk_create(out["tariff"], batch_size=2000)
        for f, row in out["renegotiation"]:
            row.follow_up_id = f.pk
        TariffRenegotiation.objects.bulk_create([r for _f, r in out["renegotiation"]])


def build_caseflow(builder, plan) -> dict:
    """Write the demo case flow; returns how many rows of each kind."""
    rows = CaseFlow(builder, plan).build()
    return {k: len(v) for k, v in rows.items()}
