"""Forms for editing the offer catalogue. They parse what was typed and say which field is wrong;
roret.offers.services decides, writes the dated rows and the audit row."""

import datetime
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from roret.core.models import Centre, Term, Unit
from roret.core.permissions import OFFER_CHANGE, OFFER_PLACES, offer_scope
from roret.offers.history import place_history, tariff_history
from roret.offers.models import Offer, Provider, TariffUnit
from roret.offers.services import places_besides, places_on

DATE = forms.DateInput(attrs={"type": "date", "class": "form-input"}, format="%Y-%m-%d")
TEXT = forms.TextInput(attrs={"class": "form-input"})
AREA = forms.Textarea(attrs={"class": "form-input", "rows": 3})
REASON = forms.Textarea(attrs={"class": "form-input", "rows": 2})
SELECT = forms.Select(attrs={"class": "form-select"})
NUMBER = forms.NumberInput(attrs={"class": "form-input roret-input-short"})
MAX_PLACES = 10_000


class KronerField(forms.DecimalField):
    """An amount in kroner as a Dane types it: 2250, 2250,50, 2.250,50 or 2 250,50."""

    widget = forms.TextInput(attrs={"class": "form-input roret-input-short", "inputmode": "decimal"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("localize", True)  # shown as 2250,00 in Danish
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u00a0", "").replace(" ", "").removesuffix("kr.").removesuffix("kr")
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        return super().to_python(value)


def _tree(group: str) -> list[Term]:
    """The FFB terms of ``group`` in the code system's order, parents before their children, each
    with ``indent`` (its depth below the group's root) and ``path`` (its parents' names and its
    own, what a filter finds it by); the root itself ("Målgruppe", "Tilbud") is a heading, not a
    choice, and is left out."""
    terms = list(Term.objects.filter(group=group).order_by("display"))
    ids = {t.pk for t in terms}
    children: dict = {}
    for t in terms:
        children.setdefault(t.parent_id if t.parent_id in ids else None, []).append(t)
    roots = children.get(None, [])
    start = children.get(roots[0].pk, []) if len(roots) == 1 else roots
    out = []
    stack = [(t, 0, "") for t in reversed(start)]
    while stack:
        term, depth, above = stack.pop()
        term.indent, term.path = depth, f"{above} {term.display}".strip()
        out.append(term)
        stack.extend((c, depth + 1, term.path) for c in reversed(children.get(term.pk, [])))
    return out


def choose(field, label=None) -> None:
    """Put a Danish "choose" in place of Django's "---------" as a select's empty choice."""
    label = label or _("– choose –")
    if hasattr(field, "empty_label") and isinstance(field, forms.ModelChoiceField):
        field.empty_label = label
    elif field.choices and field.choices[0][0] in ("", None):
        field.choices = [("", label)] + list(field.choices)[1:]


class TermChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u2003" * getattr(obj, "indent", 0) + obj.display


class TermChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display


class ProviderForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300, widget=REASON,
                             help_text=_("Why the provider is created or changed; shown in the audit log."))

    class Meta:
        model = Provider
        fields = ["kind", "name", "centre", "municipality_code", "cvr"]
        widgets = {"kind": SELECT, "name": TEXT, "centre": SELECT, "municipality_code": TEXT, "cvr": TEXT}
        help_texts = {
            "centre": _("Only for own centres: the centre that runs the offers."),
            "municipality_code": _("Only for another municipality: its 3- or 4-digit code."),
            "cvr": _("Only for private providers: the 8-digit CVR number."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A centre runs its offers through one provider: the centres not yet taken, and this one's.
        self.fields["centre"].queryset = Centre.objects.filter(
            Q(provider__isnull=True) | Q(pk=self.instance.centre_id)).order_by("name")
        choose(self.fields["centre"], _("– not an own centre –"))
        choose(self.fields["kind"])


class OfferForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300, widget=REASON,
                             help_text=_("Required when an existing offer is changed: why, in a sentence."))

    class Meta:
        model = Offer
        fields = ["provider", "unit", "name", "legal_basis", "offer_type", "target_groups", "age_min", "age_max",
                  "staircase_step", "requires_visitation", "account_function", "description", "closed_on"]
        field_classes = {"offer_type": TermChoice, "target_groups": TermChoices}
        widgets = {
            "provider": SELECT, "unit": SELECT, "name": TEXT, "legal_basis": SELECT, "offer_type": SELECT,
            "target_groups": forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
            "age_min": NUMBER, "age_max": NUMBER, "staircase_step": SELECT,
            "requires_visitation": forms.CheckboxInput(attrs={"class": "form-checkbox"}),
            "account_function": SELECT, "description": AREA, "closed_on": DATE,
        }
        help_texts = {
            "unit": _("Only for own offers: the unit of the provider's centre that runs the offer."),
            "staircase_step": _("From least to most intrusive; the legal basis suggests a step."),
            "closed_on": _("The offer takes no citizens from this date and leaves the catalogue."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.order_by("kind", "name")
        self.fields["unit"].queryset = Unit.objects.select_related("centre").order_by("centre__name", "name")
        self.fields["unit"].empty_label = _("– no unit –")
        offer_types = _tree("offer_type")
        self.fields["offer_type"].queryset = Term.objects.filter(group="offer_type")
        self.fields["offer_type"].choices = [("", _("– choose –"))] + [
            (t.pk, self.fields["offer_type"].label_from_instance(t)) for t in offer_types]
        groups = _tree("target_group")
        self.fields["target_groups"].queryset = Term.objects.filter(group="target_group")
        self.fields["target_groups"].choices = [(t.pk, t.display) for t in groups]
        self.target_group_tree = groups
        for name in ("provider", "legal_basis", "staircase_step", "account_function"):
            choose(self.fields[name])

    def selected_target_groups(self) -> set[str]:
        """The target groups ticked, as strings, for the checkbox list."""
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix("target_groups")))
        if self.instance.pk:
            return {str(pk) for pk in self.instance.target_groups.values_list("pk", flat=True)}
        return set()


class TariffForm(forms.Form):
    valid_from = forms.DateField(label=_("From"), widget=DATE)
    amount = KronerField(label=_("Amount (kr.)"))
    unit = forms.ChoiceField(label=_("Unit"), choices=TariffUnit.choices, widget=SELECT)
    note = forms.CharField(label=_("Note"), required=False, max_length=200, widget=TEXT)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300, widget=REASON,
                             help_text=_("Required when the date is before today: a tariff back in time changes "
                                         "costs already booked, and is recorded as a correction."))


class TariffCorrectionForm(forms.Form):
    amount = KronerField(label=_("Correct amount (kr.)"))
    unit = forms.ChoiceField(label=_("Unit"), choices=TariffUnit.choices, widget=SELECT)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300, widget=REASON)


class PlacesForm(forms.Form):
    valid_from = forms.DateField(label=_("From"), widget=DATE)
    places = forms.IntegerField(label=_("Number of places from that date"), min_value=0, max_value=MAX_PLACES,
                                widget=NUMBER)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=REASON,
                             help_text=_("E.g. \"New wing opened\" or \"Two places closed for renovation\"."))


class PlaceCorrectionForm(forms.Form):
    """What a change in places should have been, said as a person thinks of it: the date, and the
    number of places the offer should have had from it (the page turns it into the change)."""

    valid_from = forms.DateField(label=_("Should have applied from"), widget=DATE)
    places = forms.IntegerField(label=_("Places from that date, as it should have been"), min_value=0,
                                max_value=MAX_PLACES, widget=NUMBER)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300, widget=REASON)


class StrategicVacancyForm(forms.Form):
    places = forms.IntegerField(label=_("Places held empty on purpose"), min_value=0, max_value=1000, widget=NUMBER)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=REASON)


def offer_page_forms(user, offer, posted: dict) -> dict:
    """What the offer page shows of the history of places and tariffs, and the forms ``user`` may
    use there: the catalogue editors add and correct tariffs; they and the leader of the centre
    that runs the offer set and correct places and the strategic vacancy. ``posted`` holds a form
    that came back with errors, by its prefix, shown in place of the empty one."""
    placed = set()

    def form(cls, prefix, **initial):
        placed.add(prefix)
        return posted.get(prefix) or cls(prefix=prefix, initial=initial)

    may = {action: Offer.objects.filter(offer_scope(user, action), pk=offer.pk).exists()
           for action in (OFFER_CHANGE, OFFER_PLACES)}
    tariffs, places = tariff_history(offer), place_history(offer)
    context = {"tariff_history": tariffs, "place_history": places, "can_change": may[OFFER_CHANGE],
               "can_places": may[OFFER_PLACES], "posted": set(posted)}
    if may[OFFER_CHANGE]:
        unit = tariffs[0].current.unit if tariffs else TariffUnit.DAY
        context["tariff_form"] = form(TariffForm, "tariff", unit=unit)
        for chain in tariffs:
            row = chain.current
            row.form = form(TariffCorrectionForm, f"tariff-{row.pk}", amount=row.amount, unit=row.unit)
    if may[OFFER_PLACES]:
        context["places_form"] = form(PlacesForm, "places", places=places_on(offer, datetime.date.today()))
        context["vacancy_form"] = form(StrategicVacancyForm, "vacancy", places=offer.strategic_vacancy)
        for entry in places:
            day, change = entry.as_now()
            before = places_besides(entry.original, day)
            entry.form = form(PlaceCorrectionForm, f"places-{entry.original.pk}", valid_from=day,
                              places=before + change)
            entry.form.fields["places"].help_text = _(
                "Without this change the offer has %(n)d places from that date: give %(n)d to take it back.") % {
                "n": before}
    # A posted form with no place on the page now (a correction of a row that another correction has
    # just replaced): its errors are shown at the top instead.
    context["other_errors"] = [message for prefix, bound in posted.items() if prefix not in placed
                               for messages in bound.errors.values() for message in messages]
    return context
