"""Real .xlsx and .csv files for the import tests, built with openpyxl."""

import io

from openpyxl import Workbook

from roret.imports import services


def xlsx(header, rows, *, title="Ark1") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(header, rows, *, delimiter=";", encoding="utf-8-sig") -> bytes:
    lines = [delimiter.join(str(v) for v in header)] + [delimiter.join("" if v is None else str(v) for v in r)
                                                        for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def run(data: bytes, kind: str, actor, *, name="fil.xlsx", commit=True):
    """Stage and (when clean) commit a file in the foreground, as the command line does."""
    batch = services.stage(data, name, kind, actor=actor, background=False)
    if commit and batch.status == "staged":
        batch = services.commit(batch, actor=actor, background=False)
    return batch
