"""The layout a reader sees at a glance: no module of shared/ imports, directly or through
others, a module that imports it back (a cycle hides which of them is the ground the other
stands on). Function-level imports count too: they are how cycles hide."""

from __future__ import annotations

import ast
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def module_name(path: Path) -> str:
    parts = path.relative_to(SHARED.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in SHARED.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_module_of_shared_imports_itself_through_others() -> None:
    assert cycles(imports()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_shared_has_capabilities_the_edge_and_the_platform_and_few_loose_modules() -> None:
    """Each capability a folder, the HTTP edge together, the platform together; what stays
    loose is the domain's common ground (errors, form fields, roles, Danish words, tokens)."""
    folders = {p.name for p in SHARED.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert {"forums", "newsletter", "advisory", "privacy", "edge", "platform",
            "adapters"} <= folders
    loose = {p.stem for p in SHARED.glob("*.py")} - {"__init__"}
    assert len(loose) <= 10, sorted(loose)


def test_no_test_module_imports_another() -> None:
    """What tests share lives in tests/support (or a conftest): a test module imported by
    another runs its tests' module-level code twice and ties the two together unseen."""
    importing = {}
    for path in (SHARED.parent / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text())
        found = sorted({node.module for node in ast.walk(tree)
                        if isinstance(node, ast.ImportFrom) and node.module
                        and node.module.split(".")[-1].startswith("test_")})
        if found:
            importing[str(path.relative_to(SHARED.parent))] = found
    assert importing == {}
