"""The package-level import graph of a source tree, and its cycles.

    python scripts/import_graph.py [src/salestrack] [--level packages|modules]
                                   [--skip type-checking,function] [--check]

Nodes (``--level packages``, the default) are the package's top-level sub-packages and
top-level flat modules (``salestrack.reports``, ``salestrack.wiring``); an edge A -> B means some
module in A imports some module in B. Every import statement counts, read with ``ast`` from
the source (nothing is imported): module level, inside functions, and under
``if TYPE_CHECKING:``; ``--skip`` leaves out the kinds named. Each edge is printed with how
many imports make it and of which kinds. Cycles are the strongly connected components of more
than one node, and the number of simple cycles. ``--check`` exits 1 when there is a cycle.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

KINDS = ("module", "function", "type-checking")
CYCLE_COUNT_CAP = 1_000_000


@dataclass(frozen=True)
class Import:
    """One import statement's target, the module it sits in and where in it (KINDS)."""

    source: str
    target: str
    kind: str


def module_names(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py under ``root`` (named after its folder)."""
    names: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(node: ast.AST, kind: str = "module") -> Iterator[tuple[ast.stmt, str]]:
    """Every import statement in ``node`` with its kind (function body, TYPE_CHECKING block)."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, kind
        return
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for guarded in node.body:
            yield from _statements(guarded, "type-checking")
        for other in node.orelse:
            yield from _statements(other, kind)
        return
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and kind == "module":
        kind = "function"
    for child in ast.iter_child_nodes(node):
        yield from _statements(child, kind)


def _absolute(statement: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module a ``from ... import`` names, relative dots resolved against ``module``."""
    if not statement.level:
        return statement.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (statement.level - 1)]
    return ".".join([*base, statement.module] if statement.module else base)


def _targets(statement: ast.stmt, module: str, is_package: bool, known: set[str]) -> list[str]:
    """The modules of the tree an import statement loads (``from m import sub`` -> m.sub)."""
    if isinstance(statement, ast.Import):
        return [alias.name for alias in statement.names]
    assert isinstance(statement, ast.ImportFrom)
    base = _absolute(statement, module, is_package)
    found = [f"{base}.{alias.name}" for alias in statement.names if f"{base}.{alias.name}" in known]
    return found or [base]


def imports(root: Path) -> list[Import]:
    """Every import of a module of the tree by a module of the tree."""
    files = module_names(root)
    known = set(files)
    found: list[Import] = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for statement, kind in _statements(tree):
            for target in _targets(statement, module, is_package, known):
                while target and target not in known:  # `import a.b.c` names a.b.c or a parent
                    target = target.rpartition(".")[0]
                if target:
                    found.append(Import(module, target, kind))
    return found


def node_of(module: str, depth: int) -> str:
    """The graph node a module belongs to: its first ``depth`` name parts."""
    return ".".join(module.split(".")[:depth])


def edges(found: list[Import], depth: int | None) -> dict[tuple[str, str], Counter[str]]:
    """(A, B) -> how many imports of each kind make the edge; no edges from a node to itself."""
    graph: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for item in found:
        source = item.source if depth is None else node_of(item.source, depth)
        target = item.target if depth is None else node_of(item.target, depth)
        if source != target:
            graph[source, target][item.kind] += 1
    return graph


def strongly_connected(nodes: list[str], succ: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components (iterative), each sorted; largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in nodes:
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(succ[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(succ[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return sorted(components, key=lambda c: (-len(c), c))


def simple_cycles(component: list[str], succ: dict[str, set[str]]) -> tuple[int, list[str]]:
    """How many simple cycles run inside a component (up to the cap), and the shortest one."""
    order = {name: i for i, name in enumerate(component)}
    count, shortest = 0, [*component, component[0], component[0]]  # longer than any cycle
    for start in component:
        path, stack = [start], [iter(sorted(succ[start]))]
        while stack and count < CYCLE_COUNT_CAP:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                path.pop()
            elif child == start:
                count += 1
                if len(path) + 1 < len(shortest):
                    shortest = [*path, start]
            elif child in order and order[child] > order[start] and child not in path:
                path.append(child)
                stack.append(iter(sorted(succ[child])))
    return count, shortest


def report(root: Path, level: str, skip: set[str]) -> int:
    """Print the graph and its cycles; return the number of cyclic components."""
    found = [item for item in imports(root) if item.kind not in skip]
    graph = edges(found, 2 if level == "packages" else None)
    nodes = sorted({node_of(m, 2) if level == "packages" else m for m in module_names(root)})
    succ: dict[str, set[str]] = {node: set() for node in nodes}
    for source, target in graph:
        succ[source].add(target)
    counted = ", ".join(kind for kind in KINDS if kind not in skip)
    print(f"# {level} import graph of {root} (imports counted: {counted})")
    print(f"{len(nodes)} nodes, {len(graph)} edges")
    for (source, target), kinds in sorted(graph.items()):
        detail = ", ".join(f"{kinds[k]} {k}" for k in KINDS if kinds[k])
        print(f"  {source} -> {target}  ({detail})")
    cyclic = [c for c in strongly_connected(nodes, succ) if len(c) > 1]
    print(f"cycles: {len(cyclic)} strongly connected component(s) of more than one node")
    for component in cyclic:
        count, shortest = simple_cycles(component, succ)
        more = "+" if count >= CYCLE_COUNT_CAP else ""
        print(f"  {len(component)} nodes, {count}{more} simple cycles: {', '.join(component)}")
        print(f"    shortest: {' -> '.join(shortest)}")
    return len(cyclic)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default="src/salestrack", type=Path)
    parser.add_argument("--level", choices=("packages", "modules"), default="packages")
    parser.add_argument("--skip", default="", help="comma-separated: type-checking,function")
    parser.add_argument("--check", action="store_true", help="exit 1 when there is a cycle")
    args = parser.parse_args(argv)
    skip = {kind for kind in args.skip.split(",") if kind}
    if unknown := skip - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    cyclic = report(args.root, args.level, skip)
    return 1 if args.check and cyclic else 0


if __name__ == "__main__":
    sys.exit(main())
