"""Counts the security suites report at the end of a run (also across xdist workers).

Workers hand their counts to the controller through ``workeroutput``; the controller
(or a plain run) prints them in the terminal summary, e.g.
``cross-tenant probes sent: 1234, leaks: 0``, ``schemathesis contract cases: 5000, failures: 0``.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

COUNTS: Counter[str] = Counter()
_KEY = "salestrack_security_tally"


def add(name: str, amount: int = 1) -> None:
    COUNTS[name] += amount


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_KEY] = json.dumps(dict(COUNTS))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    COUNTS.update(json.loads(getattr(node, "workeroutput", {}).get(_KEY, "{}")))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if COUNTS["probes"]:
        terminalreporter.write_line(
            f"cross-tenant probes sent: {COUNTS['probes']}, leaks: {COUNTS['leaks']}, "
            f"unexpected statuses: {COUNTS['unexpected statuses']}"
        )
    if COUNTS["contract cases"]:
        terminalreporter.write_line(
            f"schemathesis contract cases: {COUNTS['contract cases']}, "
            f"failures: {COUNTS['contract failures']}"
        )
    if COUNTS["fuzz cases"]:
        terminalreporter.write_line(
            f"fuzz cases: {COUNTS['fuzz cases']}, failures: {COUNTS['fuzz failures']}"
        )
    hostile = {
        k.removeprefix("hostile "): n for k, n in sorted(COUNTS.items()) if k.startswith("hostile ")
    }
    if hostile:
        terminalreporter.write_line(
            "hostile values sent: " + ", ".join(f"{kind} {n}" for kind, n in hostile.items())
        )
