"""A template per import kind: the Danish column headers and one example row, ready to fill in."""

from openpyxl import Workbook
from openpyxl.styles import Font

from roret.reports.toolkit import excel


def template_workbook(kind) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = kind.sheet_names[0]
    sheet.append([names[0] for names in kind.columns.values()])
    sheet.append(list(kind.example))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
    return excel.save(book)
