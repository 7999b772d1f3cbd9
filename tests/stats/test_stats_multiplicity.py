"""p-value adjustment equals statsmodels.multipletests; NaN stays out of the family."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_analysis.errors import InputError
from alliance_analysis.stats import adjust_pvalues

METHODS = ["bonferroni", "holm", "fdr_bh", "fdr_by"]


@pytest.mark.parametrize("method", METHODS)
def test_matches_statsmodels(method):
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.01, 0.04, 0.03, 0.2, 0.001, 0.04, 0.5, 0.9])
    assert np.allclose(adjust_pvalues(p, method), multipletests(p, method=method)[1],
                       atol=1e-15, rtol=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30), st.sampled_from(METHODS))
def test_property_matches_statsmodels(p, method):
    from statsmodels.stats.multitest import multipletests

    p = np.array(p)
    assert np.allclose(adjust_pvalues(p, method), multipletests(p, method=method)[1],
                       atol=1e-14, rtol=0)


def test_nan_out_of_family():
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.01, np.nan, 0.04, 0.03])
    out = adjust_pvalues(p, "holm")
    assert np.isnan(out[1])
    assert np.allclose(out[[0, 2, 3]], multipletests(p[[0, 2, 3]], method="holm")[1])


def test_aliases_and_none():
    p = [0.01, 0.02, 0.03]
    assert np.array_equal(adjust_pvalues(p, "bh"), adjust_pvalues(p, "fdr_bh"))
    assert np.array_equal(adjust_pvalues(p, "by"), adjust_pvalues(p, "fdr_by"))
    assert np.array_equal(adjust_pvalues(p, "none"), np.array(p))
    assert np.array_equal(adjust_pvalues(p, None), np.array(p))
    with pytest.raises(InputError):
        adjust_pvalues(p, "tukey")
    with pytest.raises(InputError):
        adjust_pvalues([0.5, 1.5], "holm")
