"""The one Markdown cell escaper (report/markdown.py) and that no copy of it remains."""

from __future__ import annotations

import re
from pathlib import Path

from alliance_analysis.report.markdown import md_cell
from alliance_analysis.report.tables import ApaTable

SRC = Path(__file__).resolve().parents[1] / "src" / "alliance_analysis"


def _cells(row: str) -> list[str]:
    """Split a GFM table row at unescaped pipes (a backslash escapes the next character)."""
    cells, cur, i = [], "", 0
    body = row.strip()[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            cur += body[i + 1]
            i += 2
            continue
        if ch == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    cells.append(cur.strip())
    return cells


def test_md_cell_escapes_pipes_backslashes_and_line_ends():
    assert md_cell("a | b") == "a \\| b"
    assert md_cell("x\ny\r\nz\rw") == "x y z w"
    # a printed backslash before a pipe must not swallow the pipe's escape
    assert md_cell("C:\\|") == "C:\\\\\\|"
    assert md_cell(3.5) == "3.5"
    for text in ("a | b", "back\\slash | pipe", "ends with \\", "two || pipes"):
        row = f"| {md_cell(text)} | next |"
        assert _cells(row) == [text, "next"], row


def test_apa_table_markdown_uses_it():
    table = ApaTable(title="T | 1", note="n\\ote", columns=("a|b",), rows=(("x\ny",),), data=None)
    text = table.to_markdown()
    assert "**T \\| 1**" in text and "| a\\|b |" in text and "| x y |" in text
    assert "*Note.* n\\\\ote" in text


def test_no_second_markdown_escaper_in_the_package():
    pattern = re.compile(r"""replace\(\s*["']\|["']\s*,""")
    twins = [p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
             if p.name != "markdown.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert twins == []
