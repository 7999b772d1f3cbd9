"""Monte Carlo power: agreement with exact results, attrition, multiplicity, determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.power import (
    adjust_pvalues,
    power_r,
    sensitivity_table,
    simulate_correlation_power,
)


def _within(mc: float, exact: float, sims: int, z: float = 4.0) -> bool:
    return abs(mc - exact) < z * math.sqrt(exact * (1 - exact) / sims) + 1e-12


@pytest.mark.parametrize(("n", "rho", "alternative"), [(20, 0.5, "two-sided"),
                                                       (16, 0.3, "greater"),
                                                       (24, -0.45, "less")])
def test_k1_without_attrition_matches_exact(n, rho, alternative):
    sims = 40_000
    res = simulate_correlation_power(n, rho, alternative=alternative, n_sims=sims, seed=11)
    assert res.k == 1 and res.mean_n_complete == (float(n),)
    assert _within(res.power[0], power_r(rho, n, alternative=alternative).power, sims)
    assert res.any_power == res.power[0]


def test_pairwise_attrition_matches_binomial_mixture_of_exact_power():
    # MCAR on both variables: complete pairs m ~ Binomial(n, (1 − a)²); power = E[power(m)]
    from scipy import stats

    n, rho, a, sims = 24, 0.5, 0.2, 40_000
    res = simulate_correlation_power(n, rho, attrition=a, n_sims=sims, seed=5)
    q = (1 - a) ** 2
    expected = sum(stats.binom.pmf(m, n, q) * power_r(rho, m).power for m in range(3, n + 1))
    assert _within(res.power[0], expected, sims)
    assert res.mean_n_complete[0] == pytest.approx(n * q, rel=0.01)


def test_attrition_reduces_power():
    kw = dict(n=24, rho=0.5, k=4, n_sims=20_000, seed=3)
    full = simulate_correlation_power(**kw)
    lossy = simulate_correlation_power(attrition=0.25, **kw)
    se = max(full.power_se)
    assert all(lo < hi - 3 * se for lo, hi in zip(lossy.power, full.power, strict=True))
    assert lossy.any_power < full.any_power


def test_corrections_order_with_common_random_numbers():
    kw = dict(n=24, rho=[0.5, 0.4, 0.3, 0.2], n_sims=10_000, seed=42, attrition=0.1)
    res = {c: simulate_correlation_power(correction=c, **kw)
           for c in ("none", "bonferroni", "holm", "fdr_bh")}
    for j in range(4):
        assert (res["bonferroni"].power[j] <= res["holm"].power[j] <= res["fdr_bh"].power[j]
                <= res["none"].power[j])
    assert res["bonferroni"].power[0] < res["none"].power[0]
    # Holm and Bonferroni reject "at least one" in exactly the same trials
    assert res["bonferroni"].any_power == res["holm"].any_power
    assert res["holm"].any_power <= res["none"].any_power


def test_type_one_error_and_familywise_rate_under_the_null():
    sims = 40_000
    none = simulate_correlation_power(20, 0.0, k=4, n_sims=sims, seed=8)
    bonf = simulate_correlation_power(20, 0.0, k=4, n_sims=sims, seed=8,
                                      correction="bonferroni")
    assert all(_within(p, 0.05, sims) for p in none.power)
    assert _within(none.any_power, 1 - 0.95**4, sims)   # independent tests under the null
    assert bonf.any_power <= 0.05 + 4 * math.sqrt(0.05 * 0.95 / sims)


def test_correlated_outcomes_lower_the_familywise_gain():
    kw = dict(n=20, rho=0.3, k=4, n_sims=20_000, seed=9)
    indep = simulate_correlation_power(outcome_corr=0.0, **kw)
    corr = simulate_correlation_power(outcome_corr=0.9, **kw)
    assert corr.any_power < indep.any_power - 0.05
    # marginal power per test does not depend on the outcomes' correlation
    assert all(_within(a, b, 20_000, z=5) for a, b in zip(corr.power, indep.power, strict=True))


def test_monotone_dropout():
    res = simulate_correlation_power(24, 0.5, k=3, attrition=[0.0, 0.1, 0.2, 0.4],
                                     missing="monotone", n_sims=5_000, seed=2)
    m = res.mean_n_complete
    assert m[0] > m[1] > m[2]
    assert m[2] == pytest.approx(24 * 0.6, rel=0.02)
    with pytest.raises(InputError):
        simulate_correlation_power(24, 0.5, k=2, attrition=[0.0, 0.3, 0.1],
                                   missing="monotone", n_sims=10)


def test_determinism_and_progress():
    calls = []
    a = simulate_correlation_power(24, 0.5, k=4, attrition=0.1, correction="holm",
                                   n_sims=3_000, seed=1, chunk_size=700,
                                   progress=lambda d, t: calls.append((d, t)))
    b = simulate_correlation_power(24, 0.5, k=4, attrition=0.1, correction="holm",
                                   n_sims=3_000, seed=1, chunk_size=700)
    c = simulate_correlation_power(24, 0.5, k=4, attrition=0.1, correction="holm",
                                   n_sims=3_000, seed=2, chunk_size=700)
    assert a == b
    assert a.power != c.power
    assert calls == [(700, 3000), (1400, 3000), (2100, 3000), (2800, 3000), (3000, 3000)]


@pytest.mark.parametrize("correction", ["bonferroni", "holm", "fdr_bh"])
def test_adjust_pvalues_matches_statsmodels(correction):
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(0)
    p = rng.random((200, 5)) ** 3
    p[0, :] = [0.01, 0.01, 0.04, 0.04, 0.5]   # ties
    adj = adjust_pvalues(p, correction, axis=-1)
    for row, got in zip(p, adj, strict=True):
        expected = multipletests(row, alpha=0.05, method=correction)[1]
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_nan_pvalues_are_never_rejected():
    adj = adjust_pvalues(np.array([[np.nan, 0.001]]), "holm", nan_policy="as_one", axis=-1)
    assert adj[0, 0] == 1.0 and adj[0, 1] == pytest.approx(0.002)


def test_one_adjust_pvalues_with_explicit_nan_policy():
    """Issue: stats and power had two adjust_pvalues that disagreed on [.01, .04, nan, .03]."""
    from alliance_analysis import stats

    assert adjust_pvalues is stats.adjust_pvalues
    p = [0.01, 0.04, np.nan, 0.03]
    # hand calculation, Holm over the 3 finite values: .01*3, max(.03*2, .03), max(.04, .06)
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), [0.03, 0.06, np.nan, 0.06])
    # NaN counted as p = 1 (family of 4): .04, max(.03*3, .04), .09, 1
    np.testing.assert_allclose(adjust_pvalues(p, "holm", nan_policy="as_one"),
                               [0.04, 0.09, 1.0, 0.09])
    with pytest.raises(InputError):
        adjust_pvalues(p, "holm", nan_policy="raise")
    # the power simulation accepts the same aliases ('bh' was rejected before)
    res = simulate_correlation_power(20, 0.3, k=3, correction="bh", n_sims=500, seed=0)
    assert res.correction == "fdr_bh"


def test_tiny_n_with_heavy_attrition_runs():
    res = simulate_correlation_power(4, 0.5, attrition=0.6, n_sims=2_000, seed=1)
    assert 0.0 <= res.power[0] < 0.2


def test_result_rendering():
    res = simulate_correlation_power(24, 0.5, k=4, attrition=0.1, correction="holm",
                                     n_sims=2_000, seed=1)
    text = res.apa()
    assert text.startswith("In 2,000 simulated trials (n = 24, MCAR attrition .10 per variable, "
                           "4 tests, Holm correction, two-sided alpha = .05)")
    frame = res.to_frame()
    assert list(frame["test"]) == ["1", "2", "3", "4", "any"]
    assert frame.loc["power[any]", "estimate"] == res.any_power
    assert isinstance(res.to_dict()["power"], list)
    one = simulate_correlation_power(20, 0.5, n_sims=500, seed=1)
    assert "no attrition, 1 test, two-sided" in one.apa()


@pytest.mark.parametrize("kwargs", [
    dict(n=24, rho=1.0),
    dict(n=24, rho=[0.5, 0.3], k=3),
    dict(n=24, rho=0.5, k=3, attrition=[0.1, 0.2]),
    dict(n=24, rho=0.5, attrition=1.0),
    dict(n=24, rho=0.5, correction="sidak"),
    dict(n=24, rho=0.5, k=4, outcome_corr=-0.5),
    dict(n=2, rho=0.5),
    dict(n=24, rho=0.5, n_sims=0),
    dict(n=24, rho=0.5, missing="mnar"),
])
def test_bad_input(kwargs):
    with pytest.raises(InputError):
        simulate_correlation_power(**kwargs)


def test_sensitivity_table_levin_design():
    table = sensitivity_table()
    assert list(table["n"]) == [16, 20, 23, 24]
    assert list(table.columns) == ["n", "r_critical", "mde_r", "mde_r_fisher_z", "mde_dz",
                                   "power_r_0.30", "power_r_0.50"]
    row = table.set_index("n").loc[20]
    assert row["power_r_0.50"] == pytest.approx(power_r(0.5, 20).power, abs=1e-12)
    assert power_r(row["mde_r"], 20).power == pytest.approx(0.8, abs=1e-9)
    assert (table["mde_r"].diff().dropna() < 0).all()          # larger n, smaller MDE
    assert (table["r_critical"] < table["mde_r"]).all()
    assert table.attrs["alpha"] == 0.05
