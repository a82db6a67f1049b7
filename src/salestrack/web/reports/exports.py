"""Report tables as downloads: CSV (the reports domain's writer, as the API's
``?format=csv``) and Excel (openpyxl), with the same header and rows.

In the workbook, numbers are numbers (a spreadsheet can sum them) and an empty rate
(zero denominator) is an empty cell, as in the CSV; text is always a text cell, never a
formula, whatever it starts with (a campaign named ``=cmd|...``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.responses import Response

from salestrack.core.schema_base import CONTROL_CHARACTERS
from salestrack.http import csv_answers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | Decimal):
        return value
    # Text saved before control characters were refused: XML cannot hold them.
    text = CONTROL_CHARACTERS.sub("\ufffd", str(value))
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return number if number.is_finite() and text.strip() == text else text


def workbook_bytes(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    # Imported when used, like the lead importer: openpyxl pulls in numpy when present.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # our cells are values: text from a user stays text
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(str(name)) + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(
    name: str, kind: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Response:
    """``kind`` is ``csv`` or ``xlsx``; the file is named ``name.<kind>``."""
    if kind == "csv":
        return csv_answers.response(name, header, rows)
    return Response(
        content=workbook_bytes(name, header, rows),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
