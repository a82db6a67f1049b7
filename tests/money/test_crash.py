"""A real server process is SIGKILLed in the middle of a stream of idempotent payments.

After a restart the client retries every payment it got no answer for. Every payment that
was acknowledged is in the ledger exactly once, nothing is in it twice, and the running
balance is unbroken: an answer is only sent after the payment and its key committed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from decimal import Decimal

import httpx2 as httpx
from salestrack.core.config import Settings

from tests.money.conftest import LEDGER, new_customer
from tests.support import TenantWorld

WORKERS = 4
PER_WORKER = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_server(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SALESTRACK_DATABASE_URL": settings.database_url,
        "SALESTRACK_SECRET_KEY": settings.secret_key or "",
        "SALESTRACK_ENV": "test",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "salestrack.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    process.wait(timeout=10)
    raise AssertionError(f"server did not start within {STARTUP_SECONDS} s")


# Generous: importing the app takes seconds on a busy 2-core machine.
STARTUP_SECONDS = 60


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def test_sigkill_mid_stream_loses_and_doubles_nothing(
    world: TenantWorld, settings: Settings
) -> None:
    customer = new_customer(world.admin)["id"]
    headers = world.admin.headers

    def body(key: str) -> dict[str, str]:
        amount = Decimal(int(key.rsplit("-", 1)[1]) % 97 + 1)
        return {
            "customer_id": customer,
            "transaction_type": "payment",
            "credit_amount": str(amount),
            "description": key,
        }

    keys = [f"crash-{w}-{i}" for w in range(WORKERS) for i in range(PER_WORKER)]
    acknowledged: set[str] = set()
    lock = threading.Lock()
    port = _free_port()
    server = _start_server(settings, port)
    base = f"http://127.0.0.1:{port}"

    def stream(worker: int) -> None:
        with httpx.Client(base_url=base, timeout=5) as client:
            for i in range(PER_WORKER):
                key = f"crash-{worker}-{i}"
                try:
                    response = client.post(
                        LEDGER, json=body(key), headers={**headers, "Idempotency-Key": key}
                    )
                except httpx.TransportError:
                    return  # the server is gone: everything from here on is unacknowledged
                if response.status_code == 201:
                    with lock:
                        acknowledged.add(key)

    threads = [threading.Thread(target=stream, args=(w,)) for w in range(WORKERS)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        _kill(server)
        for thread in threads:
            thread.join(timeout=10)
        assert 20 <= len(acknowledged) < len(keys), "the kill must land mid-stream"

        server = _start_server(settings, port)
        with httpx.Client(base_url=base, timeout=10) as client:
            for key in keys:
                if key in acknowledged:
                    continue
                retry = client.post(
                    LEDGER, json=body(key), headers={**headers, "Idempotency-Key": key}
                )
                assert retry.status_code == 201, retry.text
            # Retrying an acknowledged payment replays it instead of posting it again.
            some = sorted(acknowledged)[0]
            replay = client.post(
                LEDGER, json=body(some), headers={**headers, "Idempotency-Key": some}
            )
            assert replay.status_code == 201
            assert replay.headers["idempotent-replayed"] == "true"
    finally:
        _kill(server)

    entries = world.admin.ok("GET", f"{LEDGER}/{customer}", params={"limit": 500})["entries"]
    seen = Counter(e["description"] for e in entries)
    assert all(seen[key] == 1 for key in acknowledged)
    assert set(seen) == set(keys)
    assert max(seen.values()) == 1
    balance = Decimal("0.00")
    for position, entry in enumerate(entries, start=1):
        balance -= Decimal(entry["credit_amount"])
        assert entry["position"] == position
        assert Decimal(entry["balance_after"]) == balance
    assert balance == -sum((Decimal(body(k)["credit_amount"]) for k in keys), Decimal("0"))
