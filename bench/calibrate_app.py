"""The bare async app ``bench/calibrate.py`` measures salestrack against.

FastAPI, an async psycopg connection pool and orjson; no auth, tenancy, row-level security,
audit, metrics or response model. For each read it replays the very statements salestrack
ran for that request (captured by ``calibrate.py`` and handed over in the pickle file named
by ``CALIBRATE_STATEMENTS``), leaving out only what the bare app has no use for: the tenant
setting and the user check. What it serves is the ceiling of the machine for that SQL.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import orjson
from fastapi import FastAPI, Response
from psycopg_pool import AsyncConnectionPool

with open(os.environ["CALIBRATE_STATEMENTS"], "rb") as f:
    STATEMENTS: dict[str, list[tuple[str, Any]]] = pickle.load(f)

pool = AsyncConnectionPool(os.environ["CALIBRATE_DSN"], min_size=4, max_size=10, open=False)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    await pool.open()
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError


@app.get("/replay/{name}")
async def replay(name: str) -> Response:
    results = []
    async with pool.connection() as connection:
        for statement, params in STATEMENTS[name]:
            cursor = await connection.execute(statement, params)
            if cursor.description is not None:
                columns = [c.name for c in cursor.description]
                rows = await cursor.fetchall()
                results.append([dict(zip(columns, row, strict=True)) for row in rows])
    return Response(orjson.dumps(results, default=_default), media_type="application/json")
