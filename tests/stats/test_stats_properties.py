"""Property-based checks (hypothesis) of invariances of the statistics."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from alliance_analysis.errors import InputError
from alliance_analysis.stats import correlate, correlation_matrix, paired_ttest, welch_ttest

# well-conditioned data: small integers scaled (ties allowed), so sums are exact enough that
# 1e-12 agreement is a fair demand
values = st.integers(-50, 50).map(lambda v: v / 4)


def paired_samples(min_size=4, max_size=30):
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(values, min_size=n, max_size=n),
                            st.lists(values, min_size=n, max_size=n)))


def _nonconstant(x):
    return len(set(x)) > 1


@settings(max_examples=80, deadline=None)
@given(paired_samples(), st.floats(0.1, 10), st.floats(-100, 100), st.booleans())
def test_r_symmetric_and_affine_invariant(xy, scale, shift, flip):
    x, y = xy
    assume(_nonconstant(x) and _nonconstant(y))
    for method in ("pearson", "spearman"):
        r_xy = correlate(x, y, method=method)
        r_yx = correlate(y, x, method=method)
        assert abs(r_xy.r - r_yx.r) <= 1e-12 and abs(r_xy.p - r_yx.p) <= 1e-12
        sign = -1.0 if flip else 1.0
        moved = correlate([sign * scale * v + shift for v in x], y, method=method)
        assert abs(moved.r - sign * r_xy.r) <= 1e-10
        assert 0.0 <= r_xy.p <= 1.0
        assert r_xy.ci[0] <= r_xy.r <= r_xy.ci[1]


@settings(max_examples=80, deadline=None)
@given(paired_samples(min_size=3))
def test_paired_d_flips_sign_when_swapped(xy):
    pre, post = xy
    diff = np.subtract(post, pre)
    assume(_nonconstant(list(diff)) and _nonconstant(pre) and _nonconstant(post))
    a = paired_ttest(pre, post)
    b = paired_ttest(post, pre)
    for field in ("t", "mean_diff", "d_z", "d_rm", "d_av", "d_av_lakens", "g_z", "g_av"):
        x, y = getattr(a, field), getattr(b, field)
        if field == "d_rm" and math.isnan(x):  # r = 1 exactly: s_rm = SD_diff/sqrt(2(1 - r))
            assert math.isnan(y)               # is undefined, in both directions
            continue
        assert math.isclose(x, -y, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(a.p, b.p, rel_tol=1e-12, abs_tol=1e-15) and 0 <= a.p <= 1
    assert a.d_z_ci[0] <= a.d_z <= a.d_z_ci[1]
    assert math.isclose(a.d_z_ci[0], -b.d_z_ci[1], rel_tol=1e-8, abs_tol=1e-8)


@settings(max_examples=60, deadline=None)
@given(paired_samples(min_size=2))
def test_welch_p_in_unit_interval(ab):
    a, b = ab
    assume(_nonconstant(a) or _nonconstant(b))
    res = welch_ttest(a, b)
    assert 0.0 <= res.p <= 1.0
    assert math.isclose(res.t, -welch_ttest(b, a).t, rel_tol=1e-12, abs_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(4, 25), st.integers(2, 5)),
              elements=values),
       arrays(np.bool_, (25, 5)), st.sampled_from(["pearson", "spearman"]))
def test_matrix_equals_pairwise_correlate(data, holes, method):
    data = data.copy()
    data[holes[: data.shape[0], : data.shape[1]]] = np.nan
    frame = pd.DataFrame(data, columns=[f"v{i}" for i in range(data.shape[1])])
    if frame.isna().all().any():  # an all-missing column is refused, by name
        with pytest.raises(InputError, match="no non-missing values"):
            correlation_matrix(frame, method=method)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = correlation_matrix(frame, method=method)
    for row in res.long.itertuples(index=False):
        pair = frame[[row.x, row.y]].dropna()
        if len(pair) < 3 or not (_nonconstant(list(pair[row.x])) and _nonconstant(list(pair[row.y]))):
            assert math.isnan(row.r)
            continue
        ref = correlate(pair[row.x], pair[row.y], method=method)
        assert abs(row.r - ref.r) <= 1e-12
        if math.isfinite(ref.p):
            assert abs(row.p - ref.p) <= 1e-12
        assert 0.0 <= row.p <= 1.0


@settings(max_examples=60, deadline=None)
@given(paired_samples(min_size=3))
def test_paired_family_consistent_with_from_t_formulas(xy):
    from alliance_analysis.stats import d_rm_from_t, d_z_from_t, hedges_j

    pre, post = xy
    assume(_nonconstant(list(np.subtract(post, pre))) and _nonconstant(pre) and _nonconstant(post))
    res = paired_ttest(pre, post)
    assert math.isclose(res.d_z, d_z_from_t(res.t, res.n), rel_tol=1e-10, abs_tol=1e-12)
    assert math.isclose(res.d_rm, d_rm_from_t(res.t, res.n, res.r_prepost), rel_tol=1e-9,
                        abs_tol=1e-12)
    j = hedges_j(res.n - 1)
    if res.n > 2:
        assert 0 < j < 1
        assert abs(res.g_av) <= abs(res.d_av) and abs(res.g_z) <= abs(res.d_z)
    # |d_av Cumming| ≤ |d_av Lakens| (rms of the SDs ≥ their mean)
    assert abs(res.d_av) <= abs(res.d_av_lakens) * (1 + 1e-12)


# tiny n: a resample with < 4 distinct rows is singular, discarded with a ComputationWarning
@pytest.mark.filterwarnings("ignore::alliance_analysis.errors.ComputationWarning")
@settings(max_examples=30, deadline=None)
@given(st.integers(8, 40), st.integers(0, 2**32 - 1), st.floats(-2, 2), st.floats(-2, 2))
def test_mediation_decomposition(n, seed, a_true, b_true):
    from alliance_analysis.stats import mediate

    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    c = rng.normal(size=n)
    m = a_true * x + 0.3 * c + rng.normal(size=n)
    y = b_true * m + 0.2 * x + rng.normal(size=n)
    frame = pd.DataFrame({"x": x, "m": m, "y": y, "c": c})
    res = mediate(frame, "x", "m", "y", covariates=["c"], n_boot=50, seed=seed)
    assert math.isclose(res.indirect, res.c - res.c_prime, rel_tol=1e-9, abs_tol=1e-11)
    for p in (res.a_p, res.b_p, res.c_p, res.c_prime_p):
        assert 0.0 <= p <= 1.0
    flipped = mediate(frame.assign(x=-frame.x), "x", "m", "y", covariates=["c"], n_boot=50,
                      seed=seed)
    assert math.isclose(flipped.indirect, -res.indirect, rel_tol=1e-9, abs_tol=1e-12)
    assert flipped.indirect_ci == pytest.approx((-res.indirect_ci[1], -res.indirect_ci[0]),
                                                rel=1e-8, abs=1e-12)
