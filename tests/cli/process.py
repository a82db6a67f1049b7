"""Running the ``salestrack`` command as its own process, configured only by environment.

A separate interpreter imports nothing but what the command itself imports, as when a user
types the command, so behaviour that only an import done by the test suite (or by the app)
would install is missing there, and the tests see it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from salestrack.core.config import Settings

TIMEOUT_SECONDS = 120


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The process environment a user would export for these settings (nothing else)."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SALESTRACK_")}
    assert settings.secret_key is not None
    configured = {
        "SALESTRACK_ENV": settings.env,
        "SALESTRACK_DATABASE_URL": settings.database_url,
        "SALESTRACK_MIGRATION_DATABASE_URL": settings.owner_database_url,
        "SALESTRACK_APP_DB_ROLE": settings.app_db_role,
        "SALESTRACK_SECRET_KEY": settings.secret_key,
        "SALESTRACK_ARGON2_TIME_COST": str(settings.argon2_time_cost),
        "SALESTRACK_ARGON2_MEMORY_KIB": str(settings.argon2_memory_kib),
        "SALESTRACK_ARGON2_PARALLELISM": str(settings.argon2_parallelism),
    }
    return {**inherited, **configured, **extra}


@dataclass(frozen=True)
class Cli:
    """``salestrack`` in a fresh interpreter, started in a scratch directory."""

    env: dict[str, str]
    directory: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The finished process, whatever its exit status."""
        return subprocess.run(
            [sys.executable, "-m", "salestrack.cli", *args],
            env=self.env,
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )

    def ok(self, *args: str) -> str:
        """Run, require exit status 0, and return what it printed on stdout."""
        result = self.run(*args)
        assert result.returncode == 0, (args, result.returncode, result.stdout, result.stderr)
        return result.stdout

    def refused(self, *args: str) -> str:
        """Run, require a clear refusal (non-zero, no traceback), and return stderr."""
        result = self.run(*args)
        assert result.returncode != 0, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        return result.stderr
