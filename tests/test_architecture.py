"""Imports point down the layers, and no import circle forms (issue 17).

The layer order is read from docs/architecture.md (the one place it is written). Every import of
the package is parsed with ``ast`` — module level, inside functions and under ``TYPE_CHECKING`` —
and resolved to the module it names. The checks can fail: see the tests at the bottom, which feed
the same checker a higher-layer import and a circle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "alliance_analysis"
DOC = ROOT / "docs" / "architecture.md"

#: Known exceptions: (importer, imported) module edges left out of the circle check, each with
#: why. Remove an entry when its cause is fixed (a stale entry is reported by
#: test_known_exceptions_are_still_needed).
KNOWN_CIRCLE_EDGES = {
    # io/wide.py imports io/core.py (LoadResult for typing, load_frame inside a function) while
    # io/core.py imports to_wide from io/wide.py: the circle is being removed by the loader rework
    # (issue 17, io part), not by this change.
    ("alliance_analysis.io.wide", "alliance_analysis.io.core"),
}
#: Known exceptions to the layer direction: (importer, imported) edges. None at present; the
#: analyze pipeline (owned separately) already imports only downward.
KNOWN_LAYER_EDGES: set[tuple[str, str]] = set()


def layer_order(text: str | None = None) -> list[list[str]]:
    """The layers, top first, from the marked list in docs/architecture.md."""
    text = DOC.read_text(encoding="utf-8") if text is None else text
    block = re.search(r"<!-- layer-order:start -->(.*?)<!-- layer-order:end -->", text, re.S)
    assert block, "docs/architecture.md lacks the layer-order block"
    layers = []
    for line in block.group(1).strip().splitlines():
        names = re.findall(r"`([^`]+)`", line)
        assert names, f"no module names on layer line {line!r}"
        layers.append(names)
    return layers


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def package_modules(package: Path = PACKAGE) -> dict[str, Path]:
    return {_module_name(p, package): p for p in sorted(package.rglob("*.py"))}


def import_edges(package: Path = PACKAGE) -> set[tuple[str, str]]:
    """(importer, imported) pairs between modules of the package, every import statement."""
    modules = package_modules(package)
    root = package.name
    edges = set()
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                # `from pkg import sub` names the module pkg.sub when there is one
                subs = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in modules]
                targets = subs if len(subs) == len(node.names) else [module, *subs]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target.split(".")[0] == root and target != name:
                    edges.add((name, target))
    return edges


def _unit(module: str) -> str:
    """The layer unit of a module: its first name below the package (``stats``, ``apa``, ...)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_violations(edges, layers) -> list[str]:
    rank = {name: depth for depth, names in enumerate(layers) for name in names}
    rank.setdefault("__init__", len(layers))  # the package root imports only the foundation
    bad = []
    for a, b in sorted(edges):
        ua, ub = _unit(a), _unit(b)
        if ua == ub or (a, b) in KNOWN_LAYER_EDGES:
            continue
        if ua == "__init__":
            if rank.get(ub) != len(layers) - 1:
                bad.append(f"{a} (package root) imports {b}, which is not foundation")
            continue
        if ub == "__init__":
            bad.append(f"{a} imports the package root; import the module itself")
            continue
        if rank[ub] < rank[ua]:
            bad.append(f"{a} (layer {rank[ua] + 1}, {ua}) imports {b} (higher layer {rank[ub] + 1}, {ub})")
    return bad


def circles(edges) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _unit_edges(edges) -> set[tuple[str, str]]:
    return {(_unit(a), _unit(b)) for a, b in edges if _unit(a) != _unit(b)}


# ---------------------------------------------------------------------------------------------
def test_every_module_has_a_layer():
    names = {name for layer in layer_order() for name in layer}
    units = {_unit(m) for m in package_modules()} - {"__init__"}
    missing = sorted(units - names)
    assert not missing, f"add {missing} to the layer order in docs/architecture.md"


def test_no_lower_layer_imports_a_higher_one():
    bad = layer_violations(import_edges(), layer_order())
    assert not bad, "\n".join(bad)


def test_no_import_circle_between_modules():
    edges = import_edges() - KNOWN_CIRCLE_EDGES
    assert circles(edges) == []


def test_no_import_circle_between_subpackages():
    assert circles(_unit_edges(import_edges())) == []


def test_synthetic_and_reproduce_never_import_each_other():
    units = _unit_edges(import_edges())
    assert ("synthetic", "reproduce") not in units
    assert ("reproduce", "synthetic") not in units


def test_known_exceptions_are_still_needed():
    edges = import_edges()
    stale = sorted((KNOWN_CIRCLE_EDGES | KNOWN_LAYER_EDGES) - edges)
    if stale:
        pytest.skip(f"known exceptions no longer present (remove them): {stale}")


# ---------------------------------------------------------------------------------------------
# the checker itself can fail
def test_checker_flags_an_upward_import_and_a_circle(tmp_path):
    pkg = tmp_path / "alliance_analysis"
    (pkg / "stats").mkdir(parents=True)
    (pkg / "report").mkdir()
    (pkg / "__init__.py").write_text("from .errors import X\n")
    (pkg / "errors.py").write_text("X = 1\n")
    (pkg / "stats" / "__init__.py").write_text("")
    (pkg / "stats" / "a.py").write_text("def f():\n    from ..report.html import g\n")
    (pkg / "stats" / "b.py").write_text("from . import c\n")
    (pkg / "stats" / "c.py").write_text("from .b import y\n")
    (pkg / "report" / "__init__.py").write_text("")
    (pkg / "report" / "html.py").write_text("from alliance_analysis import errors\n")
    layers = [["report"], ["stats"], ["errors"]]  # top first: stats is below report
    edges = import_edges(pkg)
    assert ("alliance_analysis.report.html", "alliance_analysis.errors") in edges
    bad = layer_violations(edges, layers)
    assert len(bad) == 1 and "alliance_analysis.stats.a" in bad[0]
    assert circles(edges) == [["alliance_analysis.stats.b", "alliance_analysis.stats.c"]]


def test_layer_order_is_read_from_the_marked_block():
    text = "x\n<!-- layer-order:start -->\n1. `a`, `b`\n2. `c`\n<!-- layer-order:end -->\n"
    assert layer_order(text) == [["a", "b"], ["c"]]
