"""The scipy.special path of Student t, the normal and average ranks (stats._dist) against
scipy.stats itself, to rtol 1e-15: the reproduction no longer imports scipy.stats, so these are
the checks that the cheaper path computes the same numbers."""

import numpy as np
import pytest
from scipy import stats

from alliance_analysis.stats import _dist, correlate, paired_ttest, welch_ttest

RTOL = 1e-15
X = np.array([-np.inf, -40.0, -7.5, -2.1, -1e-3, 0.0, 1e-8, 0.7, 1.96, 3.3, 12.0, 1e3, np.inf, np.nan])
DF = np.array([0.5, 1.0, 2.0, 3.7, 9.0, 29.0, 158.0, 1e6, np.inf, 0.0, -1.0, np.nan])


def test_t_cdf_sf_equal_scipy_stats():
    x, df = np.meshgrid(X, DF)
    np.testing.assert_allclose(_dist.t_cdf(x, df), stats.t.cdf(x, df), rtol=RTOL, atol=0)
    np.testing.assert_allclose(_dist.t_sf(x, df), stats.t.sf(x, df), rtol=RTOL, atol=0)


def test_t_ppf_equals_scipy_stats():
    q, df = np.meshgrid(np.array([0.0, 1e-12, 0.025, 0.05, 0.5, 0.8, 0.95, 0.975, 0.995, 1.0,
                                  -0.1, 1.1, np.nan]), DF)
    np.testing.assert_allclose(_dist.t_ppf(q, df), stats.t.ppf(q, df), rtol=RTOL, atol=0)


def test_t_isf_equals_scipy_stats():
    q, df = np.meshgrid(np.array([0.0, 1e-12, 0.005, 0.025, 0.05, 0.5, 0.975, 1.0, -0.1, np.nan]), DF)
    np.testing.assert_allclose(_dist.t_isf(q, df), stats.t.isf(q, df), rtol=RTOL, atol=0)


def test_f_ppf_equals_scipy_stats():
    q = np.array([0.0, 1e-12, 0.025, 0.5, 0.975, 1 - 1e-9, 1.0, -0.1, 1.1, np.nan])
    d = np.array([0.5, 1.0, 2.0, 9.0, 29.0, 270.0, 1e6, 0.0, -1.0, np.nan])
    qq, d1, d2 = np.meshgrid(q, d, d[::-1])
    np.testing.assert_allclose(_dist.f_ppf(qq, d1, d2), stats.f.ppf(qq, d1, d2), rtol=RTOL, atol=0)


def _nct_grid(seed: int, size: int = 20000):
    rng = np.random.default_rng(seed)
    df = np.exp(rng.uniform(np.log(0.5), np.log(1e5), size))
    nc = rng.uniform(-60.0, 60.0, size)
    x = rng.uniform(-30.0, 30.0, size) * rng.choice([0.1, 1.0, 3.0], size)
    return x, df, nc


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nct_sf_equals_scipy_stats_to_the_last_bit():
    # includes the far tails where scipy.special.nctdtr gives NaN (scipy.stats' sf is 0 or 1)
    x, df, nc = _nct_grid(1)
    got = _dist.nct_sf(x, df, nc)
    assert np.isnan(_dist.nct_sf(x, df, nc)).sum() == 0
    np.testing.assert_array_equal(got, stats.nct.sf(x, df, nc))
    pts = ([1.7, 2.1, -2.1], [5.0, 23.0, 23.0], [0.0, 3.0, 3.0])
    np.testing.assert_array_equal(_dist.nct_sf(*pts), stats.nct.sf(*pts))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nct_cdf_equals_scipy_stats_where_scipy_gives_a_number():
    x, df, nc = _nct_grid(2)
    got, ref = _dist.nct_cdf(x, df, nc), stats.nct.cdf(x, df, nc)
    finite = ~np.isnan(ref)
    assert finite.sum() > 10000 and not np.isnan(got).any()
    np.testing.assert_array_equal(got[finite], ref[finite])
    # where scipy gives NaN the value is a tail at 0 or 1 to double precision: its complement
    # through the sf (scipy's own) says which
    np.testing.assert_allclose(got[~finite], 1.0 - stats.nct.sf(x, df, nc)[~finite], atol=1e-13)
    assert np.isnan(_dist.nct_cdf([1.0, np.nan, 1.0], [0.0, 5.0, 5.0], [1.0, 1.0, np.nan])).all()


def test_norm_equals_scipy_stats():
    np.testing.assert_allclose(_dist.norm_cdf(X), stats.norm.cdf(X), rtol=RTOL, atol=0)
    q = np.array([1e-300, 1e-10, 0.025, 0.5, 0.975, 1 - 1e-10, 0.0, 1.0])
    np.testing.assert_allclose(_dist.norm_ppf(q), stats.norm.ppf(q), rtol=RTOL, atol=0)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_t_pvalue_is_the_scipy_ttest_p(alternative):
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=12), rng.normal(0.6, 1.3, size=12)
    ref = stats.ttest_rel(b, a, alternative=alternative)
    p = _dist.t_pvalue(ref.statistic, ref.df, alternative)
    np.testing.assert_allclose(p, ref.pvalue, rtol=RTOL, atol=0)


def test_rank_average_equals_rankdata_bit_for_bit():
    rng = np.random.default_rng(3)
    data = rng.integers(0, 6, size=(40, 25)).astype(float)   # many ties
    for axis in (0, 1, -1):
        assert np.array_equal(_dist.rank_average(data, axis=axis), stats.rankdata(data, axis=axis))
    with_nan = data.copy()
    with_nan[3, 4] = np.nan
    assert np.array_equal(_dist.rank_average(with_nan, axis=1), stats.rankdata(with_nan, axis=1),
                          equal_nan=True)
    one = rng.normal(size=30)
    assert np.array_equal(_dist.rank_average(one), stats.rankdata(one))


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_welch_ttest_against_scipy(alternative):
    rng = np.random.default_rng(11)
    a, b = rng.normal(4.0, 1.0, size=17), rng.normal(3.4, 1.8, size=23)
    ours = welch_ttest(a, b, alternative=alternative)
    ref = stats.ttest_ind(a, b, equal_var=False, alternative=alternative)
    ci = ref.confidence_interval(0.95)
    np.testing.assert_allclose([ours.t, ours.df, ours.p], [ref.statistic, ref.df, ref.pvalue],
                               rtol=RTOL)
    np.testing.assert_allclose(ours.mean_diff_ci, [ci.low, ci.high], rtol=RTOL)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_paired_ttest_against_scipy(alternative):
    rng = np.random.default_rng(5)
    pre = rng.normal(5.0, 1.0, size=19)
    post = pre + rng.normal(0.4, 0.8, size=19)
    ours = paired_ttest(pre, post, alternative=alternative)
    ref = stats.ttest_rel(post, pre, alternative=alternative)
    ci = ref.confidence_interval(0.95)
    np.testing.assert_allclose([ours.t, ours.df, ours.p], [ref.statistic, ref.df, ref.pvalue],
                               rtol=RTOL)
    np.testing.assert_allclose(ours.mean_diff_ci, [ci.low, ci.high], rtol=RTOL)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_correlate_against_scipy(method):
    rng = np.random.default_rng(9)
    x = rng.integers(0, 8, size=31).astype(float)
    y = 0.5 * x + rng.normal(size=31)
    ours = correlate(x, y, method=method)
    ref = (stats.pearsonr if method == "pearson" else stats.spearmanr)(x, y)
    np.testing.assert_allclose([ours.r, ours.p], [ref.statistic, ref.pvalue], rtol=1e-12)
