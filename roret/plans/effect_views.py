"""Pages for realised effects and traffic lights: a plan's effects by initiative, an initiative's
realised effects with the events behind them, setting a light, and the economist's entries
(investments spent, manual effects, rules). Thin: parse, authorise, call, render.

Who sees what: the economist, centre leaders and the committee read (PLAN_READERS); the events
behind a figure are pseudonymised for the economist, limited to the own centre's (pseudonymised)
for a centre leader, and counted by kind with cells of 1-4 citizens hidden for the committee. A
light is set by the initiative's responsible person, the economist, or the leader of the
initiative's responsible centre. Other roles get 404.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.core import audit, periods
from roret.core.models import Centre, Role, Term
from roret.core.parsing import id_or_none
from roret.core.permissions import PLAN_EDITORS, PLAN_READERS, NotInScope, has_role, require_role, suppresses
from roret.offers.models import LegalBasis
from roret.plans import effect_services
from roret.plans.effects import realised_for_plan, self_sufficiency_effect
from roret.plans.lights import as_of, half_of, lights_for, may_set, parse_half, set_light
from roret.plans.models import EffectKind, EffectRule, Initiative, LightColour, Plan
from roret.reports.toolkit import suppression
from roret.reports.toolkit.tables import Column, build_table, pseudonym

ZERO = Decimal(0)


def _get(model_or_qs, pk):
    queryset = model_or_qs._default_manager.all() if isinstance(model_or_qs, type) else model_or_qs
    pk = id_or_none(pk)
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise NotInScope("no such record")
    return found


def _year(request, plan: Plan, today: datetime.date) -> int:
    year = id_or_none(request.GET.get("year"))
    if year is None or not plan.first_year <= year <= plan.last_year:
        year = min(max(today.year, plan.first_year), plan.last_year)
    return year


def _amount(text: str) -> Decimal:
    """A Danish amount ("-12.000,50", "1000") in kroner; ValidationError for anything else."""
    cleaned = (text or "").strip().replace("−", "-").replace(" ", "").replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError({"amount": _("Give an amount in kroner (e.g. -12.000,50).")}) from None
    if not value.is_finite():
        raise ValidationError({"amount": _("Give an amount in kroner (e.g. -12.000,50).")})
    return value


def _date(text: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError({field: _("Give a date (YYYY-MM-DD).")}) from None


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


def _same_figures(realised, half: str, year: int, today: datetime.date):
    """``realised`` (the year's figures as of today) when they are also the half-year's: the half
    is read as of today, or as of a day after the year's last event day could be (31 December)."""
    day = as_of(half, today)
    return realised if day >= min(today, datetime.date(year, 12, 31)) else None


def _reading_day(user) -> datetime.date:
    """The day the figures are read on: today, or for the committee the last day of the latest
    completed half-year. The committee's figures come in completed half-years only (as on the
    economy pages): two days' answers subtracted would show what one citizen's event realised."""
    today = timezone.localdate()
    if suppresses(user):
        return periods.period_of("half", today).previous(1)[0].end - datetime.timedelta(days=1)
    return today


def _can_read_light(user, initiative: Initiative) -> bool:
    return has_role(user, PLAN_READERS) or may_set(user, initiative)


@login_required
def plan_effects(request, plan_pk):
    """A plan's initiatives with the year's expected and realised effects and the half-year's light."""
    require_role(request.user, PLAN_READERS, "development plans are for the economy roles")
    plan = _get(Plan, plan_pk)
    today = _reading_day(request.user)
    year = _year(request, plan, today)
    half = request.GET.get("half", "")
    try:
        if parse_half(half)[0] != year:
            raise ValidationError("another year")
    except ValidationError:
        half = half_of(today) if today.year == year else f"{year}H2" if year < today.year else f"{year}H1"
    realised = realised_for_plan(plan, year, today=today)
    states = lights_for(plan, half, today=today, realised=_same_figures(realised, half, year, today))
    rows = []
    totals = {"expected": ZERO, "realised": ZERO, "committed": ZERO, "spent": ZERO, "investment": ZERO}
    for initiative in plan.initiatives.select_related("track", "responsible", "responsible_centre").order_by(
            "position", "pk"):
        figures = realised[initiative.pk]
        rows.append({"initiative": initiative, "figures": figures, "light": states.get(initiative.pk)})
        totals["expected"] += figures.expected or ZERO
        totals["realised"] += figures.realised_this_year
        totals["committed"] += figures.committed_full_year
        totals["spent"] += figures.investments_spent
        totals["investment"] += figures.expected_investment or ZERO
    totals_hidden = _suppress_initiatives(rows, totals) if suppresses(request.user) else False
    hidden = totals_hidden or any(r.get("hidden") for r in rows)
    return render(request, "plans/effects_plan.html", {
        "plan": plan, "year": year, "half": half, "rows": rows, "totals": totals, "totals_hidden": totals_hidden,
        "hidden_note": str(suppression.NOTE) if hidden else "",
        "halves": [f"{year}H1", f"{year}H2"], "today": today})


def _suppress_initiatives(rows: list[dict], totals: dict) -> bool:
    """The committee's rule on the initiatives' realised figures: an initiative whose realised
    effect comes from 1-4 citizens is hidden, with as few others as needed that the total row
    cannot give it away (roret.reports.toolkit); marks ``row["hidden"]``, returns whether the
    total's realised figures are hidden. The status report applies the same rule."""
    columns = [Column("label", "", "text"), Column("realised", "", "money", of="citizens"),
               Column("committed", "", "money", of="citizens"), Column("citizens", "", citizen_count=True)]
    items = [{"label": str(r["initiative"].pk), "realised": r["figures"].realised_this_year,
              "committed": r["figures"].committed_full_year, "citizens": r["figures"].citizens} for r in rows]
    total = {"label": "", "realised": totals["realised"], "committed": totals["committed"],
             "citizens": sum(i["citizens"] for i in items)}
    table = build_table("", columns, items, total=total, suppress=True)
    for row, cells in zip(rows, table.rows, strict=True):
        row["hidden"] = cells[1].suppressed
    return bool(table.total and table.total[1].suppressed)


def _event_rows(figures, aggregates_centre: int | None):
    """The events behind the figures as the user may see them: rows with a pseudonym (economist,
    centre leader: only events of the own centre), or None for the committee (counted instead)."""
    events = figures.events
    if aggregates_centre is not None:
        events = [e for e in events if aggregates_centre in e.centre_ids]
    return [{"event": e, "kind": EffectKind(e.kind).label, "citizen": pseudonym(e.citizen_id)} for e in events]


def _committee_table(figures):
    """Events by kind with the number of citizens; cells of 1-4 citizens hidden (and what would reveal them)."""
    items = []
    for kind in EffectKind:
        events = [e for e in figures.events if e.kind == kind]
        if not events:
            continue
        items.append({"kind": kind.label, "citizens": len({e.citizen_id for e in events}),
                      "this_year": sum((e.this_year for e in events), ZERO),
                      "full_year": sum((e.full_year for e in events), ZERO)})
    total = {"kind": _("All events"), "citizens": len({e.citizen_id for e in figures.events}),
             "this_year": figures.events_this_year, "full_year": figures.committed_full_year}
    columns = [Column("kind", _("Kind of event"), "text"),
               Column("citizens", _("Citizens"), "int", citizen_count=True),
               Column("this_year", _("Realised this year (kr.)"), "money", of="citizens"),
               Column("full_year", _("Full-year effect (kr.)"), "money", of="citizens")]
    return build_table(_("Events behind the realised effect"), columns, items, total=total, suppress=True)


@login_required
def initiative_effects(request, initiative_pk):
    """One initiative's realised effects in a year, the events behind them, its lights and entries."""
    require_role(request.user, PLAN_READERS, "development plans are for the economy roles")
    initiative = _get(Initiative.objects.select_related("plan", "track", "responsible", "responsible_centre"),
                      initiative_pk)
    plan = initiative.plan
    today = _reading_day(request.user)
    year = _year(request, plan, today)
    realised = realised_for_plan(plan, year, today=today)
    figures = realised[initiative.pk]
    user = request.user
    committee = suppresses(user)
    centre = user.centre_id if user.role == Role.CENTRE_LEADER else None
    if user.role == Role.CENTRE_LEADER and not centre:
        raise NotInScope("a centre leader without a centre")
    event_rows = None if committee else _event_rows(figures, centre)
    if event_rows:
        audit.record(user, "view", object_type="plans.initiative", object_id=str(initiative.pk),
                     citizen_count=len({r["event"].citizen_id for r in event_rows}),
                     summary=_("Realised effects of %(initiative)s %(year)d (pseudonymised, %(n)d events)")
                     % {"initiative": initiative.title[:150], "year": year, "n": len(event_rows)})
    halves = [f"{year}H1", f"{year}H2"]
    lights = [(h, lights_for(plan, h, today=today, realised=_same_figures(realised, h, year, today))[initiative.pk])
              for h in halves if h <= half_of(today)]
    editor = has_role(user, PLAN_EDITORS)
    return render(request, "plans/effects_initiative.html", {
        "initiative": initiative, "plan": plan, "year": year, "figures": figures,
        "event_rows": event_rows, "committee_table": _committee_table(figures) if committee else None,
        # The committee's rule: a realised figure from 1-4 citizens is not shown (as in the status report).
        "figures_hidden": committee and suppression.small(figures.citizens),
        "self_sufficiency": None if committee and suppression.small(figures.citizens_brought_home)
        else self_sufficiency_effect(figures),
        "centre_only": centre is not None, "lights": lights, "may_set": may_set(user, initiative),
        "editor": editor, "rules": list(initiative.effect_rules.select_related("offer_type", "centre")),
        "investments": list(initiative.investments_spent.filter(spent_on__year=year).select_related("entered_by")),
        "manual_effects": list(initiative.manual_effects.filter(year=year).select_related("entered_by")),
        "kinds": EffectKind.choices, "paragraphs": LegalBasis.choices,
        "offer_types": Term.objects.filter(group="offer_type").order_by("display") if editor else [],
        "centres": Centre.objects.order_by("name") if editor else [], "today": today,
    })


def _back(initiative: Initiative, year) -> str:
    year = id_or_none(year)
    url = reverse("plans:initiative_effects", args=[initiative.pk])
    return f"{url}?year={year}" if year is not None else url


def _economist_only(view):
    """The economist only (others 404, before the method is looked at, so a GET says nothing either)."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require_role(request.user, PLAN_EDITORS, "only the economist enters realised figures")
        return view(request, *args, **kwargs)
    return wrapped


def _economist_post(request, initiative_pk) -> Initiative:
    return _get(Initiative.objects.select_related("plan"), initiative_pk)


def _posted_year(request, initiative: Initiative) -> int | None:
    """The year of the page the form was sent from (None: not given); a year the plan does not
    cover is refused, so a tampered form writes nothing."""
    text = request.POST.get("year", "")
    if text == "":
        return None
    year = id_or_none(text)
    if year is None or not initiative.plan.first_year <= year <= initiative.plan.last_year:
        raise ValidationError({"year": _("The plan covers %(first)d-%(last)d.")
                               % {"first": initiative.plan.first_year, "last": initiative.plan.last_year}})
    return year


@login_required
@_economist_only
@require_POST
def effects_investment(request, initiative_pk):
    """The economist enters an amount actually spent on the initiative's investment."""
    initiative = _economist_post(request, initiative_pk)
    try:
        _posted_year(request, initiative)
        row = effect_services.record_investment(
            initiative, spent_on=_date(request.POST.get("spent_on"), "spent_on"),
            amount=_amount(request.POST.get("amount")), note=request.POST.get("note", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        return redirect(_back(initiative, request.POST.get("year")))
    messages.success(request, _("The investment spent is saved."))
    return redirect(_back(initiative, row.spent_on.year))


@login_required
@_economist_only
@require_POST
def effects_manual(request, initiative_pk):
    """The economist enters a manual effect where no case event fits, with the reason."""
    initiative = _economist_post(request, initiative_pk)
    try:
        year = id_or_none(request.POST.get("year"))
        if year is None:
            raise ValidationError({"year": _("Give the year.")})
        effect_services.record_manual_effect(initiative, year=year, amount=_amount(request.POST.get("amount")),
                                             reason=request.POST.get("reason", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, _("The manual effect is saved."))
    return redirect(_back(initiative, request.POST.get("year")))


@login_required
@_economist_only
@require_POST
def effects_rule_add(request, initiative_pk):
    """The economist lets a kind of case event (narrowed or not) realise the initiative."""
    initiative = _economist_post(request, initiative_pk)
    try:
        _posted_year(request, initiative)
        offer_type = centre = None
        if request.POST.get("offer_type"):
            offer_type = Term.objects.filter(group="offer_type", pk=id_or_none(request.POST["offer_type"])).first()
            if offer_type is None:
                raise ValidationError({"offer_type": _("Choose an offer type.")})
        if request.POST.get("centre"):
            centre = Centre.objects.filter(pk=id_or_none(request.POST["centre"])).first()
            if centre is None:
                raise ValidationError({"centre": _("Choose a centre.")})
        effect_services.add_rule(initiative, request.POST.get("kind", ""), paragraph=request.POST.get("paragraph", ""),
                                 offer_type=offer_type, centre=centre, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, _("The rule is saved."))
    return redirect(_back(initiative, request.POST.get("year")))


@login_required
@_economist_only
@require_POST
def effects_rule_remove(request, initiative_pk, rule_pk):
    initiative = _economist_post(request, initiative_pk)
    rule = _get(EffectRule.objects.filter(initiative=initiative).select_related("initiative"), rule_pk)
    try:
        _posted_year(request, initiative)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        return redirect(_back(initiative, None))
    effect_services.remove_rule(rule, actor=request.user)
    messages.success(request, _("The rule is removed."))
    return redirect(_back(initiative, request.POST.get("year")))


@login_required
def light_set(request, initiative_pk, half):
    """An initiative's light for a half-year: roret's proposal, the figures, the history, and (for
    the responsible person) the form to set it; an override needs a remark."""
    initiative = _get(Initiative.objects.select_related("plan", "responsible", "responsible_centre"), initiative_pk)
    if not _can_read_light(request.user, initiative):
        raise NotInScope("not for this role")
    try:
        year, _n = parse_half(half)
    except ValidationError:
        raise NotInScope("no such half-year") from None
    plan = initiative.plan
    if not plan.first_year <= year <= plan.last_year:
        raise NotInScope("the plan does not cover this half-year")
    half = half.upper()
    today = _reading_day(request.user)
    errors, posted = [], {}
    if request.method == "POST":
        if not may_set(request.user, initiative):
            raise NotInScope("may not set this light")
        posted = request.POST
        try:
            set_light(initiative, half, request.POST.get("colour", ""), actor=request.user,
                      remark=request.POST.get("remark", ""), today=today)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("The light is saved."))
            return redirect(reverse("plans:light_set", args=[initiative.pk, half]))
    state = lights_for(plan, half, today=today)[initiative.pk]
    return render(request, "plans/light_set.html", {
        "initiative": initiative, "plan": plan, "half": half, "year": year, "state": state,
        "history": list(reversed(state.history)), "colours": LightColour.choices, "errors": errors,
        "posted": posted, "may_set": may_set(request.user, initiative),
        "figures_hidden": suppresses(request.user) and suppression.small(state.figures.citizens),
    }, status=400 if errors else 200)
