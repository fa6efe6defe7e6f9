"""A round's export table as an XLSX workbook (the CSV comes from the export service)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from assessment.services.export import RoundExport

MAX_SHEET_TITLE = 31  # Excel's limit


def export_workbook(table: RoundExport) -> bytes:
    """One sheet named after the round: a bold header row, then one row per agency."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = f"Round {table.round_name}"[:MAX_SHEET_TITLE]
    sheet.append(list(table.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([row.get(column) for column in table.columns])
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
