"""Load run: a realistic read/write mix against `salestrack serve --workers N` on PostgreSQL.

Run by hand (not in CI), from the repository root:

    PYTHONPATH=src:. .venv/bin/python bench/load.py --seconds 60

It drops and recreates the database ``salestrack_load`` on 127.0.0.1:5432 (as ``root``),
migrates it as the owner, seeds a tenant, creates a user, serves the app as the RLS app role
in production mode, then drives ``--clients`` concurrent async clients for ``--seconds``
(bounded also by ``--max-requests``): 70% reads (lead lists, milestone timelines, reports),
30% writes (milestones, engagements, payments), every POST with its own Idempotency-Key.
Afterwards it checks the ledger invariants over the API and stops the server with SIGTERM.
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import httpx2 as httpx

HOST = "127.0.0.1"
DB_NAME = "salestrack_load"
OWNER_URL = f"postgresql+psycopg://root@{HOST}:5432/{DB_NAME}"
APP_ROLE = "salestrack_app"
APP_URL = f"postgresql+psycopg://{APP_ROLE}@{HOST}:5432/{DB_NAME}"
TENANT = "load"
EMAIL = "load@load.example.com"
PASSWORD = secrets.token_urlsafe(18)
CLI = [sys.executable, "-c", "from salestrack.cli import main; main()"]

# (kind, weight): reads 70, writes 30.
MIX: list[tuple[str, int]] = [
    ("GET leads", 25),
    ("GET timeline", 20),
    ("GET lead milestones", 5),
    ("GET dashboard", 8),
    ("GET funnel", 7),
    ("GET customer ledger", 5),
    ("POST milestone", 12),
    ("POST engagement", 10),
    ("POST payment", 8),
]
MILESTONES = ["contacted", "site_visit", "revisit", "demo", "proposal", "negotiation"]
ENGAGEMENTS = [("call_made", "phone"), ("email_sent", "email"), ("message_sent", "whatsapp")]


def run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(base_env: dict[str, str]) -> None:
    """Fresh database, migrated as the owner, seeded, with one admin user."""
    import psycopg

    with psycopg.connect(f"host={HOST} user=root dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    env = {**base_env, "SALESTRACK_ENV": "development"}
    t0 = time.perf_counter()
    run([*CLI, "migrate"], env)
    run([*CLI, "seed", "--tenant", TENANT, "--leads", "2000", "--quiet"], env)
    run(
        [
            *CLI,
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
        env,
    )
    print(f"prepared {DB_NAME} in {time.perf_counter() - t0:.1f} s")


def serve(base_env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **base_env,
        "SALESTRACK_ENV": "production",
        "SALESTRACK_DATABASE_URL": APP_URL,
        "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="salestrack-load-metrics-"),
    }
    log = open(os.path.join(tempfile.gettempdir(), "salestrack-load-server.log"), "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [*CLI, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}; see {log.name}")
        try:
            if httpx.get(f"http://{HOST}:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("server did not become ready in 60 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=30)
        print(f"server stopped (exit {code})")
    except subprocess.TimeoutExpired:
        process.kill()
        print("server did not stop within 30 s: killed")


async def ids(client: httpx.AsyncClient, path: str, pages: int) -> list[str]:
    out: list[str] = []
    cursor: str | None = None
    for _ in range(pages):
        params: dict[str, Any] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(path, params=params)).raise_for_status().json()
        out += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    return out


class Load:
    def __init__(self, leads: list[str], customers: list[str], seconds: float, limit: int):
        self.leads, self.customers = leads, customers
        self.deadline = time.monotonic() + seconds
        self.remaining = limit
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.posted_to: set[str] = set()
        self.kinds = [k for k, _ in MIX]
        self.weights = [w for _, w in MIX]

    def request(self, kind: str, rng: random.Random) -> tuple[str, str, dict[str, Any] | None]:
        lead = rng.choice(self.leads)
        customer = rng.choice(self.customers)
        today = date.today().isoformat()
        match kind:
            case "GET leads":
                return "GET", f"/api/v1/sales/leads?limit={rng.choice([20, 50])}", None
            case "GET timeline":
                return "GET", f"/api/v1/sales/reports/milestone-timeline/{lead}", None
            case "GET lead milestones":
                return "GET", f"/api/v1/sales/leads/{lead}/milestones", None
            case "GET dashboard":
                return "GET", "/api/v1/sales/reports/dashboard", None
            case "GET funnel":
                return "GET", "/api/v1/sales/reports/funnel", None
            case "GET customer ledger":
                return "GET", f"/api/v1/sales/ledger/{customer}?limit=50", None
            case "POST milestone":
                body = {
                    "lead_id": lead,
                    "milestone_type": rng.choice(MILESTONES),
                    "milestone_date": today,
                    "notes": "load run",
                }
                return "POST", "/api/v1/sales/milestones/lead", body
            case "POST engagement":
                etype, channel = rng.choice(ENGAGEMENTS)
                body = {
                    "lead_id": lead,
                    "engagement_type": etype,
                    "engagement_channel": channel,
                    "subject": "load run",
                }
                return "POST", "/api/v1/sales/engagement", body
            case _:
                amount = Decimal(rng.randint(100, 500_000)) / 100
                body = {
                    "customer_id": customer,
                    "transaction_type": "payment",
                    "credit_amount": str(amount),
                    "description": "load run",
                }
                return "POST", "/api/v1/sales/ledger", body

    async def worker(self, client: httpx.AsyncClient, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < self.deadline and self.remaining > 0:
            self.remaining -= 1
            kind = rng.choices(self.kinds, self.weights)[0]
            method, url, body = self.request(kind, rng)
            headers = {"Idempotency-Key": str(uuid.uuid4())} if method == "POST" else {}
            t0 = time.perf_counter()
            try:
                response = await client.request(method, url, json=body, headers=headers)
                status = response.status_code
            except httpx.HTTPError as exc:
                status = -1
                print(f"transport error on {kind}: {exc!r}")
            self.latency[kind].append(time.perf_counter() - t0)
            self.statuses[(kind, status)] += 1
            if kind == "POST payment" and status == 201 and body is not None:
                self.posted_to.add(body["customer_id"])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def check_ledgers(client: httpx.AsyncClient, customers: set[str]) -> int:
    """Every customer posted to: unbroken chain, last balance = sum(debit) - sum(credit)."""
    broken = 0
    for customer in sorted(customers):
        entries: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = await client.get(f"/api/v1/sales/ledger/{customer}", params=params)
            data = page.raise_for_status().json()
            entries += data["entries"]
            cursor = data["next_cursor"]
            if not cursor:
                break
        entries.sort(key=lambda e: e["position"])
        balance = Decimal("0")
        ok = [e["position"] for e in entries] == list(range(1, len(entries) + 1))
        for entry in entries:
            balance += Decimal(entry["debit_amount"]) - Decimal(entry["credit_amount"])
            ok = ok and Decimal(entry["balance_after"]) == balance
        ok = ok and Decimal(data["summary"]["outstanding"]) == balance
        if not ok:
            broken += 1
            print(f"  ledger of {customer}: BROKEN")
    return broken


async def drive(port: int, clients: int, seconds: float, limit: int) -> None:
    base = f"http://{HOST}:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as anon:
        token = (
            (
                await anon.post(
                    "/api/v1/auth/token",
                    data={"username": EMAIL, "password": PASSWORD},
                    headers={"X-Tenant-ID": TENANT},
                )
            )
            .raise_for_status()
            .json()["access_token"]
        )
    headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": TENANT}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=30, limits=limits
    ) as client:
        leads = await ids(client, "/api/v1/sales/leads", 4)
        customers = await ids(client, "/api/v1/sales/customers", 2)
        print(
            f"{len(leads)} leads, {len(customers)} customers to pick from; "
            f"{clients} clients for {seconds:g} s (at most {limit} requests)"
        )
        load = Load(leads, customers, seconds, limit)
        t0 = time.perf_counter()
        await asyncio.gather(*(load.worker(client, i) for i in range(clients)))
        elapsed = time.perf_counter() - t0
        report(load, elapsed)
        broken = await check_ledgers(client, load.posted_to)
        print(
            f"ledger invariants: {len(load.posted_to)} customers posted to, "
            f"{len(load.posted_to) - broken} hold, {broken} broken"
        )


def report(load: Load, elapsed: float) -> None:
    total = sum(load.statuses.values())
    errors = {k: n for k, n in load.statuses.items() if not 200 <= k[1] < 300}
    print(
        f"\n{total} requests in {elapsed:.1f} s: {total / elapsed:.0f} req/s, "
        f"{sum(errors.values())} errors"
    )
    print(f"{'kind':<22}{'count':>8}{'p50 ms':>9}{'p99 ms':>9}")
    everything: list[float] = []
    for kind in load.kinds:
        values = load.latency.get(kind, [])
        everything += values
        if values:
            print(f"{kind:<22}{len(values):>8}{pct(values, 0.5):>9.1f}{pct(values, 0.99):>9.1f}")
    print(
        f"{'all':<22}{len(everything):>8}{pct(everything, 0.5):>9.1f}{pct(everything, 0.99):>9.1f}"
    )
    by_status = Counter(s for (_, s) in load.statuses.elements())
    print("statuses:", dict(sorted(by_status.items())))
    for (kind, status), n in sorted(errors.items()):
        print(f"  error {status} on {kind}: {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=300_000)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    base_env = {
        **os.environ,
        "SALESTRACK_DATABASE_URL": OWNER_URL,
        "SALESTRACK_MIGRATION_DATABASE_URL": OWNER_URL,
        "SALESTRACK_APP_DB_ROLE": APP_ROLE,
        "SALESTRACK_SECRET_KEY": secrets.token_urlsafe(48),
    }
    prepare(base_env)
    server = serve(base_env, args.port, args.workers)
    try:
        asyncio.run(drive(args.port, args.clients, args.seconds, args.max_requests))
    finally:
        stop(server)


if __name__ == "__main__":
    main()
