"""Forest and funnel plots of a :class:`~.analysis.MetaResult` (matplotlib, Agg canvas).

* Forest plot: one row per effect (point size by weight, its 95% CI from ``yi ± z·sqrt(vi)``),
  the pooled estimate as a diamond spanning its CI and the prediction interval as a bar below it;
  correlations are drawn on the r scale (``tanh`` of the z values).
* Funnel plot: effect against its standard error (inverted axis) with the pseudo-confidence
  region ``μ̂ ± 1.96·SE`` (Sterne & Egger 2001), on the analysis scale (Fisher z for r).

matplotlib is imported inside the functions (light package import). The data notice is printed
along the bottom edge of each figure.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .analysis import MetaResult


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _notice(fig: Figure, notice: str | None) -> None:
    if not notice:
        return
    fontsize = 6.5
    width = max(40, int(0.97 * fig.get_figwidth() * 72 / (0.6 * fontsize)))
    lines = textwrap.wrap(" ".join(notice.split()), width=width) or [""]
    height = (len(lines) * fontsize * 1.25 + 4) / 72 / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, height, 1, 1 - height))
    fig.text(0.01, 0.004, "\n".join(lines), ha="left", va="bottom", fontsize=fontsize,
             color="#a00000", linespacing=1.15)


def forest_plot(result: MetaResult, notice: str | None = None, title: str | None = None) -> Figure:
    """Forest plot: effects with CIs, the pooled diamond and the prediction interval."""
    frame = result.studies_frame()
    is_r = result.effect == "r"
    tr = np.tanh if is_r else (lambda x: np.asarray(x))
    k = len(frame)
    fig = _figure(8.0, 1.8 + 0.28 * (k + 3))
    ax = fig.add_subplot()
    ypos = np.arange(k, 0, -1) + 2.0
    lo, hi = tr(frame["ci_lower"].to_numpy()), tr(frame["ci_upper"].to_numpy())
    est = tr(frame["yi"].to_numpy())
    ax.hlines(ypos, lo, hi, color="#333333", lw=1)
    sizes = 15 + 120 * frame["weight_pct"].to_numpy() / max(frame["weight_pct"].max(), 1e-12)
    ax.scatter(est, ypos, s=sizes, marker="s", color="#1f4e79", zorder=3)
    c_lo, c_hi = tr(np.array(result.ci))
    mid = float(tr(np.array(result.estimate)))
    ax.fill([c_lo, mid, c_hi, mid], [1, 1.3, 1, 0.7], color="#b22222", zorder=3)
    if result.method != "FE":
        p_lo, p_hi = tr(np.array(result.pi))
        ax.hlines(0.3, p_lo, p_hi, color="#b22222", lw=2.5)
    ax.axvline(0, color="#999999", lw=0.8, ls="--")
    ax.axvline(mid, color="#b22222", lw=0.6, ls=":")
    labels = list(frame["label"]) + ["Pooled (95% CI)"] + (
        ["Prediction interval"] if result.method != "FE" else [])
    ticks = list(ypos) + [1.0] + ([0.3] if result.method != "FE" else [])
    ax.set_yticks(ticks, ["\n".join(textwrap.wrap(str(t), 48)) or str(t) for t in labels],
                  fontsize=8)
    ax.set_ylim(-0.3, k + 2.8)
    ax.set_xlabel("Correlation r" if is_r else "Effect size")
    # a figure-wide title: an axes title is centred on the narrow axes and runs off the edge
    fig.suptitle("\n".join(textwrap.wrap(title or f"Forest plot. {result._what()}", 90)),
                 fontsize=9)
    _notice(fig, notice)
    return fig


def funnel_plot(result: MetaResult, notice: str | None = None, title: str | None = None) -> Figure:
    """Funnel plot on the analysis scale with the 95% pseudo-confidence region."""
    yi, se = np.asarray(result.yi), np.sqrt(np.asarray(result.vi))
    fig = _figure(6.0, 4.5)
    ax = fig.add_subplot()
    top = float(se.max()) * 1.1
    s = np.linspace(0, top, 50)
    ax.fill_betweenx(s, result.estimate - 1.96 * s, result.estimate + 1.96 * s,
                     color="#dddddd", zorder=0)
    ax.axvline(result.estimate, color="#b22222", lw=1)
    ax.scatter(yi, se, color="#1f4e79", s=22, zorder=3)
    ax.set_ylim(top, 0)
    ax.set_ylabel("Standard error")
    ax.set_xlabel("Fisher z" if result.effect == "r" else "Effect size")
    ax.set_title(title or "Funnel plot (95% pseudo-confidence region)", fontsize=10)
    _notice(fig, notice)
    return fig
