"""Home page, the administrator's audit log search with the mass-read alarms, and the page that
asks for the reason for access.

They read across the apps (citizens, offers, placements, outcomes, visitation), which roret.core
may not import (the import contracts in pyproject.toml), so they live in this small app."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from roret.core import access_reasons, audit
from roret.core.access import role_required
from roret.core.forms import REASON
from roret.core.models import AuditAction, AuditEntry, MassReadAlarm, Role
from roret.core.parsing import id_or_none


@login_required
def home(request):
    from roret.citizens.models import Citizen
    from roret.offers.queries import catalogue, with_vacancy
    from roret.placements.models import LARGE_CASELOAD, Grant

    user = request.user
    today = datetime.date.today()
    context = {"today": today}
    if user.role in (Role.CASEWORKER, Role.CENTRE_STAFF, Role.CENTRE_LEADER):
        mine = Citizen.objects.restrict(user, "view")
        context["citizen_count"] = mine.count()
        context["waiting_count"] = (Grant.objects.waiting_on(today)
                                    .of_citizens(mine.values("pk"), many=context["citizen_count"] > LARGE_CASELOAD)
                                    .count())
        context.update(_work_list(user, today))
    if user.role in (Role.CENTRE_STAFF, Role.CENTRE_LEADER) and user.centre_id:
        context["centre_offers"] = with_vacancy(catalogue(today).filter(provider__centre_id=user.centre_id))
    if user.role in (Role.ECONOMIST, Role.COMMITTEE, Role.CASEWORKER, Role.LEADER):
        # The committee's figures are the offer catalogue's totals, hidden as on the offer list.
        from roret.core.permissions import suppresses
        from roret.offers.queries import department_figures

        context.update(department_figures(today, suppress=suppresses(user)))
    if user.role in (Role.CASEWORKER, Role.LEADER):
        context.update(_meetings(user, today))
    if user.role == Role.ADMIN:
        context["audit_today"] = AuditEntry.objects.filter(at__gte=_day_start(today),
                                                           at__lt=_day_start(today + datetime.timedelta(days=1))).count()
        context["open_alarms"] = MassReadAlarm.objects.filter(handled_at__isnull=True).count()
    return render(request, "front/home.html", context)


URGENT_ROWS = 5


def _meetings(user, today: datetime.date) -> dict:
    """The visitation meeting on the overview: a caseworker's cases waiting for it and those sent
    back (named, audited as the work list), a leader's next meeting with its agenda size."""
    from roret.meetings import queries as meeting_queries

    if user.role == Role.LEADER:
        upcoming = meeting_queries.upcoming(today).first()
        return {"meeting": {"next": upcoming, "agenda": upcoming.proposals.count() if upcoming else 0,
                            "unscheduled": meeting_queries.waiting(user).filter(meeting__isnull=True).count()}}
    waiting = list(meeting_queries.waiting(user)[:URGENT_ROWS])
    sent_back = list(meeting_queries.sent_back(user)[:URGENT_ROWS])
    audit.listed(user, "work_list", [p.citizen_id for p in waiting + sent_back], detail="visitationsmøde")
    return {"meeting": {"waiting": waiting, "waiting_count": meeting_queries.waiting(user).count(),
                        "sent_back": sent_back}}


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight starting ``day`` in the local time zone: a day's audit entries are a range of the
    indexed time, which ``at__date`` (a function of every row's time) cannot use. 1.4 s at
    100,000 audit entries for the administrator's overview."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _work_list(user, today: datetime.date) -> dict:
    """What needs doing first, for the overview: cases past or near their deadline (caseworkers)
    and overdue follow-ups, counted, with the most urgent few named. The full lists live on the
    cases and follow-up pages; these read through the same queries."""
    from roret.outcomes import queries as outcome_queries
    from roret.visitation import queries as case_queries

    work = {"follow_ups": outcome_queries.follow_up_counts(user, today),
            "overdue_follow_ups": [r for r in outcome_queries.follow_ups_due(user, today, limit=URGENT_ROWS)
                                   if r.overdue]}
    if user.role == Role.CASEWORKER:
        cases = case_queries.open_inquiries(user, today)
        work["deadlines"] = case_queries.deadline_summary(cases, user)
        work["urgent_cases"] = [r for r in cases if r.deadline_status in ("past", "near")][:URGENT_ROWS]
        work["near_days"] = case_queries.deadlines.NEAR_WORKING_DAYS
        work["youth_count"] = case_queries.open_youth_transitions(user).count()
    audit.listed(user, "work_list", [r.citizen_id for r in work["overdue_follow_ups"] + work.get("urgent_cases", [])])
    return {"work": work}


@role_required(Role.ADMIN)
def audit_log(request):
    """Search the audit log by user, action, citizen and period [from, to): "to" is the first day
    not included, as in every period in roret.

    A citizen is searched by CPR number in a POST form; the number is turned into the
    citizen's id at once, so it never stands in a URL (nor in a web server's access log).
    """
    from django.shortcuts import redirect

    from roret.citizens import cpr as cprlib
    from roret.citizens.models import Citizen

    errors = []
    params = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        query = params.copy()
        query.pop("csrfmiddlewaretoken", None)
        number = query.pop("cpr", [""])[0].strip()
        if number:
            try:
                number = cprlib.validate(number)
            except Exception as exc:  # ValidationError: shown on the page
                errors.append(" ".join(getattr(exc, "messages", [str(exc)])))
            else:
                citizen = Citizen.objects.with_cpr(number).values_list("pk", flat=True)
                query["citizen"] = str(citizen[0]) if citizen else "0"
        if not errors:
            return redirect(f"{request.path}?{query.urlencode()}")
    entries = AuditEntry.objects.select_related("actor")
    if params.get("user"):
        entries = entries.filter(actor_name__iexact=params["user"].strip())
    if params.get("action") in AuditAction.values:
        entries = entries.filter(action=params["action"])
    if params.get("citizen"):
        try:
            entries = entries.filter(citizen_id=int(params["citizen"]))
        except ValueError:
            errors.append(f"{params['citizen']!r} er ikke et borger-id.")
    for key, lookup in (("from", "at__gte"), ("to", "at__lt")):
        if params.get(key):
            try:
                entries = entries.filter(**{lookup: _day_start(datetime.date.fromisoformat(params[key]))})
            except ValueError:
                errors.append(f"{params[key]!r} er ikke en dato (ÅÅÅÅ-MM-DD).")
    if params.get("text"):
        entries = entries.filter(summary__icontains=params["text"])
    page = Paginator(entries.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "front/audit_log.html", {
        "page": page, "actions": AuditAction.choices, "params": params, "errors": errors,
        "query": query.urlencode(), **_alarms(),
    })


def _alarms() -> dict:
    """The mass-read alarms for the audit log page: every open one, and the last handled ones."""
    alarms = MassReadAlarm.objects.select_related("user", "handled_by")
    return {"open_alarms": list(alarms.filter(handled_at__isnull=True).order_by("-raised_at")),
            "handled_alarms": list(alarms.filter(handled_at__isnull=False).order_by("-handled_at")[:10]),
            "alarm_rule": {"records": settings.MASS_READ_RECORDS, "minutes": settings.MASS_READ_MINUTES,
                           "deactivate": settings.MASS_READ_DEACTIVATE}}


@role_required(Role.ADMIN)
@require_POST
def alarm_handle(request, pk):
    """The administrator has looked into a mass-read alarm and says what was found (audited)."""
    alarm = get_object_or_404(MassReadAlarm, pk=pk)
    try:
        audit.handle_alarm(alarm, actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The alarm is marked as handled."))
    return redirect("core:audit_log")


class AccessReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why do you open the record?"), widget=REASON,
                             min_length=access_reasons.MIN_LENGTH, max_length=access_reasons.MAX_LENGTH,
                             help_text=gettext_lazy("For example: the follow-up meeting on Thursday, or an inquiry "
                                                    "from the citizen's relative. At least 10 characters."))


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: redirect() would read any other word as a URL name to reverse.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                  require_https=request.is_secure()):
        return target
    from django.urls import reverse

    return reverse("home")


@login_required
def access_reason(request):
    """Ask why the user opens a citizen's record (roles in ``ACCESS_REASON_ROLES``), once per
    citizen and session; the reason stands on the audit entries of what they then open.

    The page says nothing about the citizen: the id comes from the link the user followed, and
    whether the record may be opened is the gate's answer when they go on."""
    citizen_id = id_or_none(request.POST.get("citizen") or request.GET.get("citizen"))
    form = AccessReasonForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if citizen_id is not None:
            access_reasons.remember(request, citizen_id, form.cleaned_data["reason"])
            return redirect(_safe_next(request))
        form.add_error(None, _("The link to the record is incomplete: go back and open the record again."))
    return render(request, "front/access_reason.html", {
        "form": form, "citizen_id": citizen_id or "", "next": _safe_next(request)})
