"""Figures for reproductions and users' own trials, in the one package style (:mod:`.style`).

Every function builds a :class:`matplotlib.figure.Figure` on an Agg canvas (no pyplot, no global
backend change, nothing shown) and returns it. :func:`save_figure` writes PNG and SVG files that
are byte-identical on re-render (fixed SVG hash salt, no date / software metadata);
:func:`figure_to_base64_png` gives the PNG for embedding in the HTML report.

Confidence intervals of means are t intervals, ``M ± t(.975, n − 1) · SD / √n``; the band of an
OLS fit is the confidence band of the mean response (see :func:`ols_fit_band`). Missing values are
dropped pairwise and the number dropped is printed in the title.

matplotlib and scipy are imported inside functions so ``import alliance_analysis`` stays light.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .style import FIGSIZE, HIGHLIGHT, NEUTRAL, PNG_DPI, colour, style_context

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "mean_ci",
    "ols_fit_band",
    "paired_change_plot",
    "scatter_fit",
    "published_vs_reproduced",
    "trajectories",
    "save_figure",
    "figure_to_base64_png",
    "figure_note",
    "stamp_notice",
    "AGGREGATE_ABOVE",
    "LINE_SAMPLE",
]

PNG_METADATA = {"Software": None}
#: zlib level of PNG files: 3 is as small as PIL's default 6 on these figures (flat colours) and
#: encodes in about 70% of its time (14 Davis figures: 0.16 s against 0.23 s)
PNG_PIL_KWARGS = {"compress_level": 3}
SVG_METADATA = {"Date": None}

#: above this many participants (pairs, points) a figure draws aggregated views instead of one
#: mark per participant: a density (violin) instead of points, hexagonal bins instead of a
#: scatter, and a fixed random sample of individual lines; the figure's title and
#: :func:`figure_note` (appended to the caption by the report writer) say so
AGGREGATE_ABOVE = 500
#: how many individual lines an aggregated figure draws (per group for trajectories)
LINE_SAMPLE = 200
#: seed of the line sample (fixed: the same data give the same figure)
SAMPLE_SEED = 20240


def figure_note(fig: Figure) -> str:
    """What an aggregated figure shows instead of every participant ("" when it shows them all)."""
    return str(getattr(fig, "alliance_note", "") or "")


def _line_sample(n: int, k: int = LINE_SAMPLE) -> np.ndarray:
    """Sorted indices of a fixed random sample of ``k`` of ``n`` (all of them when n <= k)."""
    import numpy as np

    if n <= k:
        return np.arange(n)
    return np.sort(np.random.default_rng(SAMPLE_SEED).choice(n, size=k, replace=False))


def _new_figure(figsize: tuple[float, float] = FIGSIZE) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _fitted_title(text: str, fig: Figure) -> str:
    """``text`` with every line longer than the figure can hold broken: first after each "; ",
    then at spaces. An Axes title is centred on the Axes, not the figure, and neither layout
    engine narrows it, so a long line (a scatter's published and reproduced statistics) ran off
    the right edge. The line length allows 0.6 em per character (DejaVu Sans averages about 0.55)
    over 85% of the figure's width."""
    import textwrap

    from matplotlib import rcParams

    size = rcParams["axes.titlesize"]
    size = size if isinstance(size, (int, float)) else rcParams["font.size"]
    chars = max(20, int(0.85 * fig.get_figwidth() * 72 / (0.6 * float(size))))
    lines = []
    for line in text.split("\n"):
        pieces = [line] if len(line) <= chars else [p for p in line.replace("; ", ";\n").split("\n")]
        for piece in pieces:
            lines += textwrap.wrap(piece, width=chars, break_long_words=False) or [""]
    return "\n".join(lines)


def _omitted_text(k: int, what: str) -> str:
    return f"; {k} incomplete {what} omitted" if k else ""


# ---------------------------------------------------------------------------------------------
# computations (public so that tests and users can check them)
# ---------------------------------------------------------------------------------------------
def _t_quantile(q: float, df: float) -> float:
    """Student t quantile by ``scipy.special.stdtrit`` (the function ``scipy.stats.t.ppf`` calls;
    importing ``scipy.special`` alone is several times cheaper than ``scipy.stats``)."""
    from scipy.special import stdtrit

    return float(stdtrit(df, q))


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and t-based CI of the finite values: ``(mean, lower, upper, n)``.

    ``lower``/``upper`` are NaN when fewer than two values remain.
    """
    import numpy as np

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if n < 2:
        return m, math.nan, math.nan, n
    half = _t_quantile(0.5 + level / 2, n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return m, m - half, m + half, n


def ols_fit_band(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray,
                 grid: Sequence[float] | np.ndarray | None = None, level: float = 0.95,
                 n_grid: int = 101) -> dict[str, Any]:
    """OLS line of ``y`` on ``x`` and the confidence band of the mean response.

    At each grid point x₀: ŷ₀ = a + b·x₀ and ŷ₀ ± t(½ + level/2, n − 2) · s · √(1/n + (x₀ − x̄)² / Sxx),
    with s² = SSE / (n − 2) and Sxx = Σ(x − x̄)². Pairs with a missing value are dropped.
    Returns ``slope, intercept, n, n_omitted, grid, fit, lower, upper`` (arrays for the last four).
    """
    import numpy as np

    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if xa.shape != ya.shape:
        raise ValueError("x and y must have the same length")
    keep = np.isfinite(xa) & np.isfinite(ya)
    xa, ya = xa[keep], ya[keep]
    n = int(xa.size)
    if n < 3:
        raise ValueError(f"an OLS fit with a confidence band needs at least 3 complete pairs, got {n}")
    xbar, ybar = xa.mean(), ya.mean()
    sxx = float(np.sum((xa - xbar) ** 2))
    if sxx == 0:
        raise ValueError("x is constant: no regression line")
    slope = float(np.sum((xa - xbar) * (ya - ybar)) / sxx)
    intercept = float(ybar - slope * xbar)
    resid = ya - (intercept + slope * xa)
    s = math.sqrt(float(np.sum(resid**2)) / (n - 2))
    g = np.linspace(xa.min(), xa.max(), n_grid) if grid is None else np.asarray(grid, dtype=float)
    fit = intercept + slope * g
    half = _t_quantile(0.5 + level / 2, n - 2) * s * np.sqrt(1.0 / n + (g - xbar) ** 2 / sxx)
    return {"slope": slope, "intercept": intercept, "n": n, "n_omitted": int((~keep).sum()),
            "grid": g, "fit": fit, "lower": fit - half, "upper": fit + half}


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------
def _density_strip(ax: Any, values: np.ndarray, position: float, half_width: float = 0.25,
                   bins: int = 40) -> None:
    """A mirrored histogram (a violin without smoothing) of ``values`` centred on ``position``."""
    import numpy as np

    counts, edges = np.histogram(values, bins=bins)
    width = half_width * counts / counts.max()
    y = np.repeat(edges, 2)[1:-1]
    w = np.repeat(width, 2)
    ax.fill_betweenx(y, position - w, position + w, color=NEUTRAL, alpha=0.3, linewidth=0, zorder=0.5)


def paired_change_plot(pre: Sequence[float] | np.ndarray, post: Sequence[float] | np.ndarray,
                       labels: tuple[str, str] = ("Pre", "Post"), title: str | None = None,
                       ylabel: str = "Score") -> Figure:
    """One thin grey line per participant from pre to post, and the mean with its 95% CI.

    Pairs with a missing pre or post value are omitted; the title gives the number of complete
    pairs and the number omitted.
    """
    import numpy as np

    a = np.asarray(pre, dtype=float)
    b = np.asarray(post, dtype=float)
    if a.shape != b.shape:
        raise ValueError("pre and post must have the same length")
    keep = np.isfinite(a) & np.isfinite(b)
    omitted = int((~keep).sum())
    a, b = a[keep], b[keep]
    n = int(a.size)

    aggregated = n > AGGREGATE_ABOVE
    with style_context():
        fig = _new_figure((4.8, 4.2))
        ax = fig.add_subplot()
        if aggregated:
            from matplotlib.collections import LineCollection

            pick = _line_sample(n)
            segments = np.stack([np.column_stack([np.zeros(pick.size), a[pick]]),
                                 np.column_stack([np.ones(pick.size), b[pick]])], axis=1)
            ax.add_collection(LineCollection(segments, colors=NEUTRAL, linewidths=0.6, alpha=0.35,
                                             zorder=1))
            for pos, values in ((0.0, a), (1.0, b)):
                _density_strip(ax, values, pos)
            fig.alliance_note = (f"Aggregated view (n = {n} > {AGGREGATE_ABOVE}): histogram densities "
                                 f"of the pre and post scores (40 bins) and a fixed random sample of "
                                 f"{pick.size} participants' lines.")
        elif n:
            from matplotlib.collections import LineCollection

            # one collection of n segments (one artist, not n Line2D: same marks, cheaper to draw)
            segments = np.stack([np.column_stack([np.zeros(n), a]), np.column_stack([np.ones(n), b])],
                                axis=1)
            ax.add_collection(LineCollection(segments, colors=NEUTRAL, linewidths=0.8, alpha=0.6,
                                             zorder=1))
        if n and not aggregated:
            ax.scatter(np.zeros(n), a, s=10, color=NEUTRAL, zorder=2)
            ax.scatter(np.ones(n), b, s=10, color=NEUTRAL, zorder=2)
        means, los, his = [], [], []
        for values in (a, b):
            m, lo, hi, _ = mean_ci(values)
            means.append(m)
            los.append(lo)
            his.append(hi)
        if n:
            xs = np.array([-0.08, 1.08])
            ax.plot(xs, means, color=HIGHLIGHT, linewidth=2.0, marker="o", zorder=3,
                    label="Mean (95% CI)")
            if n >= 2:
                yerr = np.array([[m - lo for m, lo in zip(means, los, strict=True)],
                                 [hi - m for m, hi in zip(means, his, strict=True)]])
                ax.errorbar(xs, means, yerr=yerr, fmt="none", ecolor=HIGHLIGHT, capsize=4,
                            linewidth=1.5, zorder=3)
            # a fixed place (no "best" search over every point): below the axes, hiding nothing
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
        else:
            ax.text(0.5, 0.5, "No complete pairs", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([0, 1], labels=list(labels))
        ax.set_xlim(-0.4, 1.4)
        ax.set_ylabel(ylabel)
        head = title if title else f"{labels[0]} to {labels[1]}"
        shown = f"; {LINE_SAMPLE} lines sampled" if aggregated else ""
        ax.set_title(_fitted_title(f"{head}\n(n = {n} pairs{_omitted_text(omitted, 'pair(s)')}{shown})",
                                   fig))
    return fig


def scatter_fit(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, xlabel: str,
                ylabel: str, annotation: str | None = None, title: str | None = None) -> Figure:
    """Scatter of ``y`` on ``x`` with the OLS line and the 95% confidence band of the mean
    (:func:`ols_fit_band`). ``annotation`` (e.g. an APA ``r(18) = -.65, p = .002``) is printed
    under the title and the legend below the axes, so neither can hide a point. Pairs with a
    missing value are omitted and counted in the title.
    """
    import numpy as np

    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    band = ols_fit_band(xa, ya)
    keep = np.isfinite(xa) & np.isfinite(ya)
    with style_context():
        fig = _new_figure()
        ax = fig.add_subplot()
        ax.fill_between(band["grid"], band["lower"], band["upper"], color=colour(0), alpha=0.2,
                        linewidth=0, label="95% CI of the mean", zorder=1)
        ax.plot(band["grid"], band["fit"], color=colour(0), linewidth=1.8, label="OLS fit", zorder=2)
        if band["n"] > AGGREGATE_ABOVE:
            ax.hexbin(xa[keep], ya[keep], gridsize=40, mincnt=1, cmap="Greys", linewidths=0,
                      zorder=0.5)
            fig.alliance_note = (f"Aggregated view (n = {band['n']} > {AGGREGATE_ABOVE}): points "
                                 "binned in hexagons, darker = more participants.")
        else:
            ax.scatter(xa[keep], ya[keep], s=18, color=HIGHLIGHT, alpha=0.8, zorder=3)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        head = title if title else f"{ylabel} by {xlabel}"
        sub = f"n = {band['n']}{_omitted_text(band['n_omitted'], 'pair(s)')}"
        if band["n"] > AGGREGATE_ABOVE:
            sub += "; hexagonal bins"
        ax.set_title(_fitted_title(f"{head}\n({sub})" + (f"\n{annotation}" if annotation else ""), fig))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    return fig


def published_vs_reproduced(df: pd.DataFrame, xlabel: str = "Value",
                            title: str = "Published and reproduced values") -> Figure:
    """Dot plot, one row per claim (in ``df`` order, top to bottom): the published value (open
    diamond) and the reproduced value (filled circle) with its CI when given.

    ``df`` columns: ``claim_id, published`` (float), ``reproduced, ci_lower, ci_upper``. A claim
    with no reproduced value is marked "(not computed)" on its label.
    """
    import numpy as np

    need = ["claim_id", "published", "reproduced", "ci_lower", "ci_upper"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise KeyError(f"frame lacks columns {missing}")
    k = len(df)
    pub = df["published"].to_numpy(dtype=float)
    rep = df["reproduced"].to_numpy(dtype=float)
    lo = df["ci_lower"].to_numpy(dtype=float)
    hi = df["ci_upper"].to_numpy(dtype=float)
    ys = np.arange(k)[::-1].astype(float)
    names = [str(c) + ("" if np.isfinite(r) else " (not computed)")
             for c, r in zip(df["claim_id"], rep, strict=True)]
    with style_context():
        fig = _new_figure((6.0, max(2.0, 0.9 + 0.32 * k)))
        ax = fig.add_subplot()
        has_ci = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(rep)
        for y, a, b in zip(ys[has_ci], lo[has_ci], hi[has_ci], strict=True):
            ax.plot([a, b], [y, y], color=colour(0), linewidth=1.5, zorder=1)
        if has_ci.any():
            ax.plot([], [], color=colour(0), linewidth=1.5, label="95% CI")
        ok = np.isfinite(rep)
        ax.scatter(rep[ok], ys[ok], s=30, color=colour(0), zorder=3, label="Reproduced")
        okp = np.isfinite(pub)
        ax.scatter(pub[okp], ys[okp], s=46, marker="D", facecolor="none", edgecolor=colour(3),
                   linewidth=1.3, zorder=4, label="Published")
        allv = np.concatenate([pub[okp], rep[ok], lo[has_ci], hi[has_ci]])
        if allv.size and allv.min() < 0 < allv.max():
            ax.axvline(0, color=NEUTRAL, linewidth=0.8, linestyle=":", zorder=0)
        ax.set_yticks(ys, labels=names)
        ax.set_ylim(-0.7, k - 0.3)
        ax.set_xlabel(xlabel)
        ax.set_title(_fitted_title(title, fig))
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def trajectories(long_df: pd.DataFrame, ylabel: str = "Score", title: str | None = None) -> Figure:
    """Mean ± 95% CI per group over time, over thin individual lines in the group's colour.

    ``long_df`` columns: ``participant, group, time_index, time_label, score``; the loader's tidy
    names are accepted for the first two (``participant_id``, ``arm``), and without
    ``time_index``/``time_label`` a ``timepoint`` column is used (its categories' order, else
    first appearance). Missing scores are omitted (counted in the title); x ticks are the sorted
    ``time_index`` values labelled with their first ``time_label``. Groups are in sorted order;
    means are slightly dodged by group. A frame without these columns raises
    :class:`~alliance_analysis.errors.InputError` naming what is missing.
    """
    import numpy as np
    import pandas as pd

    from ..errors import InputError

    long_df = long_df.rename(columns={k: v for k, v in (("participant_id", "participant"),
                                                         ("arm", "group"))
                                      if k in long_df.columns and v not in long_df.columns})
    if "time_index" not in long_df.columns and "timepoint" in long_df.columns:
        tp = long_df["timepoint"]
        cats = (list(tp.cat.categories) if isinstance(tp.dtype, pd.CategoricalDtype)
                else list(pd.unique(tp.dropna())))
        long_df = long_df.assign(time_index=tp.map({c: i for i, c in enumerate(cats)}),
                                 time_label=tp.astype(str))
    if "group" not in long_df.columns:
        long_df = long_df.assign(group="all")
    need = ["participant", "group", "time_index", "time_label", "score"]
    missing = [c for c in need if c not in long_df.columns]
    if missing:
        raise InputError(f"trajectories() needs the column(s) {', '.join(missing)}",
                         hint="Pass a long table with participant (or participant_id), "
                              "time_index and time_label (or timepoint), score, and optionally "
                              "group (or arm)")
    data = long_df[need].copy()
    data["score"] = data["score"].astype(float)
    n_missing = int((~np.isfinite(data["score"].to_numpy(dtype=float))).sum())
    data = data[np.isfinite(data["score"].to_numpy(dtype=float))]
    times = sorted(long_df["time_index"].dropna().unique().tolist())
    tick_labels = [str(long_df.loc[long_df["time_index"] == t, "time_label"].iloc[0]) for t in times]
    groups = sorted(data["group"].dropna().unique().tolist(), key=str)
    width = 0.12 * (len(groups) - 1) if len(groups) > 1 else 0.0
    aggregated = long_df["participant"].nunique() > AGGREGATE_ABOVE
    with style_context():
        fig = _new_figure()
        ax = fig.add_subplot()
        for gi, grp in enumerate(groups):
            col = colour(gi)
            sub = data[data["group"] == grp]
            everyone = long_df[long_df["group"] == grp]  # with missing scores: gaps break lines
            if aggregated:
                # one (time x participant) matrix, a fixed sample of columns, one plot call
                grid = everyone.pivot_table(index="time_index", columns="participant", values="score",
                                            aggfunc="first", dropna=False).sort_index()
                grid = grid[sorted(grid.columns, key=str)]
                pick = _line_sample(grid.shape[1])
                ax.plot(grid.index.to_numpy(dtype=float), grid.to_numpy(dtype=float)[:, pick],
                        color=col, linewidth=0.5, alpha=0.2, zorder=1)
            else:
                for _, person in sorted(everyone.groupby("participant", sort=False),
                                        key=lambda kv: str(kv[0])):
                    person = person.sort_values("time_index")
                    ax.plot(person["time_index"].to_numpy(dtype=float),
                            person["score"].to_numpy(dtype=float),
                            color=col, linewidth=0.5, alpha=0.3, zorder=1)
            offset = (gi / (len(groups) - 1) - 0.5) * width if len(groups) > 1 else 0.0
            xs, ms, lo_err, hi_err, ns = [], [], [], [], []
            for t in times:
                m, lo, hi, n = mean_ci(sub.loc[sub["time_index"] == t, "score"].to_numpy(dtype=float))
                if n == 0:
                    continue
                xs.append(float(t) + offset)
                ms.append(m)
                lo_err.append(0.0 if math.isnan(lo) else m - lo)
                hi_err.append(0.0 if math.isnan(hi) else hi - m)
                ns.append(n)
            n_people = sub["participant"].nunique()
            ax.errorbar(xs, ms, yerr=[lo_err, hi_err], color=col, marker="o", linewidth=2.0,
                        capsize=3, zorder=3, label=f"{grp} (n = {n_people})")
        ax.set_xticks([float(t) for t in times], labels=tick_labels)
        ax.set_ylabel(ylabel)
        head = title if title else f"{ylabel} over time"
        suffix = f"\n({n_missing} missing score(s) omitted)" if n_missing else ""
        if aggregated:
            suffix += f"\n(thin lines: a random sample of up to {LINE_SAMPLE} per group)"
            fig.alliance_note = (f"Aggregated view (more than {AGGREGATE_ABOVE} participants): the "
                                 f"thin lines are a fixed random sample of up to {LINE_SAMPLE} "
                                 "participants per group; means and CIs use everyone.")
        ax.set_title(_fitted_title(head + suffix, fig))
        if groups:
            # a fixed place below the axes (no "best" search over every line), hiding nothing
            longest = max(len(f"{g} (n = 000)") for g in groups)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), title="Mean ± 95% CI",
                      frameon=False, ncol=1 if longest > 28 or len(groups) == 1 else 2)
    return fig


# ---------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------
def save_figure(fig: Figure, path_stem: str | Path, *, svg: bool = True) -> list[Path]:
    """Write ``<stem>.png`` and (unless ``svg=False``) ``<stem>.svg``; re-rendering the same
    figure gives identical bytes.

    PNG without the ``Software`` chunk, SVG without a date and with a fixed hash salt for ids.
    Any suffix on ``path_stem`` is replaced.
    """
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    png = stem.with_suffix(".png")
    with style_context():
        fig.savefig(png, format="png", dpi=PNG_DPI, metadata=PNG_METADATA, pil_kwargs=PNG_PIL_KWARGS)
        if not svg:
            return [png]
        svg_path = stem.with_suffix(".svg")
        # the layout solved for the PNG is kept for the SVG (same inches), instead of solving the
        # constrained layout a second time: about a third of the time of a report's figures
        engine = fig.get_layout_engine()
        fig.set_layout_engine("none")
        fig.savefig(svg_path, format="svg", metadata=SVG_METADATA)
        if engine is not None:
            fig.set_layout_engine(engine)
    return [png, svg_path]


def stamp_notice(fig: Figure, notice: str, fontsize: float = 7.0) -> None:
    """Write the whole data notice along the bottom edge, wrapped to the figure's width, with room
    reserved for it in the constrained layout (nothing cut, legible at 100% zoom).

    The notice is an ordinary :class:`~matplotlib.text.Text` of ``fig.texts`` (SVG and PDF draw
    it as text); on an Agg canvas (PNG) it is drawn from a raster of the same text made once per
    process and size (``RasterText``): a reproduction stamps the same notice on every
    figure, and drawing its ~230 characters anew took about 15% of the figures' time."""
    import textwrap

    width_chars = max(40, int(0.97 * fig.get_figwidth() * 72 / (0.6 * fontsize)))
    lines = textwrap.wrap(" ".join(notice.split()), width=width_chars) or [""]
    height = (len(lines) * fontsize * 1.25 + 4) / 72 / fig.get_figheight()
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
        engine.set(rect=(0, height, 1, 1 - height))
    text = _raster_text_class()(0.01, 0.004, "\n".join(lines), ha="left", va="bottom",
                                fontsize=fontsize, color="#a00000", linespacing=1.15,
                                transform=fig.transSubfigure)
    text.set_figure(fig)
    fig.texts.append(text)
    text._remove_method = fig.texts.remove
    fig.stale = True


#: rasters of notice texts: key -> (RGBA array, x and y of the text's anchor in it)
_RASTERS: dict[tuple, tuple[Any, int, int]] = {}


def _raster_text_class() -> type:
    """The class ``RasterText``, defined on first use (matplotlib is imported lazily); the module
    attribute ``RasterText`` resolves to it (so figures carrying one pickle and unpickle)."""
    global _RASTER_TEXT
    if _RASTER_TEXT is not None:
        return _RASTER_TEXT
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.text import Text
    from matplotlib.transforms import IdentityTransform

    class RasterText(Text):
        """A Text that an Agg renderer draws from a cached raster of itself (same glyphs, same
        antialiasing, anchored to the nearest whole pixel); every other renderer draws text."""

        def _key(self, dpi: float) -> tuple:
            return (self.get_text(), self.get_fontsize(), self.get_fontfamily()[0],
                    str(self.get_fontweight()), self.get_color(), self.get_ha(), self.get_va(),
                    self._linespacing, float(dpi))

        def _raster(self, dpi: float) -> tuple[Any, int, int]:
            key = self._key(dpi)
            if key not in _RASTERS:
                import numpy as np

                probe = Text(0, 0, self.get_text(), fontproperties=self.get_fontproperties(),
                             color=self.get_color(), ha=self.get_ha(), va=self.get_va(),
                             linespacing=self._linespacing, transform=IdentityTransform())
                probe.set_figure(MplFigure(dpi=dpi))
                box = probe.get_window_extent(RendererAgg(8, 8, dpi))
                ax, ay = 2 - math.floor(box.x0), 2 - math.floor(box.y0)
                w, h = math.ceil(box.x1) + ax + 2, math.ceil(box.y1) + ay + 2
                renderer = RendererAgg(w, h, dpi)
                renderer.clear()
                probe.set_position((ax, ay))
                probe.draw(renderer)
                _RASTERS[key] = (np.asarray(renderer.buffer_rgba()).copy(), ax, ay)
            return _RASTERS[key]

        def draw(self, renderer) -> None:
            if not isinstance(renderer, RendererAgg) or not self.get_visible() or not self.get_text():
                return super().draw(renderer)
            image, ax, ay = self._raster(renderer.dpi)
            x, y = self.get_transform().transform(self.get_unitless_position())
            gc = renderer.new_gc()
            renderer.draw_image(gc, round(x) - ax, round(y) - ay, image[::-1])
            gc.restore()
            self.stale = False

    RasterText.__module__, RasterText.__qualname__ = __name__, "RasterText"
    _RASTER_TEXT = RasterText
    return RasterText


_RASTER_TEXT: type | None = None


def __getattr__(name: str) -> Any:
    if name == "RasterText":
        return _raster_text_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def figure_to_base64_png(fig: Figure) -> str:
    """The figure as a base64 (ASCII) PNG string, for ``<img src="data:image/png;base64,...">``."""
    buf = io.BytesIO()
    with style_context():
        fig.savefig(buf, format="png", dpi=PNG_DPI, metadata=PNG_METADATA, pil_kwargs=PNG_PIL_KWARGS)
    return base64.b64encode(buf.getvalue()).decode("ascii")

