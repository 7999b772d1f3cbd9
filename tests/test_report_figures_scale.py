"""Figures grow with n no more (issue 14, section 6): above AGGREGATE_ABOVE participants a figure
draws densities, hexagonal bins and a fixed sample of lines, says so in its title and caption,
and no legend searches for the "best" place over every point."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.report import files
from alliance_analysis.report.figures import (
    AGGREGATE_ABOVE,
    LINE_SAMPLE,
    figure_note,
    paired_change_plot,
    scatter_fit,
    trajectories,
)

N_BIG = 20_000


def _pairs(n, seed=3):
    rng = np.random.default_rng(seed)
    a = rng.normal(50, 10, n)
    return a, a + rng.normal(-4, 6, n)


def _long(n, seed=4):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"participant": np.tile(np.arange(n), 3),
                         "group": np.tile(np.where(np.arange(n) % 2, "A", "B"), 3),
                         "time_index": np.repeat([0, 1, 2], n), "time_label": np.repeat(["t0", "t1", "t2"], n),
                         "score": rng.normal(size=3 * n)})


def _marks(fig):
    """Number of data marks drawn: points of scatters, lines (and line-collection segments)."""
    ax = fig.axes[0]
    points = sum(len(c.get_offsets()) for c in ax.collections if type(c).__name__ == "PathCollection")
    segments = sum(len(c.get_segments()) for c in ax.collections if type(c).__name__ == "LineCollection")
    return points, len(ax.lines) + segments


def _legend_loc_is_fixed(fig):
    leg = fig.axes[0].get_legend()
    return leg is None or leg._loc != 0  # 0 is matplotlib's code for loc="best"


def test_paired_change_above_the_threshold_samples_lines_and_draws_densities():
    a, b = _pairs(N_BIG)
    fig = paired_change_plot(a, b)
    points, lines = _marks(fig)
    assert points == 0
    assert lines <= LINE_SAMPLE + 5  # the sample, the mean line, its 2 error bars and 2 caps
    assert "200 lines sampled" in fig.axes[0].get_title()
    assert "Aggregated view" in figure_note(fig) and str(N_BIG) in figure_note(fig)
    assert _legend_loc_is_fixed(fig)


def test_small_figures_still_show_every_participant():
    a, b = _pairs(AGGREGATE_ABOVE)
    fig = paired_change_plot(a, b)
    points, lines = _marks(fig)
    assert points == 2 * AGGREGATE_ABOVE and lines >= AGGREGATE_ABOVE
    assert figure_note(fig) == "" and _legend_loc_is_fixed(fig)
    fig = scatter_fit(a, b, "x", "y")
    assert _marks(fig)[0] == AGGREGATE_ABOVE and figure_note(fig) == ""


def test_scatter_above_the_threshold_is_binned():
    a, b = _pairs(N_BIG)
    fig = scatter_fit(a, b, "x", "y")
    assert _marks(fig)[0] < 2000  # hexagon centres, not 20,000 points
    assert "hexagonal bins" in fig.axes[0].get_title()
    assert "hexagons" in figure_note(fig)


def test_trajectories_above_the_threshold_sample_lines_per_group():
    fig = trajectories(_long(N_BIG))
    ax = fig.axes[0]
    thin = [ln for ln in ax.lines if ln.get_linewidth() == 0.5]
    assert len(thin) == 2 * LINE_SAMPLE
    assert "random sample" in ax.get_title() and figure_note(fig)
    assert _legend_loc_is_fixed(fig)
    small = trajectories(_long(30))
    assert len([ln for ln in small.axes[0].lines if ln.get_linewidth() == 0.5]) == 30
    assert _legend_loc_is_fixed(small) and figure_note(small) == ""


def test_the_caption_says_so_and_files_stay_small(tmp_path):
    a, b = _pairs(N_BIG)
    entry = files.write_figure(scatter_fit(a, b, "x", "y"), tmp_path / "s", "Scatter.", svg=True)
    assert entry["caption"].startswith("Scatter. Aggregated view")
    assert (tmp_path / "s.svg").stat().st_size < 1_000_000


@pytest.mark.parametrize("build", [lambda: paired_change_plot(*_pairs(N_BIG)),
                                   lambda: trajectories(_long(N_BIG))])
def test_aggregated_figures_are_deterministic(tmp_path, build):
    a = files.write_figure(build(), tmp_path / "a", "c", svg=False)
    b = files.write_figure(build(), tmp_path / "b", "c", svg=False)
    assert a["png_base64"] == b["png_base64"]
