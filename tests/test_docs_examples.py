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


def _shipped_files() -> dict[Path, bytes]:
    """Contents of the committed package sources and data (a docs example must not change them)."""
    return {p: p.read_bytes() for top in ("data", "src") for p in (ROOT / top).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT / "docs")) for p in PAGES])
def test_python_blocks_run(page, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)
    before = _shipped_files()
    namespace: dict = {"__name__": "__docs__"}
    try:
        for i, block in enumerate(BLOCK.findall(page.read_text(encoding="utf-8")), start=1):
            code = compile(block, f"{page.name} block {i}", "exec")
            exec(code, namespace)  # noqa: S102 - running the docs is the point
    finally:
        after = _shipped_files()
        changed = sorted(str(p.relative_to(ROOT)) for p, b in before.items() if after.get(p) != b)
        for p in changed:  # put the committed bytes back, then fail
            (ROOT / p).write_bytes(before[ROOT / p])
    assert not changed, f"{page.name} changed committed files (write to a temporary folder): {changed}"


def test_there_are_examples_to_run():
    assert len(PAGES) >= 5
    assert os.fspath(ROOT / "docs" / "methods.md")  # the page of formulas exists


# ```bash blocks of the getting-started pages: every line runs with bash (-euo pipefail) in an
# empty temporary folder holding a copy of the repository's data/examples/ (as a clone has), with
# `alliance-analysis` and `python` bound to this interpreter and this source tree. Only the
# installation and repository lines are not run (they install packages or need the network);
# they are matched by the prefixes below, and any other line runs.
BASH_BLOCK = re.compile(r"^```bash[^\n]*\n(.*?)^```", re.S | re.M)
NOT_RUN = ("pip install ", "python -m venv ", "git clone ", "make ", "cd ", ". .venv/", "source ")
GETTING_STARTED = sorted((ROOT / "docs").glob("getting_started*.md"))


def _bash_script(page: Path) -> tuple[str, list[str]]:
    lines, skipped = [], []
    for block in BASH_BLOCK.findall(page.read_text(encoding="utf-8")):
        for line in block.replace("\\\n", " ").splitlines():
            if line.lstrip().startswith(NOT_RUN):
                skipped.append(line.strip())
            else:
                lines.append(line)
    return "\n".join(lines), skipped


@pytest.mark.parametrize("page", GETTING_STARTED, ids=[p.name for p in GETTING_STARTED])
def test_getting_started_bash_blocks_run(page, tmp_path):
    import shutil
    import subprocess
    import sys

    script, skipped = _bash_script(page)
    assert all(s.startswith(NOT_RUN) for s in skipped)
    shutil.copytree(ROOT / "data" / "examples", tmp_path / "data" / "examples")
    prelude = (f'alliance-analysis() {{ "{sys.executable}" -m alliance_analysis "$@"; }}\n'
               f'python() {{ "{sys.executable}" "$@"; }}\n')
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"}
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", prelude + script], cwd=tmp_path,
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"{page.name}:\n{script}\n--- stderr ---\n{proc.stderr}"


def test_getting_started_pages_start_from_pip_install():
    names = {p.name for p in GETTING_STARTED}
    assert {"getting_started.md", "getting_started_reproduce.md", "getting_started_audit.md",
            "getting_started_analyse.md"} <= names
    for page in GETTING_STARTED:
        first = BASH_BLOCK.findall(page.read_text(encoding="utf-8"))[0]
        assert "pip install" in first, page.name
        script, _ = _bash_script(page)
        assert "alliance-analysis" in script, f"{page.name} runs no command"
