"""Economy pages: overview, self-sufficiency, expensive cases, budget against forecast. Thin:
parse, authorise, call roret.economy / roret.reports, render."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.core import audit, periods
from roret.core.access import role_required
from roret.core.permissions import AGGREGATE_ROLES, PLANNERS, aggregate_scope, suppresses
from roret.economy import kpi, places, segments
from roret.economy.forecast import forecast
from roret.economy.models import EconomyState
from roret.economy.services import BudgetImportError, budget_workbook, current_horizon, import_budgets
from roret.offers.models import Offer
from roret.reports import kpi_report
from roret.reports.toolkit.tables import Cell, Column, build_table, pseudonym

KIND_LABELS = {"month": "Month", "quarter": "Quarter", "half": "Half-year", "year": "Year"}


def _date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def halves_only(user) -> bool:
    """Whether ``user`` is offered standard half-years only: the committee, whose small cells are
    hidden. A year minus its first half is its second half, and two overlapping custom periods
    differ by a few days: with any two such answers a cell hidden in one could be recovered by
    subtraction. Standard half-years never overlap, so no two answers can be subtracted."""
    return suppresses(user)


def parse_period(request, default_kind: str = "year") -> tuple[periods.Period, str, list[str]]:
    """The period asked for: ?kind=month|quarter|half|year&at=YYYY-MM-DD or ?from=&to=.
    Default: the latest completed period of the kind. Bad input gives a message and the default.
    The committee (:func:`halves_only`) gets standard half-years only: ?at= picks the one that
    holds the day, and any other kind or a from/to gives a message and a half-year."""
    errors = []
    only_halves = halves_only(request.user)
    if only_halves:
        default_kind = "half"
    kind = request.GET.get("kind") or default_kind
    if kind not in periods.KINDS:
        errors.append(_("Unknown period kind %(kind)s; showing years.") % {"kind": kind})
        kind = default_kind
    elif only_halves and kind != "half":
        errors.append(_("The committee's figures come in standard half-years only; showing a half-year."))
        kind = default_kind
    today = datetime.date.today()
    period = periods.period_of(kind, today).previous(1)[0]
    start, end = request.GET.get("from"), request.GET.get("to")
    at = request.GET.get("at")
    if (start or end) and only_halves:
        errors.append(_("The committee's figures come in standard half-years only; showing a half-year."))
        start = end = None
    if start or end:
        a, b = _date(start), _date(end)
        if a is None or b is None:
            errors.append(_("From and to must be dates (YYYY-MM-DD)."))
        else:
            try:
                period = periods.Period(a, b)
                kind = "custom"
            except periods.PeriodError:
                errors.append(_("The period must end after it starts."))
    elif at:
        day = _date(at)
        if day is None:
            errors.append(_("The date must be YYYY-MM-DD."))
        else:
            period = periods.period_of(kind, day)
    if only_halves and period.end > today:
        # A half-year still running changes from day to day: two days' answers subtracted would show
        # what one citizen's new placement added. The committee sees completed half-years.
        errors.append(_("The committee's figures cover completed half-years; showing the latest."))
        period = periods.period_of("half", today).previous(1)[0]
    horizon = current_horizon()
    if period.end > horizon:
        errors.append(_("Costs are computed up to %(day)s; showing the latest completed period.") % {"day": horizon})
        period = periods.period_of(default_kind if kind == "custom" else kind, today).previous(1)[0]
    return period, kind, errors


def _common(request, period, kind, errors):
    for error in errors:
        messages.error(request, error)
    prev, nxt = (period.previous(1)[0], None)
    if kind in periods.KINDS:
        nxt_start = period.end
        candidate = periods.period_of(kind, nxt_start)
        nxt = candidate if candidate.end <= current_horizon() else None
    only_halves = halves_only(request.user)
    kinds = [(k, _(v)) for k, v in KIND_LABELS.items() if k == "half" or not only_halves]
    return {"period": period, "kind": kind, "kinds": kinds, "halves_only": only_halves,
            "previous_period": prev, "next_period": nxt, "state": EconomyState.objects.order_by("-pk").first(),
            "suppress": suppresses(request.user)}


@role_required(AGGREGATE_ROLES)
def overview(request):
    period, kind, errors = parse_period(request)
    scope = aggregate_scope(request.user)
    where = scope.where()
    dimension = request.GET.get("by", "paragraph")
    if dimension not in kpi.DIMENSIONS:
        dimension = "paragraph"
    suppress = suppresses(request.user)
    with kpi.Figures(where) as figures:
        result = figures.kpis(period, (dimension,), duration_by=(dimension,))
        rows = figures.trend(period, 5)
        # A centre's own offers are own by definition (self-sufficiency 100 %): its leader sees
        # the occupancy of the centre's places instead.
        occupancy = (places.occupancy(figures, period, Offer.objects.filter(provider__centre_id=scope.centre_id))
                     if scope.centre_id is not None else None)
    total = build_table("", kpi_report.figure_columns(""), [result.total.as_dict()], suppress=suppress)
    context = _common(request, period, kind, errors) | {
        "total": result.total, "tiles": dict(zip([c.key for c in total.columns], total.rows[0], strict=True)),
        "dimension": dimension, "dimensions": kpi_report.dimension_titles(),
        "breakdown": kpi_report.breakdown_table(result, dimension, suppress),
        "duration": kpi_report.duration_table(result, dimension, suppress),
        "cost_chart": kpi_report.cost_trend_chart(rows), "quantity_chart": kpi_report.quantity_trend_chart(rows),
        "centre_only": where is not None,
        "occupancy": occupancy and {"rate": Cell(occupancy.rate, "pct"), "used": Cell(occupancy.used, "int"),
                                    "available": Cell(occupancy.available, "int")},
    }
    return render(request, "economy/overview.html", context)


@role_required(AGGREGATE_ROLES)
def self_sufficiency(request):
    today = datetime.date.today()
    where = aggregate_scope(request.user).where()
    suppress = suppresses(request.user)
    first = kpi_report.SelfSufficiencyTarget.objects.order_by("year").values_list("year", flat=True).first()
    year = periods.period_of("year", today).previous(1)[0]
    last_year = today.year
    if halves_only(request.user):
        # Whole years, this year up to its last completed half-year, and the contributions of that
        # half-year: a year's offer rows minus its first half's would give the second half's.
        today = periods.period_of("half", today).start
        last_year = today.year if today.month > 1 else today.year - 1
        year = periods.period_of("half", today).previous(1)[0]
    scope = aggregate_scope(request.user)
    if scope.centre_id is not None:
        return _centre_occupancy(request, scope.centre_id, range(first or today.year - 6, last_year + 1), today)
    with kpi.Figures(where) as figures:
        rows = kpi_report.self_sufficiency(figures, range(first or today.year - 6, last_year + 1), today)
        contributions = kpi_report.contribution_table(figures, year, suppress)
    return render(request, "economy/self_sufficiency.html", {
        "chart": kpi_report.self_sufficiency_chart(rows), "table": kpi_report.self_sufficiency_table(rows, suppress),
        "contributions": contributions, "year": year, "centre_only": where is not None, "suppress": suppress,
        "halves_only": halves_only(request.user),
    })


def _centre_occupancy(request, centre_id: int, years: range, today: datetime.date):
    """The centre leader's page in place of the self-sufficiency rate: every place-day in a centre's
    own offers is an own place-day, so the centre's rate would always read 100 %. What a centre
    steers is how well its places are used: occupancy per year, and per offer in the last year."""
    from roret.reports.toolkit.charts import Series, line_chart
    from roret.reports.toolkit.tables import Column, build_table

    with kpi.Figures(aggregate_scope(request.user).where()) as figures:
        items, per_offer, last = places.centre_occupancy(figures, centre_id, years, today)
    columns = [Column("label", _("Year"), "text"), Column("used", _("Place-days used")),
               Column("available", _("Place-days available")), Column("rate", _("Occupancy"), "pct")]
    chart = line_chart([Series(_("Occupancy of the centre's places"), [i["rate"] for i in items])],
                       x_labels=[str(y) for y in years], percent=True, y_min=0, y_max=100,
                       title=_("Occupancy of the centre's own places"), y_label="%")
    return render(request, "economy/centre_occupancy.html", {
        "chart": chart, "table": build_table(_("Occupancy per year"), columns, items),
        "offers": build_table(_("Occupancy per offer") + f" · {last.label}",
                              [Column("label", _("Own offer"), "text"), *columns[1:]], per_offer),
        "year": last})


def _paragraph_label(code: str) -> str:
    """A legal basis as a person reads it ("SEL §108"), not its code ("SEL108")."""
    from roret.offers.models import LegalBasis

    return str(LegalBasis(code).label).split(" (")[0] if code in LegalBasis.values else code


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 2000 <= year <= current_horizon().year - 1 else default


@role_required(PLANNERS)
def expensive_cases(request):
    today = datetime.date.today()
    year = _year(request, today.year - 1)
    period = periods.Period(datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))
    threshold = kpi.expensive_threshold()
    with kpi.Figures() as figures:
        expensive = figures.expensive_citizens(period, threshold)
        reimbursed = {cid: amount for (cid, _y), amount in figures.reimbursements(period).items()}
    paragraphs: dict[int, list[str]] = {}
    for v in (segments.segments_in(period).filter(segments.OWN_CITIZENS, citizen_id__in=list(expensive))
              .values("citizen_id", "paragraph").order_by("citizen_id", "paragraph")
              .annotate(ore=Sum(segments.ore_expr(period)))):
        paragraphs.setdefault(v["citizen_id"], []).append(v["paragraph"])
    measured = _quality_of_life(expensive)
    items = [{"label": pseudonym(cid), "cost": kpi.kroner(o), "reimbursement": kpi.kroner(reimbursed.get(cid, 0)),
              "net": kpi.kroner(o - reimbursed.get(cid, 0)), "paragraphs": ", ".join(_paragraph_label(p) for p in paragraphs.get(cid, [])),
              "who5": measured.get(cid)} for cid, o in sorted(expensive.items(), key=lambda kv: -kv[1])]
    audit.record(request.user, "view", summary=f"Dyre enkeltsager {year} (pseudonymiseret, {len(items)} borgere)")
    return render(request, "economy/expensive.html", {
        "year": year, "years": range(today.year - 9, today.year + 1), "threshold": threshold, "items": items,
        "reimbursement_total": kpi.kroner(sum(reimbursed.values())), "reimbursed_count": len(reimbursed),
        "who5_available": measured is not None,
    })


def _quality_of_life(citizen_ids) -> dict:
    """{citizen id: 'dd.mm.yyyy: score'} of the newest WHO-5, from roret.outcomes."""
    try:
        from roret.outcomes.queries import latest_measurement
    except ImportError:  # the outcomes app is optional to the economy
        return {}
    return {cid: f"{day:%d.%m.%Y}: {score}" for cid, (day, score) in latest_measurement(citizen_ids).items()}


@role_required(PLANNERS)
def budget(request):
    today = datetime.date.today()
    year = _year(request, today.year)
    rows = forecast(year, today)
    items = [{"label": r.label, "citizens": None, "budget": r.budget, "incurred": r.incurred,
              "active": r.active_to_year_end, "new": r.expected_new, "ended": r.expected_ended,
              "forecast": r.forecast, "deviation": r.deviation, "deviation_pct": r.deviation_pct} for r in rows]

    def total(key):
        values = [i[key] for i in items if i[key] is not None]
        return sum(values) if values else None

    totals = {"label": _("Total"), "citizens": None, **{k: total(k) for k in
              ("budget", "incurred", "active", "new", "ended", "forecast", "deviation")}}
    totals["deviation_pct"] = (totals["deviation"] * 100 / totals["budget"]).quantize(Decimal("0.1")) \
        if totals["budget"] and totals["deviation"] is not None else None
    columns = [Column("label", _("Account function"), "text"), Column("budget", _("Budget (kr.)"), "money"),
               Column("incurred", _("Incurred (kr.)"), "money"),
               Column("active", _("Active placements to year end (kr.)"), "money"),
               Column("new", _("Expected new placements (kr.)"), "money"),
               Column("ended", _("Expected endings (kr.)"), "money"),
               Column("forecast", _("Forecast (kr.)"), "money"),
               Column("deviation", _("Over (+) / under (−) spend (kr.)"), "money"),
               Column("deviation_pct", _("Deviation (%)"), "pct")]
    table = build_table(_("Budget against forecast") + f" {year}", columns, items, total=totals)
    from roret.offers.models import AccountFunction

    return render(request, "economy/budget.html", {"table": table, "year": year, "today": today,
                                                   "years": range(today.year - 3, today.year + 2),
                                                   "functions": AccountFunction.choices})


@role_required(PLANNERS)
def budget_template(request):
    year = _year(request, datetime.date.today().year)
    response = HttpResponse(budget_workbook(year),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="budget-{year}.xlsx"'
    return response


@role_required(PLANNERS)
@require_POST
def budget_set(request):
    """Enter or correct one budget (account function and year) by hand."""
    from roret.economy.services import set_budget

    try:
        year = int(request.POST.get("year", ""))
        amount = Decimal(request.POST.get("amount", "").replace(".", "").replace(",", ".").strip())
        if not 2000 <= year <= 2100:
            raise ValueError
        set_budget(year, request.POST.get("account_function", ""), amount, actor=request.user,
                   note=request.POST.get("note", ""))
    except BudgetImportError as exc:  # before ValueError, which it extends
        messages.error(request, "; ".join(exc.errors))
    except (ValueError, ArithmeticError):
        messages.error(request, _("Give a year and an amount in kroner (e.g. 12.500.000,00)."))
    else:
        messages.success(request, _("The budget is saved."))
    return redirect(f"{reverse('economy:budget')}?year={request.POST.get('year', '')}")


@role_required(PLANNERS)
@require_POST
def budget_import(request):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an Excel file (.xlsx) to import."))
        return redirect("economy:budget")
    try:
        count = import_budgets(upload, actor=request.user)
    except BudgetImportError as exc:
        messages.error(request, _("Nothing was imported: %(errors)s") % {"errors": "; ".join(exc.errors[:20])})
        return redirect("economy:budget")
    messages.success(request, _("%(n)d budgets imported.") % {"n": count})
    return redirect("economy:budget")


LEVEL_ROWS = 4


@role_required(PLANNERS)
def settings_page(request):
    """The economist's yearly settings: the SEL §176 reimbursement levels (from a year on) and the
    target for the self-sufficiency rate per year. Changing a year that has values needs a reason."""
    from roret.economy.models import ReimbursementLevel, SelfSufficiencyTarget
    from roret.economy.services import SettingsError, set_reimbursement_levels, set_self_sufficiency_target

    errors, posted = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "levels":
                set_reimbursement_levels(
                    request.POST.get("year"), [(request.POST.get(f"threshold_{i}"), request.POST.get(f"rate_{i}"))
                                               for i in range(1, LEVEL_ROWS + 1)],
                    actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("The reimbursement levels are saved."))
            elif action == "target":
                set_self_sufficiency_target(request.POST.get("year"), request.POST.get("target"), actor=request.user,
                                            reason=request.POST.get("reason", ""))
                messages.success(request, _("The target is saved."))
            else:
                errors = {"action": _("Choose what to save.")}
        except SettingsError as exc:
            errors = exc.errors
        if not errors:
            return redirect("economy:settings")
    levels: dict[int, list] = {}
    for row in ReimbursementLevel.objects.order_by("-year", "threshold"):
        levels.setdefault(row.year, []).append(row)
    status = 400 if errors else 200
    return render(request, "economy/settings.html", {
        "levels": levels, "targets": SelfSufficiencyTarget.objects.order_by("-year"), "errors": errors,
        "posted": posted, "action": posted.get("action") if posted else "",
        "rows": [{"i": i, "level_key": f"level_{i}", "threshold": posted.get(f"threshold_{i}", "") if posted else "",
                  "rate": posted.get(f"rate_{i}", "") if posted else ""} for i in range(1, LEVEL_ROWS + 1)],
        "next_year": datetime.date.today().year + 1}, status=status)
