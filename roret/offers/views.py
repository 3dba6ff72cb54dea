"""Offer catalogue pages."""

import datetime

from django.shortcuts import get_object_or_404, render

from roret.core.access import role_required
from roret.core.permissions import (
    CASE_ROLES,
    CATALOGUE_EDITORS,
    CATALOGUE_ROLES,
    VIEW,
    citizen_scope,
    has_role,
)
from roret.offers.forms import offer_page_forms
from roret.offers.models import ProviderKind
from roret.offers.queries import catalogue, totals, with_vacancy
from roret.placements.models import Grant, Placement

# The catalogue editors (the administrator among them) read the catalogue they keep.
VIEW_ROLES = CATALOGUE_ROLES | CATALOGUE_EDITORS


def _parse_day(request) -> datetime.date:
    raw = request.GET.get("day")
    try:
        return datetime.date.fromisoformat(raw) if raw else datetime.date.today()
    except ValueError:
        return datetime.date.today()


@role_required(VIEW_ROLES)
def offer_list(request):
    day = _parse_day(request)
    kind = request.GET.get("kind", "")
    offers = catalogue(day)
    if kind == "own":
        offers = offers.filter(provider__kind=ProviderKind.OWN)
    elif kind == "external":
        offers = offers.exclude(provider__kind=ProviderKind.OWN)
    rows = with_vacancy(offers.order_by("provider__name", "name"))
    own = [o for o in rows if o.is_own_row]
    external = [o for o in rows if not o.is_own_row]
    return render(request, "offers/list.html", {
        "own": own, "external": external, "day": day, "kind": kind,
        "own_totals": totals(own), "external_totals": totals(external),
        "can_edit": has_role(request.user, CATALOGUE_EDITORS),
    })


@role_required(VIEW_ROLES)
def offer_detail(request, pk):
    return detail_page(request, pk)


def detail_page(request, pk, *, forms: dict | None = None, status: int = 200):
    """The offer's page: facts, figures, places and tariffs over time with their corrections, and
    for those who may change them the forms (``forms`` holds a form that was posted with errors)."""
    day = _parse_day(request)
    offer = get_object_or_404(catalogue(day), pk=pk)
    with_vacancy([offer])
    residents = None
    waiting = None
    if has_role(request.user, CASE_ROLES):
        visible = citizen_scope(request.user, VIEW, via="citizen")
        residents = (Placement.objects.filter(visible, offer=offer).active_on(day)
                     .select_related("citizen").order_by("start"))
        waiting = (Grant.objects.waiting_on(day).filter(visible, preferred_offer=offer)
                   .select_related("citizen").order_by("start"))
    return render(request, "offers/detail.html", {
        "offer": offer, "day": day,
        "target_groups": offer.target_groups.all(),
        "residents": residents, "waiting": waiting,
        "hidden_residents": offer.occupied - (len(residents) if residents is not None else 0),
        **offer_page_forms(request.user, offer, forms or {}),
    }, status=status)
