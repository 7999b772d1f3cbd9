"""Paired t-test and the repeated-measures d family.

Expected values come from scipy (t, p), pingouin 0.7 (oracle; its paired ``cohen_d`` = |d_av|
Cumming) and the Lakens (2013) movie data (reference §3.3: R t.test, effectsize, hand formulas).
In that table Becker's d_b = 1.0541 = 1/SD(movie2), i.e. movie2 is the reference ("pre") and
movie1 the "post": we call ``paired_ttest(pre=movie2, post=movie1)`` so that every d is positive.
"""

import math

import numpy as np
import pytest

from alliance_analysis.errors import ComputationWarning, InputError
from alliance_analysis.stats import paired_ttest, pingouin_paired_hedges_factor

MOVIE1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


@pytest.fixture(scope="module")
def lakens():
    return paired_ttest(pre=MOVIE2, post=MOVIE1)


def test_lakens_t_and_p(lakens):
    assert lakens.n == 10 and lakens.n_dropped == 0 and lakens.df == 9
    assert lakens.t == pytest.approx(4.7434, abs=5e-5)
    assert lakens.p == pytest.approx(0.00105, abs=5e-6)
    assert lakens.mean_diff_ci == pytest.approx((0.523, 1.477), abs=5e-4)
    assert lakens.r_prepost == pytest.approx(0.7255, abs=5e-5)


@pytest.mark.parametrize(("field", "expected"), [
    ("d_z", 1.5000), ("d_rm", 1.1113), ("d_av_lakens", 1.1287), ("d_av", 1.1259),
    ("d_b", 1.0541), ("g_av", 1.0289),
])
def test_lakens_d_family(lakens, field, expected):
    assert getattr(lakens, field) == pytest.approx(expected, abs=5e-5)


def test_lakens_effectsize_r_values(lakens):
    # effectsize cohens_d(paired=TRUE): 1.50 [0.56, 2.40]; hedges_g(paired=TRUE): 1.37
    assert lakens.d_z_ci == pytest.approx((0.56, 2.40), abs=5e-3)
    assert lakens.g_z == pytest.approx(1.37, abs=5e-3)
    # rm_d default (rm, adjust=TRUE) = 1.016
    assert lakens.g_rm == pytest.approx(1.016, abs=5e-4)


def test_lakens_apa(lakens):
    assert lakens.apa() == "t(9) = 4.74, p = .001, d_z = 1.50, 95% CI [0.56, 2.40]"


def test_against_scipy_and_pingouin():
    import pingouin as pg
    from scipy.stats import ttest_rel

    rng = np.random.default_rng(11)
    pre = rng.normal(20, 5, 40)
    post = pre + rng.normal(1.5, 4, 40)
    res = paired_ttest(pre, post)
    ref = ttest_rel(post, pre)
    assert res.t == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p == pytest.approx(ref.pvalue, rel=1e-10)
    for alt in ("greater", "less"):
        one = paired_ttest(pre, post, alternative=alt)
        assert one.p == pytest.approx(ttest_rel(post, pre, alternative=alt).pvalue, rel=1e-10)
    pgt = pg.ttest(post, pre, paired=True)
    assert abs(res.d_av) == pytest.approx(float(pgt["cohen_d"].iloc[0]), rel=1e-10)
    dz = pg.compute_effsize(post, pre, paired=True, eftype="cohen_dz")
    assert res.d_z == pytest.approx(dz, rel=1e-10)


def test_one_sided_ci_is_half_open():
    res = paired_ttest(MOVIE2, MOVIE1, alternative="greater")
    assert res.mean_diff_ci[1] == math.inf and res.d_z_ci[1] == math.inf
    assert res.d_z_ci[0] > 0.56  # one-sided bound is tighter than the two-sided one


def test_missing_pairs_dropped():
    pre = [1.0, 2.0, np.nan, 4.0, 5.0, 3.0]
    post = [2.0, 2.5, 3.0, np.nan, 6.5, 3.5]
    res = paired_ttest(pre, post)
    assert res.n == 4 and res.n_dropped == 2


def test_unequal_lengths_refused():
    with pytest.raises(InputError, match="same length"):
        paired_ttest([1, 2, 3], [1, 2])


def test_too_few_pairs():
    with pytest.raises(InputError):
        paired_ttest([1.0], [2.0])
    with pytest.raises(InputError):
        paired_ttest([1.0, np.nan], [2.0, 3.0])


def test_constant_difference_is_nan_with_warning():
    with pytest.warns(ComputationWarning):
        res = paired_ttest([1, 2, 3], [2, 3, 4])
    assert math.isnan(res.t) and math.isnan(res.p) and res.mean_diff == 1


def test_bad_arguments():
    with pytest.raises(InputError):
        paired_ttest(MOVIE2, MOVIE1, alternative="bigger")
    with pytest.raises(InputError):
        paired_ttest(MOVIE2, MOVIE1, confidence=95)
    with pytest.raises(InputError):
        paired_ttest(["a", "b"], [1, 2])


def test_to_dict_flattens_intervals(lakens):
    d = lakens.to_dict()
    assert d["d_z_ci_lower"] == lakens.d_z_ci[0]
    frame = lakens.to_frame()
    assert frame.shape[0] == 11  # mean_diff, five d's, five g's
    assert frame.loc["d_z", "ci_low"] == lakens.d_z_ci[0]


def test_effectsize_hedges_g_paired(lakens):
    # effectsize hedges_g(paired = TRUE) = d_z·J(n − 1) with the CI limits scaled by J:
    # 1.37 [0.51, 2.20] (reference §3.3, R 0.8.3)
    assert lakens.g_z == pytest.approx(1.37, abs=5e-3)
    assert lakens.g_z_ci == pytest.approx((0.51, 2.20), abs=5e-3)


def test_exact_j_not_pingouin_factor(lakens):
    """g_av uses the exact J(9) (1.0289), not pingouin's 1 − 3/(4·2n − 9) (1.0810)."""
    import pingouin as pg
    from scipy.special import gamma

    j9 = gamma(9 / 2) / (math.sqrt(9 / 2) * gamma(8 / 2))
    assert lakens.g_av == pytest.approx(lakens.d_av * j9, rel=1e-13)
    assert lakens.g_av == pytest.approx(1.0289, abs=5e-5)
    # pingouin: Cumming d_av × 1 − 3/(4·2n − 9) = 1.0783 (measured here, pingouin 0.7.0)
    pg_g = pg.compute_effsize(MOVIE1, MOVIE2, paired=True, eftype="hedges")
    assert pg_g == pytest.approx(lakens.d_av * pingouin_paired_hedges_factor(10), rel=1e-12)
    assert pg_g == pytest.approx(1.0783, abs=5e-5)
    # the reference table's "g_av with 1 − 3/(4·20 − 9) = 1.0810" is that factor applied to the
    # *Lakens* d_av (1.1287; researchpy's combination), not to pingouin's Cumming d_av
    assert lakens.d_av_lakens * pingouin_paired_hedges_factor(10) == pytest.approx(1.0810, abs=5e-5)


def test_pingouin_cohen_d_is_unsigned_d_av():
    import pingouin as pg

    res = paired_ttest(pre=MOVIE1, post=MOVIE2)  # a decrease: every d negative
    assert res.d_z == pytest.approx(-1.5, abs=1e-12) and res.d_av < 0
    ref = pg.ttest(MOVIE2, MOVIE1, paired=True)
    assert float(ref["cohen_d"].iloc[0]) == pytest.approx(-res.d_av, rel=1e-12)
    assert float(ref["T"].iloc[0]) == pytest.approx(res.t, rel=1e-12)


def test_d_b_uses_pre_sd():
    a = paired_ttest(pre=MOVIE2, post=MOVIE1)
    b = paired_ttest(pre=MOVIE1, post=MOVIE2)
    assert a.d_b == pytest.approx(1.0 / np.std(MOVIE2, ddof=1), rel=1e-13)  # 1.0541
    assert b.d_b == pytest.approx(-1.0 / np.std(MOVIE1, ddof=1), rel=1e-13)  # -1.2147
    # every other d only changes sign when pre and post are swapped
    for f in ("d_z", "d_rm", "d_av", "d_av_lakens"):
        assert getattr(b, f) == pytest.approx(-getattr(a, f), rel=1e-13)


def test_lakens_descriptives(lakens):
    assert (lakens.mean_pre, lakens.mean_post, lakens.mean_diff) == pytest.approx((7.7, 8.7, 1.0))
    assert lakens.sd_pre == pytest.approx(0.9487, abs=5e-5)
    assert lakens.sd_post == pytest.approx(0.8233, abs=5e-5)
    assert lakens.sd_diff == pytest.approx(1 / 1.5, rel=1e-12)


def test_mean_diff_ci_matches_scipy():
    from scipy.stats import ttest_rel

    rng = np.random.default_rng(3)
    pre = rng.normal(size=15)
    post = pre + rng.normal(0.5, 1, 15)
    res = paired_ttest(pre, post, confidence=0.9)
    ci = ttest_rel(post, pre).confidence_interval(0.9)
    assert res.mean_diff_ci == pytest.approx((ci.low, ci.high), rel=1e-12)
    for alt in ("greater", "less"):
        one = paired_ttest(pre, post, alternative=alt, confidence=0.9)
        ci = ttest_rel(post, pre, alternative=alt).confidence_interval(0.9)
        assert one.mean_diff_ci == pytest.approx((ci.low, ci.high), rel=1e-12)


def test_d_z_ci_inverts_noncentral_t(lakens):
    from scipy.stats import nct

    lo, hi = lakens.d_z_ci
    root_n = math.sqrt(lakens.n)
    assert nct.sf(lakens.t, lakens.df, lo * root_n) == pytest.approx(0.025, abs=1e-10)
    assert nct.cdf(lakens.t, lakens.df, hi * root_n) == pytest.approx(0.025, abs=1e-10)


def test_all_missing_and_text_refused():
    with pytest.raises(InputError, match="pre has no non-missing"):
        paired_ttest([np.nan, np.nan, np.nan], [1, 2, 3])
    with pytest.raises(InputError, match="post must be numeric"):
        paired_ttest([1, 2, 3], ["1", "2", "3"])
    with pytest.raises(InputError, match="at least 2 complete pairs"):
        paired_ttest([1, np.nan, 3], [np.nan, 2, np.nan])


def test_series_input_with_nullable_dtype():
    import pandas as pd

    pre = pd.Series([9, 6, 7, 8, 7, 9, 8, 8, 8, 7, None], dtype="Int64")
    post = pd.Series([9, 7, 8, 9, 8, 9, 9, 10, 9, 9, 5], dtype="Float64")
    res = paired_ttest(pre, post)
    assert (res.n, res.n_dropped) == (10, 1)
    assert res.d_z == pytest.approx(1.5, rel=1e-12)
