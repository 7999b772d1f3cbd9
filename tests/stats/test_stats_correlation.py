"""Correlation, partial correlation and the vectorised matrix (oracles: scipy, pingouin 0.7)."""

import math

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.errors import ComputationWarning, InputError
from alliance_analysis.stats import correlate, correlation_matrix, partial_correlate

MOVIE1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


@pytest.fixture
def pingouin_unrounded():
    import pingouin as pg

    saved = dict(pg.options)
    for key in [k for k in pg.options if k.startswith("round.")]:
        del pg.options[key]
    yield pg
    pg.options.clear()
    pg.options.update(saved)


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(80, 5))
    x[:, 1] += 0.8 * x[:, 0]
    x[:, 2] -= 0.5 * x[:, 1]
    x[rng.random(x.shape) < 0.08] = np.nan
    return pd.DataFrame(x, columns=["a", "b", "c", "d", "e"])


def test_movie_correlation():
    res = correlate(MOVIE1, MOVIE2)
    assert res.r == pytest.approx(0.7255, abs=5e-5)
    assert res.p == pytest.approx(0.0175, abs=5e-5)
    assert res.df == 8 and res.n == 10
    assert res.apa() == "r(8) = .73, 95% CI [.18, .93], p = .018"


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_pearson_matches_scipy(alternative):
    from scipy.stats import pearsonr

    rng = np.random.default_rng(1)
    x = rng.normal(size=25)
    y = -0.4 * x + rng.normal(size=25)
    res = correlate(x, y, alternative=alternative, confidence=0.9)
    ref = pearsonr(x, y, alternative=alternative)
    assert res.r == pytest.approx(ref.statistic, abs=1e-14)
    assert res.p == pytest.approx(ref.pvalue, rel=1e-10)
    ci = ref.confidence_interval(0.9)
    assert res.ci == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_spearman_matches_scipy():
    from scipy.stats import spearmanr

    x = [1, 2, 2, 4, 5, 7, 7, 7, 9, 10, 3]
    y = [2, 1, 4, 3, 6, 5, 8, 8, 9, 7, 2]
    res = correlate(x, y, method="spearman")
    ref = spearmanr(x, y)
    assert res.r == pytest.approx(ref.statistic, abs=1e-14)
    assert res.p == pytest.approx(ref.pvalue, rel=1e-10)
    assert res.apa().startswith("r_s(9) = ")


def test_apa_negative_r_no_leading_zero():
    rng = np.random.default_rng(3)
    x = rng.normal(size=20)
    y = -x + rng.normal(scale=0.8, size=20)
    text = correlate(x, y).apa()
    assert text.startswith("r(18) = -.") and "CI [-." in text


def test_bootstrap_ci_reproducible():
    rng = np.random.default_rng(2)
    x = rng.normal(size=40)
    y = x + rng.normal(size=40)
    a = correlate(x, y, n_boot=2000, seed=7)
    b = correlate(x, y, n_boot=2000, seed=7)
    assert a.boot_ci == b.boot_ci
    assert a.boot_ci[0] < a.r < a.boot_ci[1]
    s = correlate(x, y, method="spearman", n_boot=500, seed=1)
    assert s.boot_ci[0] < s.r < s.boot_ci[1]


def test_perfect_correlation():
    res = correlate([1, 2, 3, 4], [2, 4, 6, 8])
    assert res.r == 1.0 and res.t == math.inf and res.p == 0.0
    assert res.ci == (1.0, 1.0)
    neg = correlate([1, 2, 3, 4], [8, 6, 4, 2])
    assert neg.r == -1.0 and neg.p == 0.0


def test_constant_variable_warns_and_is_nan():
    with pytest.warns(ComputationWarning):
        res = correlate([1, 2, 3, 4], [5, 5, 5, 5])
    assert math.isnan(res.r) and math.isnan(res.p)


def test_too_few_and_unequal():
    with pytest.raises(InputError):
        correlate([1, 2], [3, 4])
    with pytest.raises(InputError):
        correlate([1, 2, 3, np.nan], [3, 4, np.nan, 1])
    with pytest.raises(InputError):
        correlate([1, 2, 3], [1, 2, 3, 4])
    with pytest.raises(InputError):
        correlate([1, 2, 3], [1, 2, 3], method="kendall")


def test_partial_matches_pingouin(frame, pingouin_unrounded):
    pg = pingouin_unrounded
    for method in ("pearson", "spearman"):
        res = partial_correlate(frame, "a", "c", ["b", "d"], method=method)
        ref = pg.partial_corr(frame, x="a", y="c", covar=["b", "d"], method=method)
        assert res.r == pytest.approx(float(ref["r"].iloc[0]), abs=1e-12)
        assert res.p == pytest.approx(float(ref["p_val"].iloc[0]), rel=1e-9)
        assert res.n == int(ref["n"].iloc[0])
        assert res.df == res.n - 2 - 2
        # pingouin stores this CI with 6 decimals; check exactly against the Fisher-z formula
        assert res.ci == pytest.approx(tuple(ref["CI95"].iloc[0]), abs=1e-6)
        half = 1.959963984540054 / math.sqrt(res.n - 2 - 3)
        z = math.atanh(res.r)
        assert res.ci == pytest.approx((math.tanh(z - half), math.tanh(z + half)), abs=1e-12)


def test_partial_vs_statsmodels_residuals(frame):
    import statsmodels.api as sm

    d = frame[["a", "c", "b"]].dropna()
    design = sm.add_constant(d[["b"]])
    ra = sm.OLS(d["a"], design).fit().resid
    rc = sm.OLS(d["c"], design).fit().resid
    res = partial_correlate(frame, "a", "c", "b")
    assert res.r == pytest.approx(np.corrcoef(ra, rc)[0, 1], abs=1e-13)
    assert res.n_dropped == len(frame) - len(d)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
@pytest.mark.parametrize("nan_policy", ["pairwise", "listwise"])
def test_matrix_equals_pairwise_correlate(frame, method, nan_policy):
    res = correlation_matrix(frame, method=method, nan_policy=nan_policy)
    data = frame.dropna() if nan_policy == "listwise" else frame
    assert len(res.long) == 10
    for row in res.long.itertuples(index=False):
        ref = correlate(data[row.x], data[row.y], method=method)
        assert row.n == ref.n
        assert row.r == pytest.approx(ref.r, abs=1e-12)
        assert row.p == pytest.approx(ref.p, abs=1e-12)
        assert (row.ci_lower, row.ci_upper) == pytest.approx(ref.ci, abs=1e-12)
        assert res.r.loc[row.y, row.x] == row.r
    assert np.allclose(np.diag(res.r), 1.0)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_matrix_matches_pingouin_pairwise_corr(frame, pingouin_unrounded, method):
    pg = pingouin_unrounded
    ref = pg.pairwise_corr(frame, method=method, padjust="holm")
    res = correlation_matrix(frame, columns=list(frame.columns), method=method, padjust="holm")
    assert np.allclose(res.long["r"], ref["r"], atol=1e-12, rtol=0)
    assert np.allclose(res.long["p"], ref["p_unc"], atol=1e-12, rtol=0)
    assert np.allclose(res.long["p_adj"], ref["p_corr"], atol=1e-12, rtol=0)
    assert (res.long["n"].to_numpy() == ref["n"].to_numpy()).all()


def test_matrix_padjust_family_is_k_choose_2(frame):
    from statsmodels.stats.multitest import multipletests

    for method in ("bonferroni", "holm", "fdr_bh", "fdr_by"):
        res = correlation_matrix(frame, columns=list(frame.columns), padjust=method)
        expected = multipletests(res.long["p"], method=method)[1]
        assert np.allclose(res.long["p_adj"], expected, atol=1e-15)


def test_matrix_edge_columns():
    df = pd.DataFrame({
        "x": [1.0, 2, 3, 4, 5, 6],
        "y": [2.0, 1, 4, 3, 6, 5],
        "const": [3.0] * 6,
        "twice": [1.0, 2, np.nan, np.nan, np.nan, np.nan],
    })
    with pytest.warns(ComputationWarning):
        res = correlation_matrix(df)
    long = res.long.set_index(["x", "y"])
    assert long.loc[("x", "y"), "r"] == pytest.approx(correlate(df.x, df.y).r, abs=1e-14)
    assert np.isnan(long.loc[("x", "const"), "r"])
    assert long.loc[("x", "twice"), "n"] == 2 and np.isnan(long.loc[("x", "twice"), "p"])
    assert len(res.long) == 6  # the constant column is kept as NaN rows (pingouin drops it)


def test_matrix_all_missing_column_refused():
    df = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [2.0, 1, 4, 3], "empty": [np.nan] * 4})
    with pytest.raises(InputError, match="'empty'.*no non-missing"):
        correlation_matrix(df)


def test_matrix_text_column_refused():
    df = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": ["2", "1", "high", "3"]})
    with pytest.raises(InputError, match="'y'.*text"):
        correlation_matrix(df, columns=["x", "y"])


def test_matrix_square_forms_symmetric(frame):
    res = correlation_matrix(frame, columns=list(frame.columns), padjust="fdr_bh")
    assert np.array_equal(res.r.to_numpy(), res.r.to_numpy().T, equal_nan=True)
    assert np.array_equal(res.p.to_numpy(), res.p.to_numpy().T, equal_nan=True)
    assert np.isnan(np.diag(res.p)).all()
    assert (np.diag(res.n) == frame.notna().sum().to_numpy()).all()


def test_matrix_alternative_and_confidence(frame):
    res = correlation_matrix(frame, confidence=0.9, alternative="less")
    for row in res.long.itertuples(index=False):
        ref = correlate(frame[row.x], frame[row.y], confidence=0.9, alternative="less")
        assert row.p == pytest.approx(ref.p, abs=1e-12)
        assert row.ci_lower == -1.0
        assert row.ci_upper == pytest.approx(ref.ci[1], abs=1e-12)


def test_all_missing_and_text_refused_naming_the_variable():
    with pytest.raises(InputError, match="x has no non-missing"):
        correlate([np.nan] * 5, [1, 2, 3, 4, 5])
    with pytest.raises(InputError, match="y must be numeric"):
        correlate([1, 2, 3], ["1", "2", "3"])
    with pytest.raises(InputError, match="'alliance'.*text"):
        correlate(pd.Series([1, 2, 3, 4], name="outcome"),
                  pd.Series(["4", "5", "n/a", "6"], name="alliance"))


def test_nullable_and_object_numbers_accepted():
    x = pd.Series([1, 2, None, 4, 5], dtype="Int64")
    y = pd.Series([2.0, None, 3.5, 4.0, 7.0], dtype=object)
    res = correlate(x, y)
    assert (res.n, res.n_dropped) == (3, 2)
    assert res.r == pytest.approx(np.corrcoef([1, 4, 5], [2, 4, 7])[0, 1], abs=1e-14)


def test_n3_has_no_fisher_ci():
    # R cor.test gives no CI below n = 4 (SE 1/√(n − 3) undefined); |r| = 1 still gives [r, r]
    res = correlate([1, 2, 3], [1, 3, 2])
    assert res.df == 1 and np.isnan(res.ci[0]) and np.isnan(res.ci[1])
    assert res.p == pytest.approx(0.6666666666666667, abs=1e-12)
    assert correlate([1, 2, 3], [2, 4, 6]).ci == (1.0, 1.0)


def test_perfect_one_sided():
    up = correlate([1, 2, 3, 4, 5], [2, 4, 6, 8, 10], alternative="greater")
    down = correlate([1, 2, 3, 4, 5], [2, 4, 6, 8, 10], alternative="less")
    assert up.p == 0.0 and down.p == 1.0


def test_pearson_matches_pingouin_corr(pingouin_unrounded):
    pg = pingouin_unrounded
    rng = np.random.default_rng(12)
    x = rng.normal(size=30)
    y = 0.3 * x + rng.normal(size=30)
    x[[2, 7]] = np.nan
    ref = pg.corr(x, y)
    res = correlate(x, y)
    assert res.r == pytest.approx(float(ref["r"].iloc[0]), abs=1e-14)
    assert res.p == pytest.approx(float(ref["p_val"].iloc[0]), rel=1e-10)
    assert res.n == int(ref["n"].iloc[0]) == 28
    assert res.ci == pytest.approx(tuple(ref["CI95"].iloc[0]), abs=1e-6)


def test_matrix_bad_input(frame):
    with pytest.raises(InputError):
        correlation_matrix(frame, columns=["a", "zzz"])
    with pytest.raises(InputError):
        correlation_matrix(frame, columns=["a"])
    with pytest.raises(InputError):
        correlation_matrix(frame, nan_policy="drop")
    with pytest.raises(InputError):
        correlation_matrix(frame, padjust="sidak-ish")


def test_matrix_correction_needs_the_family_named(frame):
    """Without columns every numeric column would be one family (1,485 pairs on a wide trial
    table): a correction must name its variables."""
    with pytest.raises(InputError, match="columns"):
        correlation_matrix(frame, padjust="holm")
    assert len(correlation_matrix(frame).long) == frame.shape[1] * (frame.shape[1] - 1) // 2


def test_spearman_pairwise_blocks_match_pairwise_calls(monkeypatch):
    """Spearman with missing data is summed in blocks of columns (memory O(k² + n k), not an
    (n, k, k) array): any block size gives each pair's own pairwise-complete Spearman r."""
    import alliance_analysis.stats.correlation as corr_mod

    rng = np.random.default_rng(11)
    data = rng.normal(size=(25, 6)).round(1)  # rounding makes ties
    data[rng.random(data.shape) < 0.2] = np.nan
    df = pd.DataFrame(data, columns=list("abcdef"))
    full = correlation_matrix(df, method="spearman").long
    for elements in (1, 25 * 6 * 2):  # one source column per block; two per block
        monkeypatch.setattr(corr_mod, "_RANK_BLOCK_ELEMENTS", elements)
        blocked = correlation_matrix(df, method="spearman").long
        np.testing.assert_allclose(blocked["r"], full["r"], rtol=0, atol=1e-12)
    for row in full.itertuples(index=False):
        ref = correlate(df[row.x], df[row.y], method="spearman").r
        assert row.r == pytest.approx(ref, abs=1e-12)
