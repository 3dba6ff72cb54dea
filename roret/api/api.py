"""The HTTP API, version 1 (django-ninja; OpenAPI at /api/v1/docs). Endpoints are thin: they
call the same services and queries as the pages."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema
from ninja.security import django_auth

from roret.api import caseflow, catalogue, errors, idempotency, records, steering, writes  # noqa: F401 (records, writes add to caseflow's router)
from roret.api.access import NOT_FOUND, citizen_or_404, require
from roret.api.auth import TokenAuth
from roret.api.caseflow import GrantOut, PlacementOut, grant_row, placement_row
from roret.api.docs import LocalSwagger
from roret.api.pagination import Page, Paging, page
from roret.citizens import services as citizen_services
from roret.citizens.lists import CITIZENS
from roret.citizens.models import Citizen
from roret.core import access_reasons, audit, lists
from roret.core.permissions import CASE_READERS, CASE_ROLES, VIEW, NotInScope

REASON_REQUIRED = ("Din rolle skal angive en begrundelse for adgang til borgerens journal: send den i headeren "
                   f"{access_reasons.HEADER} (mindst {access_reasons.MIN_LENGTH} tegn).")


class RoretAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The schema, with the Idempotency-Key header declared on every unsafe operation and every
        refusal each operation can answer (roret/api/errors.py)."""
        return errors.document(idempotency.document(super().get_openapi_schema(**kwargs)))


# The docs and the OpenAPI schema are for logged-in users only: the schema names every endpoint.
# A token in the Authorization header first (no CSRF token needed), else the session (with it).
api = RoretAPI(title="roret API", version="1", urls_namespace="api", auth=[TokenAuth(), django_auth],
               docs=LocalSwagger(), docs_decorator=login_required,
               description="An API token (Authorization: Bearer <token>; make one under My account, "
                           "API tokens) or the session (log in at /login/; unsafe methods then need "
                           "Django's CSRF token in the X-CSRFToken header). Unsafe methods take an "
                           "Idempotency-Key header. See docs/api.md.")
# Every unsafe operation, now and later, honours the Idempotency-Key header (roret/api/idempotency.py).
api.add_decorator(idempotency.idempotent, mode="view")
# One error body for every refusal (roret/api/errors.py).
errors.install(api)


SEARCH_BY_POST = ("Søg med POST /api/v1/citizens/search og søgeordet i indholdet: et CPR-nummer må ikke stå i "
                  "en adresse (den havner i logfiler og browserhistorik).")


class CitizenListItem(Schema):
    id: int
    name: str
    cpr_masked: str
    age: int
    team: str | None


class CitizenDetail(Schema):
    id: int
    name: str
    cpr: str
    birth_date: datetime.date
    age: int
    address: str
    team: str | None
    grants: list[GrantOut]
    placements: list[PlacementOut]


def _citizen_item(c) -> dict:
    return {"id": c.pk, "name": c.name, "cpr_masked": c.cpr_masked, "age": c.age(),
            "team": c.team.name if c.team_id else None}


class CitizenSearch(Schema):
    q: str


# The citizen paths use the int converter ({int:citizen_id}), so "citizens/search" never
# reaches them whatever the order (a GET on it answers 405, as tests/api/test_citizen_search.py checks).
@api.post("/citizens/search", response=Page[CitizenListItem], tags=["citizens"])
def search_citizens(request, body: CitizenSearch, paging: Query[Paging]):
    """Citizens in your scope whose CPR number equals ``q`` or whose name starts with it.

    A POST with the term in the JSON body, so a CPR number never stands in a URL or an access
    log (as on the search page). A CPR search is audited."""
    require(request, CASE_ROLES)
    return page(list(citizen_services.search(request.user, body.q, channel="api")), paging, _citizen_item)


@api.get("/citizens", response=Page[CitizenListItem], tags=["citizens"])
def list_citizens(request, paging: Query[Paging],
                  team_id: int | None = Query(None, description="The responsible team."),
                  paragraph: str | None = Query(None, description="With a grant in force today under this legal "
                                                                  "basis (e.g. SEL108)."),
                  offer_id: int | None = Query(None, description="Placed in this offer today.")):
    """The citizens in your scope by name, as the citizens page lists them (its filters: team,
    grant in force, current placement); the page of citizens returned is audited as a list. A filter
    value that is not among the page's choices for you gets 422 naming it."""
    require(request, CASE_READERS)
    if "q" in request.GET:  # a search term (a CPR number) never stands in an address: POST /citizens/search
        raise ValidationError({"q": SEARCH_BY_POST})
    asked = {"team": team_id, "paragraph": paragraph, "offer": offer_id}
    data = {key: str(value) for key, value in asked.items() if value is not None}
    rows, chosen, _shown, _problems, _sort, _desc = lists.filtered(
        CITIZENS, Citizen.objects.restrict(request.user, VIEW), data, request.user)
    unknown = [key for key in data if key not in chosen]
    if unknown:
        names = {"team": "team_id", "paragraph": "paragraph", "offer": "offer_id"}
        raise ValidationError({names[key]: _("%(field)s: choose one of the list's options.") % {"field": names[key]}
                               for key in unknown})
    result = page(rows.select_related("team"), paging, _citizen_item)
    audit.listed(request.user, "citizens", [c["id"] for c in result["items"]], channel="api")
    return result


@api.get("/citizens/{int:citizen_id}", response=CitizenDetail, tags=["citizens"])
def get_citizen(request, citizen_id: int):
    """One citizen's record (audited as a view)."""
    require(request, CASE_ROLES)
    citizen = citizen_or_404(request, citizen_id)
    grants = citizen.grants.select_related("offer_type")
    placements = citizen.placements.select_related("offer")
    return {
        **_citizen_item(citizen), "cpr": citizen.cpr, "birth_date": citizen.birth_date,
        "address": citizen.address,
        "grants": [grant_row(g) for g in grants],
        "placements": [placement_row(p) for p in placements],
    }


@api.exception_handler(NotInScope)
def not_in_scope(request, exc):
    """The gate's refusal, from any service an endpoint calls: 404, as the pages answer."""
    return api.create_response(request, errors.body(NOT_FOUND), status=404)


@api.exception_handler(access_reasons.ReasonRequired)
def reason_required(request, exc):
    """The caller's role gives a reason for access (settings.ACCESS_REASON_ROLES): 403 until the
    request carries one in the X-Access-Reason header (docs/api.md)."""
    return api.create_response(request, errors.body(REASON_REQUIRED), status=403)


api.add_router("", caseflow.router)
api.add_router("", catalogue.router)
api.add_router("", steering.router)
