"""Keyset pagination in ascending (chronological) order over several non-null columns.

The foundation's ``paginate`` lists newest-created first; journey lists read oldest
first by event date, so they page on their own sort key, with the same cursor idea.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import TypeDecorator

from salestrack.core.pagination import cursor_moment, cursor_uuid, cursor_values, refused_cursor

Key = InstrumentedAttribute[Any]


def _dump(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _python_type(key: Key) -> type[Any]:
    column_type = key.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    kind: type[Any] = column_type.python_type
    return kind


def _load(key: Key, raw: Any) -> Any:
    kind = _python_type(key)
    if kind is datetime:
        return cursor_moment(raw)
    if kind is uuid.UUID:
        return cursor_uuid(raw)
    if kind is date and isinstance(raw, str):
        return date.fromisoformat(raw)
    if kind is time and isinstance(raw, str):
        value = time.fromisoformat(raw)
        if value.tzinfo is not None:
            raise ValueError("a local time has no zone")
        return value
    if kind is int and isinstance(raw, int) and not isinstance(raw, bool):
        if abs(raw) >= 2**63:
            raise ValueError("out of range")
        return raw
    raise ValueError(f"unexpected cursor value {raw!r}")


def encode(values: Sequence[Any]) -> str:
    raw = json.dumps([_dump(v) for v in values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, keys: Sequence[Key]) -> list[Any]:
    try:
        raw = cursor_values(cursor)
        if len(raw) != len(keys):
            raise ValueError("wrong shape")
        return [_load(key, value) for key, value in zip(keys, raw, strict=True)]
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise refused_cursor() from exc


def _after(keys: Sequence[Key], values: Sequence[Any]) -> ColumnElement[bool]:
    """``(k1, k2, ...) > (v1, v2, ...)`` spelled out so each value binds with its type."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal, key > values[i]))
    return or_(*clauses)


def ascending_page(
    session: Session,
    stmt: Select[Any],
    keys: Sequence[Key],
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[Any], str | None]:
    """Rows of ``stmt`` in ascending ``keys`` order after ``cursor``; the last key is unique."""
    if cursor:
        stmt = stmt.where(_after(keys, decode(cursor, keys)))
    stmt = stmt.order_by(*keys).limit(limit + 1)
    rows = list(session.execute(stmt).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    first = rows[-1][0]
    return rows, encode([getattr(first, key.key) for key in keys])
