"""The capacity plan as a PDF section (WeasyPrint), drawn from the same template parts and
charts as the page.

``section_html(run)`` is the section alone (heading, inputs, scenarios side by side, fan
charts, year and month tables) for a larger report to include; ``render_run_pdf`` wraps it
in a page of its own. The page asks for the PDF as a background job (``capacity.pdf`` in
roret.capacity.jobs), because laying out four charts and 60 month rows per scenario takes
seconds.
"""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


def context_for(run) -> dict:
    from roret.capacity import runs

    return {
        "run": run, "group": run.group_obj,
        "charts": runs.chart_svgs(run.results) if run.is_ready else None,
        "yearly": [(sc["name"], runs.yearly(sc)) for sc in run.results["scenarios"]] if run.is_ready else None,
    }


def section_html(run) -> str:
    """The capacity plan of a finished run as an HTML fragment for a PDF report."""
    if not run.is_ready:
        raise ValueError(f"plan run {run.pk} has no results yet")
    return render_to_string("capacity/_plan_section.html", context_for(run))


def pdf_name(run) -> str:
    return f"capacity-plan-{run.group}-{run.pk}.pdf"


def render_run_pdf(run, context: dict | None = None,
                   progress: Callable[[float, str], None] | None = None) -> bytes:
    """The run as a PDF; ``progress(percent, message)`` is told after each of its three steps
    (charts and HTML, page layout, writing), the layout being most of the time."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango at import

    if not run.is_ready:
        raise ValueError(f"plan run {run.pk} has no results yet")
    progress = progress or (lambda percent, message: None)
    progress(5, _("Drawing the charts"))
    context = context or context_for(run)
    html = render_to_string("capacity/run_pdf.html", {"LANGUAGE_CODE": translation.get_language(), **context})
    progress(25, _("Laying out the pages"))
    document = HTML(string=html).render()
    progress(85, _("Writing the PDF (%(pages)d pages)") % {"pages": len(document.pages)})
    return document.write_pdf()
