"""Writing development plans: load a parsed file, revise an estimate, adopt a plan. Each runs in
one transaction, asks the gate, and writes its own audit row (page, command line and demo alike)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from roret.core import audit, text_limits
from roret.core.models import AuditAction
from roret.core.permissions import PLAN_EDITORS, require_role
from roret.plans.loading import ORE, ParsedPlan
from roret.plans.models import Estimate, EstimateKind, Initiative, Plan, PlanRow, PlanStatus, Track


def _may_edit(actor) -> None:
    # The command line and the demo act as the system (actor None); a person must be a planner.
    if actor is not None:
        require_role(actor, PLAN_EDITORS, "may not change development plans")


def load_plan(parsed: ParsedPlan, *, actor, source: str = "", channel: str = "web") -> Plan:
    """Store a parsed plan with its tracks, initiatives, rows and first estimates, all or nothing."""
    _may_edit(actor)
    if not parsed.ok:
        raise ValidationError([str(p) for p in parsed.problems])
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                title=parsed.title, first_year=parsed.years[0], last_year=parsed.years[-1], unit=parsed.unit,
                description=parsed.description, source=source[:300],
                published_total=[str(v) for v in parsed.published_total] if parsed.published_total else None,
                created_by=actor,
            )
            tracks: dict[str, Track] = {}
            estimates = []
            for position, row in enumerate(parsed.rows):
                track = None
                if row.track is not None:
                    track = tracks.get(row.track)
                    if track is None:
                        track = tracks[row.track] = Track.objects.create(
                            plan=plan, number=row.track, name=row.track_name, position=len(tracks))
                initiative = None
                if track is not None:
                    initiative = Initiative.objects.create(plan=plan, track=track, title=row.initiative,
                                                           description=row.description, position=position)
                plan_row = PlanRow.objects.create(plan=plan, track=track, initiative=initiative,
                                                  label=row.initiative, position=position)
                for kind, values in row.amounts.items():
                    estimates += [Estimate(row=plan_row, kind=kind, year=year, amount=amount, revision=1,
                                           note=_("From the file %(name)s") % {"name": source[:200]} if source else "",
                                           entered_by=actor)
                                  for year, amount in values.items()]
            Estimate.objects.bulk_create(estimates)
            audit.record(actor, AuditAction.CREATE, obj=plan, channel=channel,
                         summary=_("Development plan loaded: %(title)s (%(rows)d rows, %(first)d-%(last)d)")
                         % {"title": plan.title, "rows": len(parsed.rows), "first": plan.first_year,
                            "last": plan.last_year})
    except IntegrityError:
        # Two loads of the same title at once: the second finds the first's row.
        raise ValidationError(_("a plan with the title “%(title)s” exists already") % {"title": parsed.title}) \
            from None
    return plan


def revise_estimate(row: PlanRow, *, kind: str, year: int, amount: Decimal, actor, note: str,
                    channel: str = "web") -> Estimate:
    """A new estimate for a row, kind and year (amount in kroner): the next revision; the old stays."""
    _may_edit(actor)
    if kind not in EstimateKind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    if not row.plan.first_year <= year <= row.plan.last_year:
        raise ValidationError({"year": _("The plan covers %(first)d-%(last)d.")
                               % {"first": row.plan.first_year, "last": row.plan.last_year}})
    if abs(amount) >= Decimal(10) ** 14:  # before quantize, which raises beyond its precision
        raise ValidationError({"amount": _("The amount is too large.")})
    if amount != amount.quantize(ORE):
        raise ValidationError({"amount": _("An amount in kroner has at most two decimals.")})
    if kind == EstimateKind.INVESTMENT and amount < 0:
        raise ValidationError({"amount": _("An investment is a positive amount.")})
    if not note.strip():
        raise ValidationError({"note": _("Say why the estimate is revised.")})
    if found := text_limits.errors(Estimate, note=note.strip()):
        raise ValidationError(found)
    with transaction.atomic():
        PlanRow.objects.select_for_update().filter(pk=row.pk).first()
        previous = Estimate.objects.filter(row=row, kind=kind, year=year).order_by("-revision").first()
        if previous is not None and previous.amount == amount:
            return previous  # the same figure again (a resent form): nothing to revise
        estimate = Estimate.objects.create(row=row, kind=kind, year=year, amount=amount, note=note.strip(),
                                           revision=(previous.revision + 1) if previous else 1, entered_by=actor)
        audit.record(actor, AuditAction.CHANGE, obj=estimate, channel=channel,
                     before={"amount": str(previous.amount)} if previous else None,
                     after={"amount": str(amount), "revision": estimate.revision},
                     summary=_("Estimate revised: %(row)s, %(kind)s %(year)d")
                     % {"row": row.label, "kind": estimate.get_kind_display(), "year": year},
                     reason=note.strip()[:200])
    return estimate


def adopt_plan(plan: Plan, *, adopted_by: str, adopted_on: datetime.date, actor, channel: str = "web") -> Plan:
    """Mark a plan adopted by a body (the committee) on a date."""
    _may_edit(actor)
    if not adopted_by.strip():
        raise ValidationError({"adopted_by": _("Name the body that adopted the plan.")})
    if found := text_limits.errors(Plan, adopted_by=adopted_by.strip()):
        raise ValidationError(found)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        before = {"status": plan.status}
        plan.status, plan.adopted_by, plan.adopted_on = PlanStatus.ADOPTED, adopted_by.strip(), adopted_on
        plan.save(update_fields=["status", "adopted_by", "adopted_on"])
        audit.record(actor, AuditAction.CHANGE, obj=plan, channel=channel, before=before,
                     after={"status": plan.status, "adopted_by": plan.adopted_by, "adopted_on": str(adopted_on)},
                     summary=_("Development plan adopted: %(title)s") % {"title": plan.title})
    return plan


def find_plan(text: str) -> Plan:
    """A plan by id or exact title (the command line's PLAN)."""
    plan = None
    if text.isdigit():
        plan = Plan.objects.filter(pk=int(text)).first()
    plan = plan or Plan.objects.filter(title=text).first()
    if plan is None:
        raise Plan.DoesNotExist(_("No development plan with the id or title “%(text)s”.") % {"text": text})
    return plan


# --- the half-yearly status report ----------------------------------------------------------------


def may_make_status_report(user) -> bool:
    """The economist makes reports for the department; a committee member for the committee
    (suppressed). A centre leader's aggregates stop at their centre, and the report is the
    department's."""
    from roret.core.permissions import STATUS_REPORT_ROLES, is_active

    return user is None or (is_active(user) and user.role in STATUS_REPORT_ROLES)


def make_status_report(plan: Plan, half: str, *, actor, channel: str = "web", progress=None):
    """Build the status report of ``plan`` for ``half`` as ``actor`` sees it, render it as PDF,
    Word and HTML, store the three and audit the export. Returns the StatusReportFile."""
    import time

    from django.core.files.base import ContentFile
    from django.template.loader import render_to_string

    from roret.plans import status_report
    from roret.plans.models import StatusReportFile

    if not may_make_status_report(actor):
        from roret.core.permissions import NotInScope

        raise NotInScope("may not make status reports")
    from roret.core.permissions import suppresses

    progress = progress or (lambda percent, message: None)
    began = time.perf_counter()
    period = status_report.parse_half(half)
    if suppresses(actor) and period.end > timezone.localdate():
        # The committee's figures come in completed half-years only, as on the economy pages: a
        # running half-year's figures change from day to day, and two reports subtracted would show
        # what one citizen's new placement or event added.
        raise ValidationError(_("The committee's status report is made for a completed half-year."))
    # The committee's report is Danish, whoever makes it and from where (a job has no request).
    with translation.override(settings.LANGUAGE_CODE):
        report = status_report.build(plan, period, actor, progress=lambda p, m: progress(p * 0.8, m))
        progress(82, "PDF")
        pdf = status_report.render_pdf(report)
        progress(92, "Word")
        docx = status_report.render_docx(report)
        html = render_to_string("plans/_status_report_body.html", {"report": report})
    with transaction.atomic():
        stored = StatusReportFile(plan=plan, half=report.half, suppressed=report.suppress, html=html, made_by=actor,
                                  seconds=round(time.perf_counter() - began, 2))
        stored.pdf.save(f"{stored.filename}.pdf", ContentFile(pdf), save=False)
        stored.docx.save(f"{stored.filename}.docx", ContentFile(docx), save=False)
        stored.save()
        audit.record(actor, AuditAction.EXPORT, obj=stored, channel=channel,
                     summary=_("Status report made: %(title)s, %(half)s%(suppressed)s")
                     % {"title": plan.title, "half": report.half,
                        "suppressed": _(" (small cells hidden)") if report.suppress else ""})
    progress(100, _("Done"))
    return stored
