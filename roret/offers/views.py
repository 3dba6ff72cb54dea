"""Offer catalogue pages."""

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from roret.core import audit, lists
from roret.core.access import role_required
from roret.core.permissions import (
    CASE_ROLES,
    CATALOGUE_EDITORS,
    CATALOGUE_ROLES,
    VIEW,
    citizen_scope,
    has_role,
    suppresses,
)
from roret.offers import catalogue_export
from roret.offers.forms import offer_page_forms
from roret.offers.lists import OFFERS
from roret.offers.queries import catalogue, committee_catalogue, totals, with_vacancy
from roret.placements.models import Grant, Placement

# The catalogue editors (the administrator among them) read the catalogue they keep.
VIEW_ROLES = CATALOGUE_ROLES | CATALOGUE_EDITORS
TOTAL_FIELDS = ("occupied", "vacancy", "sold", "waiting")


def _parse_day(request) -> datetime.date:
    """The day asked for (?day=), else today. The committee always sees today: two days' figures
    set side by side could give away a hidden cell (docs/suppression.md)."""
    raw = request.GET.get("day")
    if suppresses(request.user):
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(raw) if raw else datetime.date.today()
    except ValueError:
        return datetime.date.today()


def _totals(rows, view, line: str) -> dict:
    return totals(rows) | {"hidden": {n for n in TOTAL_FIELDS if view.total_hidden(line, n)}}


@role_required(VIEW_ROLES)
def offer_list(request):
    day = _parse_day(request)
    suppress = suppresses(request.user)
    # The whole catalogue, then the part asked for: the committee's pattern is the same whatever is
    # shown, and the totals are the whole own and external catalogue's (a filtered total beside the
    # whole one would tell a hidden cell by difference).
    view = committee_catalogue(day, suppress=suppress)
    page = lists.page_of(OFFERS, view.rows, request.GET, request.user,
                         keep={"day": day.isoformat() if request.GET.get("day") and not suppress else ""})
    kind = page.params.get("kind", "")
    own_all = [o for o in view.rows if o.is_own_row] if kind != "external" else []
    external_all = [o for o in view.rows if not o.is_own_row] if kind != "own" else []
    return render(request, "offers/list.html", {
        "page": page, "own": [o for o in page.rows if o.is_own_row],
        "external": [o for o in page.rows if not o.is_own_row], "show_own": bool(own_all),
        "show_external": bool(external_all), "day": day, "kind": kind, "today_only": suppress,
        "own_totals": _totals(own_all, view, "own"), "external_totals": _totals(external_all, view, "external"),
        "any_hidden": any(o.hidden for o in own_all + external_all) or bool(view.totals),
        "can_edit": has_role(request.user, CATALOGUE_EDITORS),
        # The files hold the whole catalogue on the page's day (the committee's: today, suppressed).
        "download_query": f"?day={day.isoformat()}" if request.GET.get("day") and not suppress else "",
    })


@role_required(VIEW_ROLES)
def offer_detail(request, pk):
    return detail_page(request, pk)


def detail_page(request, pk, *, forms: dict | None = None, status: int = 200):
    """The offer's page: facts, figures, places and tariffs over time with their corrections, and
    for those who may change them the forms (``forms`` holds a form that was posted with errors)."""
    day = _parse_day(request)
    if suppresses(request.user):
        offer = next((o for o in committee_catalogue(day).rows if o.pk == pk), None)
        if offer is None:
            raise Http404("no open offer with that id")
    else:
        offer = get_object_or_404(catalogue(day), pk=pk)
        with_vacancy([offer])
        offer.hidden = set()
    residents = None
    waiting = None
    if has_role(request.user, CASE_ROLES):
        visible = citizen_scope(request.user, VIEW, via="citizen")
        residents = (Placement.objects.filter(visible, offer=offer).active_on(day)
                     .select_related("citizen").order_by("start"))
        waiting = list(Grant.objects.waiting_on(day).filter(visible, preferred_offer=offer)
                       .select_related("citizen").order_by("start"))
        residents = list(residents)
        audit.listed(request.user, "offer_people", [p.citizen_id for p in residents] + [g.citizen_id for g in waiting],
                     detail=f"{offer.name}: {len(residents)} beboere, {len(waiting)} på venteliste")
    return render(request, "offers/detail.html", {
        "offer": offer, "day": day, "today_only": suppresses(request.user),
        "target_groups": offer.target_groups.all(),
        "residents": residents, "waiting": waiting,
        "hidden_residents": offer.occupied - (len(residents) if residents is not None else 0),
        **offer_page_forms(request.user, offer, forms or {}),
    }, status=status)


@role_required(VIEW_ROLES)
def catalogue_download(request, fmt: str):
    """The catalogue on the page's day as CSV, .xlsx or JSON in Tilbudsportalen's terms (the
    committee's today and suppressed as its page), audited as an export."""
    built, data = catalogue_export.export(request.user, fmt, _parse_day(request))
    response = HttpResponse(data, content_type=catalogue_export.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{catalogue_export.filename(built.day, fmt)}"'
    return response
