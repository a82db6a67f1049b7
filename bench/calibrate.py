"""Calibration: salestrack's reads against a bare async app running the same SQL.

Run by hand (not in CI), from the repository root, with Debian's wrk installed:

    PYTHONPATH=src:. .venv/bin/python bench/calibrate.py --seconds 20 --workers 3

It prepares the ``salestrack_load`` database as ``bench/load.py`` does (``--reuse`` keeps the
last one), then, for three reads a sales floor makes all day (the lead list page, a lead's
timeline, the dashboard):

1. captures the statements salestrack runs for one such request (in process, as the app
   role, through the real app), minus the tenant setting and the user check;
2. serves ``bench/calibrate_app.py`` (FastAPI + async psycopg pool + orjson, no auth)
   replaying exactly those statements, and has wrk load it;
3. serves salestrack (``salestrack serve``, production mode, the row-level-security role)
   with the same workers and has wrk load the real endpoint with the same settings.

It prints req/s, p50 and p99 of each and the ratio salestrack / bare. Both servers run one
after the other on the same database, so the ratio is comparable within one run.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
from bench import load

READS = {
    "lead-list": "/api/v1/sales/leads?limit=20",
    "timeline": "/api/v1/sales/reports/milestone-timeline/{lead_id}",
    "dashboard": "/api/v1/sales/reports/dashboard",
}
SKIPPED = re.compile(r"set_config\('app\.tenant_id'|SET LOCAL|FROM users", re.IGNORECASE)


def capture(base_env: dict[str, str], token: str, lead_id: str) -> dict[str, list[Any]]:
    """The statements salestrack runs for one request of each read, in order."""
    import psycopg
    from fastapi.testclient import TestClient

    from salestrack.app import create_app
    from salestrack.core.config import Settings

    settings = Settings(
        env="production",
        database_url=load.APP_URL,
        migration_database_url=load.OWNER_URL,
        app_db_role=load.APP_ROLE,
        secret_key=base_env["SALESTRACK_SECRET_KEY"],
    )
    app = create_app(settings)
    seen: list[tuple[str, Any]] = []

    # At the driver: the API's handlers run on the async driver, some of their reads
    # straight on the psycopg connection (``core.reads``), none of them through an event
    # SQLAlchemy would see.
    original = psycopg.AsyncCursor.execute

    async def recording(cursor: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        seen.append((query, params))
        return await original(cursor, query, params, **kw)

    headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": load.TENANT}
    captured: dict[str, list[Any]] = {}
    psycopg.AsyncCursor.execute = recording  # type: ignore[method-assign]
    try:
        with TestClient(app) as client:
            for name, path in READS.items():
                client.get(path.format(lead_id=lead_id), headers=headers).raise_for_status()
                seen.clear()
                client.get(path.format(lead_id=lead_id), headers=headers).raise_for_status()
                captured[name] = [
                    (s, p) for s, p in seen if isinstance(s, str) and not SKIPPED.search(s)
                ]
    finally:
        psycopg.AsyncCursor.execute = original  # type: ignore[method-assign]
    app.state.engine.dispose()
    return captured


def wrk(url: str, seconds: float, clients: int, headers: dict[str, str]) -> dict[str, float]:
    """req/s, p50 and p99 (ms) of wrk's plain run against ``url``."""
    command = ["wrk", "-t2", f"-c{clients}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rate,
        "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def serve_bare(statements_file: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CALIBRATE_STATEMENTS": statements_file,
        "CALIBRATE_DSN": f"host={load.HOST} user=root dbname={load.DB_NAME}",
    }
    command = [sys.executable, "-m", "uvicorn", "calibrate_app:app", "--port", str(port)]
    command += ["--host", load.HOST, "--workers", str(workers), "--no-access-log"]
    process = subprocess.Popen(
        command, cwd=Path(__file__).parent, env=env, stdout=subprocess.DEVNULL
    )
    _wait_ready(f"http://{load.HOST}:{port}/replay/dashboard", process)
    return process


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bare app exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("bare app did not become ready in 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep the last run's database")
    args = parser.parse_args()
    base_env = {
        **os.environ,
        "SALESTRACK_DATABASE_URL": load.OWNER_URL,
        "SALESTRACK_MIGRATION_DATABASE_URL": load.OWNER_URL,
        "SALESTRACK_APP_DB_ROLE": load.APP_ROLE,
        "SALESTRACK_SECRET_KEY": secrets.token_urlsafe(48),
        "SALESTRACK_TOKEN_TTL_SECONDS": "3600",
    }
    load.prepare(base_env, args.leads, reuse=args.reuse)
    os.environ.update(base_env)  # the in-process capture signs tokens with the same key
    server = load.serve(base_env, args.port, args.workers)
    try:
        base = f"http://{load.HOST}:{args.port}"
        token = load.login(base)
        headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": load.TENANT}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            lead_id = load.ids(client, "/api/v1/sales/leads", 1)[0]
        ours = {
            name: wrk(base + path.format(lead_id=lead_id), args.seconds, args.clients, headers)
            for name, path in READS.items()
        }
    finally:
        load.stop(server)
    statements = capture(base_env, token, lead_id)
    statements_file = os.path.join(tempfile.mkdtemp(prefix="salestrack-calibrate-"), "sql.pkl")
    Path(statements_file).write_bytes(pickle.dumps(statements))
    bare_server = serve_bare(statements_file, args.port + 1, args.workers)
    try:
        bare = {
            name: wrk(
                f"http://{load.HOST}:{args.port + 1}/replay/{name}", args.seconds, args.clients, {}
            )
            for name in READS
        }
    finally:
        bare_server.send_signal(signal.SIGTERM)
        bare_server.wait(timeout=30)
    report(ours, bare, statements, args)


def report(
    ours: dict[str, dict[str, float]],
    bare: dict[str, dict[str, float]],
    statements: dict[str, list[Any]],
    args: argparse.Namespace,
) -> None:
    print(
        f"\nwrk -t2 -c{args.clients} -d{args.seconds:g}s, {args.workers} workers each, "
        f"database {load.DB_NAME}"
    )
    print(
        f"{'read':<11}{'SQL':>4} | {'bare req/s':>10}{'p50':>8}{'p99':>8} | "
        f"{'salestrack':>10}{'p50':>8}{'p99':>8} {'errors':>7} | {'ratio':>6}"
    )
    for name in READS:
        b, s = bare[name], ours[name]
        print(
            f"{name:<11}{len(statements[name]):>4} | {b['rps']:>10.0f}{b['p50']:>8.1f}"
            f"{b['p99']:>8.1f} | {s['rps']:>10.0f}{s['p50']:>8.1f}{s['p99']:>8.1f}"
            f" {s['errors']:>7.0f} | {s['rps'] / b['rps']:>6.2f}"
        )


if __name__ == "__main__":
    main()
