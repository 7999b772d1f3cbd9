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
