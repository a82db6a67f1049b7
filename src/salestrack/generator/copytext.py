"""COPY text format for the generator: values written once as PostgreSQL's text format.

The generator makes tens of millions of rows; formatting them here (cached day strings,
minute-of-day strings, ids from the seeded generator as 32 hex digits) is several times
cheaper than building ``datetime``/``UUID``/``Decimal`` objects and having psycopg adapt
each one. The insert path (SQLite, or roles under row security) parses the same lines
back into Python values by the table's column types, so both paths load identical data.

Instants are whole minutes since 0001-01-01 (``day ordinal * 1440 + minute of day``), UTC.
"""

from __future__ import annotations

import json
import random
import time as clock
import uuid
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Table

NULL = "\\N"
MINUTES_PER_DAY = 1440
_DAYS: dict[int, str] = {}
_DATES: dict[int, date] = {}
STAMP = [f" {m // 60:02d}:{m % 60:02d}:00+00:00" for m in range(MINUTES_PER_DAY)]


class Ids:
    """Time-ordered ids as 32 hex digits (which PostgreSQL's uuid input takes as they are):
    UUIDv7 layout, milliseconds and a 12-bit counter, then 62 random bits drawn once per
    load (a node id, as in UUIDv1), so each id costs one increment and one format.

    Ordered ids matter at this volume: every primary key and ``(tenant_id, lead_id, ...)``
    index then grows at its right edge instead of touching a random page per row (which,
    past the buffer cache and a checkpoint, costs a page read and a full-page WAL image).
    The counter runs ahead of the clock when more than 4096 ids are made per millisecond.
    """

    def __init__(self, rng: random.Random) -> None:
        node = (0x2 << 62) | rng.getrandbits(62)  # variant bits 10
        self.node, self.node_bytes = f"{node:016x}", node.to_bytes(8, "big")
        self.last = int(clock.time() * 1000) << 12

    def _tick(self) -> int:
        self.last += 1
        tick = self.last
        return ((tick >> 12) << 16) | 0x7000 | (tick & 0xFFF)  # version nibble 7

    def __call__(self) -> str:
        return f"{self._tick():016x}{self.node}"

    def field(self) -> bytes:
        """A new id as a binary COPY uuid field (for rows nothing else refers to)."""
        return b"\x00\x00\x00\x10" + self._tick().to_bytes(8, "big") + self.node_bytes


def day_text(ordinal: int) -> str:
    """``YYYY-MM-DD`` of a day ordinal (a year of loads touches ~400 distinct days)."""
    found = _DAYS.get(ordinal)
    if found is None:
        found = _DAYS[ordinal] = date.fromordinal(ordinal).isoformat()
    return found


def day_of(ordinal: int) -> date:
    found = _DATES.get(ordinal)
    if found is None:
        found = _DATES[ordinal] = date.fromordinal(ordinal)
    return found


def stamp(instant: int) -> str:
    """A ``timestamptz`` literal of an instant (minutes since day 1), in UTC."""
    day, minute = divmod(instant, MINUTES_PER_DAY)
    return day_text(day) + STAMP[minute]


def now_stamp() -> str:
    return datetime.now().astimezone().isoformat(" ")


_JSON = json.JSONEncoder(separators=(",", ":")).encode
_FORMATS: dict[type, Callable[[Any], str]] = {
    type(None): lambda _value: NULL,
    bool: lambda value: "t" if value else "f",
    uuid.UUID: lambda value: value.hex,
    dict: _JSON,
    date: date.isoformat,
}


def value_text(value: Any) -> str:
    """Any state-table value as COPY text (the summary rows are ~5% of a load)."""
    return _FORMATS.get(type(value), str)(value)


# --- the insert path: lines back to Python values -----------------------------------


def _parser(column: Any) -> Callable[[str], Any]:
    """How to read one column's COPY text back, by the column's Python type."""
    from sqlalchemy import JSON

    kind_of = column.type
    while hasattr(kind_of, "impl"):  # a TypeDecorator: the stored type decides
        if "python_type" in type(kind_of).__dict__:
            break
        kind_of = kind_of.impl
    if isinstance(kind_of, JSON):
        return json.loads
    kind = kind_of.python_type
    parsers: dict[type, Callable[[str], Any]] = {
        uuid.UUID: uuid.UUID,
        datetime: datetime.fromisoformat,
        date: date.fromisoformat,
        time: time.fromisoformat,
        Decimal: Decimal,
        bool: lambda text: text == "t",
        int: int,
    }
    return parsers.get(kind, str)


def parse_lines(table: Table, columns: list[str], lines: list[str]) -> list[dict[str, Any]]:
    """COPY text lines as the dicts ``insert(table)`` takes (slow; for small loads)."""
    parsers = [_parser(table.c[name]) for name in columns]
    out = []
    for line in lines:
        fields = line.rstrip("\n").split("\t")
        out.append(
            {
                name: None if text == NULL else parse(text)
                for name, parse, text in zip(columns, parsers, fields, strict=True)
            }
        )
    return out
