"""Every text of every Davis figure lies inside the figure as saved (nothing clipped at the
edges: titles, axis and tick labels, legends, annotations and the data notice)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from alliance_analysis.report.figures import PNG_DPI, figure_to_base64_png

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plan():
    from alliance_analysis.reproduce.outputs import figure_plan
    from alliance_analysis.reproduce.pipeline import run_reproduction

    return figure_plan(run_reproduction("davis2024", root=ROOT))


def _drawn_tick_labels(axis, limits):
    """Labels of the ticks inside the view limits (the ones drawn; the locator returns more)."""
    lo, hi = sorted(limits)
    span = hi - lo
    axis.get_ticklabels()  # brings the ticks up to date
    return [t.label1 for t in axis.get_major_ticks()
            if lo - 1e-9 * span <= t.get_loc() <= hi + 1e-9 * span]


def _texts(fig):
    out = list(fig.texts)
    for ax in fig.axes:
        out += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label,
                *_drawn_tick_labels(ax.xaxis, ax.get_xlim()),
                *_drawn_tick_labels(ax.yaxis, ax.get_ylim()), *ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            out += [legend.get_title(), *legend.get_texts()]
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def test_every_text_of_every_davis_figure_is_inside_the_figure(plan):
    assert len(plan) == 14
    for stem, make, _ in plan:
        fig = make()
        figure_to_base64_png(fig)  # lays the figure out as the saved PNG
        fig.dpi = PNG_DPI
        renderer = fig.canvas.get_renderer()
        frame = fig.bbox
        texts = _texts(fig)
        assert len(texts) >= 5, stem
        for text in texts:
            box = text.get_window_extent(renderer)
            assert (box.x0 >= frame.x0 - 0.5 and box.y0 >= frame.y0 - 0.5
                    and box.x1 <= frame.x1 + 0.5 and box.y1 <= frame.y1 + 0.5), (
                stem, text.get_text()[:60], box.extents, frame.extents)


def test_the_check_fails_for_a_text_pushed_off_the_figure(plan):
    stem, make, _ = plan[0]
    fig = make()
    fig.axes[0].set_title("a title far above the figure", y=1.6)
    fig.savefig(io.BytesIO(), format="png", dpi=PNG_DPI)
    fig.dpi = PNG_DPI
    renderer = fig.canvas.get_renderer()
    box = fig.axes[0].title.get_window_extent(renderer)
    assert box.y1 > fig.bbox.y1
