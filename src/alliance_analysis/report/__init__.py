"""Rendering: tables (:mod:`.tables`), figures (:mod:`.figures`) and
the self-contained HTML report (:mod:`.html`). Heavy libraries are imported inside functions."""

from .figures import (
    figure_to_base64_png,
    paired_change_plot,
    published_vs_reproduced,
    save_figure,
    scatter_fit,
    trajectories,
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
    "descriptives_table",
    "figure_to_base64_png",
    "paired_change_plot",
    "paired_change_table",
    "published_vs_reproduced",
    "render_report",
    "save_figure",
    "scatter_fit",
    "trajectories",
    "write_report",
]
