"""Figures: computations checked against independent formulas, NaN handling, byte-identical files."""

from __future__ import annotations

import base64
import io
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alliance_analysis.report.figures import (
    figure_to_base64_png,
    mean_ci,
    ols_fit_band,
    paired_change_plot,
    published_vs_reproduced,
    save_figure,
    scatter_fit,
    trajectories,
)


def _xy(seed: int = 11, n: int = 24):
    rng = np.random.default_rng(seed)
    x = rng.normal(50, 10, n)
    y = 30 - 0.4 * x + rng.normal(0, 5, n)
    return x, y


def _hand_band(x, y, x0, level=0.95):
    """Independent: scipy.stats.linregress + the textbook mean-response interval."""
    fit = stats.linregress(x, y)
    n = len(x)
    yhat = fit.intercept + fit.slope * x
    s = math.sqrt(((y - yhat) ** 2).sum() / (n - 2))
    sxx = ((x - x.mean()) ** 2).sum()
    tq = stats.t.ppf(1 - (1 - level) / 2, n - 2)
    centre = fit.intercept + fit.slope * x0
    half = tq * s * np.sqrt(1 / n + (x0 - x.mean()) ** 2 / sxx)
    return fit, centre, centre - half, centre + half


def test_ols_band_matches_hand_computation():
    x, y = _xy()
    grid = np.array([20.0, 35.0, x.mean(), 60.0, 80.0])
    band = ols_fit_band(x, y, grid=grid)
    fit, centre, lo, hi = _hand_band(x, y, grid)
    assert band["slope"] == pytest.approx(fit.slope, rel=1e-12)
    assert band["intercept"] == pytest.approx(fit.intercept, rel=1e-12)
    np.testing.assert_allclose(band["fit"], centre, rtol=1e-12)
    np.testing.assert_allclose(band["lower"], lo, rtol=1e-12)
    np.testing.assert_allclose(band["upper"], hi, rtol=1e-12)
    # narrowest at the mean of x
    widths = band["upper"] - band["lower"]
    assert np.argmin(widths) == 2


def test_ols_band_drops_missing_pairs():
    x, y = _xy()
    x2, y2 = x.copy(), y.copy()
    x2[0], y2[5] = np.nan, np.nan
    band = ols_fit_band(x2, y2, grid=[40.0])
    keep = np.isfinite(x2) & np.isfinite(y2)
    _, centre, lo, hi = _hand_band(x[keep], y[keep], np.array([40.0]))
    assert band["n"] == 22 and band["n_omitted"] == 2
    np.testing.assert_allclose([band["lower"][0], band["upper"][0]], [lo[0], hi[0]], rtol=1e-12)


def test_scatter_fit_draws_the_hand_band():
    x, y = _xy()
    fig = scatter_fit(x, y, "Alliance", "BDI-II", annotation="r(22) = -.60, p = .002")
    ax = fig.axes[0]
    poly = ax.collections[0]  # the fill_between band
    verts = poly.get_paths()[0].vertices
    g = np.linspace(x.min(), x.max(), 101)
    _, _, lo, hi = _hand_band(x, y, g)
    # fill_between polygon: start point, lower edge (101), corner, upper edge reversed (101), close
    lower_pts = verts[1:102]
    upper_pts = verts[103:204][::-1]
    np.testing.assert_allclose(lower_pts[:, 0], g, rtol=1e-9)
    np.testing.assert_allclose(lower_pts[:, 1], lo, rtol=1e-9)
    np.testing.assert_allclose(upper_pts[:, 0], g, rtol=1e-9)
    np.testing.assert_allclose(upper_pts[:, 1], hi, rtol=1e-9)
    fit_line = [ln for ln in ax.lines if ln.get_label() == "OLS fit"][0]
    np.testing.assert_allclose(fit_line.get_ydata(), _hand_band(x, y, g)[1], rtol=1e-9)
    # the annotation is under the title, not inside the axes where it could hide a point
    assert not ax.texts
    assert "r(22) = -.60, p = .002" in ax.get_title().splitlines()
    assert "n = 24" in ax.get_title()


def test_mean_ci_matches_t_interval():
    v = np.array([3.0, 4.0, 6.0, np.nan, 8.0])
    m, lo, hi, n = mean_ci(v)
    f = v[np.isfinite(v)]
    half = stats.t.ppf(0.975, 3) * f.std(ddof=1) / 2.0
    assert n == 4 and m == pytest.approx(5.25)
    assert (lo, hi) == pytest.approx((5.25 - half, 5.25 + half))
    assert math.isnan(mean_ci([1.0])[1])
    assert mean_ci([])[3] == 0


def test_paired_change_plot_omits_and_counts_nan_pairs():
    pre = np.array([1.0, 2.0, np.nan, 4.0, 5.0])
    post = np.array([2.0, 2.5, 3.0, np.nan, 6.0])
    fig = paired_change_plot(pre, post, labels=("Prep", "Post"), title="Alliance")
    ax = fig.axes[0]
    title = ax.get_title()
    assert "n = 3 pairs" in title
    assert "2 incomplete pair(s) omitted" in title
    # one grey segment per complete pair, from (0, pre) to (1, post)
    (lines,) = [c for c in ax.collections if c.get_linewidth()[0] == pytest.approx(0.8)]
    assert [seg.tolist() for seg in lines.get_segments()] == [
        [[0, 1.0], [1, 2.0]], [[0, 2.0], [1, 2.5]], [[0, 5.0], [1, 6.0]]]
    means = [ln for ln in ax.lines if ln.get_label() == "Mean (95% CI)"][0]
    assert means.get_ydata().tolist() == pytest.approx([np.mean([1, 2, 5]), np.mean([2, 2.5, 6])])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Prep", "Post"]


def test_paired_change_plot_all_missing():
    fig = paired_change_plot([np.nan, 1.0], [2.0, np.nan])
    assert "n = 0 pairs" in fig.axes[0].get_title()


def _pvr_frame() -> pd.DataFrame:
    return pd.DataFrame({"claim_id": ["L3", "L4", "L5"], "published": [-0.65, -0.47, -0.54],
                         "reproduced": [-0.652, np.nan, -0.50], "ci_lower": [-0.85, np.nan, np.nan],
                         "ci_upper": [-0.29, np.nan, np.nan]})


def test_published_vs_reproduced_rows():
    fig = published_vs_reproduced(_pvr_frame(), xlabel="r")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["L3", "L4 (not computed)", "L5"]
    reproduced = [c for c in ax.collections if c.get_label() == "Reproduced"][0]
    assert len(reproduced.get_offsets()) == 2


def _long() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for p in range(10):
        for t, lab in enumerate(["Baseline", "4 weeks", "12 months"]):
            score = np.nan if (p, t) == (1, 2) else 25 - 4 * t + rng.normal(0, 3)
            rows.append({"participant": f"p{p}", "group": "A" if p < 5 else "B", "time_index": t,
                         "time_label": lab, "score": score})
    return pd.DataFrame(rows)


def test_trajectories_means():
    df = _long()
    fig = trajectories(df, ylabel="BDI-II")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Baseline", "4 weeks", "12 months"]
    assert "1 missing score(s) omitted" in ax.get_title()
    containers = {c.get_label(): c for c in ax.containers}
    assert sorted(containers) == ["A (n = 5)", "B (n = 5)"]
    expected = df[df.group == "A"].groupby("time_index")["score"].mean().to_numpy()
    np.testing.assert_allclose(np.asarray(containers["A (n = 5)"].lines[0].get_ydata(), dtype=float),
                               expected)
    # upper error bar of the last time point = t-interval half width of the 4 remaining scores
    last = df[(df.group == "A") & (df.time_index == 2)]["score"].dropna().to_numpy()
    half = stats.t.ppf(0.975, last.size - 1) * last.std(ddof=1) / math.sqrt(last.size)
    segs = containers["A (n = 5)"].lines[2][0].get_segments()
    assert segs[2][1][1] - segs[2][0][1] == pytest.approx(2 * half)


@pytest.mark.parametrize("build", [
    lambda: paired_change_plot([1.0, 2.0, 3.0, np.nan], [2.0, 2.0, 4.0, 1.0]),
    lambda: scatter_fit(*_xy(), "x", "y", annotation="r = .50"),
    lambda: published_vs_reproduced(_pvr_frame()),
    lambda: trajectories(_long()),
])
def test_files_are_byte_identical_on_rerender(tmp_path, build):
    a = save_figure(build(), tmp_path / "one" / "fig")
    b = save_figure(build(), tmp_path / "two" / "fig")
    assert [p.suffix for p in a] == [".png", ".svg"]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    svg = a[1].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg
    png = a[0].read_bytes()
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    assert figure_to_base64_png(build()) == figure_to_base64_png(build())


def test_base64_png_decodes():
    raw = base64.b64decode(figure_to_base64_png(scatter_fit(*_xy(), "x", "y")))
    assert raw.startswith(b"\x89PNG\r\n\x1a\n")


def test_too_few_pairs_for_a_fit():
    with pytest.raises(ValueError):
        scatter_fit([1.0, 2.0, np.nan], [1.0, 2.0, 3.0], "x", "y")


def test_trajectories_accepts_the_loaders_long_names_and_explains_missing_columns():
    """Issue 14 s5: trajectories() failed with a bare KeyError on undocumented columns."""
    import numpy as np
    import pandas as pd
    import pytest

    from alliance_analysis.errors import InputError
    from alliance_analysis.report.figures import trajectories

    tidy = pd.DataFrame({"participant_id": np.repeat(["a", "b", "c"], 2),
                         "arm": np.repeat(["x", "x", "y"], 2),
                         "timepoint": ["wk0", "wk6"] * 3, "score": [1, 2, 3, 4, 5, 6.0]})
    fig = trajectories(tidy)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["wk0", "wk6"]
    with pytest.raises(InputError, match="participant"):
        trajectories(pd.DataFrame({"score": [1.0]}))


NOTICE = ("SYNTHETIC DATA: this dataset was generated to match the published summaries of a "
          "paper. It is not the trial's participants, and no statistic here is evidence.")


def _notice_png_and_svg(fig):
    from PIL import Image

    from alliance_analysis.report.style import style_context

    with style_context():
        png, svg = io.BytesIO(), io.BytesIO()
        fig.savefig(png, format="png", dpi=150)
        fig.savefig(svg, format="svg", metadata={"Date": None})
    return np.asarray(Image.open(png).convert("L")).astype(int), svg.getvalue()


def test_notice_is_whole_text_and_its_png_raster_is_the_text():
    from matplotlib.text import Text

    from alliance_analysis.report.figures import stamp_notice

    fig = scatter_fit(*_xy(), "x", "y")
    stamp_notice(fig, NOTICE)
    fig.canvas.draw()  # solve the layout once, then keep it (re-solving moves axes by ~0.02 pt)
    fig.set_layout_engine("none")
    texts = [" ".join(t.get_text().split()) for t in fig.texts]
    assert NOTICE in texts  # complete, in fig.texts like any text
    raster_png, raster_svg = _notice_png_and_svg(fig)
    fig.texts[-1].__class__ = Text  # the same text drawn the ordinary way
    plain_png, plain_svg = _notice_png_and_svg(fig)
    assert raster_svg == plain_svg  # vector output draws text, not a raster
    assert raster_png.shape == plain_png.shape

    def ink(img):  # bounding box of the dark (text) pixels in the bottom band
        band = img[-60:]
        rows, cols = np.nonzero(band < 200)
        return rows.min(), rows.max(), cols.min(), cols.max()

    r, p = ink(raster_png), ink(plain_png)
    assert all(abs(a - b) <= 1 for a, b in zip(r, p, strict=True)), (r, p)
    # the same glyphs: at the best whole-pixel shift (the raster is anchored to a whole pixel)
    # the two bands differ by a fraction of the ink (antialiasing at sub-pixel offsets); a mirrored raster differs by
    # more than all of it
    band_r, band_p = raster_png[-60:], plain_png[-60:]
    ink_total = (255 - band_p).sum()
    best = min(np.abs(np.roll(band_r, (dy, dx), axis=(0, 1)) - band_p).sum()
               for dy in (-1, 0, 1) for dx in (-1, 0, 1))
    assert best < 0.5 * ink_total, best / ink_total  # 0.34 here
    mirrored = np.abs(band_r[::-1] - band_p).sum()
    assert mirrored > 1.0 * ink_total  # 1.6 here


def test_a_figure_with_a_notice_pickles():
    import pickle

    from alliance_analysis.report.figures import stamp_notice

    fig = scatter_fit(*_xy(), "x", "y")
    stamp_notice(fig, NOTICE)
    again = pickle.loads(pickle.dumps(fig))
    assert " ".join(again.texts[-1].get_text().split()) == NOTICE
    assert base64.b64decode(figure_to_base64_png(again)).startswith(b"\x89PNG")
