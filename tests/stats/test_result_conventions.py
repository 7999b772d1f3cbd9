"""Every public result class of stats and power: tidy to_frame, summary, escaped _repr_html_, apa.

The tidy shape is written down once, in :mod:`alliance_analysis.results` (and docs/methods.md):
one row per estimate, the index = the ``term`` column (labels, not 0..n), the columns
``TIDY_COLUMNS`` first and in that order, the same columns whatever the options.
"""

from __future__ import annotations

import dataclasses
import html.parser

import numpy as np
import pandas as pd
import pytest

from alliance_analysis import power, stats
from alliance_analysis.results import TIDY_COLUMNS, Result
from alliance_analysis.stats.reliability import reliability

RNG = np.random.default_rng(3)
N = 30
FRAME = pd.DataFrame({"x": RNG.standard_normal(N), "m": RNG.standard_normal(N),
                      "pre": RNG.normal(10, 2, N)})
FRAME["y"] = 0.4 * FRAME["m"] + 0.3 * FRAME["x"] + RNG.standard_normal(N)
FRAME["post"] = FRAME["pre"] + RNG.normal(1, 1.5, N)
FRAME["<b>bad&name</b>"] = RNG.standard_normal(N)
GROUP = np.repeat(["a", "b"], N // 2)


def _mixed():
    long = pd.DataFrame({"id": np.repeat(np.arange(12), 3), "tp": np.tile(["t0", "t1", "t2"], 12)})
    long["score"] = (np.repeat(RNG.standard_normal(12), 3) + (long["tp"] != "t0") * 0.8
                     + RNG.standard_normal(36))
    return stats.mixed_model(long, "score ~ tp", groups="id")


# every public result class, built twice with different options (columns must not change)
CASES = {
    "PairedTTestResult": [lambda: stats.paired_ttest(FRAME["pre"], FRAME["post"]),
                          lambda: stats.paired_ttest("pre", "post", data=FRAME,
                                                     alternative="greater", confidence=0.9)],
    "PairedTTestBatch": [lambda: stats.paired_ttest(FRAME[["pre", "x"]], FRAME[["post", "y"]]),
                         lambda: stats.paired_ttest(np.ones((5, 3)) + RNG.random((5, 3)),
                                                    RNG.random((5, 3)), confidence=0.8)],
    "TwoSampleResult": [lambda: stats.welch_ttest(FRAME["x"][:15], FRAME["x"][15:]),
                        lambda: stats.welch_ttest(data=FRAME.assign(g=GROUP), dv="y",
                                                  between="g", alternative="less")],
    "CorrelationResult": [lambda: stats.correlate(FRAME["x"], FRAME["y"]),
                          lambda: stats.correlate("x", "y", data=FRAME, method="spearman",
                                                  n_boot=200, seed=1)],
    "CorrelationResult(partial)": [lambda: stats.partial_correlate(FRAME, "x", "y", ["m"])],
    "CorrelationMatrixResult": [
        lambda: stats.correlation_matrix(FRAME, ["x", "y", "<b>bad&name</b>"]),
        lambda: stats.correlation_matrix(FRAME, ["x", "y", "m"], padjust="holm",
                                         method="spearman")],
    "RegressionResult": [lambda: stats.regress(FRAME, "y", ["x", "m"], n_boot=200),
                         lambda: stats.regress(FRAME, "y", "x", confidence=0.9, n_boot=0)],
    "HierarchicalRegressionResult": [
        lambda: stats.hierarchical_regress(FRAME, "y", [["x"], ["m"]], n_boot=100)],
    "MediationResult": [lambda: stats.mediate(FRAME, "x", "m", "y", n_boot=200),
                        lambda: stats.mediate(FRAME, "x", "m", "y", n_boot=200, ci="bca",
                                              confidence=0.9)],
    "MixedModelResult": [_mixed],
    "ReliabilityResult": [lambda: reliability(FRAME[["x", "m", "y", "<b>bad&name</b>"]]),
                          lambda: reliability(FRAME[["x", "m", "y", "pre"]], n_boot=100,
                                                    seed=1, confidence=0.9)],
    "CorrelationPower": [lambda: power.power_r(0.5, 20),
                         lambda: power.power_r(0.3, 40, method="fisher_z")],
    "PairedPower": [lambda: power.power_dz(0.5, 20)],
    "MinimumDetectableEffect": [lambda: power.mde_r(20), lambda: power.mde_dz(20)],
    "SampleSize": [lambda: power.sample_size_r(0.5), lambda: power.sample_size_dz(0.5)],
    "SimulatedPower": [lambda: power.simulate_correlation_power(20, 0.4, k=2, n_sims=300,
                                                                seed=0),
                       lambda: power.simulate_correlation_power(20, 0.4, k=3, n_sims=300,
                                                                correction="holm", seed=0)],
}


def _public_result_classes() -> set[str]:
    names = set()
    for mod in (stats, power):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if isinstance(obj, type) and issubclass(obj, Result):
                names.add(name)
    return names


def test_every_public_result_class_is_covered():
    covered = {k.split("(")[0] for k in CASES}
    assert _public_result_classes() <= covered, _public_result_classes() - covered


class _Checker(html.parser.HTMLParser):
    ALLOWED = {"div", "strong", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "p", "br"}

    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        assert not attrs, (tag, attrs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_result_conventions(name):
    results = [make() for make in CASES[name]]
    columns = None
    for res in results:
        assert isinstance(res, Result)
        assert dataclasses.is_dataclass(res)
        frame = res.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame) >= 1
        assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
        assert list(frame.index) == [str(t) for t in frame["term"]] or name in ("PairedTTestBatch",
                                                                        "ReliabilityResult")
        assert frame.index.is_unique
        assert not isinstance(frame.index, pd.RangeIndex)
        for col in ("estimate", "se", "ci_low", "ci_high", "confidence", "statistic", "df", "p"):
            assert pd.api.types.is_float_dtype(frame[col]), (col, frame[col].dtype)
        ok = frame["ci_low"].notna() & frame["ci_high"].notna()
        assert (frame.loc[ok, "ci_low"] <= frame.loc[ok, "ci_high"]).all()
        if columns is None:
            columns = list(frame.columns)
        assert list(frame.columns) == columns  # stable across options
        text = res.summary()
        assert isinstance(text, str) and len(text.splitlines()) >= 2
        apa = res.apa()
        assert isinstance(apa, str) and apa
        page = res._repr_html_()
        checker = _Checker()
        checker.feed(page)
        assert checker.tags <= _Checker.ALLOWED
        assert "<b>" not in page  # a hostile column name is escaped


def test_paired_result_exposes_every_ci():
    res = stats.paired_ttest(FRAME["pre"], FRAME["post"])
    frame = res.to_frame()
    for name in ("d_z", "d_rm", "d_av", "d_av_lakens", "d_b", "g_z", "g_rm", "g_av",
                 "g_av_lakens", "g_b"):
        lo, hi = getattr(res, f"{name}_ci")
        assert lo < getattr(res, name) < hi
        assert (frame.loc[name, "ci_low"], frame.loc[name, "ci_high"]) == (lo, hi)
    assert frame.loc["d_z", "method"] == "noncentral t"
    assert frame.loc["d_av", "method"] == "Algina-Keselman"
    two = stats.welch_ttest(FRAME["x"][:15], FRAME["x"][15:])
    assert two.d_s_ci[0] < two.d_s < two.d_s_ci[1]
    assert two.g_s_ci[0] < two.g_s < two.g_s_ci[1]


def test_html_view_of_a_large_batch_is_bounded():
    rng = np.random.default_rng(0)
    batch = stats.paired_ttest(rng.normal(size=(10, 500)), rng.normal(size=(10, 500)))
    page = batch._repr_html_()
    assert page.count("<tr>") == 1 + 200 + 1  # header, HTML_MAX_ROWS rows, the "more" line
    assert "5,300 more rows" in page
