"""The citizen's own pages (easy-read Danish, large touch targets) and the caseworker's page that
issues and revokes the invitations to them. Thin: parse, authorise, call a service, render."""

from __future__ import annotations

import datetime

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.citizens import services as citizen_services
from roret.core import text_limits
from roret.core.access import role_required
from roret.core.permissions import CASEWORKERS, CHANGE, CITIZENS
from roret.helm import services
from roret.helm.models import CitizenAccount, GoalRating, PlanResponse
from roret.outcomes import instruments
from roret.outcomes.models import FollowUp, Goal, GoalProgress, GoalStatus, Measurement
from roret.outcomes.services import OutcomeError, record_measurement
from roret.placements.models import Grant
from roret.reports.toolkit.charts import Series, line_chart

ISSUED_KEY = "roret_helm_issued"


# --- the caseworker's side ---------------------------------------------------------------------


@role_required(CASEWORKERS)
def invitations(request, citizen_id):
    """The citizen's invitations to their own page: issue a new one (shown once), revoke one."""
    citizen = citizen_services.get_citizen(request.user, citizen_id, action=CHANGE,
                                           summary="Invitationer til borgerens egen side vist")
    if request.method == "POST":
        issued = services.issue_invitation(citizen, actor=request.user)
        # Shown once, on the next page, then gone: only digests are stored.
        request.session[ISSUED_KEY] = {"pk": issued.invitation.pk, "token": issued.token, "code": issued.code}
        return redirect("helm:invitations", citizen_id=citizen.pk)
    shown = request.session.pop(ISSUED_KEY, None)
    fresh = None
    if shown:
        fresh = {"pk": shown["pk"], "code": services.show_code(shown["code"]),
                 "link": request.build_absolute_uri(reverse("helm:redeem", args=[shown["token"]]))}
    return render(request, "helm/invitations.html", {
        "citizen": citizen, "invitations": services.invitations_of(citizen), "fresh": fresh,
        "account": CitizenAccount.objects.filter(citizen=citizen).select_related("user").first()})


@role_required(CASEWORKERS)
@require_POST
def revoke(request, invitation_pk):
    """Revoke an open invitation; with ``logout`` also log the citizen out of their own page."""
    invitation = services.revoke_invitation(invitation_pk, actor=request.user)
    messages.success(request, _("The invitation has been revoked."))
    if request.POST.get("logout") == "1" and services.end_citizen_sessions(
            invitation.citizen, actor=request.user, why="invitationen blev tilbagekaldt"):
        messages.success(request, _("The citizen has been logged out of their own page on every device."))
    return redirect("helm:invitations", citizen_id=invitation.citizen_id)


@role_required(CASEWORKERS)
@require_POST
def end_sessions(request, citizen_id):
    """Log the citizen out of their own page on every device ("Log borgeren ud")."""
    citizen = citizen_services.get_citizen(request.user, citizen_id, action=CHANGE,
                                           summary="Borgerens egen side: log ud")
    if services.end_citizen_sessions(citizen, actor=request.user):
        messages.success(request, _("The citizen has been logged out of their own page on every device."))
    else:
        messages.info(request, _("The citizen has never signed in to their own page."))
    return redirect("helm:invitations", citizen_id=citizen.pk)


# --- signing in with an invitation -------------------------------------------------------------


def _ip(request) -> str:
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or ""


def redeem(request, token):
    """The invitation's link: the citizen types the short code they were given, once."""
    if request.user.is_authenticated:
        # A staff member's session is never swapped for a citizen's on the same screen by accident.
        return render(request, "helm/redeem.html", {"signed_in": True}, status=403 if request.method == "POST" else 200)
    error = ""
    code = request.POST.get("code", "")
    if request.method == "POST" and len(code) > services.CODE_FIELD_LIMIT:
        # Not a try at the code: told so, and nothing counted.
        error = text_limits.message(_("Your code"), len(code), services.CODE_FIELD_LIMIT)
    elif request.method == "POST":
        result = services.redeem(token, code, ip=_ip(request))
        if result.user is not None:
            login(request, result.user, backend=settings.RORET_SESSION_BACKEND)
            return redirect("helm:home")
        error = services.refusal_message(result.refused)
        if result.refused != "code":
            return render(request, "helm/redeem.html", {"refused": error}, status=403)
    return render(request, "helm/redeem.html", {"error": error, "limit": services.CODE_FIELD_LIMIT})


# --- the citizen's own pages -------------------------------------------------------------------


def _own(request, summary: str):
    own = services.own_citizen(request.user)
    return citizen_services.get_citizen(request.user, own.pk, summary=summary)


def _chart(measurements: list[Measurement], definition) -> str:
    if len(measurements) < 2:
        return ""
    return line_chart([Series(definition.code, [m.score for m in measurements])],
                      x_labels=[f"{m.measured_on:%d.%m.%y}" for m in measurements],
                      title=_("Your %(name)s over time") % {"name": definition.code},
                      y_label=_("Score (0-100)"), y_min=0, y_max=definition.score_max, width=560, height=240)


@role_required(CITIZENS)
def home(request):
    citizen = _own(request, "Borgeren åbnede sin egen side")
    today = datetime.date.today()
    goals = list(Goal.objects.filter(citizen=citizen, status=GoalStatus.ACTIVE).order_by("target_date", "pk"))
    own = {}
    for rating in GoalRating.objects.filter(goal__in=goals).order_by("rated_on", "pk"):
        own[rating.goal_id] = rating
    staff = {}
    for progress in (GoalProgress.objects.filter(goal__in=goals).select_related("follow_up")
                     .order_by("follow_up__held_on", "pk")):
        staff[progress.goal_id] = progress
    rows = [{"goal": g, "own": own.get(g.pk), "staff": staff.get(g.pk)} for g in goals]
    charts = []
    for code, _name in instruments.choices():
        definition = instruments.get(code)
        found = list(Measurement.objects.filter(citizen=citizen, instrument=code).order_by("measured_on", "pk"))
        if found:
            charts.append({"definition": definition, "latest": found[-1], "svg": _chart(found, definition),
                           "rows": found[-5:][::-1]})
    return render(request, "helm/home.html", {
        "citizen": citizen, "goals": rows, "charts": charts,
        "grants": Grant.objects.filter(citizen=citizen).active_on(today).select_related("offer_type")
                               .order_by("start"),
        "meetings": FollowUp.objects.filter(citizen=citizen, held_on__isnull=True, due_on__gte=today)
                                    .order_by("due_on")[:5],
        "instruments": instruments.choices()})


@role_required(CITIZENS)
def measure(request):
    """Answer an instrument (WHO-5 and any other in the registry) oneself: self-reported."""
    citizen = _own(request, "Borgeren åbnede sit spørgeskema")
    code = request.GET.get("instrument") or request.POST.get("instrument") or instruments.WHO5.code
    try:
        definition = instruments.get(code)
    except (KeyError, ValueError, instruments.InstrumentError):
        definition = instruments.WHO5
    chosen = {n: request.POST.get(f"item_{n}", "") for n in range(1, len(definition.items) + 1)}
    error = ""
    if request.method == "POST":
        try:
            answers = [int(chosen[n]) for n in chosen]
        except ValueError:
            error = _("Please answer all the questions.")
        else:
            try:
                record_measurement(citizen, definition.code, answers, actor=request.user, self_reported=True)
            except (OutcomeError, ValidationError) as exc:
                error = "; ".join(exc.messages) if hasattr(exc, "messages") else str(exc)
            else:
                messages.success(request, _("Thank you. Your answers have been saved."))
                return redirect("helm:home")
    questions = [{"n": n, "text": text, "chosen": chosen[n]} for n, text in enumerate(definition.items, 1)]
    return render(request, "helm/measure.html", {
        "citizen": citizen, "definition": definition, "questions": questions, "error": error,
        "answers": sorted(definition.answer_labels.items(), reverse=True)})


@role_required(CITIZENS)
def rate_goal(request, goal_id):
    """Rate one's own progress towards a goal and say, in one's own words, what went well and what
    matters now (before a follow-up meeting)."""
    citizen = _own(request, "Borgeren åbnede et af sine mål")
    goal = Goal.objects.filter(citizen=citizen, pk=goal_id, status=GoalStatus.ACTIVE).first()
    if goal is None:
        raise Http404("no such goal (or not an active goal of the citizen's)")
    error = ""
    if request.method == "POST":
        try:
            services.rate_goal(goal.pk, actor=request.user, rating=request.POST.get("rating"),
                               went_well=request.POST.get("went_well", ""),
                               matters_now=request.POST.get("matters_now", ""))
        except (services.HelmError, ValidationError) as exc:
            error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        else:
            messages.success(request, _("Thank you. Your view of the goal has been saved."))
            return redirect("helm:home")
    return render(request, "helm/rate_goal.html", {
        "citizen": citizen, "goal": goal, "error": error, "post": request.POST, "scale": range(1, 11),
        "earlier": GoalRating.objects.filter(goal=goal).order_by("-rated_on", "-pk")[:5]})


@role_required(CITIZENS)
def plan(request):
    """Read the action plan, comment on it, and say whether one agrees."""
    citizen = _own(request, "Borgeren læste sin handleplan")
    error = ""
    if request.method == "POST":
        answer = request.POST.get("agrees", "")
        agrees = {"yes": True, "no": False}.get(answer)
        try:
            if answer not in ("yes", "no", ""):
                raise services.HelmError(_("Choose yes, no or “I do not know yet”."))
            services.respond_to_plan(citizen, actor=request.user, comment=request.POST.get("comment", ""),
                                     agrees=agrees)
        except (services.HelmError, ValidationError) as exc:
            error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        else:
            messages.success(request, _("Thank you. Your comment has been saved."))
            return redirect("helm:plan")
    goals = Goal.objects.filter(citizen=citizen, status=GoalStatus.ACTIVE).prefetch_related("steps")
    return render(request, "helm/plan.html", {
        "citizen": citizen, "goals": goals, "error": error, "post": request.POST,
        "responses": PlanResponse.objects.filter(citizen=citizen)[:10]})


@role_required(CITIZENS)
def access_log(request):
    """Who has looked at or changed my record: name, role, when and what."""
    citizen = _own(request, "Borgeren så, hvem der har set sagen")
    page = Paginator(services.access_log(request.user, citizen), 50).get_page(request.GET.get("page"))
    return render(request, "helm/access_log.html", {"citizen": citizen, "page": page})
