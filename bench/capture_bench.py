"""Capture throughput: ``POST /api/v1/capture/leads`` with an integration key, against
``salestrack serve`` on a fresh database (SQLite file or PostgreSQL), run by hand.

    PYTHONPATH=src:. .venv/bin/python bench/capture_bench.py --db sqlite --captures 600
    PYTHONPATH=src:. .venv/bin/python bench/capture_bench.py --db postgresql --workers 2

``--clients`` threads send captures as fast as answers come back (each with an
Idempotency-Key, retried after a 503 as a client should; latency includes the retries).
``--repeat`` of them (a fraction) carry the phone of an earlier capture in another
format, so they take the re-enquiry path (engagement, touch, last touch) instead of
creating a lead. Every capture maps its UTM source through an attribution rule and is
assigned round robin. At the end it checks that the tenant holds exactly one lead per
distinct phone, and prints captures per second and latency percentiles.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx
from bench import load

HOST = "127.0.0.1"
PG_DB = "salestrack_capture_bench"
APP_ROLE = "salestrack_app"
TENANT = "capture-bench"
EMAIL = "admin@capture-bench.example.com"
PASSWORD = secrets.token_urlsafe(18)
CLI = [sys.executable, "-c", "from salestrack.cli import main; main()"]
SERVER_LOG = os.path.join(tempfile.gettempdir(), "salestrack-capture-bench.log")


def prepare(db: str) -> dict[str, str]:
    """A fresh database with the tenant and an admin; the environment to serve it."""
    env = {**os.environ, "SALESTRACK_ENV": "development", "SALESTRACK_SECRET_KEY": "b" * 40}
    if db == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="capture-bench-")) / "bench.db"
        env["SALESTRACK_DATABASE_URL"] = f"sqlite:///{path}"
        serve_env = dict(env)
    else:
        import psycopg

        with psycopg.connect(f"host={HOST} user=root dbname=postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        env["SALESTRACK_DATABASE_URL"] = f"postgresql+psycopg://root@{HOST}:5432/{PG_DB}"
        serve_env = {
            **env,
            "SALESTRACK_MIGRATION_DATABASE_URL": env["SALESTRACK_DATABASE_URL"],
            "SALESTRACK_DATABASE_URL": f"postgresql+psycopg://{APP_ROLE}@{HOST}:5432/{PG_DB}",
        }
    for args in (
        ["migrate"],
        ["create-tenant", TENANT, "--name", "Capture bench"],
        [
            "create-user",
            "--tenant",
            TENANT,
            "--email",
            EMAIL,
            "--role",
            "admin",
            "--password",
            PASSWORD,
        ],
    ):
        subprocess.run([*CLI, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return serve_env


def serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    return load.launch(env, port, workers, SERVER_LOG)


def setup(base: str) -> tuple[str, httpx.Client]:
    """Log in, add a source, its attribution rule and a round-robin rule; a capture key."""
    token = httpx.post(
        f"{base}/api/v1/auth/token",
        headers={"X-Tenant-ID": TENANT},
        data={"username": EMAIL, "password": PASSWORD},
    ).json()["access_token"]
    api = httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}", "X-Tenant-ID": TENANT}
    )
    source = api.post(
        "/api/v1/sales/lead-sources",
        json={"source_type": "social", "subsource_name": "Facebook", "channel": "Social Media"},
    ).json()["id"]
    api.post(
        "/api/v1/sales/attribution-rules",
        json={"field": "utm_source", "value": "facebook", "source_id": source},
    ).raise_for_status()
    api.post(
        "/api/v1/sales/assignment-rules", json={"name": "all", "mode": "round_robin"}
    ).raise_for_status()
    key: str = api.post(
        "/api/v1/sales/integration-keys", json={"name": "bench", "scope": "capture"}
    ).json()["key"]
    return key, api


def count_leads(api: httpx.Client) -> int:
    """The tenant's leads, counted page by page."""
    total, cursor = 0, None
    while True:
        page = api.get(
            "/api/v1/sales/leads", params={"limit": 500, **({"cursor": cursor} if cursor else {})}
        ).json()
        total += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return total


def send(client: httpx.Client, body: dict[str, str], *, key: str) -> int:
    """One capture as a well-behaved client sends it: with an Idempotency-Key, retried
    after ``Retry-After`` when the server is busy (503), so nothing is lost or doubled."""
    for _attempt in range(10):
        answer = client.post("/api/v1/capture/leads", json=body, headers={"Idempotency-Key": key})
        if answer.status_code != 503:
            return answer.status_code
        time.sleep(float(answer.headers.get("retry-after", "1")))
    return answer.status_code


def drive(
    base: str, key: str, captures: int, clients: int, repeat: float
) -> tuple[dict[str, float], set[str]]:
    latencies: list[float] = []
    phones: set[str] = set()
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    next_index = iter(range(captures))

    def phone(n: int) -> str:
        return f"+91 98{n:08d}"

    def worker() -> None:
        client = httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30)
        for i in next_index:
            again = i > 10 and (i * 7919 % 1000) < repeat * 1000
            number = phone(i // 2) if again else phone(i)
            body = {
                "name": f"Buyer {i}",
                "phone": number.replace(" ", "") if again else number,
                "utm_source": "facebook",
                "utm_campaign": "bench",
                "message": "2BHK, ready to move",
            }
            t0 = time.perf_counter()
            status = send(client, body, key=f"bench-{i}")
            elapsed = time.perf_counter() - t0
            with lock:
                phones.add(phone(i // 2) if again else number)
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    print(f"answers by status: {dict(sorted(statuses.items()))}")
    return {
        "captures_per_s": captures / wall,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": 1000 * statistics.fmean(latencies),
    }, phones


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--captures", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--repeat", type=float, default=0.2, help="share of re-enquiries")
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    env = prepare(args.db)
    server = serve(env, args.port, args.workers)
    try:
        base = f"http://{HOST}:{args.port}"
        key, api = setup(base)
        figures, phones = drive(base, key, args.captures, args.clients, args.repeat)
        leads = count_leads(api)
        print(f"leads: {leads} for {len(phones)} distinct phones")
        if leads != len(phones):
            raise SystemExit("a buyer was counted twice or lost")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    for name, value in figures.items():
        print(f"{name:>16}: {value:8.1f}")


if __name__ == "__main__":
    main()
