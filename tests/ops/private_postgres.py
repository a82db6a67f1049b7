"""A throwaway PostgreSQL 15 cluster of the test's own, to crash and restart at will.

The shared server on :5432 serves other tests in parallel and must never be restarted;
this one lives in a temporary directory on a free port and is removed afterwards. initdb
and postgres refuse to run as root, so as root they run as the ``postgres`` OS user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("SALESTRACK_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
OWNER = "salestrack_owner"


class ClusterUnavailable(RuntimeError):
    """This machine cannot run a private cluster (no binaries, no postgres user...)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrivateCluster:
    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise ClusterUnavailable(f"no PostgreSQL binaries in {PG_BIN}")
        self.root = Path(tempfile.mkdtemp(prefix="salestrack-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 60) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        result = subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise ClusterUnavailable(
                f"{' '.join(args[:2])} failed: {result.stderr or result.stdout}"
            )

    def url(self, user: str = OWNER) -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        self._run(
            str(PG_BIN / "initdb"),
            *("-D", str(self.data), "-U", OWNER, "--auth=trust", "-E", "UTF8", "--no-sync"),
        )

    def _options(self) -> str:
        return f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=40"

    def start(self) -> None:
        log = str(self.root / "server.log")
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            self._options(),
            "-l",
            log,
            "-w",
            "start",
        )

    def crash(self) -> None:
        """Stop at once, like a power cut for the server: no checkpoint, recovery at start."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(ClusterUnavailable):  # already stopped
            self.crash()
        shutil.rmtree(self.root, ignore_errors=True)
