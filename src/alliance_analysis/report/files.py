"""Writing a run's files: CSV, JSON, tables, figures, the data notice. One writer for every pipeline.

Pipelines (reproduce, analyze, and the ones to come) build results, tables and figures and call
these functions; they never open an output file themselves (docs/architecture.md).

* CSV (:func:`write_csv`): header first (machine-readable by ``pandas.read_csv`` and R
  ``read.csv`` with no options), ``%.12g`` floats, ``\\n`` line ends; text cells and headers that
  a spreadsheet would run as a formula get a leading apostrophe (:func:`.escape.csv_safe`). The
  data notice goes in ``NOTICE.txt`` beside the CSVs (:func:`write_notice`) and in a short
  ``data`` column where the caller gives one.
* JSON (:func:`write_json`): the notice is the first key; indent 2, UTF-8, key order as given.
* Tables (:func:`write_table`, :func:`write_tables`): Markdown (notice as the first quoted line),
  HTML (:func:`write_table_html`: notice as the first comment, every text escaped by
  :func:`.escape.escape_html`), CSV as above.
* Figures (:func:`write_figure`, :func:`write_figures`): PNG (+ SVG unless ``svg=False``) through
  :func:`~alliance_analysis.report.figures.save_figure`, with the notice drawn on the figure by
  :func:`~alliance_analysis.report.figures.stamp_notice`.
* The HTML report: :func:`alliance_analysis.report.html.write_report` (re-exported here).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .escape import csv_quoting, csv_safe, html_comment, safe_frame

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .tables import ApaTable

__all__ = ["CSV_FLOAT_FORMAT", "csv_safe", "safe_frame", "write_csv", "write_notice", "write_json",
           "write_table", "write_table_html", "write_tables", "write_figure", "write_figures", "write_png",
           "write_report"]

CSV_FLOAT_FORMAT = "%.12g"


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as a formula-safe, deterministic CSV (header first, no index)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = safe_frame(frame)
    with path.open("w", encoding="utf-8", newline="") as fh:
        safe.to_csv(fh, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n",
                    quoting=csv_quoting(safe))
    return path


def write_notice(out: str | Path, notice: str, extra: Sequence[str] = ()) -> Path:
    """``NOTICE.txt`` in ``out``: the data notice first, then ``extra`` lines."""
    path = Path(out) / "NOTICE.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([notice, *extra]) + "\n", encoding="utf-8")
    return path


def write_json(payload: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``payload`` as indented UTF-8 JSON; its first key must be ``notice`` (every output
    says what data it came from first). Key order is kept, so the bytes are deterministic."""
    if not payload or next(iter(payload)) != "notice" or not str(payload["notice"]).strip():
        raise ValueError("a JSON output needs the data notice as its first key ('notice')")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_table_html(table: ApaTable, path: str | Path, notice: str) -> Path:
    """One table as an HTML fragment: the notice as the first comment, then the escaped table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!-- {html_comment(notice)} -->\n{table.to_html()}\n", encoding="utf-8")
    return path


def write_table(table: ApaTable, stem: str | Path, notice: str) -> list[Path]:
    """``STEM.md``, ``STEM.html`` and ``STEM.csv`` of one table (the CSV header first; put the
    notice beside it with :func:`write_notice`)."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    md = stem.with_suffix(".md")
    md.write_text(f"> {notice}\n\n{table.to_markdown()}\n", encoding="utf-8")
    page = write_table_html(table, stem.with_suffix(".html"), notice)
    return [md, page, write_csv(table.data, stem.with_suffix(".csv"))]


def write_tables(tables: Sequence[ApaTable], out: str | Path, notice: str) -> list[Path]:
    """``tableN_NAME.{md,html,csv}`` for each table under ``out``, and ``NOTICE.txt`` beside
    the CSVs (which stay header first)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_notice(out, notice)]
    for i, table in enumerate(tables, start=1):
        paths += write_table(table, out / f"table{i}_{table.name or 'table'}", notice)
    return paths


def write_figure(fig: Any, stem: str | Path, caption: str, *, svg: bool = True) -> dict[str, str]:
    """Save one figure (PNG, and SVG unless ``svg=False``); returns its report
    entry (caption, title, alt, base64 PNG) for :func:`~alliance_analysis.report.html.render_report`.
    An aggregated figure's :func:`~.figures.figure_note` is appended to the caption."""
    import base64

    from .figures import figure_note, save_figure

    stem = Path(stem)
    note = figure_note(fig)
    if note and note not in caption:
        caption = f"{caption} {note}"
    png = next(p for p in save_figure(fig, stem, svg=svg) if p.suffix == ".png")
    return {"caption": caption, "title": stem.name.replace("_", " "), "alt": caption,
            "png_base64": base64.b64encode(png.read_bytes()).decode("ascii")}


def write_png(fig: Any, path: str | Path, dpi: int) -> Path:
    """A PNG only, at ``dpi`` (the documentation pages' images), without the ``Software`` chunk."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, metadata={"Software": None})
    return path


def write_figures(figures: Sequence[tuple[str, Any, str]], out: str | Path, *,
                  svg: bool = True) -> list[dict[str, str]]:
    """Save ``(stem, figure, caption)`` triples under ``out`` (see :func:`write_figure`);
    returns the report entries in the same order."""
    return [write_figure(fig, Path(out) / stem, caption, svg=svg) for stem, fig, caption in figures]


def write_report(path: str | Path, context: Mapping[str, Any]) -> Path:
    """The self-contained HTML report (:func:`alliance_analysis.report.html.write_report`)."""
    from .html import write_report as _write

    return _write(path, context)
