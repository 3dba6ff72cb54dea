"""Pages that change the offer catalogue: providers and offers for the catalogue editors, tariffs
on the offer's page for them, places and strategic vacancy for them and the leader of the centre
that runs the offer. Thin: the forms parse, roret.offers.services checks scope, writes and audits.

A form on the offer's page posts to its own address; a refusal shows the offer's page again with
that form's errors (400), success goes back to it with a message. A GET of such an address goes to
the offer's page.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from roret.core import permissions
from roret.core.access import role_required
from roret.core.forms import apply_errors
from roret.core.permissions import CATALOGUE_EDITORS, OFFER_CHANGE, OFFER_PLACES, PLACE_EDITORS
from roret.offers import forms, services
from roret.offers.models import Offer, PlaceChange, Provider, Tariff
from roret.offers.views import detail_page


def _tariff_text(row: Tariff) -> str:
    """A tariff as the page's message says it: 2.400,50 kr. pr. dag."""
    return f"{number_format(row.amount, 2, force_grouping=True)} kr. {row.get_unit_display()}"


def _to_offer(offer_id: int, anchor: str = ""):
    return redirect(reverse("offers:detail", kwargs={"pk": offer_id}) + anchor)


def _refused(request, offer_id: int, form):
    return detail_page(request, offer_id, forms={form.prefix: form}, status=400)


# --- providers -------------------------------------------------------------------------------

@role_required(CATALOGUE_EDITORS)
def provider_list(request):
    today = datetime.date.today()
    still_open = Q(offers__closed_on__isnull=True) | Q(offers__closed_on__gt=today)
    providers = (Provider.objects.select_related("centre").order_by("kind", "name")
                 .annotate(open_offers=Count("offers", filter=still_open),
                           closed_offers=Count("offers", filter=Q(offers__closed_on__lte=today))))
    return render(request, "offers/providers.html", {"providers": providers})


def _provider_form(request, provider: Provider | None):
    form = forms.ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        if provider is not None and not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return redirect("offers:provider_edit", provider_pk=provider.pk)
        try:
            saved = services.save_provider(form.instance, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, (_("The provider %(name)s is created.") if provider is None else
                                       _("The provider %(name)s is changed.")) % {"name": saved.name})
            return redirect("offers:provider_edit", provider_pk=saved.pk)
    offers = (Offer.objects.filter(provider=provider).order_by("closed_on", "name") if provider is not None
              else Offer.objects.none())
    return render(request, "offers/provider_form.html", {"form": form, "provider": provider, "offers": offers,
                                                         "today": datetime.date.today()},
                  status=400 if form.errors else 200)


@role_required(CATALOGUE_EDITORS)
def provider_create(request):
    return _provider_form(request, None)


@role_required(CATALOGUE_EDITORS)
def provider_edit(request, provider_pk):
    return _provider_form(request, get_object_or_404(Provider, pk=provider_pk))


# --- offers ----------------------------------------------------------------------------------

def _offer_form(request, offer: Offer | None):
    initial = {}
    if offer is None and request.GET.get("provider"):
        initial["provider"] = request.GET["provider"]
    form = forms.OfferForm(request.POST or None, instance=offer, initial=initial)
    if request.method == "POST" and form.is_valid():
        if offer is not None and not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return _to_offer(offer.pk)
        try:
            saved = services.save_offer(form.instance, actor=request.user,
                                        target_groups=list(form.cleaned_data["target_groups"]),
                                        reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if offer is None:
                messages.success(request, _("The offer %(name)s is created. Give it a tariff and, for an own offer, "
                                            "its places.") % {"name": saved.name})
            else:
                messages.success(request, _("The offer %(name)s is changed.") % {"name": saved.name})
            if saved.closed_on and saved.closed_on <= datetime.date.today():
                # A closed offer has left the catalogue; its provider's page still lists it.
                return redirect("offers:provider_edit", provider_pk=saved.provider_id)
            return _to_offer(saved.pk)
    return render(request, "offers/offer_form.html", {"form": form, "offer": offer},
                  status=400 if form.errors else 200)


@role_required(CATALOGUE_EDITORS)
def offer_create(request):
    return _offer_form(request, None)


@role_required(CATALOGUE_EDITORS)
def offer_edit(request, pk):
    return _offer_form(request, permissions.fetch_offer(request.user, OFFER_CHANGE, pk))


# --- tariffs ---------------------------------------------------------------------------------

@role_required(CATALOGUE_EDITORS)
def tariff_add(request, pk):
    offer = permissions.fetch_offer(request.user, OFFER_CHANGE, pk)
    if request.method != "POST":
        return _to_offer(offer.pk, "#tariffs")
    form = forms.TariffForm(request.POST, prefix="tariff")
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = services.add_tariff(offer, valid_from=data["valid_from"], amount=data["amount"], unit=data["unit"],
                                      note=data["note"], reason=data["reason"], actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("New tariff for %(offer)s from %(day)s: %(tariff)s.")
                             % {"offer": offer, "day": f"{row.valid_from:%d.%m.%Y}", "tariff": _tariff_text(row)})
            return _to_offer(offer.pk, "#tariffs")
    return _refused(request, offer.pk, form)


@role_required(CATALOGUE_EDITORS)
def tariff_correct(request, tariff_pk):
    row = get_object_or_404(Tariff.history.select_related("offer"), pk=tariff_pk)
    offer = permissions.fetch_offer(request.user, OFFER_CHANGE, row.offer_id)
    if request.method != "POST":
        return _to_offer(offer.pk, "#tariffs")
    form = forms.TariffCorrectionForm(request.POST, prefix=f"tariff-{row.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            correction = services.correct_tariff(row, amount=data["amount"], unit=data["unit"], reason=data["reason"],
                                                 actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The tariff from %(day)s is corrected to %(tariff)s.")
                             % {"day": f"{row.valid_from:%d.%m.%Y}", "tariff": _tariff_text(correction)})
            return _to_offer(offer.pk, "#tariffs")
    return _refused(request, offer.pk, form)


# --- places ----------------------------------------------------------------------------------

@role_required(PLACE_EDITORS)
def places_set(request, pk):
    offer = permissions.fetch_offer(request.user, OFFER_PLACES, pk)
    if request.method != "POST":
        return _to_offer(offer.pk, "#places")
    form = forms.PlacesForm(request.POST, prefix="places")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_places(offer, valid_from=data["valid_from"], places=data["places"], reason=data["reason"],
                                actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(offer)s has %(n)d places from %(day)s.")
                             % {"offer": offer, "n": data["places"], "day": f"{data['valid_from']:%d.%m.%Y}"})
            return _to_offer(offer.pk, "#places")
    return _refused(request, offer.pk, form)


@role_required(PLACE_EDITORS)
def place_correct(request, change_pk):
    row = get_object_or_404(PlaceChange.objects.select_related("offer"), pk=change_pk)
    offer = permissions.fetch_offer(request.user, OFFER_PLACES, row.offer_id)
    if request.method != "POST":
        return _to_offer(offer.pk, "#places")
    form = forms.PlaceCorrectionForm(request.POST, prefix=f"places-{row.pk}")
    if form.is_valid():
        data = form.cleaned_data
        change = data["places"] - services.places_besides(row, data["valid_from"])
        try:
            services.correct_place_change(row, valid_from=data["valid_from"], change=change,
                                          reason=data["reason"], actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc, rename={"change": "places"})
        else:
            messages.success(request, _("The change in places from %(day)s is corrected.")
                             % {"day": f"{row.valid_from:%d.%m.%Y}"})
            return _to_offer(offer.pk, "#places")
    return _refused(request, offer.pk, form)


@role_required(PLACE_EDITORS)
def strategic_vacancy(request, pk):
    offer = permissions.fetch_offer(request.user, OFFER_PLACES, pk)
    if request.method != "POST":
        return _to_offer(offer.pk, "#places")
    form = forms.StrategicVacancyForm(request.POST, prefix="vacancy")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_strategic_vacancy(offer, places=data["places"], reason=data["reason"], actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc, rename={"strategic_vacancy": "places"})
        else:
            messages.success(request, _("%(offer)s holds %(n)d places empty on purpose.")
                             % {"offer": offer, "n": data["places"]})
            return _to_offer(offer.pk, "#places")
    return _refused(request, offer.pk, form)
