"""``salestrack serve --with-worker`` (what ``make run`` starts): one command serves the app
and runs a worker beside it, whose webhooks reach a receiver; SIGTERM stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from salestrack import wiring
from salestrack.auth import service as auth
from salestrack.auth.context import system_actor
from salestrack.auth.roles import Role
from salestrack.auth.schemas import UserCreate
from salestrack.auth.security import configure_hashing
from salestrack.core import migrate
from salestrack.core.config import Settings
from salestrack.core.db import make_engine, transaction
from tests.ops.test_serve import _free_port
from tests.support import PASSWORD
from tests.webhooks.receiver import running

TENANT, EMAIL = "beside-co", "admin@beside-co.example.com"


def _prepare(url: str) -> None:
    migrate.upgrade(url)
    configure_hashing(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))
    engine = make_engine(url)
    with transaction(wiring.session_factory(engine)) as session:
        tenant = auth.create_tenant(session, slug=TENANT, name="Beside Co")
        data = UserCreate(email=EMAIL, password=PASSWORD, role=Role.admin)
        auth.create_user(session, actor=system_actor(tenant.tenant_id, TENANT), data=data)
    engine.dispose()


def _children(pid: int) -> set[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(child) for child in text.split()}


def _wait_ready(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"server did not start: {process.communicate()[0][-2000:]}")


def test_serve_with_worker_delivers_webhooks_and_stops_both_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'beside.db'}"
    _prepare(url)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SALESTRACK_")},
        "SALESTRACK_DATABASE_URL": url,
        "SALESTRACK_SECRET_KEY": "beside-test-secret-key-0123456789-abcdefgh",
        "SALESTRACK_ARGON2_TIME_COST": "1",
        "SALESTRACK_ARGON2_MEMORY_KIB": "1024",
        "SALESTRACK_ARGON2_PARALLELISM": "1",
        "SALESTRACK_WEBHOOK_ALLOW_PRIVATE": "true",
        "SALESTRACK_WORKER_IDLE_SECONDS": "0.2",
    }
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "salestrack.cli", "serve", "--port", str(port), "--with-worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_ready(base, process)
        [worker_pid] = _children(process.pid)
        with running() as receiver:
            token = httpx.post(
                f"{base}/api/v1/auth/token",
                headers={"X-Tenant-ID": TENANT},
                data={"username": EMAIL, "password": PASSWORD},
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}", "X-Tenant-ID": TENANT}
            created = httpx.post(
                f"{base}/api/v1/sales/webhooks/endpoints",
                headers=headers,
                json={"url": receiver.url, "events": ["lead.created"]},
            )
            assert created.status_code == 201, created.text
            lead = httpx.post(
                f"{base}/api/v1/sales/leads", headers=headers, json={"name": "Beside"}
            ).json()
            deadline = time.monotonic() + 60
            while not receiver.received:
                assert time.monotonic() < deadline, "the worker beside serve sent nothing"
                time.sleep(0.2)
            [payload] = receiver.verified(created.json()["secret"])
        assert payload["data"]["id"] == lead["id"]
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 0, output[-2000:]
        assert not Path(f"/proc/{worker_pid}").exists() or _is_zombie(worker_pid)
        assert "worker stopped" in output
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except FileNotFoundError:
        return True
