"""The ``salestrack`` command run as a separate process on the session's test database."""

from __future__ import annotations

import pytest

from salestrack.core.config import Settings
from tests.cli.process import Cli, environment


@pytest.fixture(scope="module")
def cli(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The command on the database the test app uses (the owner's URL, as an admin runs it)."""
    return Cli(environment(settings), tmp_path_factory.mktemp("cli"))
