"""Hot reads: a Core ``SELECT`` compiled once, run on PostgreSQL straight on the driver.

For each statement SQLAlchemy builds the statement, generates its cache key, sets up an
execution context and wraps every row; for the small indexed reads the API answers all day
(a page of leads, a lead's milestones) that costs the app more CPU than the database
spends answering. A ``Prepared`` read keeps its statement, compiles it once per dialect
and, on PostgreSQL, sends the compiled SQL on the psycopg connection of the session's own
transaction (its tenant setting and user check already made), binding values and reading
results with SQLAlchemy's own processors for the statement's types: the same SQL, the same
values in, the same values out. Driver errors are raised as SQLAlchemy's (a broken
connection is invalidated first), so outages answer 503 as everywhere else. On SQLite the
very same statement runs through the connection as usual.

A statement with parameters to expand at execution time (an ``IN`` list) is refused when
it is prepared: its SQL is not fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Select, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from salestrack.core import opening

Processor = Callable[[Any], Any] | None


@dataclass
class _Compiled:
    """A statement's SQL for one dialect, and how to bind and read its values."""

    sql: str
    defaults: dict[str, Any]  # parameters with a value in the statement (e.g. a LIMIT)
    binds: dict[str, Processor]
    keys: list[str]
    types: list[Any]
    results: list[tuple[int, Processor]] | None = field(default=None)  # from the first run


class Prepared:
    """A read whose statement is built once; ``rows`` runs it with these parameters."""

    def __init__(self, statement: Select[Any]) -> None:
        if any(bind.expanding for bind in statement.compile().binds.values()):
            raise ValueError("a prepared read cannot expand parameters at execution time")
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, session: Session, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows as dicts keyed by the selected columns' keys (after flushing what the
        session holds, as the ORM's own queries do)."""
        if session.autoflush and (session.new or session.deleted or session.dirty):
            session.flush()
        connection = session.connection()
        if connection.dialect.name != "postgresql":
            result = connection.execute(self.statement, params or {})
            return [dict(row) for row in result.mappings()]
        return _run(connection, self._for(connection.dialect), params or {})

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return compiled


class Shapes:
    """``Prepared`` reads of one family, built on first use per shape (e.g. which filters
    a list has), so a list with optional filters compiles each combination once."""

    def __init__(self, build: Callable[[Any], Select[Any]]) -> None:
        self._build = build
        self._shapes: dict[Hashable, Prepared] = {}

    def of(self, shape: Hashable) -> Prepared:
        prepared = self._shapes.get(shape)
        if prepared is None:
            prepared = self._shapes[shape] = Prepared(self._build(shape))
        return prepared


def entity_columns(model: Any) -> list[Any]:
    """Every column attribute of an ORM model, labelled with its attribute's name: a read of
    these gives rows keyed as the entity's attributes (``as_objects``)."""
    return [getattr(model, attr.key).label(attr.key) for attr in inspect(model).column_attrs]


def as_objects(rows: list[dict[str, Any]]) -> list[SimpleNamespace]:
    """Rows with attribute access, for code written against entities that only reads them
    (no entity is built, tracked or refreshed)."""
    return [SimpleNamespace(**row) for row in rows]


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    if "POSTCOMPILE" in compiled.string:
        raise ValueError(f"a prepared read's SQL must be fixed: {compiled.string}")
    binds: dict[str, Processor] = {}
    defaults: dict[str, Any] = {}
    for bind, name in compiled.bind_names.items():
        binds[name] = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if not bind.required:  # a value the statement carries (e.g. a LIMIT)
            defaults[name] = bind.effective_value
    return _Compiled(
        sql=compiled.string,
        defaults=defaults,
        binds=binds,
        keys=[str(column.key) for column in statement.selected_columns],
        types=[column.type for column in statement.selected_columns],
    )


def _run(
    connection: Connection, compiled: _Compiled, params: dict[str, Any]
) -> list[dict[str, Any]]:
    values = {**compiled.defaults, **params}
    for name, process in compiled.binds.items():
        if process is not None:
            values[name] = process(values[name])
    driver: Any = connection.connection.driver_connection
    try:
        description, rows = _fetch(driver, compiled.sql, values, connection.dialect.is_async)
    except Exception as exc:
        import psycopg  # the PostgreSQL driver

        if not isinstance(exc, psycopg.Error):
            raise
        raise opening.driver_error(connection, compiled.sql, values, exc) from exc
    if compiled.results is None:
        compiled.results = _result_processors(compiled, connection.dialect, description)
    keys = compiled.keys
    if not compiled.results:
        return [dict(zip(keys, row, strict=True)) for row in rows]
    out = []
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        for index, process in compiled.results:
            item[keys[index]] = process(row[index])  # type: ignore[misc]
        out.append(item)
    return out


def _fetch(driver: Any, sql: str, values: dict[str, Any], is_async: bool) -> tuple[Any, list[Any]]:
    if not is_async:
        with driver.cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.description, cursor.fetchall()
    cursor = driver.cursor()
    try:
        await_only(cursor.execute(sql, values))
        return cursor.description, await_only(cursor.fetchall())
    finally:
        await_only(cursor.close())


def _result_processors(
    compiled: _Compiled, dialect: Dialect, description: Any
) -> list[tuple[int, Processor]]:
    """SQLAlchemy's result processors for the statement's types (as the driver reported
    them), only those that do something."""
    found = []
    for index, (kind, column) in enumerate(zip(compiled.types, description, strict=True)):
        process = kind.dialect_impl(dialect).result_processor(dialect, column.type_code)
        if process is not None:
            found.append((index, process))
    return found
