"""Balance pages: the balance model for the department and each centre, its targets, and the
import of the HR system's staff figures. Thin: parse, authorise, call roret.balance, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.balance import figures as balance_figures
from roret.balance import services
from roret.balance.models import BalanceTarget, StaffImport, TargetKind
from roret.balance.sparkline import sparkline
from roret.core.access import role_required
from roret.core.models import Centre, Role
from roret.core.parsing import id_or_none
from roret.core.permissions import AGGREGATE_ROLES, PLANNERS, NotInScope, aggregate_scope, suppresses
from roret.reports.toolkit.charts import format_da
from roret.reports.toolkit.suppression import NOTE, hidden_label

DECIMALS = {"pct": 1, "score": 1, "points": 1, "int": 0, "money": 0, "days": 0}


def _text(value, unit: str) -> str:
    if value is None:
        return "–"
    text = format_da(value, DECIMALS.get(unit, 1))
    if unit == "pct":
        return f"{text} %"
    if unit == "points" and value > 0:
        return f"+{text}"
    return text


def _columns(result: balance_figures.Balance) -> list[dict]:
    labels = [h.label for h in result.halves]
    columns = []
    for key, title in balance_figures.PERSPECTIVES.items():
        items = []
        for f in result.perspective(key):
            current = f.current
            items.append({
                "key": f.key, "label": f.label, "note": f.note, "met": f.met,
                "current": hidden_label() if current.hidden else _text(current.value, f.unit),
                "hidden": current.hidden,
                # The same figure over self- and staff-reported measurements apart (WHO-5).
                "parts": [{"key": p.key, "label": p.label, "hidden": p.values[-1].hidden,
                           "text": hidden_label() if p.values[-1].hidden else _text(p.values[-1].value, f.unit)}
                          for p in f.parts],
                "target": _text(f.target, f.unit) if f.target is not None else "",
                "chart": sparkline([v.shown for v in f.values], labels, str(f.label),
                                   decimals=DECIMALS.get(f.unit, 1), target=f.target),
                "history": [{"label": h.label, "text": hidden_label() if v.hidden else _text(v.value, f.unit),
                             "hidden": v.hidden, "target": _text(t, f.unit) if t is not None else ""}
                            for h, v, t in zip(result.halves, f.values, f.targets or [None] * len(result.halves),
                                               strict=True)],
            })
        columns.append({"key": key, "title": title, "figures": items})
    return columns


def _page(request, centre_id: int | None):
    today = datetime.date.today()
    suppress = suppresses(request.user)
    result = balance_figures.balance(centre_id, today=today, suppress=suppress)
    scope = aggregate_scope(request.user)
    centres = balance_figures.centres_with_figures() if scope.centre_id is None else []
    return render(request, "balance/page.html", {
        "result": result, "columns": _columns(result), "centres": centres, "suppress": suppress,
        "suppression_note": NOTE, "first": result.halves[0], "last": result.halves[-1],
        "department_link": scope.centre_id is None, "today": today,
        "can_set_targets": request.user.role in services.TARGET_SETTERS,
        "can_import": request.user.role in services.IMPORTERS,
    })


@role_required(AGGREGATE_ROLES)
def department(request):
    scope = aggregate_scope(request.user)
    if scope.centre_id is not None:  # a centre leader sees their own centre's figures
        return redirect("balance:centre", centre_id=scope.centre_id)
    return _page(request, None)


@role_required(AGGREGATE_ROLES)
def centre(request, centre_id):
    scope = aggregate_scope(request.user)
    centre_id = id_or_none(centre_id)
    if centre_id is None or not scope.covers([centre_id]) or not Centre.objects.filter(pk=centre_id).exists():
        raise NotInScope("no such centre, or not in your scope")
    return _page(request, centre_id)


# ---- targets ---------------------------------------------------------------------------------


@role_required(services.TARGET_SETTERS)
def targets(request):
    """The targets of the balance page (dated: a new target is a new row) and, for the economist,
    the self-sufficiency target per year (economy.SelfSufficiencyTarget, through its service)."""
    from roret.economy.models import SelfSufficiencyTarget
    from roret.economy.services import SettingsError, set_self_sufficiency_target

    user = request.user
    leader = user.role == Role.CENTRE_LEADER
    errors, posted = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "target":
                centre = request.POST.get("centre") or None
                if centre is not None and id_or_none(centre) is None:
                    raise services.TargetError({"centre": _("Choose a centre, or none for the department.")})
                centre = id_or_none(centre)
                services.set_target(request.POST.get("kind", ""), request.POST.get("value", ""),
                                    request.POST.get("valid_from", ""), centre=centre, actor=user,
                                    note=request.POST.get("note", ""))
                messages.success(request, _("The target is saved."))
            elif action == "self_sufficiency" and user.role in PLANNERS:
                set_self_sufficiency_target(request.POST.get("year"), request.POST.get("target"), actor=user,
                                            reason=request.POST.get("reason", ""))
                messages.success(request, _("The target is saved."))
            else:
                errors = {"action": _("Choose what to save.")}
        except (services.TargetError, SettingsError) as exc:
            errors = exc.errors
        except NotInScope:
            errors = {"centre": _("You set targets for your own centre only.")}
        if not errors:
            return redirect("balance:targets")
    rows = BalanceTarget.objects.select_related("centre", "set_by").order_by("kind", "centre__name", "-valid_from", "-pk")
    centres = Centre.objects.order_by("name")
    if leader:
        rows = rows.filter(centre_id=user.centre_id) | rows.filter(centre__isnull=True)
        centres = centres.filter(pk=user.centre_id)
    return render(request, "balance/targets.html", {
        "rows": rows, "kinds": TargetKind.choices, "centres": centres, "leader": leader,
        "economist": user.role in PLANNERS, "errors": errors, "posted": posted,
        "action": posted.get("action") if posted else "",
        "ss_targets": SelfSufficiencyTarget.objects.order_by("-year")[:12],
        "today": datetime.date.today(), "next_year": datetime.date.today().year + 1,
    }, status=400 if errors else 200)


# ---- the HR staff figures --------------------------------------------------------------------


def _history():
    return StaffImport.objects.select_related("imported_by")[:20]


@role_required(services.IMPORTERS)
def staff_import(request):
    """Upload a staff file and see its preview (new, changed, unchanged, every error); the import
    itself is confirmed from the preview (:func:`staff_import_confirm`)."""
    context = {"history": _history(), "columns": services.COLUMNS, "max_mb": services.MAX_BYTES // 2**20}
    if request.method != "POST":
        return render(request, "balance/staff_import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV or Excel file (.xlsx) to import."))
        return render(request, "balance/staff_import.html", context, status=400)
    if upload.size > services.MAX_BYTES:
        messages.error(request, _("The file is larger than %(mb)d MB; split it by year.") % {"mb": context["max_mb"]})
        return render(request, "balance/staff_import.html", context, status=400)
    try:
        staged, parsed = services.stage_upload(upload, actor=request.user, file_name=upload.name or "")
    except services.StaffImportError as exc:
        messages.error(request, _("The file cannot be read: %(errors)s") % {"errors": "; ".join(exc.errors)})
        return render(request, "balance/staff_import.html", context, status=400)
    return render(request, "balance/staff_import.html", context | {
        "parsed": parsed, "staged": staged, "shown_errors": parsed.errors[:500],
        "more_errors": max(0, len(parsed.errors) - 500)})


@role_required(services.IMPORTERS)
@require_POST
def staff_import_confirm(request):
    sha256 = request.POST.get("sha256", "")
    try:
        made = services.commit_upload(sha256, actor=request.user)
    except services.StaffImportError as exc:
        messages.error(request, _("Nothing was imported: %(errors)s") % {"errors": "; ".join(exc.errors[:20])})
        return redirect("balance:staff_import")
    if made is None:
        messages.error(request, _("There is no previewed file to import (it may have been imported already)."))
        return redirect("balance:staff_import")
    messages.success(request, _("Imported: %(new)d new, %(changed)d changed and %(unchanged)d unchanged months.")
                     % {"new": made.new, "changed": made.changed, "unchanged": made.unchanged})
    return redirect("balance:staff_import")


@role_required(services.IMPORTERS)
def staff_template(request):
    response = HttpResponse(services.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="personaletal-skabelon.csv"'
    return response
