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

    p = Process(data=data.copy(), model=4, x="X", y="Y", m=["M"], boot=1000, seed=1, suppr_init=True)
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
