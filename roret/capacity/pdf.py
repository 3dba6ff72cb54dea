"""The capacity plan as a PDF section (WeasyPrint), drawn from the same template parts and
charts as the page.

``section_html(run)`` is the section alone (heading, inputs, scenarios side by side, fan
charts, year and month tables) for a larger report to include; ``render_run_pdf`` wraps it
in a page of its own.
"""

from django.template.loader import render_to_string


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


def render_run_pdf(run, context: dict | None = None) -> bytes:
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango at import

    html = render_to_string("capacity/run_pdf.html", context or context_for(run))
    return HTML(string=html).write_pdf()
