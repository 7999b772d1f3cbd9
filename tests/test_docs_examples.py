"""Every ```python block of the user docs runs (blocks of one page share a namespace, in order,
from the repository root, as a reader would paste them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)
PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md") if BLOCK.search(p.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT / "docs")) for p in PAGES])
def test_python_blocks_run(page, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "__docs__"}
    for i, block in enumerate(BLOCK.findall(page.read_text(encoding="utf-8")), start=1):
        code = compile(block, f"{page.name} block {i}", "exec")
        exec(code, namespace)  # noqa: S102 - running the docs is the point


def test_there_are_examples_to_run():
    assert len(PAGES) >= 5
    assert os.fspath(ROOT / "docs" / "methods.md")  # the page of formulas exists
