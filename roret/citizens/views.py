"""Citizen pages: search, the citizen record, and the citizen's access log."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.citizens import cpr as cprlib
from roret.citizens import services
from roret.citizens.forms import ConsentForm, RelativeForm
from roret.citizens.lists import CITIZENS
from roret.citizens.models import Citizen, Consent
from roret.core import audit, lists, permissions
from roret.core.access import role_required
from roret.core.forms import apply_errors
from roret.core.permissions import CASE_READERS, CASEWORKERS, CHANGE, EXPORT, VIEW
from roret.journal.corrections import citizen_history
from roret.offers.models import TariffUnit
from roret.placements.models import Grant, Placement
from roret.placements.queries import with_current_tariff
from roret.reports import list_export

#: The newest corrections the citizen page shows (each record's page shows all of its own).
CORRECTIONS_SHOWN = 50


@role_required(CASE_READERS)
def search(request):
    # The form posts, so a CPR number never stands in a URL or an access log; a name search
    # may also come as ?q= (bookmarks, links).
    query = (request.POST if request.method == "POST" else request.GET).get("q", "").strip()
    # A CPR number in a URL ends up in browser history and proxy logs, so a GET is a name search
    # only: a term with a digit in it (a whole or part CPR number) is not searched, and the page
    # sends the browser on to the bare search page, so the number is echoed nowhere.
    if request.method != "POST" and any(c.isdigit() for c in query):
        messages.error(request, _("A CPR number is searched only through the search field, not in the page's "
                                  "address (an address ends up in browser history and logs). Type the number "
                                  "in the field and press Search."))
        return redirect("citizens:search")
    results = list(services.search(request.user, query)) if query else []
    is_cpr = cprlib.looks_like_cpr(query)
    # Without a search: the citizens in the user's scope as a filtered, sorted and paged list.
    page = None if query else lists.page_of(CITIZENS, Citizen.objects.restrict(request.user, VIEW), request.GET,
                                             request.user, load=lambda cut: list(cut.select_related("team")))
    if page is not None and request.GET.get("format") == "xlsx":
        rows = page.filtered.select_related("team")
        cells = [[c.name, c.cpr_masked, c.age(), str(c.team or "")] for c in rows]
        return list_export.response(request.user, "citizens", [c.label for c in CITIZENS.columns], cells,
                                    citizen_ids=[c.pk for c in rows], filename="borgere")
    if page is not None:
        audit.listed(request.user, "citizens", [c.pk for c in page.rows])
    return render(request, "citizens/search.html", {
        "page": page, "export_url": page.export_query if page and permissions.has_role(
            request.user, permissions.LIST_EXPORTERS) else "",
        # A CPR number is not echoed back into the page: the caption shows it masked.
        "query": query, "query_value": "" if is_cpr else query,
        "query_shown": cprlib.mask(query) if is_cpr else query,
        "results": results, "limit": services.SEARCH_LIMIT,
        "today": datetime.date.today(),
    })


@role_required(CASE_READERS)
def detail(request, pk):
    return _detail(request, services.get_citizen(request.user, pk))


def _detail(request, citizen, *, relative_form=None, consent_form=None):
    """The citizen's record page; after a refused relative or consent, with that form as typed and
    its errors (listed at the top of the page and at each field)."""
    today = datetime.date.today()
    placements = list(with_current_tariff(
        Placement.objects.filter(citizen=citizen).select_related("offer__provider"), today))
    by_grant = {}
    for placement in placements:
        by_grant.setdefault(placement.grant_id, []).append(placement)
    grant_rows = []
    for grant in Grant.objects.filter(citizen=citizen).select_related("offer_type", "preferred_offer"):
        current = [p for p in by_grant.get(grant.pk, []) if p.is_active_on(today)]
        in_force = grant.start <= today and (grant.end is None or grant.end > today)
        grant_rows.append({"grant": grant, "current": current, "waiting": in_force and not current,
                           "in_force": in_force})
    units = dict(TariffUnit.choices)
    for placement in placements:
        placement.tariff_unit_label = units.get(placement.tariff_unit, "")
    placement_rows = [{"placement": p, "active": p.is_active_on(today)} for p in placements]
    return render(request, "citizens/detail.html", {
        "citizen": citizen, "today": today, "grants": grant_rows, "placements": placement_rows,
        "relatives": citizen.relatives.all(), "consents": citizen.consents.all(),
        "target_groups": citizen.target_groups.all(),
        "can_print_access_log": permissions.has_role(request.user, CASEWORKERS),
        "can_change": permissions.has_role(request.user, CASEWORKERS),
        "relative_form": relative_form or RelativeForm(),
        "consent_form": consent_form or ConsentForm(initial={"given_on": today}),
        "corrections": citizen_history(citizen, CORRECTIONS_SHOWN),
    })


@role_required(CASEWORKERS)
@require_POST
def add_relative(request, pk):
    citizen = permissions.fetch(request.user, CHANGE, Citizen, pk)
    form = RelativeForm(request.POST)
    if form.is_valid():
        try:
            services.add_relative(citizen, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The relative was added."))
            return redirect("citizens:detail", pk=citizen.pk)
    return _detail(request, services.get_citizen(request.user, pk), relative_form=form)


@role_required(CASEWORKERS)
@require_POST
def add_consent(request, pk):
    citizen = permissions.fetch(request.user, CHANGE, Citizen, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.record_consent(citizen, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("citizens:detail", pk=citizen.pk)
    return _detail(request, services.get_citizen(request.user, pk), consent_form=form)


@role_required(CASEWORKERS)
@require_POST
def withdraw_consent(request, pk, consent_id):
    consent = permissions.fetch(request.user, CHANGE, Consent.objects.filter(citizen_id=pk), consent_id)
    citizen = consent.citizen
    try:
        services.withdraw_consent(consent, actor=request.user, on=datetime.date.today())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The consent was withdrawn."))
    return redirect("citizens:detail", pk=citizen.pk)


@role_required(CASEWORKERS)
def access_log(request, pk):
    """The citizen's right of access: who has looked at the record, and when (printable)."""
    citizen = services.get_citizen(request.user, pk, action=EXPORT,
                                   summary="Udskrift af borgerens adgangslog")
    entries = services.access_log(citizen).select_related("actor")[:1000]
    return render(request, "citizens/access_log.html", {
        "citizen": citizen, "entries": entries, "printed_at": datetime.datetime.now(),
    })


