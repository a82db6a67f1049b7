"""scripts/import_graph.py: which imports make package edges, and the cycles it reports."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "import_graph.py"


@pytest.fixture(scope="module")
def graph() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["import_graph"]


def _tree(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


def test_edges_by_kind_and_cycles(graph: ModuleType, tmp_path: Path) -> None:
    package = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "core.py": "def later() -> None:\n    from pkg.domain import rules\n",
            "domain/__init__.py": "",
            "domain/rules.py": "from pkg import core\nfrom . import extra\n",
            "domain/extra.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from pkg.view import page\n"
            ),
            "view/__init__.py": "",
            "view/page.py": "import pkg.domain.rules\nfrom pkg.core import later\n",
        },
    )
    found = graph.imports(package)
    edges = graph.edges(found, 2)
    assert {pair: dict(kinds) for pair, kinds in edges.items()} == {
        ("pkg.core", "pkg.domain"): {"function": 1},
        ("pkg.domain", "pkg.core"): {"module": 1},
        ("pkg.domain", "pkg.view"): {"type-checking": 1},
        ("pkg.view", "pkg.domain"): {"module": 1},
        ("pkg.view", "pkg.core"): {"module": 1},
    }
    assert graph.report(package, "packages", set()) == 1  # one component of three nodes
    assert graph.report(package, "packages", {"type-checking"}) == 1  # core <-> domain
    assert graph.report(package, "packages", {"type-checking", "function"}) == 0


def test_simple_cycles_are_counted(graph: ModuleType) -> None:
    nodes = ["a", "b", "c"]
    complete = {n: {m for m in nodes if m != n} for n in nodes}
    (component,) = graph.strongly_connected(nodes, complete)
    count, shortest = graph.simple_cycles(component, complete)
    assert count == 5  # three of two nodes, two of three
    assert len(shortest) == 3
