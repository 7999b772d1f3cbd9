"""Welch t-test (oracle: scipy ttest_ind(equal_var=False), pingouin compute_effsize)."""

import math

import numpy as np
import pytest

from alliance_analysis.errors import ComputationWarning, InputError
from alliance_analysis.stats import welch_ttest


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_matches_scipy(alternative):
    from scipy.stats import ttest_ind

    rng = np.random.default_rng(4)
    a = rng.normal(10, 2, 12)
    b = rng.normal(9, 5, 9)
    res = welch_ttest(a, b, alternative=alternative)
    ref = ttest_ind(a, b, equal_var=False, alternative=alternative)
    assert res.t == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p == pytest.approx(ref.pvalue, rel=1e-10)
    assert res.df == pytest.approx(ref.df, rel=1e-12)
    assert (res.n, res.n_a, res.n_b) == (21, 12, 9)


def test_d_s_matches_pingouin():
    import pingouin as pg

    rng = np.random.default_rng(8)
    a, b = rng.normal(1, 1, 15), rng.normal(0, 1.5, 11)
    assert welch_ttest(a, b).d_s == pytest.approx(
        pg.compute_effsize(a, b, paired=False, eftype="cohen"), rel=1e-12)


def test_apa_and_missing():
    a = [5.1, 6.2, np.nan, 7.0, 5.5, 6.8]
    b = [4.0, 6.0, 5.2, np.nan, np.nan, 3.9, 5.0]
    res = welch_ttest(a, b)
    assert res.n_dropped == 3 and res.n == 10
    text = res.apa()
    assert text.startswith("t(") and ", p = ." in text
    assert "." in text.split(")")[0]  # fractional Welch df printed with decimals


def test_movie_between_apa():
    # Lakens movie data analysed (wrongly) as independent groups: t(18) = 2.52 with pooled SD;
    # the Welch df is fractional
    m1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
    m2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
    res = welch_ttest(m1, m2)
    assert res.t == pytest.approx(2.5175, abs=5e-5)  # equal n: Welch t = Student t
    assert res.d_s == pytest.approx(1.13, abs=5e-3)


def test_refusals():
    with pytest.raises(InputError):
        welch_ttest([1.0], [1.0, 2.0])
    with pytest.warns(ComputationWarning):
        res = welch_ttest([1, 1, 1], [2, 2])
    assert math.isnan(res.t)
