"""Load run: a realistic read/write mix against `salestrack serve --workers N` on PostgreSQL.

Run by hand (not in CI), from the repository root, with Debian's wrk installed
(``apt-get install -y wrk``):

    PYTHONPATH=src:. .venv/bin/python bench/load.py --seconds 60
    PYTHONPATH=src:. .venv/bin/python bench/load.py --seconds 40 --workers 3 --baseline REF

It drops and recreates the database ``salestrack_load`` on 127.0.0.1:5432 (as ``root``),
migrates it as the owner, seeds a tenant, creates a user, serves the app as the RLS app role
in production mode, then has wrk (C, so the load generator costs little of the 2 cores) keep
``--clients`` connections busy for ``--seconds`` with the mix in ``bench/load.lua``: 70% reads
(lead lists, milestone timelines, reports, ledgers), 30% writes (milestones, engagements,
payments), every POST with its own Idempotency-Key. Throughput and overall latency are the
clients' view (wrk); latency and status per endpoint come from the app's request log.
Afterwards it checks every customer's ledger invariants over the API and stops the server
with SIGTERM. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2 as httpx

HOST = "127.0.0.1"
DB_NAME = "salestrack_load"
OWNER_URL = f"postgresql+psycopg://root@{HOST}:5432/{DB_NAME}"
APP_ROLE = "salestrack_app"
APP_URL = f"postgresql+psycopg://{APP_ROLE}@{HOST}:5432/{DB_NAME}"
TENANT = "load"
EMAIL = f"load-{secrets.token_hex(4)}@load.example.com"  # a new user each run (--reuse)
PASSWORD = secrets.token_urlsafe(18)
SERVER_LOG = os.path.join(tempfile.gettempdir(), "salestrack-load-server.log")
CLI = [sys.executable, "-c", "from salestrack.cli import main; main()"]


def run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(base_env: dict[str, str], leads: int, *, reuse: bool) -> None:
    """Fresh database (unless ``reuse``), migrated as the owner and seeded; a new admin user."""
    import psycopg

    env = {**base_env, "SALESTRACK_ENV": "development"}
    t0 = time.perf_counter()
    if not reuse:
        with psycopg.connect(f"host={HOST} user=root dbname=postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        run([*CLI, "migrate"], env)
        run([*CLI, "seed", "--tenant", TENANT, "--leads", str(leads), "--quiet"], env)
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
    return launch(env, port, workers, SERVER_LOG)


def launch(env: dict[str, str], port: int, workers: int, log_path: str) -> subprocess.Popen[bytes]:
    """``salestrack serve`` with ``env``, its output in ``log_path``, once it is ready."""
    log = open(log_path, "wb")  # noqa: SIM115
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


def ids(client: httpx.Client, path: str, pages: int) -> list[str]:
    out: list[str] = []
    cursor: str | None = None
    for _ in range(pages):
        params: dict[str, Any] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        page = client.get(path, params=params).raise_for_status().json()
        out += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    return out


def check_ledgers(client: httpx.Client, customers: list[str]) -> int:
    """Every customer: unbroken chain, last balance = sum(debit) - sum(credit) = outstanding."""
    broken = 0
    for customer in customers:
        entries: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = client.get(f"/api/v1/sales/ledger/{customer}", params=params)
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


def login(base: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"username": EMAIL, "password": PASSWORD},
        headers={"X-Tenant-ID": TENANT},
        timeout=30,
    )
    token: str = response.raise_for_status().json()["access_token"]
    return token


def drive(port: int, clients: int, seconds: float, server_log: str) -> dict[str, float]:
    base = f"http://{HOST}:{port}"
    token = login(base)
    headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": TENANT}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        leads = ids(client, "/api/v1/sales/leads", 4)
        customers = ids(client, "/api/v1/sales/customers", 2)
        print(
            f"{len(leads)} leads, {len(customers)} customers to pick from; "
            f"{clients} connections for {seconds:g} s"
        )
        workdir = tempfile.mkdtemp(prefix="salestrack-load-")
        leads_file, customers_file = (os.path.join(workdir, n) for n in ("leads", "customers"))
        Path(leads_file).write_text("\n".join(leads) + "\n")
        Path(customers_file).write_text("\n".join(customers) + "\n")
        before = Path(server_log).read_bytes().count(b"\n")
        wrk = run_wrk(base, clients, seconds, [token, TENANT, leads_file, customers_file])
        time.sleep(1)  # the last requests' log lines
        lines = Path(server_log).read_text().splitlines()[before:]
        figures = report(wrk, lines)
        broken = check_ledgers(client, customers)
        print(
            f"ledger invariants: {len(customers)} customers checked, "
            f"{len(customers) - broken} hold, {broken} broken"
        )
        return {**figures, "broken_ledgers": float(broken)}


def run_wrk(base: str, clients: int, seconds: float, script_args: list[str]) -> dict[str, float]:
    """wrk (Debian's package) drives the mix from bench/load.lua; returns its summary line."""
    threads = min(2, clients)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(Path(__file__).with_name("load.lua")),
        base,
        "--",
        *script_args,
        date.today().isoformat(),
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    return {k: float(v) for k, v in (pair.split("=") for pair in line.split()[1:])}


ROUTE_KINDS = {
    ("GET", "/api/v1/sales/leads"): "GET leads",
    ("GET", "/api/v1/sales/reports/milestone-timeline/{lead_id}"): "GET timeline",
    ("GET", "/api/v1/sales/leads/{lead_id}/milestones"): "GET lead milestones",
    ("GET", "/api/v1/sales/reports/dashboard"): "GET dashboard",
    ("GET", "/api/v1/sales/reports/funnel"): "GET funnel",
    ("GET", "/api/v1/sales/ledger/{customer_id}"): "GET customer ledger",
    ("POST", "/api/v1/sales/milestones/lead"): "POST milestone",
    ("POST", "/api/v1/sales/engagement"): "POST engagement",
    ("POST", "/api/v1/sales/ledger"): "POST payment",
}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(wrk: dict[str, float], log_lines: list[str]) -> dict[str, float]:
    """Throughput and overall latency as the clients saw them (wrk); per endpoint as the app
    measured each request (its JSON request log: from first byte in to last byte out)."""
    total, elapsed = int(wrk["requests"]), wrk["seconds"]
    transport = int(wrk["connect"] + wrk["read"] + wrk["write"] + wrk["timeout"])
    print(
        f"\n{total} requests in {elapsed:.1f} s: {total / elapsed:.0f} req/s; "
        f"client-side p50 {wrk['p50_ms']:.1f} ms, p90 {wrk['p90_ms']:.1f} ms, "
        f"p99 {wrk['p99_ms']:.1f} ms, max {wrk['max_ms']:.0f} ms; "
        f"non-2xx {int(wrk['non2xx'])}, transport errors {transport}"
    )
    latency: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    for line in log_lines:
        if '"duration_ms"' not in line:
            continue
        entry = json.loads(line)
        # Routes log their template; ``{lead_id:uuid}`` is the documented ``{lead_id}``.
        route = re.sub(r":\w+}", "}", entry["route"] or "")
        kind = ROUTE_KINDS.get((entry["method"], route))
        if kind is not None:
            latency[kind].append(entry["duration_ms"])
            statuses[(kind, entry["status"])] += 1
    print(f"{'in the app, per endpoint':<26}{'count':>8}{'p50 ms':>9}{'p99 ms':>9}")
    everything: list[float] = []
    for kind in ROUTE_KINDS.values():
        values = latency.get(kind, [])
        everything += values
        if values:
            print(f"{kind:<26}{len(values):>8}{pct(values, 0.5):>9.1f}{pct(values, 0.99):>9.1f}")
    if everything:
        print(
            f"{'all':<26}{len(everything):>8}{pct(everything, 0.5):>9.1f}"
            f"{pct(everything, 0.99):>9.1f}"
        )
    by_status = Counter(s for (_, s) in statuses.elements())
    print("statuses:", dict(sorted(by_status.items())))
    for (kind, status), n in sorted(statuses.items()):
        if not 200 <= status < 300:
            print(f"  error {status} on {kind}: {n}")
    other_writes = latency.get("POST milestone", []) + latency.get("POST engagement", [])
    payments = latency.get("POST payment", [])
    return {
        "rps": total / elapsed,
        "p50": wrk["p50_ms"],
        "p99": wrk["p99_ms"],
        "errors": wrk["non2xx"] + transport,
        "payment_p50": pct(payments, 0.5) if payments else 0.0,
        "other_write_p50": pct(other_writes, 0.5) if other_writes else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--leads", type=int, default=2000, help="leads seeded before the run")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of the last run (no reseed)"
    )
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="first run the same mix against a worktree of git REF (fresh database), then "
        "against this tree, and print both and their ratio",
    )
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent / "src"
    if not args.baseline:
        run_once(args, here)
        return
    with baseline_tree(args.baseline) as baseline_src:
        print(f"=== baseline {args.baseline} ({baseline_src})")
        before = run_once(args, baseline_src, reuse=False)
    print("=== this tree")
    after = run_once(args, here, reuse=False)
    compare(args.baseline, before, after)


def run_once(args: argparse.Namespace, src: Path, *, reuse: bool | None = None) -> dict[str, float]:
    """Prepare, serve the code under ``src`` and drive the mix; the figures of the run."""
    base_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
        "SALESTRACK_DATABASE_URL": OWNER_URL,
        "SALESTRACK_MIGRATION_DATABASE_URL": OWNER_URL,
        "SALESTRACK_APP_DB_ROLE": APP_ROLE,
        "SALESTRACK_SECRET_KEY": secrets.token_urlsafe(48),
    }
    prepare(base_env, args.leads, reuse=args.reuse if reuse is None else reuse)
    server = serve(base_env, args.port, args.workers)
    try:
        return drive(args.port, args.clients, args.seconds, SERVER_LOG)
    finally:
        stop(server)


@contextmanager
def baseline_tree(ref: str) -> Iterator[Path]:
    """A detached worktree of ``ref`` (removed afterwards); its ``src`` is served."""
    path = Path(tempfile.mkdtemp(prefix="salestrack-baseline-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), ref], check=True)
    try:
        yield path / "src"
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], check=False)


def compare(ref: str, before: dict[str, float], after: dict[str, float]) -> None:
    print(f"\n{'':<26}{'baseline ' + ref:>18}{'this tree':>12}{'ratio':>8}")
    for key, label in [
        ("rps", "throughput req/s"),
        ("p50", "client p50 ms"),
        ("p99", "client p99 ms"),
        ("errors", "errors"),
        ("payment_p50", "payments p50 ms (app)"),
        ("other_write_p50", "other writes p50 ms (app)"),
        ("broken_ledgers", "broken ledgers"),
    ]:
        ratio = f"{after[key] / before[key]:.2f}" if before[key] else "-"
        print(f"{label:<26}{before[key]:>18.1f}{after[key]:>12.1f}{ratio:>8}")


if __name__ == "__main__":
    main()
