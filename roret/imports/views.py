"""The import pages: upload (kind, file, check only), the preview with counts and errors and the
import button, the upload history, the error report and a template per kind. Thin: the work is
in roret.imports.services."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from roret.core import permissions
from roret.core.access import role_required
from roret.imports import kinds as registry
from roret.imports import services
from roret.imports.models import BatchStatus
from roret.imports.reading import FileRefused

#: Every role that may import some kind (each kind's own roles are checked again by the service):
#: caseworkers (citizens, placements), the economist (budgets, catalogue), the administrator (catalogue).
IMPORTERS = permissions.CASEWORKERS | permissions.PLANNERS | permissions.CATALOGUE_EDITORS
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_PER_PAGE = 100


def _kind(request, name: str):
    """The kind ``name`` if the user may import it, else 404."""
    registry.load()
    found = next((k for k in registry.allowed(request.user) if k.name == name), None)
    if found is None:
        raise Http404
    return found


@role_required(IMPORTERS)
@require_GET
def upload(request):
    """One upload form per kind the user may import."""
    registry.load()
    return render(request, "imports/upload.html", {"kinds": registry.allowed(request.user)})


@role_required(IMPORTERS)
def stage(request, kind):
    """Upload a file of ``kind``: it is checked (in the background when large) and previewed."""
    found = _kind(request, kind)
    error = ""
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        check_only = request.POST.get("check_only", "")
        if upload_file is None:
            error = _("Choose a file (.xlsx or .csv) to import.")
        elif check_only not in ("", "1"):
            error = _("Check only is ticked or not (1 or nothing).")
        else:
            data = upload_file.read(settings.RORET["IMPORT_MAX_BYTES"] + 1)
            try:
                batch = services.stage(data, upload_file.name, found.name, actor=request.user,
                                       check_only=check_only == "1")
            except FileRefused as exc:
                error = str(exc)
            else:
                return redirect("imports:batch", batch.pk)
    return render(request, "imports/upload.html", {"kinds": [found], "error": error}, status=400 if error else 200)


def _job_to_show(found):
    """The background job's progress while it runs, and its message if it failed; once it is done,
    the batch's own status and counts say what came of it."""
    from roret.core.jobs import JobStatus

    job = found.job
    if job is None:
        return None
    return job if found.status == BatchStatus.RUNNING or job.status == JobStatus.FAILED else None


@role_required(IMPORTERS)
@require_GET
def batch(request, pk):
    found = services.get_batch(request.user, pk)
    page = Paginator(found.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/batch.html", {
        "batch": found, "errors": page, "job": _job_to_show(found),
        "may_commit": found.status == BatchStatus.STAGED and found.created_by_id == request.user.pk,
    })


@role_required(IMPORTERS)
@require_POST
def commit(request, pk):
    found = services.get_batch(request.user, pk, own=True)
    try:
        found = services.commit(found, actor=request.user)
    except services.ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        if found.status == BatchStatus.COMMITTED:
            messages.success(request, _("Imported: %(new)d new, %(changed)d changed, %(unchanged)d unchanged rows.")
                             % {"new": found.new, "changed": found.changed, "unchanged": found.unchanged})
        elif found.status != BatchStatus.RUNNING:
            messages.error(request, _("Nothing was imported: see the errors."))
    return redirect("imports:batch", found.pk)


@role_required(IMPORTERS)
@require_GET
def history(request):
    batches = Paginator(services.batches_of(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "imports/history.html", {"batches": batches})


@role_required(IMPORTERS)
@require_GET
def error_report(request, pk):
    found = services.get_batch(request.user, pk)
    response = HttpResponse(services.error_report(request.user, found), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{found.pk}-fejl.xlsx"'
    return response


@role_required(IMPORTERS)
@require_GET
def template(request, kind):
    from roret.imports.templates_xlsx import template_workbook

    found = _kind(request, kind)
    response = HttpResponse(template_workbook(found), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="skabelon-{found.name}.xlsx"'
    return response
