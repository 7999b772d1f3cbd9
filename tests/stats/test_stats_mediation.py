"""Mediation: point estimates vs hand OLS (statsmodels) and pyprocessmacro; bootstrap behaviour."""

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.stats import mediate


@pytest.fixture(scope="module")
def data():
    import pingouin as pg

    return pg.read_dataset("mediation")


def test_paths_match_statsmodels(data):
    import statsmodels.formula.api as smf

    res = mediate(data, "X", "M", "Y", n_boot=200)
    m_eq = smf.ols("M ~ X", data=data).fit()
    y_eq = smf.ols("Y ~ X + M", data=data).fit()
    total = smf.ols("Y ~ X", data=data).fit()
    assert res.a == pytest.approx(m_eq.params["X"], abs=1e-8)
    assert res.a_se == pytest.approx(m_eq.bse["X"], abs=1e-8)
    assert res.b == pytest.approx(y_eq.params["M"], abs=1e-8)
    assert res.b_p == pytest.approx(y_eq.pvalues["M"], rel=1e-8)
    assert res.c_prime == pytest.approx(y_eq.params["X"], abs=1e-8)
    assert res.c == pytest.approx(total.params["X"], abs=1e-8)
    assert res.indirect == pytest.approx(res.c - res.c_prime, abs=1e-10)
    assert res.r2_m == pytest.approx(m_eq.rsquared, abs=1e-10)
    assert res.r2_y == pytest.approx(y_eq.rsquared, abs=1e-10)
    # reference §6: a = 0.5610, b = 0.6355, c' = 0.0396, ab = 0.3565
    assert (res.a, res.b, res.c_prime, res.indirect) == pytest.approx(
        (0.5610, 0.6355, 0.0396, 0.3565), abs=5e-5)


def test_covariates_match_statsmodels(data):
    import statsmodels.formula.api as smf

    res = mediate(data, "X", "M", "Y", covariates=["Mbin"], n_boot=100)
    assert res.a == pytest.approx(smf.ols("M ~ X + Mbin", data=data).fit().params["X"], abs=1e-8)
    y_eq = smf.ols("Y ~ X + M + Mbin", data=data).fit()
    assert res.b == pytest.approx(y_eq.params["M"], abs=1e-8)
    assert res.c_prime == pytest.approx(y_eq.params["X"], abs=1e-8)


def test_point_estimates_match_pyprocessmacro(data):
    pytest.importorskip("pyprocessmacro")
    from pyprocessmacro import Process

    # percent=True: percentile intervals, like mediate's default (pyprocessmacro defaults to BC)
    p = Process(data=data.copy(), model=4, x="X", y="Y", m=["M"], boot=5000, seed=1, percent=True,
                suppr_init=True)
    est = p.indirect_model.estimation_results
    ab = float(np.ravel(est["effect"])[0])
    res = mediate(data, "X", "M", "Y", n_boot=5000, seed=3)
    assert res.indirect == pytest.approx(ab, abs=1e-8)
    lo, hi = float(np.ravel(est["llci"])[0]), float(np.ravel(est["ulci"])[0])
    # bootstrap CIs only agree within Monte Carlo error (different RNGs)
    assert res.indirect_ci[0] == pytest.approx(lo, abs=0.03)
    assert res.indirect_ci[1] == pytest.approx(hi, abs=0.03)


def test_bootstrap_reference_ranges(data):
    # reference §6 (5000 resamples): percentile ≈ [0.213, 0.529], BC ≈ [0.219, 0.536]
    pct = mediate(data, "X", "M", "Y", seed=42)
    bc = mediate(data, "X", "M", "Y", ci="bc", seed=42)
    bca = mediate(data, "X", "M", "Y", ci="bca", seed=42)
    assert pct.indirect_ci == pytest.approx((0.213, 0.529), abs=0.02)
    assert bc.indirect_ci == pytest.approx((0.219, 0.536), abs=0.02)
    assert bca.indirect_ci[0] < bca.indirect < bca.indirect_ci[1]
    assert pct.indirect_se == pytest.approx(0.0799, abs=0.006)
    assert pct.indirect_std_ci[0] < pct.indirect_std < pct.indirect_std_ci[1]


def test_bootstrap_equals_loop_reference(data):
    """The batched solve gives the same draws as a plain per-resample lstsq loop."""
    res_idx = np.random.default_rng(9).integers(0, len(data), size=(50, len(data)))
    x, m, y = (data[c].to_numpy(float) for c in ("X", "M", "Y"))
    draws = []
    for idx in res_idx:
        dm = np.column_stack([np.ones(len(idx)), x[idx]])
        dy = np.column_stack([np.ones(len(idx)), x[idx], m[idx]])
        a = np.linalg.lstsq(dm, m[idx], rcond=None)[0][1]
        b = np.linalg.lstsq(dy, y[idx], rcond=None)[0][2]
        draws.append(a * b)
    res = mediate(data, "X", "M", "Y", n_boot=50, seed=9)
    assert res.indirect_se == pytest.approx(np.std(draws, ddof=1), rel=1e-9)
    lo, hi = np.quantile(draws, [0.025, 0.975])
    assert res.indirect_ci == pytest.approx((lo, hi), rel=1e-9)


def test_reproducible_and_listwise(data):
    d = data[["X", "M", "Y"]].copy()
    d.loc[[0, 5], "M"] = np.nan
    a = mediate(d, "X", "M", "Y", n_boot=300, seed=5)
    b = mediate(d, "X", "M", "Y", n_boot=300, seed=5)
    assert a.indirect_ci == b.indirect_ci and a.indirect_se == b.indirect_se
    assert (a.n, a.n_dropped) == (98, 2)
    assert a.apa().startswith("a = 0.")


def test_refusals(data):
    with pytest.raises(InputError):
        mediate(data, "X", "M", "Y", ci="studentized")
    with pytest.raises(InputError):
        mediate(data, "X", "X", "Y")
    with pytest.raises(InputError):
        mediate(data.iloc[:3], "X", "M", "Y")
    with pytest.raises(InputError):
        mediate(pd.DataFrame({"X": [1.0] * 10, "M": range(10), "Y": range(10)}), "X", "M", "Y")


def test_matches_pingouin_paths_and_b_is_not_its_y_on_m_row(data):
    import pingouin as pg

    ref = pg.mediation_analysis(data=data, x="X", m="M", y="Y", n_boot=2000, seed=42)
    ref = ref.set_index("path")
    res = mediate(data, "X", "M", "Y", n_boot=2000, ci="bc", seed=1)
    assert res.a == pytest.approx(float(ref.loc["M ~ X", "coef"]), abs=1e-10)
    assert res.a_se == pytest.approx(float(ref.loc["M ~ X", "se"]), rel=1e-8)
    assert res.c == pytest.approx(float(ref.loc["Total", "coef"]), abs=1e-10)
    assert res.c_prime == pytest.approx(float(ref.loc["Direct", "coef"]), abs=1e-10)
    assert res.c_prime_p == pytest.approx(float(ref.loc["Direct", "pval"]), rel=1e-8)
    assert res.indirect == pytest.approx(float(ref.loc["Indirect", "coef"]), abs=1e-10)
    # pingouin's "Y ~ M" row is the simple slope (0.654), not b from Y ~ X + M (0.6355) —
    # although its own indirect effect uses the latter
    y_on_m = float(ref.loc["Y ~ M", "coef"])
    assert y_on_m == pytest.approx(0.654173, abs=1e-6)
    assert res.b == pytest.approx(0.6355, abs=5e-5)  # reference §6
    assert abs(res.b - y_on_m) > 0.015
    assert res.indirect == pytest.approx(res.a * res.b, rel=1e-14)
    assert res.indirect != pytest.approx(res.a * y_on_m, rel=1e-3)
    # both bias-corrected CIs agree within Monte Carlo error (different RNG streams)
    lo, hi = float(ref.loc["Indirect", "CI2.5"]), float(ref.loc["Indirect", "CI97.5"])
    assert res.indirect_ci == pytest.approx((lo, hi), abs=0.03)


def test_standardized_indirect_is_product_of_standardized_paths(data):
    import statsmodels.formula.api as smf

    z = (data[["X", "M", "Y"]] - data[["X", "M", "Y"]].mean()) / data[["X", "M", "Y"]].std(ddof=1)
    a_z = smf.ols("M ~ X", data=z).fit().params["X"]
    b_z = smf.ols("Y ~ X + M", data=z).fit().params["M"]
    res = mediate(data, "X", "M", "Y", n_boot=100)
    assert res.indirect_std == pytest.approx(a_z * b_z, rel=1e-10)


def _loop_bc_bca(data, n_boot, seed):
    """Simple-mediation draws, BC and BCa intervals from a plain loop over one (n_boot, n)
    draw of resample indices and a loop jackknife (Efron 1987): the independent reference."""
    from scipy.stats import norm

    x, m, y = (data[c].to_numpy(float) for c in ("X", "M", "Y"))
    n = len(x)

    def ab(rows):
        dm = np.column_stack([np.ones(len(rows)), x[rows]])
        dy = np.column_stack([np.ones(len(rows)), x[rows], m[rows]])
        return (np.linalg.lstsq(dm, m[rows], rcond=None)[0][1]
                * np.linalg.lstsq(dy, y[rows], rcond=None)[0][2])

    est = ab(np.arange(n))
    idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    draws = np.array([ab(r) for r in idx])
    jack = np.array([ab(np.delete(np.arange(n), i)) for i in range(n)])
    z0 = norm.ppf(np.mean(draws < est))
    zq = norm.ppf([0.025, 0.975])
    dev = jack.mean() - jack
    acc = np.sum(dev**3) / (6 * np.sum(dev**2) ** 1.5)
    bc = np.quantile(draws, norm.cdf(2 * z0 + zq))
    bca = np.quantile(draws, norm.cdf(z0 + (z0 + zq) / (1 - acc * (z0 + zq))))
    return draws, bc, bca


def test_bca_and_bc_equal_loop_reference(data):
    """BC and BCa from a plain loop over the same resamples and a loop jackknife (Efron 1987)."""
    n_boot, seed = 400, 11
    _, bc, bca = _loop_bc_bca(data, n_boot, seed)
    res_bc = mediate(data, "X", "M", "Y", n_boot=n_boot, ci="bc", seed=seed)
    res_bca = mediate(data, "X", "M", "Y", n_boot=n_boot, ci="bca", seed=seed)
    assert res_bc.indirect_ci == pytest.approx(tuple(bc), rel=1e-9)
    assert res_bca.indirect_ci == pytest.approx(tuple(bca), rel=1e-9)


def test_loop_reference_with_covariates_and_raw_scale(data):
    """Batched 3 × 3 solve (covariate) on scores far from zero equals a per-resample loop."""
    d = data[["X", "M", "Y", "W1"]].copy()
    d["X"] += 1000.0
    d["Y"] = d["Y"] * 50 + 2500
    x, m, y, w = (d[c].to_numpy(float) for c in ("X", "M", "Y", "W1"))
    idx = np.random.default_rng(4).integers(0, len(d), size=(60, len(d)))
    draws = []
    for rows in idx:
        one = np.ones(len(rows))
        a = np.linalg.lstsq(np.column_stack([one, x[rows], w[rows]]), m[rows], rcond=None)[0][1]
        b = np.linalg.lstsq(np.column_stack([one, x[rows], m[rows], w[rows]]), y[rows],
                            rcond=None)[0][2]
        draws.append(a * b)
    res = mediate(d, "X", "M", "Y", covariates="W1", n_boot=60, seed=4)
    assert res.indirect_se == pytest.approx(np.std(draws, ddof=1), rel=1e-8)
    assert res.indirect_ci == pytest.approx(tuple(np.quantile(draws, [0.025, 0.975])), rel=1e-8)


def test_singular_resamples_are_discarded_with_warning():
    from alliance_analysis.errors import ComputationWarning

    d = pd.DataFrame({"X": [0, 0, 0, 0, 0, 0, 1.0], "M": [1, 2, 3, 2, 4, 3, 6.0],
                      "Y": [2, 1, 4, 3, 5, 4, 8.0]})
    with pytest.warns(ComputationWarning, match="singular"):
        res = mediate(d, "X", "M", "Y", n_boot=500, seed=0)
    # P(the single X = 1 row is never drawn) = (6/7)^7 ≈ 0.34
    assert 100 < res.n_boot_failed < 250
    assert np.isfinite(res.indirect_se) and np.isfinite(res.indirect_ci).all()


def test_confidence_level_and_seed_change(data):
    a95 = mediate(data, "X", "M", "Y", n_boot=1000, seed=1)
    a90 = mediate(data, "X", "M", "Y", n_boot=1000, seed=1, confidence=0.9)
    other = mediate(data, "X", "M", "Y", n_boot=1000, seed=2)
    assert a90.indirect_ci[0] > a95.indirect_ci[0] and a90.indirect_ci[1] < a95.indirect_ci[1]
    assert other.indirect_ci != a95.indirect_ci
    assert "95% CI" in a95.apa() and "90% CI" in a90.apa()
    assert list(a95.paths()["path"]) == ["a", "b", "c", "c'"]


def test_chunked_bootstrap_equals_loop_reference(data, monkeypatch):
    """Chunks of 3 resamples (the last one shorter) draw the same stream as one (n_boot, n)
    draw: the BCa interval equals a plain loop over one-shot indices and a loop jackknife."""
    from alliance_analysis.stats import mediation

    n_boot, seed = 101, 5
    monkeypatch.setattr(mediation, "_CHUNK_ELEMENTS", 3 * len(data))
    draws, _, bca = _loop_bc_bca(data, n_boot, seed)
    res = mediate(data, "X", "M", "Y", n_boot=n_boot, ci="bca", seed=seed)
    assert res.indirect_se == pytest.approx(np.std(draws, ddof=1), rel=1e-9)
    assert res.indirect_ci == pytest.approx(tuple(bca), rel=1e-9)
