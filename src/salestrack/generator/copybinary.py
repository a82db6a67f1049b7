"""PostgreSQL's binary COPY format for the three tables that hold ~90% of generated rows
(engagements, milestones, status history).

Parsing text costs PostgreSQL more than anything else in the load (a timestamp or uuid
literal per field); binary fields are read as they are. Building them costs Python about
what the text did: constant fields (tenant, actor, enum words, NULL) are made once.
The insert path decodes the same bytes by column type (``parse``), so both paths agree.
"""

from __future__ import annotations

import json
import struct
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import JSON, Table

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
NULL = b"\xff\xff\xff\xff"
EMPTY = b"\x00\x00\x00\x00"
TRUE = b"\x00\x00\x00\x01\x01"
FALSE = b"\x00\x00\x00\x01\x00"
PG_EPOCH = date(2000, 1, 1)
PG_EPOCH_DAY = PG_EPOCH.toordinal()
PG_EPOCH_MINUTE = PG_EPOCH_DAY * 1440
_UUID = b"\x00\x00\x00\x10"
_I8 = struct.Struct(">iq").pack
_I4 = struct.Struct(">ii").pack
_F8 = struct.Struct(">id").pack
_WORDS: dict[str, bytes] = {}


def fields(count: int) -> bytes:
    """A row's start: its field count."""
    return struct.pack(">h", count)


def uid(hex32: str) -> bytes:
    return _UUID + bytes.fromhex(hex32)


def stamp(instant: int) -> bytes:
    """A timestamptz of an instant (minutes since day 1, UTC): microseconds since 2000."""
    return _I8(8, (instant - PG_EPOCH_MINUTE) * 60_000_000)


def day(ordinal: int) -> bytes:
    return _I4(4, ordinal - PG_EPOCH_DAY)


def clock(minute: int) -> bytes:
    """A time of day (``time`` without zone) from its minute."""
    return _I8(8, minute * 60_000_000)


def int4(value: int) -> bytes:
    return _I4(4, value)


def float8(value: float) -> bytes:
    return _F8(8, value)


def text(value: str) -> bytes:
    data = value.encode()
    return struct.pack(">i", len(data)) + data


def word(value: str) -> bytes:
    """``text`` of the few values a column repeats (statuses, kinds), made once each."""
    found = _WORDS.get(value)
    if found is None:
        found = _WORDS[value] = text(value)
    return found


# --- the insert path: bytes back to Python values -------------------------------------


def _decoder(column: Any) -> Callable[[bytes], Any]:
    kind_of = column.type
    while hasattr(kind_of, "impl") and "python_type" not in type(kind_of).__dict__:
        kind_of = kind_of.impl
    if isinstance(kind_of, JSON):
        return json.loads
    decoders: dict[type, Callable[[bytes], Any]] = {
        uuid.UUID: lambda b: uuid.UUID(bytes=b),
        datetime: lambda b: (
            datetime(2000, 1, 1, tzinfo=UTC)
            + timedelta(microseconds=int.from_bytes(b, "big", signed=True))
        ),
        date: lambda b: date.fromordinal(PG_EPOCH_DAY + int.from_bytes(b, "big", signed=True)),
        time: lambda b: (datetime.min + timedelta(microseconds=int.from_bytes(b, "big"))).time(),
        bool: lambda b: b != b"\x00",
        int: lambda b: int.from_bytes(b, "big", signed=True),
        float: lambda b: struct.unpack(">d", b)[0],
    }
    return decoders.get(kind_of.python_type, bytes.decode)


def parse(table: Table, columns: list[str], data: bytes) -> list[dict[str, Any]]:
    """A binary COPY stream as the dicts ``insert(table)`` takes (slow; small loads)."""
    decoders = [_decoder(table.c[name]) for name in columns]
    out = []
    at = len(HEADER)
    while data[at : at + 2] != TRAILER:
        at += 2
        row: dict[str, Any] = {}
        for name, decode in zip(columns, decoders, strict=True):
            size = int.from_bytes(data[at : at + 4], "big", signed=True)
            at += 4
            if size < 0:
                row[name] = None
                continue
            row[name] = decode(data[at : at + size])
            at += size
        out.append(row)
    return out
