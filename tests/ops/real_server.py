"""Real app processes for tests: ``salestrack serve`` on a free local port, stopped afterwards.

Each one is its own process with its own pool and threads, so what two of them do at once
is what two production app servers do (nothing is shared but the database).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import IO

import httpx2 as httpx

from salestrack.core.config import Settings

# Generous: importing the app takes seconds on a busy 2-core machine.
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_environment(settings: Settings, extra: dict[str, str]) -> dict[str, str]:
    """The environment of a server on the test's database (as the app role)."""
    return {
        **os.environ,
        "SALESTRACK_ENV": "test",
        "SALESTRACK_DATABASE_URL": settings.database_url,
        "SALESTRACK_MIGRATION_DATABASE_URL": settings.database_url,
        "SALESTRACK_SECRET_KEY": settings.secret_key or "",
        "SALESTRACK_ARGON2_TIME_COST": str(settings.argon2_time_cost),
        "SALESTRACK_ARGON2_MEMORY_KIB": str(settings.argon2_memory_kib),
        "SALESTRACK_ARGON2_PARALLELISM": str(settings.argon2_parallelism),
        **{f"SALESTRACK_{name.upper()}": value for name, value in extra.items()},
    }


@contextmanager
def serving(settings: Settings, *configs: dict[str, str]) -> Iterator[list[str]]:
    """One server (one process) per config of extra settings, started together; their URLs."""
    with serving_processes(settings, *configs) as servers:
        yield [base for _, base in servers]


@contextmanager
def serving_processes(
    settings: Settings, *configs: dict[str, str]
) -> Iterator[list[tuple[subprocess.Popen[str], str]]]:
    """As ``serving``, with each server's process (to signal it) beside its URL."""
    with ExitStack() as stack:
        starting = []
        for extra in configs:
            port = free_port()
            output = stack.enter_context(tempfile.TemporaryFile("w+"))  # never a full pipe
            process = subprocess.Popen(
                [sys.executable, "-m", "salestrack.cli", "serve", "--port", str(port)],
                env=server_environment(settings, extra),
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            )
            stack.callback(_stop, process)
            starting.append((process, output, f"http://127.0.0.1:{port}"))
        for process, output, base in starting:
            _wait_until_ready(process, output, base)
        yield [(process, base) for process, _, base in starting]


def _wait_until_ready(process: subprocess.Popen[str], output: IO[str], base: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output.seek(0)
            raise AssertionError(f"server exited: {output.read()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=0.5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"server did not start within {STARTUP_SECONDS} s")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
