"""The one Markdown escaper for text placed in a pipe-table cell or a one-line list item.

GitHub-flavoured Markdown ends a table cell at an unescaped ``|`` and a table row at a line end
(GFM spec, "Tables (extension)": "include a pipe in a cell's content by escaping it"). So a cell
gets, in this order: every backslash doubled (a printed ``\\`` cannot escape the next pipe), every
``|`` escaped as ``\\|``, and every line end (``\\r\\n``, ``\\r``, ``\\n``) turned into one space.
Every generated page (claims status, paper pages, the real-data pages, the secondary-source page)
and :meth:`~alliance_analysis.report.tables.ApaTable.to_markdown` use it.

It lives in ``report`` (layer 4), which every pipeline layer and ``claims`` (layer 3) may import
(docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

__all__ = ["md_cell"]


def md_cell(text: Any) -> str:
    """``text`` (any object, via ``str``) safe inside one Markdown table cell or list line.

    >>> md_cell("a | b\\nc")
    'a \\\\| b c'
    """
    s = str(text).replace("\\", "\\\\").replace("|", "\\|")
    return s.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
