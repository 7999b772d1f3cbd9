"""OLS regression and hierarchical steps (oracle: statsmodels formula API and pingouin)."""

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.stats import hierarchical_regress, regress


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(21)
    n = 60
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                       "age": rng.normal(40, 10, n)})
    df["y"] = 0.5 * df.x1 - 0.3 * df.x2 + 0.02 * df.age + rng.normal(size=n)
    df.loc[[3, 17], "x2"] = np.nan
    df.loc[25, "y"] = np.nan
    return df


def test_matches_statsmodels_formula(frame):
    import statsmodels.formula.api as smf

    res = regress(frame, "y", ["x1", "x2"], covariates=["age"])
    ref = smf.ols("y ~ x1 + x2 + age", data=frame).fit()
    coefs = res.coefficients.set_index("term")
    assert list(coefs.index) == ["Intercept", "x1", "x2", "age"]
    for term in coefs.index:
        assert coefs.loc[term, "b"] == pytest.approx(ref.params[term], rel=1e-10)
        assert coefs.loc[term, "se"] == pytest.approx(ref.bse[term], rel=1e-10)
        assert coefs.loc[term, "p"] == pytest.approx(ref.pvalues[term], rel=1e-8)
        assert coefs.loc[term, "ci_lower"] == pytest.approx(ref.conf_int().loc[term, 0], rel=1e-10)
    assert res.r2 == pytest.approx(ref.rsquared, rel=1e-12)
    assert res.adj_r2 == pytest.approx(ref.rsquared_adj, rel=1e-12)
    assert res.f == pytest.approx(ref.fvalue, rel=1e-10)
    assert (res.n, res.n_dropped, res.df_resid) == (57, 3, 53)


def test_beta_is_standardized_fit(frame):
    import statsmodels.api as sm

    d = frame[["y", "x1", "x2", "age"]].dropna()
    z = (d - d.mean()) / d.std(ddof=1)
    ref = sm.OLS(z["y"], sm.add_constant(z[["x1", "x2", "age"]])).fit()
    coefs = regress(frame, "y", ["x1", "x2", "age"]).coefficients.set_index("term")
    for term in ("x1", "x2", "age"):
        assert coefs.loc[term, "beta"] == pytest.approx(ref.params[term], rel=1e-10)
    assert np.isnan(coefs.loc["Intercept", "beta"])


def test_sr2_is_r2_drop(frame):
    d = frame.dropna()
    full = regress(d, "y", ["x1", "x2", "age"])
    reduced = regress(d, "y", ["x2", "age"])
    sr2 = full.coefficients.set_index("term").loc["x1", "sr2"]
    assert sr2 == pytest.approx(full.r2 - reduced.r2, rel=1e-10)


def test_matches_pingouin(frame):
    import pingouin as pg

    d = frame.dropna()
    ref = pg.linear_regression(d[["x1", "x2"]], d["y"])
    res = regress(d, "y", ["x1", "x2"])
    assert np.allclose(res.coefficients["b"], ref["coef"], rtol=1e-10)
    assert np.allclose(res.coefficients["se"], ref["se"], rtol=1e-10)


def test_hierarchical_same_rows_and_f_change(frame):
    import statsmodels.formula.api as smf

    h = hierarchical_regress(frame, "y", steps=[["age"], ["x1", "x2"]])
    d = frame.dropna()
    assert h.n == len(d) and all(s.n == len(d) for s in h.steps)
    small = smf.ols("y ~ age", data=d).fit()
    big = smf.ols("y ~ age + x1 + x2", data=d).fit()
    f_ref, p_ref, df_diff = big.compare_f_test(small)
    last = h.changes.iloc[-1]
    assert last["f_change"] == pytest.approx(f_ref, rel=1e-10)
    assert last["p_change"] == pytest.approx(p_ref, rel=1e-8)
    assert (last["df1"], last["df2"]) == (df_diff, big.df_resid)
    assert last["delta_r2"] == pytest.approx(big.rsquared - small.rsquared, rel=1e-10)
    first = h.changes.iloc[0]
    assert first["f_change"] == pytest.approx(small.fvalue, rel=1e-10)
    assert "Step 2: ΔR² = ." in h.apa()


def test_refusals(frame):
    with pytest.raises(InputError):
        regress(frame, "y", ["nope"])
    with pytest.raises(InputError):
        regress(frame, "y", [])
    with pytest.raises(InputError):
        regress(frame, "y", ["y"])
    bad = frame.assign(x3=2 * frame.x1)
    with pytest.raises(InputError, match="collinear"):
        regress(bad, "y", ["x1", "x3"])
    with pytest.raises(InputError):
        regress(frame.iloc[:3], "y", ["x1", "x2", "age"])
    with pytest.raises(InputError):
        hierarchical_regress(frame, "y", steps=[["x1"], []])


def test_text_and_empty_columns_named(frame):
    bad = frame.assign(site=["a", "b", "c"] * 20, empty=np.nan)
    with pytest.raises(InputError, match="'site'.*text"):
        regress(bad, "y", ["x1", "site"])
    with pytest.raises(InputError, match="'empty'.*no non-missing"):
        regress(bad, "y", ["x1"], covariates=["empty"])


def test_three_steps_listwise_on_all_variables(frame):
    import statsmodels.formula.api as smf

    h = hierarchical_regress(frame, "y", steps=[["age"], ["x1"], ["x2"]])
    d = frame.dropna()
    assert (h.n, h.n_dropped) == (len(d), len(frame) - len(d))
    r2 = [smf.ols(f, data=d).fit().rsquared
          for f in ("y ~ age", "y ~ age + x1", "y ~ age + x1 + x2")]
    assert np.allclose(h.changes["r2"], r2, rtol=1e-12)
    assert np.allclose(h.changes["delta_r2"], np.diff([0.0, *r2]), rtol=1e-10)
    assert list(h.changes["df1"]) == [1, 1, 1]
    # a single added term: F-change = t² of that term in the larger model
    t_x2 = h.steps[-1].coefficients.set_index("term").loc["x2", "t"]
    assert h.changes["f_change"].iloc[-1] == pytest.approx(t_x2**2, rel=1e-10)
    assert h.changes["p_change"].iloc[-1] == pytest.approx(
        h.steps[-1].coefficients.set_index("term").loc["x2", "p"], rel=1e-8)


def test_apa_and_frame(frame):
    res = regress(frame, "y", ["x1", "x2"])
    assert res.apa().startswith("R² = .") and ", F(2, " in res.apa()
    assert list(res.coefficients.columns) == ["term", "b", "se", "t", "p", "ci_lower",
                                              "ci_upper", "beta", "beta_ci_lower",
                                              "beta_ci_upper", "sr2"]
    tidy = res.to_frame()
    assert list(tidy.index) == ["Intercept", "x1", "x2", "beta[x1]", "beta[x2]"]
    assert tidy.loc["x1", "estimate"] == res.model.params[1]


def test_confidence_and_model_kept(frame):
    """confidence= sets the b interval (statsmodels conf_int(alpha) on the kept model)."""
    res = regress(frame, "y", ["x1", "x2"], confidence=0.9)
    ci = res.model.conf_int(0.1)
    assert res.coefficients["ci_lower"].to_numpy() == pytest.approx(ci[:, 0], rel=1e-12)
    assert res.to_frame().loc["x1", "confidence"] == 0.9
    lo, hi = res.coefficients.loc[1, ["beta_ci_lower", "beta_ci_upper"]]
    assert lo < res.coefficients.loc[1, "beta"] < hi


def test_beta_bca_equals_loop_reference(frame, monkeypatch):
    """The β BCa interval, drawn in chunks of 7 resamples, equals a plain loop: the same
    one-shot (n_boot, n) indices, each resample's β from a standardized lstsq fit, and a loop
    jackknife for the acceleration (Efron 1987)."""
    from scipy.stats import norm

    from alliance_analysis.stats import mediation

    n_boot, seed = 203, 4
    d = frame.dropna()[["y", "x1", "x2"]].to_numpy(float)
    n = len(d)
    monkeypatch.setattr(mediation, "_CHUNK_ELEMENTS", 7 * n)

    def betas(rows):
        z = d[rows]
        z = (z - z.mean(axis=0)) / z.std(axis=0, ddof=1)
        return np.linalg.lstsq(z[:, 1:], z[:, 0], rcond=None)[0]

    est = betas(np.arange(n))
    idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    draws = np.array([betas(r) for r in idx])
    jack = np.array([betas(np.delete(np.arange(n), i)) for i in range(n)])
    res = regress(frame, "y", ["x1", "x2"], n_boot=n_boot, seed=seed)
    zq = norm.ppf([0.025, 0.975])
    for j, term in enumerate(["x1", "x2"], start=1):
        z0 = norm.ppf(np.mean(draws[:, j - 1] < est[j - 1]))
        dev = jack[:, j - 1].mean() - jack[:, j - 1]
        acc = np.sum(dev**3) / (6 * np.sum(dev**2) ** 1.5)
        want = np.quantile(draws[:, j - 1], norm.cdf(z0 + (z0 + zq) / (1 - acc * (z0 + zq))))
        got = res.coefficients.loc[j, ["beta_ci_lower", "beta_ci_upper"]].to_numpy(float)
        assert got == pytest.approx(want, rel=1e-9), term


def test_hierarchical_steps_share_resamples_with_the_same_intervals(frame):
    """One bootstrap pass serves every step: each step's β BCa interval equals that of the
    same model fitted alone by regress (same rows, same seed)."""
    rows = frame.dropna(subset=["y", "x1", "x2", "age"])
    res = hierarchical_regress(frame, "y", [["x1"], ["x2", "age"]], n_boot=301, seed=8)
    for step, preds in ((0, ["x1"]), (1, ["x1", "x2", "age"])):
        alone = regress(rows, "y", preds, n_boot=301, seed=8).coefficients
        got = res.steps[step].coefficients
        for col in ("beta_ci_lower", "beta_ci_upper"):
            assert got[col].to_numpy(float)[1:] == pytest.approx(
                alone[col].to_numpy(float)[1:], rel=1e-9), (step, col)
