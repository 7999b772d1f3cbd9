"""The loader's modules import each other in one direction (issue 17: io/core.py and io/wide.py
imported each other), and io imports no layer above it. Imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

IO = Path(__file__).resolve().parents[1] / "src" / "alliance_analysis" / "io"
HIGHER = {"commands", "cli", "scripts", "reproduce", "analyze", "power", "meta"}


def imports(path: Path) -> tuple[set[str], set[str]]:
    """(io modules imported, top-level alliance_analysis packages imported) by ``path``."""
    local, packages = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or not node.level:
            continue
        parts = (node.module or "").split(".")
        if node.level == 1:
            local.add(parts[0] if node.module else "")
            if not node.module:
                local |= {a.name for a in node.names}
        elif node.level == 2:
            packages.add(parts[0])
    local.discard("")
    return local, packages


def test_no_import_circle_in_io():
    graph = {p.stem: imports(p)[0] for p in IO.glob("*.py") if p.stem != "__init__"}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            assert state.get(nxt) != 1, "import circle: " + " -> ".join([*path, node, nxt])
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for mod in sorted(graph):
        if mod not in state:
            visit(mod, [])
    assert "core" not in graph["wide"]


def test_io_imports_no_higher_layer():
    for p in IO.glob("*.py"):
        assert not imports(p)[1] & HIGHER, p.name
