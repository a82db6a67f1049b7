"""``salestrack serve --workers 2``: serves, logs JSON, sums metrics, finishes in-flight work.

A real server process on a free local port: SIGTERM arrives while a request's body is
still being sent, and that request still gets its answer before the server exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx
import pytest

from salestrack import wiring
from salestrack.auth import service as auth
from salestrack.auth.context import system_actor
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate
from salestrack.auth.security import configure_hashing
from salestrack.core import migrate
from salestrack.core.config import Settings
from salestrack.core.db import make_engine, transaction
from tests.support import PASSWORD

TENANT, EMAIL = "serve-co", "admin@serve-co.example.com"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrate.upgrade(url)
    env = {
        **os.environ,
        "SALESTRACK_DATABASE_URL": url,
        "SALESTRACK_SECRET_KEY": "serve-test-secret-key-0123456789-abcdefgh",
        "SALESTRACK_ARGON2_TIME_COST": "1",
        "SALESTRACK_ARGON2_MEMORY_KIB": "1024",
        "SALESTRACK_ARGON2_PARALLELISM": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    configure_hashing(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))
    engine = make_engine(url)
    with transaction(wiring.session_factory(engine)) as session:
        tenant = auth.create_tenant(session, slug=TENANT, name="Serve Co")
        data = UserCreate(email=EMAIL, password=PASSWORD, role=Role.admin)
        auth.create_user(session, actor=system_actor(tenant.tenant_id, TENANT), data=data)
    engine.dispose()
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "salestrack.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its workers too can be killed as one group
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            _kill_group(process)
            pytest.fail(f"server did not start: {process.communicate(timeout=30)[0][-2000:]}")
        yield process, base
    finally:
        _kill_group(process)
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _kill_group(process: subprocess.Popen[str]) -> None:
    """Kill the server and its workers: a worker left behind would hold its output pipe
    open, and reading that output would then wait forever."""
    with contextlib.suppress(ProcessLookupError):  # the whole group has exited
        os.killpg(process.pid, signal.SIGKILL)


def _login_body() -> bytes:
    return urlencode({"username": EMAIL, "password": PASSWORD}).encode()


def _start_slow_login(base: str) -> socket.socket:
    """A login whose headers and half its body are sent; the rest comes later."""
    host, port = base.removeprefix("http://").split(":")
    body = _login_body()
    sock = socket.create_connection((host, int(port)), timeout=30)
    head = (
        "POST /api/v1/auth/token HTTP/1.1\r\n"
        f"Host: {host}\r\nX-Tenant-ID: {TENANT}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body[:10])
    return sock


def _read_until_closed(sock: socket.socket) -> str:
    """The whole answer: headers and body may arrive in separate packets."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    sock.close()
    return b"".join(chunks).decode()


def test_serve_with_workers_logs_metrics_and_finishes_in_flight_requests_on_sigterm(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    process, base = server
    started = time.monotonic()
    for _ in range(6):
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            headers={"X-Tenant-ID": TENANT, "X-Request-ID": "serve-test-1"},
            data={"username": EMAIL, "password": PASSWORD},
        )
        assert token.status_code == 200, token.text
        assert token.headers["X-Request-ID"] == "serve-test-1"
    # Metrics are summed over both workers, whichever one answers the scrape.
    metrics = httpx.get(f"{base}/metrics").text
    logins = [
        line
        for line in metrics.splitlines()
        if line.startswith("salestrack_http_requests_total{")
        and 'route="/api/v1/auth/token"' in line
        and 'status="200"' in line
    ]
    assert logins
    assert float(logins[0].rsplit(" ", 1)[1]) == 6

    in_flight = _start_slow_login(base)
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    time.sleep(1.0)  # the server is shutting down, the request is still arriving
    in_flight.sendall(_login_body()[10:])
    answer = _read_until_closed(in_flight)
    assert answer.startswith("HTTP/1.1 200"), answer[:300]
    assert '"access_token"' in answer
    signalled = time.monotonic()
    output, _ = process.communicate(timeout=30)
    print(
        f"serve: requests {signalled - started:.1f}s, shutdown {time.monotonic() - signalled:.1f}s"
    )
    assert process.returncode == 0, output[-2000:]

    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("message") == "request"]
    logged_logins = [r for r in requests if r["route"] == "/api/v1/auth/token"]
    assert len(logged_logins) == 7
    assert {r["request_id"] for r in logged_logins[:6]} == {"serve-test-1"}
    assert all(r["status"] == 200 and r["tenant"] for r in logged_logins)
    assert all(isinstance(r["pid"], int) for r in requests)


def test_a_burst_of_idempotent_writes_on_sqlite_all_land_quickly(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    """30 simultaneous writes, each with its own Idempotency-Key, against the embedded
    database. A key's claim takes SQLite's write lock; made in a thread trip of its own, it
    then waited for a request thread that the other claims held while waiting for that
    lock, so the burst stalled for the busy timeout (30 s) and ended in 503s. The claim is
    now the first statement of the handler's own transaction, in the handler's thread."""
    from concurrent.futures import ThreadPoolExecutor

    _, base = server
    login = httpx.post(
        f"{base}/api/v1/auth/token",
        content=_login_body(),
        headers={"X-Tenant-ID": TENANT, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}", "X-Tenant-ID": TENANT}

    def create(i: int) -> int:
        keyed = {**headers, "Idempotency-Key": f"burst-{i}"}
        answer = httpx.post(
            f"{base}/api/v1/sales/leads", json={"name": f"Burst {i}"}, headers=keyed, timeout=90
        )
        return answer.status_code

    started = time.monotonic()
    with ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(create, range(30)))
    assert statuses == [201] * 30
    assert time.monotonic() - started < 15  # nobody sat out SQLite's busy timeout


def test_a_burst_of_captures_by_integration_key_on_sqlite_all_land_quickly(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    """30 simultaneous captures with one integration key against the embedded database.
    The key's lookup began the request's transaction (SQLite's write lock) in a thread trip
    of its own; the handler then waited for a request thread that the other lookups held
    while waiting for that lock, so the burst stalled for the busy timeout (30 s) and ended
    in 503s. The lookup is now a short transaction of its own."""
    from concurrent.futures import ThreadPoolExecutor

    _, base = server
    login = httpx.post(
        f"{base}/api/v1/auth/token",
        content=_login_body(),
        headers={"X-Tenant-ID": TENANT, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}", "X-Tenant-ID": TENANT}
    created = httpx.post(
        f"{base}/api/v1/sales/integration-keys",
        json={"name": "site", "scope": "capture"},
        headers=headers,
        timeout=30,
    )
    key = created.json()["key"]

    def capture(i: int) -> int:
        answer = httpx.post(
            f"{base}/api/v1/capture/leads",
            json={"name": f"Buyer {i}", "email": f"buyer{i}@example.com"},
            headers={"X-API-Key": key},
            timeout=90,
        )
        return answer.status_code

    started = time.monotonic()
    with ThreadPoolExecutor(30) as pool:
        statuses = list(pool.map(capture, range(30)))
    assert statuses == [201] * 30
    assert time.monotonic() - started < 15  # nobody sat out SQLite's busy timeout
