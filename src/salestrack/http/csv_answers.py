"""``?format=csv``: a report as a spreadsheet-ready CSV with the same numbers as the JSON.

Numbers are written as plain decimals ("12.50", "150000.00") without thousands
separators or currency signs, so a spreadsheet reads them as numbers; a rate with a zero
denominator is an empty cell. Text a user typed is made inert (``inert``): a spreadsheet
never runs a cell of ours as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel

# For the OpenAPI document: ``?format=csv`` answers text/csv beside the JSON.
CSV_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}
CsvFormat = Annotated[Literal["json", "csv"], Query(description="csv for a spreadsheet")]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def inert(value: Any) -> Any:
    """A cell no spreadsheet runs as a formula (OWASP CSV injection): text that starts with
    ``= + - @``, a tab or a carriage return gets a leading apostrophe, unless it is a plain
    number ("-400000.00" stays a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def render(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([inert(v) for v in header])
    for row in rows:
        writer.writerow(["" if v is None else inert(v) for v in row])
    return out.getvalue()


def response(name: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Response:
    return Response(
        content=render(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def key_values(data: Mapping[str, Any], prefix: str = "") -> list[list[Any]]:
    """A flat object as ``field, value`` lines; nested counts become ``by_type.call_made``."""
    rows: list[list[Any]] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            rows.extend(key_values(value, f"{prefix}{key}."))
        else:
            rows.append([f"{prefix}{key}", value])
    return rows


def plain(model: BaseModel) -> dict[str, Any]:
    """A response model as the JSON the API would send (decimals and dates as text)."""
    encoded: dict[str, Any] = jsonable_encoder(model)
    return encoded
