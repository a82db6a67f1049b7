"""Calibration for the load run: a bare FastAPI app serving the lead list's SQL.

No auth, tenancy, row-level security, audit, idempotency, metrics or response model: one
sync handler, one SQLAlchemy Core text query on the database ``bench/load.py`` prepared.
What it serves on this machine is the ceiling the full stack's overhead is measured from.

    PYTHONPATH=src:. .venv/bin/python bench/load.py --seconds 5   # prepares salestrack_load
    cd bench && ../.venv/bin/uvicorn bare_app:app --port 8790 --workers 3 --no-access-log &
    wrk -t2 -c32 -d20s --latency http://127.0.0.1:8790/leads
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import create_engine, text

engine = create_engine(
    "postgresql+psycopg://root@127.0.0.1:5432/salestrack_load", pool_size=10, max_overflow=10
)
PAGE = text(
    "SELECT * FROM leads WHERE tenant_id = :tenant AND deleted_at IS NULL"
    " ORDER BY created_at DESC, id DESC LIMIT 21"
)
with engine.connect() as connection:
    TENANT = connection.execute(text("SELECT tenant_id FROM leads LIMIT 1")).scalar()

app = FastAPI()


@app.get("/leads")
def leads() -> dict[str, Any]:
    with engine.connect() as connection:
        rows = connection.execute(PAGE, {"tenant": TENANT}).mappings().all()
    return {"items": [dict(row) for row in rows[:20]]}
