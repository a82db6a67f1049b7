"""``?format=csv``: a report as a spreadsheet-ready CSV with the same numbers as the JSON.

Numbers are written as plain decimals ("12.50", "150000.00") without thousands
separators or currency signs, so a spreadsheet reads them as numbers; a rate with a zero
denominator is an empty cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response


def render(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def response(name: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Response:
    return Response(
        content=render(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
