"""alliance_analysis.meta: peers (statsmodels), hand calculations, input errors, result shapes.

The metafor oracle is in test_meta_oracle.py; here the independent references are statsmodels'
``combine_effects`` (DL, PM), statsmodels WLS (Egger's classical regression) and closed forms.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.meta import MetaResult, egger_test, meta_analysis
from alliance_analysis.results import Result

R = [0.30, 0.12, 0.45, 0.25, 0.51, 0.05, 0.38]
N = [40, 25, 60, 18, 90, 33, 51]


def _zv():
    return np.arctanh(R), 1 / (np.array(N) - 3.0)


@pytest.mark.parametrize(("method", "sm_method"), [("DL", "dl"), ("PM", "iterated")])
def test_dl_pm_against_statsmodels(method, sm_method):
    from statsmodels.stats.meta_analysis import combine_effects

    y, v = _zv()
    ref = combine_effects(y, v, method_re=sm_method)
    res = meta_analysis(r=R, n=N, method=method)
    assert res.tau2 == pytest.approx(ref.tau2, rel=1e-6, abs=1e-9)
    sm = ref.summary_frame()
    assert res.estimate == pytest.approx(sm.loc["random effect", "eff"], rel=1e-8)
    assert res.se == pytest.approx(sm.loc["random effect", "sd_eff"], rel=1e-6)
    assert res.q == pytest.approx(ref.q, rel=1e-10)


def test_fixed_effect_hand_calculation():
    y, v = _zv()
    w = 1 / v
    mu = (w * y).sum() / w.sum()
    q = (w * (y - mu) ** 2).sum()
    res = meta_analysis(r=R, n=N, method="FE")
    assert res.estimate == pytest.approx(mu, rel=1e-12)
    assert res.se == pytest.approx(w.sum() ** -0.5, rel=1e-12)
    assert res.q == pytest.approx(q, rel=1e-12)
    assert res.i2 == pytest.approx(max(0.0, 100 * (q - 6) / q))
    assert res.r_estimate == pytest.approx(math.tanh(mu))
    assert res.pi == res.ci and res.tau2 == 0.0


def test_classical_egger_against_statsmodels_wls():
    import statsmodels.api as sm

    y, v = _zv()
    fit = sm.WLS(y, sm.add_constant(np.sqrt(v)), weights=1 / v).fit()
    eg = egger_test(y, v, model="lm")
    assert eg.stat == pytest.approx(fit.tvalues[1], rel=1e-8)
    assert eg.p == pytest.approx(fit.pvalues[1], rel=1e-8)
    assert eg.intercept == pytest.approx(fit.params[0], rel=1e-8)


def test_leave_one_out_equals_refits():
    res = meta_analysis(r=R, n=N, method="REML", knapp_hartung=True)
    loo = res.leave_one_out()
    for i in (0, 3, 6):
        keep = [j for j in range(len(R)) if j != i]
        one = meta_analysis(r=[R[j] for j in keep], n=[N[j] for j in keep], method="REML",
                            knapp_hartung=True)
        assert loo["estimate"][i] == pytest.approx(one.estimate, abs=1e-10)
        assert loo["tau2"][i] == pytest.approx(one.tau2, abs=1e-10)
        assert loo["ci_upper"][i] == pytest.approx(one.ci[1], abs=1e-10)


def test_result_is_frozen_result_with_interface_fields():
    res = meta_analysis(r=R, n=N)
    assert isinstance(res, MetaResult) and isinstance(res, Result)
    for name in ("estimate", "se", "ci", "tau2", "tau2_ci", "i2", "h2", "q", "q_p",
                 "r_estimate", "r_ci", "r_pi"):
        assert getattr(res, name) is not None
    with pytest.raises(AttributeError):
        res.estimate = 0  # type: ignore[misc]
    frame = res.pooled_frame()  # the results.csv table
    assert list(frame["scale"]) == ["z", "r"]
    assert frame.loc[1, "estimate"] == pytest.approx(res.r_estimate)
    tidy = res.to_frame()
    assert list(tidy.index) == ["mu", "r", "tau2", "i2", "h2", "q"]
    assert tidy.loc["r", "estimate"] == pytest.approx(math.tanh(res.estimate))
    assert (tidy.loc["r", "ci_low"], tidy.loc["r", "ci_high"]) == pytest.approx(
        tuple(math.tanh(x) for x in res.ci))
    assert (tidy.loc["mu", "pi_low"], tidy.loc["mu", "pi_high"]) == res.pi
    assert tidy.loc["tau2", "method"] == "Q-profile"
    assert (tidy.loc["q", "statistic"], tidy.loc["q", "df"], tidy.loc["q", "p"]) == (
        res.q, res.q_df, res.q_p)
    assert res.apa().startswith("Random-effects meta-analysis, τ² by REML (k = 7): r = .")
    assert "Q(6) = " in res.apa() and res.summary().startswith(res.apa())
    assert res.sigma2 is None


def test_three_level_when_study_repeats():
    res = meta_analysis(r=R, n=N, study=["a", "a", "b", "b", "c", "d", "d"])
    assert res.model == "three-level" and res.n_studies == 4 and res.k == 7
    assert len(res.sigma2) == 2 and res.tau2 == pytest.approx(sum(res.sigma2))
    assert "σ²(between studies)" in res.apa()
    tidy = res.to_frame()
    assert list(tidy.index) == ["mu", "r", "tau2", "sigma2_study", "sigma2_effect", "i2", "h2",
                                "q"]
    assert (tidy.loc["sigma2_study", "estimate"], tidy.loc["sigma2_effect", "estimate"]) == (
        res.sigma2)
    assert tidy.loc["tau2", "ci_low"] != tidy.loc["tau2", "ci_low"]  # no Q-profile CI here: NaN
    with pytest.raises(InputError, match="leave-one-out"):
        res.leave_one_out()
    with pytest.raises(InputError, match="REML only"):
        meta_analysis(r=R, n=N, study=["a"] * 7, method="DL")


def test_repr_html_is_escaped():
    # the notebook view is the tidy table (results.Result); a hostile scale name is escaped
    res = meta_analysis(yi=[0.1, 0.2, 0.3], vi=[0.01, 0.02, 0.03], labels=["<b>", "x", "y"],
                        effect="<b>g</b>")
    html = res._repr_html_()
    assert html.startswith("<div><strong>MetaResult</strong>") and "<td>mu</td>" in html
    assert "<b>" not in html and "&lt;b&gt;g&lt;/b&gt;" in html


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"r": [0.3, 1.0], "n": [20, 30]}, "strictly between -1 and 1"),
    ({"r": [0.3, 0.2], "n": [20, 3]}, "n must exceed 3"),
    ({"r": [0.3, 0.2]}, "needs n="),
    ({"r": [0.3, float("nan")], "n": [20, 30]}, "position 2"),
    ({"yi": [0.3, 0.2], "vi": [0.1, -1]}, "vi must be positive"),
    ({"yi": [0.3], "vi": [0.1]}, "at least 2"),
    ({"r": [0.3, 0.2], "n": [20, 30], "method": "HS"}, "method must be one of"),
    ({}, "either r= and n="),
])
def test_input_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        meta_analysis(**kwargs)


def test_smd_yi_vi_path_and_apa_name():
    from alliance_analysis.meta import smd_independent

    yi, vi = smd_independent([0.3, 0.5, 0.1], [40, 20, 50], [38, 22, 50])
    res = meta_analysis(yi=yi, vi=vi, effect="d")
    assert "g = " in res.apa() and math.isnan(res.r_estimate)


@pytest.mark.parametrize("method", ["FE", "DL", "PM", "ML", "REML"])
def test_series_leave_one_out_equals_direct_batch(method):
    """The O(k) leave-one-out (binomial series around the full-data τ²) against the direct batch
    of k masked fits, on a set where some τ_i fall outside the series' reach (fallback)."""
    from alliance_analysis.meta import models
    from alliance_analysis.meta.loo import loo_batch

    rng = np.random.default_rng(3)
    for k in (3, 12, 60):
        n = rng.integers(10, 200, k)
        y = rng.normal(0.3, 0.2, k) + rng.normal(0, 1, k) / np.sqrt(n - 3)
        v = 1 / (n - 3.0)
        y[0] += 1.5  # an outlier: leaving it out moves τ² far
        fast = loo_batch(y, v, method)
        direct = models.fit_batch(y, v, 1 - np.eye(k), method)
        for field in ("beta", "vb", "tau2", "q"):
            np.testing.assert_allclose(getattr(fast, field), getattr(direct, field),
                                       atol=1e-10, rtol=1e-9)
