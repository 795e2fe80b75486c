"""The house rules of docs/ARCHITECTURE.md, checked on the source: core/ knows no Qt; each heavy
library is imported by one module; no two modules import each other, even lazily."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src"

# library → the one module that may import it
ONE_HOME = {
    "tensorflow": "photodedup.core.embed.tensorflow_import",
    "ai_edge_litert": "photodedup.core.embed.embedder",
    "annoy": "photodedup.core.match.index",
    "cv2": "photodedup.core.match.verify",
    "send2trash": "photodedup.core.trash.safe_trash",
    "sqlite3": "photodedup.core.analyse.cache",
    "exiv2": "photodedup.core.analyse.photo_tags",
}


def modules(source: Path = SOURCE) -> dict[str, Path]:
    found = {}
    for path in source.rglob("*.py"):
        name = ".".join(path.relative_to(source).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
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


def broken_rules(source: Path = SOURCE) -> list[str]:
    found = modules(source)
    problems = []
    graph = {}
    for name, path in found.items():
        imported = imports(path)
        graph[name] = {m for m in imported if m in found and m != name}
        if name.startswith("photodedup.core") and any(m.split(".")[0] in ("PySide6", "shiboken6") for m in imported):
            problems.append(f"{name} imports Qt")
        for library, home in ONE_HOME.items():
            if name != home and any(m == library or m.startswith(library + ".") for m in imported):
                problems.append(f"{name} imports {library} (only {home} may)")
    problems += [f"import cycle: {' ↔ '.join(c)}" for c in cycles(graph)]
    return problems


def test_the_house_rules_hold():
    assert broken_rules() == []


@pytest.mark.parametrize("breach, expected", [
    ("from PySide6.QtCore import QObject\n", "photodedup.core.breach imports Qt"),
    ("import annoy\n", "photodedup.core.breach imports annoy (only photodedup.core.match.index may)"),
    ("from photodedup.core import breach_partner\n", "import cycle: photodedup.core.breach ↔ photodedup.core.breach_partner"),
])
def test_a_broken_rule_is_caught(tmp_path, breach, expected):
    core = tmp_path / "photodedup" / "core"
    core.mkdir(parents=True)
    (core / "breach.py").write_text(breach)
    (core / "breach_partner.py").write_text("def later():\n    from photodedup.core import breach\n")
    assert expected in broken_rules(tmp_path)
