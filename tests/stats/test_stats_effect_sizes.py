"""Vectorised effect-size helpers."""

import math

import numpy as np
import pytest

from alliance_analysis.stats import d_rm_from_dz, d_z_from_t, hedges_j, ncp_ci


def test_hedges_j_exact_values():
    from scipy.special import gamma

    for df in (2, 5, 9, 30):
        expected = gamma(df / 2) / (math.sqrt(df / 2) * gamma((df - 1) / 2))
        assert hedges_j(df) == pytest.approx(expected, rel=1e-13)
    assert math.isnan(hedges_j(1))
    # approaches the usual 1 - 3/(4 df - 1) approximation for large df
    assert hedges_j(200) == pytest.approx(1 - 3 / (4 * 200 - 1), rel=1e-5)


def test_vectorised():
    out = hedges_j(np.array([5.0, 9.0, 1.0]))
    assert out.shape == (3,) and np.isnan(out[2])
    assert np.allclose(d_z_from_t(np.array([4.7434164902525690, 2.0]), np.array([10, 4])),
                       [1.5, 1.0])
    assert d_rm_from_dz(1.5, 0.7255423196197438) == pytest.approx(1.1113323363023109, rel=1e-12)
    assert isinstance(d_z_from_t(2.0, 4), float)


def test_ncp_ci_inverts_noncentral_t():
    from scipy.stats import nct

    lo, hi = ncp_ci(2.5, 14, 0.9)
    assert nct.cdf(2.5, 14, lo) == pytest.approx(0.95, abs=1e-10)
    assert nct.cdf(2.5, 14, hi) == pytest.approx(0.05, abs=1e-10)
    lo1, hi1 = ncp_ci(2.5, 14, 0.95, "greater")
    assert hi1 == math.inf and nct.cdf(2.5, 14, lo1) == pytest.approx(0.95, abs=1e-10)


MOVIE1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def test_from_t_reproduces_the_movie_table():
    from alliance_analysis.stats import d_rm_from_t, paired_ttest

    res = paired_ttest(MOVIE2, MOVIE1)
    assert d_z_from_t(res.t, res.n) == pytest.approx(1.5, rel=1e-12)
    assert d_rm_from_t(res.t, res.n, res.r_prepost) == pytest.approx(res.d_rm, rel=1e-12)
    assert d_rm_from_t(4.7434, 10, 0.7255) == pytest.approx(1.1113, abs=5e-4)


def test_d_av_from_t_exact_under_equal_sds():
    """With equal pre/post SDs, d_av (both denominators), d_b and d_rm coincide with
    d_z·√(2(1 − r)); with unequal SDs d_av_from_t is only an approximation."""
    from alliance_analysis.stats import d_av_from_t, d_b_from_t, paired_ttest

    rng = np.random.default_rng(0)
    pre = rng.normal(size=25)
    post = 0.6 * pre + rng.normal(size=25) + 0.5
    post = (post - post.mean()) / post.std(ddof=1) * pre.std(ddof=1) + post.mean()  # equal SDs
    res = paired_ttest(pre, post)
    for fn in (d_av_from_t, d_b_from_t):
        value = fn(res.t, res.n, res.r_prepost)
        assert value == pytest.approx(res.d_av, rel=1e-12)
        assert value == pytest.approx(res.d_av_lakens, rel=1e-12)
        assert value == pytest.approx(res.d_b, rel=1e-12)
        assert value == pytest.approx(res.d_rm, rel=1e-12)
    movie = paired_ttest(MOVIE2, MOVIE1)  # unequal SDs: 1.1113 vs d_av 1.1259
    assert d_av_from_t(movie.t, 10, movie.r_prepost) != pytest.approx(movie.d_av, rel=1e-3)


def test_summary_helpers():
    from alliance_analysis.stats import d_av_from_summary, paired_ttest, sd_diff_from_sds

    res = paired_ttest(MOVIE2, MOVIE1)
    assert d_av_from_summary(1.0, res.sd_pre, res.sd_post) == pytest.approx(res.d_av, rel=1e-13)
    assert d_av_from_summary(1.0, res.sd_pre, res.sd_post, kind="lakens") == pytest.approx(
        res.d_av_lakens, rel=1e-13)
    assert sd_diff_from_sds(res.sd_pre, res.sd_post, res.r_prepost) == pytest.approx(
        res.sd_diff, rel=1e-12)
    out = d_av_from_summary(np.array([1.0, 2.0]), np.array([1.0, 0.0]), np.array([1.0, 0.0]))
    assert out[0] == 1.0 and np.isnan(out[1])


def test_pingouin_factor_matches_pingouin():
    import pingouin as pg

    from alliance_analysis.stats import pingouin_paired_hedges_factor

    rng = np.random.default_rng(4)
    x, y = rng.normal(size=12), rng.normal(size=12)
    d = pg.compute_effsize(x, y, paired=True, eftype="cohen")
    g = pg.compute_effsize(x, y, paired=True, eftype="hedges")
    assert g == pytest.approx(d * pingouin_paired_hedges_factor(12), rel=1e-12)


def test_out_of_range_inputs_are_nan():
    assert math.isnan(d_rm_from_dz(1.0, 1.5))
    assert math.isnan(d_z_from_t(2.0, 0))
    assert np.isnan(hedges_j(np.array([0.5]))).all()


def test_ncp_ci_many_meets_its_definition_and_the_scalar_root_finder():
    """Independent check: scipy's noncentral t cdf at each returned end equals the tail level, and
    a scalar brentq (scipy) on the same equation gives the same ends."""
    import numpy as np
    from scipy.optimize import brentq
    from scipy.stats import nct

    from alliance_analysis.stats import ncp_ci_many

    rng = np.random.default_rng(7)
    t = np.concatenate([[0.0, -2.2, 2.2, 15.0, -40.0], rng.normal(0, 4, 200)])
    df = np.concatenate([[5.0, 28.0, 28.0, 3.0, 60.0], rng.uniform(2, 200, 200)])
    lo, hi = ncp_ci_many(t, df, 0.95)
    assert np.allclose(nct.cdf(t, df, lo), 0.975, rtol=0, atol=1e-9)
    assert np.allclose(nct.cdf(t, df, hi), 0.025, rtol=0, atol=1e-9)
    for i in (0, 1, 2, 5, 6, 7, 8):  # moderate t: scipy's nct.cdf is finite on the bracket
        ti, dfi = float(t[i]), float(df[i])

        def eq(n, level, ti=ti, dfi=dfi):
            return nct.cdf(ti, dfi, n) - level

        ref_lo = brentq(eq, ti - 8, ti + 8, args=(0.975,), xtol=1e-14)
        ref_hi = brentq(eq, ti - 8, ti + 8, args=(0.025,), xtol=1e-14)
        assert abs(lo[i] - ref_lo) < 1e-9 and abs(hi[i] - ref_hi) < 1e-9
    # one-sided: one infinite end
    lo1, hi1 = ncp_ci_many(t[:3], df[:3], 0.95, "greater")
    assert np.all(np.isinf(hi1)) and np.allclose(nct.cdf(t[:3], df[:3], lo1), 0.95, atol=1e-9)
