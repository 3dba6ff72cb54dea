"""A list page downloaded to Excel: the whole filtered and sorted list (not only the page shown),
for the roles that may export citizens (``permissions.LIST_EXPORTERS``), audited as an export
that names the citizens it contained."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font

from roret.core import audit, permissions
from roret.core.models import LISTS, AuditAction
from roret.reports.toolkit import excel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(title: str, headers, rows) -> bytes:
    """``rows`` (lists of cells) under ``headers`` as one sheet, dates as dates."""
    wb = Workbook()
    ws = wb.active
    ws.title = str(title)[:28] or "Liste"
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([str(v) if v is not None and not isinstance(v, int | float | datetime.date) else v for v in row])
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD-MM-YYYY"
    return excel.save(wb)


def export(user, name: str, headers, rows, *, citizen_ids, channel: str = "web") -> bytes:
    """The list ``name`` (a key of ``LISTS``) as .xlsx, audited as an export with the citizens it
    contained; a role that may not export citizens is refused (NotInScope)."""
    permissions.require_role(user, permissions.LIST_EXPORTERS, "this role does not export citizen lists")
    data = workbook(LISTS[name], headers, rows)
    ids = sorted({c for c in citizen_ids if c is not None})
    with translation.override("da"):
        label = str(LISTS[name])
    audit.record(user, AuditAction.EXPORT, object_type="list", object_id=name, citizen_count=len(ids),
                 channel=channel, after={"citizens": ids},
                 summary=f"Liste hentet til Excel: {label} ({len(ids)} {'borger' if len(ids) == 1 else 'borgere'})")
    return data


def response(user, name: str, headers, rows, *, citizen_ids, filename: str) -> HttpResponse:
    """The download of :func:`export` as a page's answer."""
    data = export(user, name, headers, rows, citizen_ids=citizen_ids)
    answer = HttpResponse(data, content_type=XLSX)
    answer["Content-Disposition"] = f'attachment; filename="{filename}-{datetime.date.today():%Y-%m-%d}.xlsx"'
    return answer
