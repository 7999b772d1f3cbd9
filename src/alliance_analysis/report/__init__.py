"""Rendering and writing: tables (:mod:`.tables`), figures (:mod:`.figures`), the
self-contained HTML report (:mod:`.html`), and the one writer of output files (:mod:`.files`)
with the one escaping path (:mod:`.escape`). Heavy libraries are imported inside functions.

The writer API every pipeline calls (docs/report.md, "Writing files"):
:func:`write_csv`, :func:`write_notice`, :func:`write_json`, :func:`write_table`,
:func:`write_table_html`, :func:`write_tables`, :func:`write_figure`, :func:`write_figures`,
:func:`write_png`, :func:`write_report`.
"""

from .escape import csv_safe, escape_html, html_comment
from .figures import (
    figure_to_base64_png,
    paired_change_plot,
    published_vs_reproduced,
    save_figure,
    scatter_fit,
    trajectories,
)
from .files import (
    write_csv,
    write_figure,
    write_figures,
    write_json,
    write_notice,
    write_png,
    write_table,
    write_table_html,
    write_tables,
)
from .html import render_report, write_report
from .tables import (
    ApaTable,
    claims_table,
    correlation_table,
    descriptives_table,
    paired_change_table,
)

__all__ = [
    "ApaTable",
    "claims_table",
    "correlation_table",
    "csv_safe",
    "descriptives_table",
    "escape_html",
    "figure_to_base64_png",
    "html_comment",
    "paired_change_plot",
    "paired_change_table",
    "published_vs_reproduced",
    "render_report",
    "save_figure",
    "scatter_fit",
    "trajectories",
    "write_csv",
    "write_figure",
    "write_figures",
    "write_json",
    "write_notice",
    "write_png",
    "write_report",
    "write_table",
    "write_table_html",
    "write_tables",
]
