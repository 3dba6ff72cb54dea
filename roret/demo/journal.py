"""The demo municipality's journal and corrections: notes in all six categories for a share of the
citizens with a case (written by their caseworker, or by the staff of the centre they live in), a
few notes corrected by a later note, and a few corrections of recorded data (an inquiry, a decision,
a goal, agreed tariffs corrected by a new dated row), so the journal and the history have content.

Deterministic for a seed: one ``random.Random(seed + 505)``, rows read in primary-key order.
Written with bulk inserts after the case flow and before the economy (so the cost segments are
computed from the corrected tariffs)."""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import override

from roret.core.models import Role, User
from roret.journal.corrections import shown
from roret.journal.models import Correction, JournalNote, NoteCategory
from roret.outcomes.models import Goal
from roret.placements.models import Placement, PlacementTariff
from roret.visitation.models import Decision, Inquiry

DAY = datetime.timedelta(days=1)
#: The share of the citizens with a case that get notes, and how many notes each.
SHARE, NOTES = 0.3, (2, 7)
CORRECTED_SHARE = 0.04
TEXTS = {
    NoteCategory.CONVERSATION: [
        "Samtale med borgeren om ugeplanen. Borgeren vil gerne selv stå for indkøb om tirsdagen.",
        "Borgeren fortalte, at nætterne er bedre nu. Vi talte om at holde fast i de faste sengetider.",
        "Samtale om økonomi: borgeren har styr på huslejen, men ønsker hjælp til at lægge et budget.",
        "Borgeren var ked af det efter besøg hos familien. Vi aftalte en opfølgende samtale på fredag.",
        "Talte om ønsket om arbejde. Borgeren vil gerne prøve nogle timer i værkstedet.",
        "Borgeren ønsker mere ro i fællesarealerne om aftenen; bragt videre til personalemødet.",
    ],
    NoteCategory.PHONE: [
        "Telefonsamtale med søsteren, der oplever borgeren mere rolig. Hun kommer på besøg i weekenden.",
        "Egen læge ringede om medicinomlægning; ny dosis fra mandag. Personalet orienteret.",
        "Borgeren ringede og aflyste aftalen i morgen på grund af sygdom. Ny tid aftalt.",
        "Ringede til jobcentret om borgerens ressourceforløb; de sender indkaldelse til møde.",
        "Opringning fra psykiatrien om udskrivelse; borgeren forventes hjem om en uge.",
    ],
    NoteCategory.MEETING: [
        "Netværksmøde med borgeren, moren og kontaktpersonen. Aftalt at øve busturen til byen sammen.",
        "Statusmøde på bostedet. Målene gennemgået; borgeren er godt på vej med madlavningen.",
        "Møde med distriktspsykiatrien om fælles plan for de næste tre måneder.",
        "Opfølgningsmøde: borgeren ønsker at fortsætte i tilbuddet; indsatsen svarer til behovet.",
    ],
    NoteCategory.OBSERVATION: [
        "Borgeren deltog i fællesspisningen og hjalp med opvasken bagefter.",
        "Borgeren virkede urolig i dag og trak sig til sin lejlighed efter frokost.",
        "Borgeren tog bussen alene til byen for første gang og kom glad hjem.",
        "Borgeren har ikke været ude af lejligheden i tre dage. Vi følger op i morgen.",
        "Borgeren har selv ryddet op og vasket tøj i denne uge.",
    ],
    NoteCategory.CORRESPONDENCE: [
        "Brev sendt til borgeren med referat af netværksmødet.",
        "Modtaget epikrise fra psykiatrisk afdeling; lagt i sagen.",
        "Mail fra leverandøren med forslag til justeret takst efter ny udredning.",
        "Borgeren har fået besked i e-Boks om opfølgningsmødet.",
    ],
    NoteCategory.DECISION_NOTE: [
        "Faglig vurdering: støttebehovet er uændret; bevillingen fortsætter til næste opfølgning.",
        "Notat til afgørelsen: mindre indgribende tilbud er overvejet, men dækker ikke behovet om natten.",
        "Sagen forelagt på visitationsmødet; indstillingen blev godkendt.",
        "Notat: borgerens egne ønsker er hørt og indgår i vurderingen af tilbuddet.",
    ],
}
CORRECTIONS = [
    ("Datoen for samtalen var forkert", "(rettet) "),
    ("Forkert person nævnt i notatet", "(rettet) "),
    ("Notatet var skrevet i den forkerte borgers journal-udkast; indholdet præciseret", "(præciseret) "),
]


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class DemoJournal:
    def __init__(self, builder):
        self.b, self.today = builder, builder.today
        self.rng = random.Random(builder.seed + 505)
        users = User.objects.filter(role__in=[Role.CASEWORKER, Role.CENTRE_STAFF, Role.CENTRE_LEADER]).order_by("pk")
        self.by_team = {}
        self.by_centre: dict[int, list[User]] = {}
        for user in users:
            if user.role == Role.CASEWORKER and user.team_id:
                self.by_team.setdefault(user.team_id, user)
            elif user.centre_id:
                self.by_centre.setdefault(user.centre_id, []).append(user)
        self.fallback = users.filter(role=Role.CASEWORKER).first()

    def build(self) -> dict:
        notes = self._notes()
        corrected = self._corrected_notes(notes)
        fixes = self._data_corrections()
        return {"notes": len(notes) + corrected, "corrected_notes": corrected, "data_corrections": fixes}

    def _notes(self) -> list[JournalNote]:
        rng, today = self.rng, self.today
        centre_of = dict(Placement.objects.active_on(today).filter(offer__provider__centre__isnull=False)
                         .order_by("pk").values_list("citizen_id", "offer__provider__centre_id"))
        cases = list(Inquiry.objects.filter(citizen__team__isnull=False).order_by("pk")
                     .values_list("pk", "citizen_id", "citizen__team_id", "received_on"))
        seen, notes = set(), []
        categories = list(TEXTS)
        for inquiry_id, citizen_id, team_id, received in cases:
            if citizen_id in seen or rng.random() >= SHARE:
                continue
            seen.add(citizen_id)
            caseworker = self.by_team.get(team_id, self.fallback)
            staff = self.by_centre.get(centre_of.get(citizen_id), [])
            span = max((today - received).days, 1)
            for _ in range(rng.randint(*NOTES)):
                category = rng.choice(categories)
                by_staff = staff and category in (NoteCategory.OBSERVATION, NoteCategory.CONVERSATION,
                                                  NoteCategory.PHONE) and rng.random() < 0.7
                author = rng.choice(staff) if by_staff else caseworker
                noted_on = received + rng.randint(0, span) * DAY
                notes.append(JournalNote(
                    citizen_id=citizen_id, noted_on=noted_on, category=category, text=rng.choice(TEXTS[category]),
                    inquiry_id=inquiry_id if category != NoteCategory.OBSERVATION else None, author=author,
                    created=timezone.make_aware(datetime.datetime.combine(noted_on, datetime.time(9 + rng.randint(0, 7))))))
        return JournalNote.objects.bulk_create(notes, batch_size=2000)

    def _corrected_notes(self, notes: list[JournalNote]) -> int:
        rng = self.rng
        fixes = []
        for note in notes:
            if rng.random() >= CORRECTED_SHARE:
                continue
            reason, prefix = rng.choice(CORRECTIONS)
            day = min(note.noted_on + rng.randint(0, 5) * DAY, self.today)
            fixes.append(JournalNote(
                citizen_id=note.citizen_id, noted_on=note.noted_on, category=note.category,
                text=prefix + note.text, inquiry_id=note.inquiry_id, author_id=note.author_id, corrects_id=note.pk,
                correction_reason=reason,
                created=timezone.make_aware(datetime.datetime.combine(day, datetime.time(15)))))
        JournalNote.objects.bulk_create(fixes, batch_size=2000)
        return len(fixes)

    def _data_corrections(self) -> int:
        """A few corrections of each kind, as the correction services would write them."""
        rng, rows = self.rng, []

        def at(day):
            return timezone.make_aware(datetime.datetime.combine(min(day, self.today), datetime.time(11)))

        def history(obj, citizen_id, field, label, old, new, reason, day, actor):
            rows.append(Correction(citizen_id=citizen_id, object_type=obj._meta.label_lower, object_id=obj.pk,
                                   field=field, field_label=label, old_value=old, new_value=new, reason=reason,
                                   actor=actor, at=at(day)))

        inquiries = list(Inquiry.objects.filter(citizen__team__isnull=False).order_by("pk")[:400])
        for inquiry in rng.sample(inquiries, min(6, len(inquiries))):
            old = inquiry.source_detail
            new = rng.choice(["Distriktspsykiatrien Vest", "Borgerens søster", "Egen læge", "Psykiatrisk afd. P3"])
            if old == new:
                continue
            Inquiry.objects.filter(pk=inquiry.pk).update(source_detail=new)
            history(inquiry, inquiry.citizen_id, "source_detail", "navn eller enhed på den, der henvendte sig",
                    old or "–", new, "Henvenderen var ikke skrevet på", inquiry.received_on + 2 * DAY,
                    self.by_team.get(inquiry.team_id, self.fallback))
        decisions = list(Decision.objects.order_by("pk")[:400])
        for decision in rng.sample(decisions, min(6, len(decisions))):
            new = decision.justification + " Borgerens egne ønsker er hørt og indgår i vurderingen."
            Decision.objects.filter(pk=decision.pk).update(justification=new)
            history(decision, decision.citizen_id, "justification", "begrundelse", decision.justification, new,
                    "Begrundelsen manglede borgerens perspektiv", decision.decided_on + 3 * DAY, decision.decided_by)
        goals = list(Goal.objects.filter(citizen__team__isnull=False).order_by("pk")[:400])
        for goal in rng.sample(goals, min(6, len(goals))):
            new = goal.own_words.rstrip(".") + ", også i weekenden."
            Goal.objects.filter(pk=goal.pk).update(own_words=new)
            history(goal, goal.citizen_id, "own_words", "målet med borgerens egne ord", goal.own_words, new,
                    "Borgeren præciserede målet ved opfølgningen", goal.created_on + 30 * DAY, goal.created_by)
        tariffs = list(PlacementTariff.objects.filter(placement__end__isnull=True, placement__citizen__team__isnull=False)
                       .select_related("placement__citizen").order_by("pk")[:400])
        new_rows = []
        for row in rng.sample(tariffs, min(5, len(tariffs))):
            amount = _money(row.amount * Decimal(rng.choice(["0.97", "0.98", "1.02", "1.03"])))
            new_rows.append(PlacementTariff(placement_id=row.placement_id, valid_from=row.valid_from, amount=amount,
                                            unit=row.unit, hours_per_week=row.hours_per_week, note=row.note,
                                            corrects=row))
            with override("da"):
                unit = str(row.get_unit_display())
                old, new = shown(row, "amount"), shown(row, "amount", amount)
            history(row.placement, row.placement.citizen_id, "tariff", f"Aftalt takst fra {row.valid_from:%d.%m.%Y}",
                    f"{old} kr. {unit}", f"{new} kr. {unit}",
                    "Den aftalte takst var tastet forkert", row.valid_from + 20 * DAY,
                    self.by_team.get(row.placement.citizen.team_id, self.fallback))
        PlacementTariff.objects.bulk_create(new_rows)
        Correction.objects.bulk_create(rows)
        return len(rows)


def build_journal(builder) -> dict:
    """Write the demo journal and corrections; returns how many rows of each kind."""
    return DemoJournal(builder).build()
