"""Development plan pages: the list, a plan's table with its tracks and initiatives, loading a
plan from a file with a preview before it is saved, revising an estimate, adopting a plan, and the
plan as a workbook. Thin: parse, authorise, call roret.plans, render."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.core.access import role_required
from roret.core.permissions import PLAN_EDITORS, PLAN_READERS, STATUS_REPORT_ROLES
from roret.plans import loading, services
from roret.plans.models import Estimate, EstimateKind, Plan, PlanRow
from roret.plans.table import in_unit, plan_table
from roret.plans.workbook import plan_workbook
from roret.reports.toolkit.charts import Series, bar_chart

UPLOAD_SALT = "roret.plans.upload"
UPLOAD_MAX_AGE = 3600
#: A file kept in the preview form between the two steps: plan files are a few kB.
PREVIEW_MAX_BYTES = 1024 * 1024


def _plan(pk) -> Plan:
    plan = Plan.objects.filter(pk=pk).first()
    if plan is None:
        raise Http404("no such plan")
    return plan


def net_chart(table) -> str:
    """Investments, effects and the net per year as bars (savings below zero)."""
    unit = table.plan.get_unit_display()
    return bar_chart(
        [Series(_("Investments"), table.investment_totals), Series(_("Expected effects"), table.effect_totals),
         Series(_("Net"), table.totals)],
        x_labels=[str(y) for y in table.years], title=_("Investments, effects and net per year"),
        y_label=unit, description=_("Savings are negative, as in the plan."),
    )


@role_required(PLAN_READERS)
def plan_list(request):
    plans = []
    for plan in Plan.objects.order_by("-first_year", "title"):
        table = plan_table(plan)
        plans.append({"plan": plan, "net": sum(table.totals, Decimal(0)), "rows": len(table.rows)})
    return render(request, "plans/plan_list.html", {"plans": plans, "may_edit": request.user.role in PLAN_EDITORS})


@role_required(PLAN_READERS)
def plan_detail(request, pk):
    plan = _plan(pk)
    table = plan_table(plan)
    published = None
    if plan.published_total:
        given = [Decimal(v) for v in plan.published_total]
        published = [{"value": g, "differs": g != t} for g, t in zip(given, table.totals, strict=False)]
    tracks = plan.tracks.prefetch_related("initiatives").order_by("position", "number")
    return render(request, "plans/plan_detail.html", {
        "plan": plan, "table": table, "published": published, "tracks": tracks, "chart": net_chart(table),
        "may_edit": request.user.role in PLAN_EDITORS, "today": datetime.date.today(),
        "may_report": request.user.role in STATUS_REPORT_ROLES,
    })


@role_required(PLAN_READERS)
def plan_workbook_download(request, pk):
    plan = _plan(pk)
    response = HttpResponse(plan_workbook(plan_table(plan)),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="udviklingsplan-{plan.pk}.xlsx"'
    return response


def _carry(name: str, data: bytes) -> str:
    return signing.dumps({"name": name, "data": base64.b64encode(data).decode()}, salt=UPLOAD_SALT, compress=True)


def _uncarry(token: str) -> tuple[str, bytes]:
    payload = signing.loads(token, salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
    return payload["name"], base64.b64decode(payload["data"])


@role_required(PLAN_EDITORS)
def plan_load(request):
    """Step 1: choose a file; step 2: the preview (the table as it will be stored, or every error);
    step 3: save. The file travels signed in the preview form, so nothing is stored before 'save'."""
    context = {"max_mb": loading.MAX_FILE_BYTES // (1024 * 1024)}
    if request.method != "POST":
        return render(request, "plans/plan_load.html", context)
    token = request.POST.get("upload", "")
    if token:
        try:
            name, data = _uncarry(token)
        except (signing.BadSignature, ValueError, KeyError):
            messages.error(request, _("The preview has expired or was changed; choose the file again."))
            return redirect("plans:load")
    else:
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Choose a .json or .xlsx file.")
            return render(request, "plans/plan_load.html", context, status=400)
        if upload.size > loading.MAX_FILE_BYTES:
            context["error"] = _("The file is larger than %(mb)d MB.") % {"mb": context["max_mb"]}
            return render(request, "plans/plan_load.html", context, status=400)
        name, data = upload.name, upload.read()
    try:
        parsed = loading.parse(name, data)
    except loading.PlanFileError as exc:
        context["error"] = str(exc)
        return render(request, "plans/plan_load.html", context, status=400)
    context.update({"parsed": parsed, "name": name})
    if not parsed.ok:
        return render(request, "plans/plan_load.html", context, status=400)
    if request.POST.get("action") == "save" and token:
        try:
            plan = services.load_plan(parsed, actor=request.user, source=name)
        except ValidationError as exc:
            context["error"] = "; ".join(exc.messages)
            return render(request, "plans/plan_load.html", context, status=400)
        messages.success(request, _("The plan “%(title)s” is saved.") % {"title": plan.title})
        return redirect("plans:detail", pk=plan.pk)
    if len(data) > PREVIEW_MAX_BYTES:
        context["error"] = _("The file is too large for a preview (%(kb)d kB at most).") % {"kb": PREVIEW_MAX_BYTES // 1024}
        return render(request, "plans/plan_load.html", context, status=400)
    factor = loading.PlanUnit(parsed.unit).factor
    context["preview"] = [{
        "row": row,
        "values": {kind: [(row.amounts[kind].get(y) / factor).normalize() if kind in row.amounts
                          and y in row.amounts[kind] else None for y in parsed.years]
                   for kind in loading.KINDS},
    } for row in parsed.rows]
    context["totals"] = parsed.net_totals()
    context["upload"] = _carry(name, data)
    return render(request, "plans/plan_load.html", context)


def _parse_amount(text: str) -> Decimal | None:
    """A number as a Dane writes it (-1.600, -1600,5, 250)."""
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "").replace("−", "-")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


@role_required(PLAN_READERS)
def row_detail(request, pk, row_pk):
    """A row's estimates with every revision (who, when, why); the economist revises here."""
    plan = _plan(pk)
    row = PlanRow.objects.filter(plan=plan, pk=row_pk).select_related("track", "initiative").first()
    if row is None:
        raise Http404("no such row")
    may_edit = request.user.role in PLAN_EDITORS
    errors, posted = {}, {}
    if request.method == "POST":
        if not may_edit:
            raise Http404("may not revise")
        posted = request.POST
        amount = _parse_amount(posted.get("amount", ""))
        year = posted.get("year", "")
        if amount is None:
            errors["amount"] = _("Give the amount as a number in %(unit)s, e.g. -1.600 or 250.") \
                % {"unit": plan.get_unit_display()}
        if not year.isdigit():
            errors["year"] = _("Choose a year.")
        if not errors:
            try:
                services.revise_estimate(row, kind=posted.get("kind", ""), year=int(year),
                                         amount=amount * plan.factor, actor=request.user,
                                         note=posted.get("note", ""))
            except ValidationError as exc:
                errors = {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") \
                    else {"amount": " ".join(exc.messages)}
        if not errors:
            messages.success(request, _("The estimate is saved as a new revision; the earlier one is kept."))
            return redirect("plans:row", pk=plan.pk, row_pk=row.pk)
    estimates = Estimate.objects.filter(row=row).select_related("entered_by").order_by("kind", "year", "-revision")
    history = [{"estimate": e, "value": in_unit(e.amount, plan)} for e in estimates]
    current = {}
    for item in history:
        current.setdefault((item["estimate"].kind, item["estimate"].year), item)
    for item in history:
        item["current"] = current[(item["estimate"].kind, item["estimate"].year)] is item
    return render(request, "plans/plan_row.html", {
        "plan": plan, "row": row, "history": history, "kinds": EstimateKind.choices, "may_edit": may_edit,
        "errors": errors, "posted": posted, "years": plan.years,
    }, status=400 if errors else 200)


@role_required(PLAN_EDITORS)
@require_POST
def plan_adopt(request, pk):
    plan = _plan(pk)
    try:
        day = datetime.date.fromisoformat(request.POST.get("adopted_on", ""))
    except ValueError:
        messages.error(request, _("Give the date of adoption as a date."))
        return redirect("plans:detail", pk=plan.pk)
    try:
        services.adopt_plan(plan, adopted_by=request.POST.get("adopted_by", ""), adopted_on=day, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:detail", pk=plan.pk)
    messages.success(request, _("The plan is marked adopted."))
    return redirect("plans:detail", pk=plan.pk)
