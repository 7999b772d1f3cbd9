"""Writing a run's files: CSV, tables, figures, the data notice. One writer for every pipeline.

* CSV: header first (machine-readable by ``pandas.read_csv`` and R ``read.csv`` with no options),
  ``%.12g`` floats, ``\\n`` line ends; text cells that a spreadsheet would run as a formula
  (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, and not a number) get a
  leading apostrophe (OWASP, "CSV Injection"). The data notice goes in ``NOTICE.txt`` beside the
  CSVs and in a short ``data`` column where the caller gives one.
* Tables: Markdown (notice as the first quoted line), escaped HTML (notice as the first comment,
  escaped), CSV as above.
* Figures: PNG + SVG through :func:`~alliance_analysis.report.figures.save_figure`, with the notice
  drawn on the figure by the caller's figure builder.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .tables import ApaTable

CSV_FLOAT_FORMAT = "%.12g"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def csv_safe(text: Any) -> Any:
    """``text`` with a leading apostrophe when a spreadsheet would read it as a formula.

    Numbers written as text (``-4.84``, ``+1``) are left alone: a spreadsheet reads them as numbers.
    Non-strings are returned unchanged.
    """
    if not isinstance(text, str) or not text.startswith(_FORMULA_START):
        return text
    if _NUMBER.match(text.strip()):
        return text
    return "'" + text


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as a formula-safe, deterministic CSV (header first, no index)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or str(safe[col].dtype).startswith(("string", "str")):
            safe[col] = safe[col].map(csv_safe)
    safe.columns = [csv_safe(str(c)) for c in safe.columns]
    with path.open("w", encoding="utf-8", newline="") as fh:
        safe.to_csv(fh, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")
    return path


def write_notice(out: str | Path, notice: str, extra: Sequence[str] = ()) -> Path:
    """``NOTICE.txt`` in ``out``: the data notice first, then ``extra`` lines."""
    path = Path(out) / "NOTICE.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([notice, *extra]) + "\n", encoding="utf-8")
    return path


def write_tables(tables: Sequence[ApaTable], out: str | Path, notice: str) -> list[Path]:
    """``tableN_NAME.{md,html,csv}`` for each table under ``out``, and ``NOTICE.txt`` beside
    the CSVs (which stay header first)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_notice(out, notice)]
    for i, table in enumerate(tables, start=1):
        stem = out / f"table{i}_{table.name or 'table'}"
        md = stem.with_suffix(".md")
        md.write_text(f"> {notice}\n\n{table.to_markdown()}\n", encoding="utf-8")
        page = stem.with_suffix(".html")
        comment = html.escape(notice).replace("--", "- -")
        page.write_text(f"<!-- {comment} -->\n{table.to_html()}\n", encoding="utf-8")
        paths += [md, page, write_csv(table.data, stem.with_suffix(".csv"))]
    return paths


def write_figures(figures: Sequence[tuple[str, Any, str]], out: str | Path) -> list[dict[str, str]]:
    """Save ``(stem, figure, caption)`` triples as PNG + SVG under ``out`` and close them; returns
    the report entries (caption, title, alt, base64 PNG) in the same order."""
    import base64

    import matplotlib.pyplot as plt

    from .figures import save_figure

    entries = []
    for stem, fig, caption in figures:
        png = next(p for p in save_figure(fig, Path(out) / stem) if p.suffix == ".png")
        entries.append({"caption": caption, "title": stem.replace("_", " "), "alt": caption,
                        "png_base64": base64.b64encode(png.read_bytes()).decode("ascii")})
        plt.close(fig)
    return entries
