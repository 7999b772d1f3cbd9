"""Cronbach's α, Feldt and bootstrap intervals, ω total and item statistics against R psych.

Expected values: tests/oracles/psych/expected.csv, written by psych_reliability.R (psych 2.2.9)
from the item sets that make_data.py generates (several k and n, reverse-keyed items, missing
values). Tolerances: 1e-6 absolute for α, standardized α, Feldt bounds, item statistics (measured
agreement ~1e-15); the one-factor ML fit is iterative in both programs: ω total to 1e-5 and
loadings to 1e-4 (measured 5e-8 and 1.1e-6: psych's L-BFGS-B stops at its default factr, this
fit at a tighter tolerance).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.stats.reliability import ReliabilityResult, feldt_ci, reliability

ORACLE = Path(__file__).parent / "oracles" / "psych"
SETS = json.loads((ORACLE / "sets.json").read_text())
EXPECTED = pd.read_csv(ORACLE / "expected.csv")
TOL = 1e-6
TOL_OMEGA = 1e-5
TOL_LOADING = 1e-4


def keyed(name: str) -> pd.DataFrame:
    """The item set with its reverse-keyed items reversed (lo + hi - x), as the R script does."""
    s = SETS[name]
    x = pd.read_csv(ORACLE / f"{name}.csv")
    for j in s["reverse"]:
        x.iloc[:, j - 1] = s["lo"] + s["hi"] - x.iloc[:, j - 1]
    return x


def expected(name: str, mode: str, quantity: str) -> np.ndarray:
    e = EXPECTED[(EXPECTED.set == name) & (EXPECTED.missing == mode)
                 & (EXPECTED.quantity == quantity)]
    assert len(e), (name, mode, quantity)
    return e.sort_values("index")["value"].to_numpy(dtype=float)


CASES = [(name, mode) for name in sorted(SETS) for mode in ("listwise", "pairwise")
         if len(EXPECTED[(EXPECTED.set == name) & (EXPECTED.missing == mode)])]


@pytest.mark.parametrize(("name", "mode"), CASES)
def test_alpha_and_item_statistics_match_psych(name, mode):
    res = reliability(keyed(name), missing=mode)
    for quantity in ("alpha", "alpha_std", "mean_r", "item_total_r", "alpha_if_deleted",
                     "alpha_std_if_deleted", "item_mean", "item_sd"):
        np.testing.assert_allclose(np.atleast_1d(getattr(res, quantity)),
                                   expected(name, mode, quantity), rtol=0, atol=TOL,
                                   err_msg=quantity)
    assert res.n == int(expected(name, mode, "n")[0])
    assert res.k == SETS[name]["k"]


@pytest.mark.parametrize(("name", "mode"), CASES)
def test_feldt_interval_matches_psych(name, mode):
    res = reliability(keyed(name), missing=mode, omega=False)
    np.testing.assert_allclose(res.alpha_ci, [expected(name, mode, "feldt_lower")[0],
                                              expected(name, mode, "feldt_upper")[0]],
                               rtol=0, atol=TOL)
    res90 = reliability(keyed(name), missing=mode, confidence=0.90, omega=False)
    np.testing.assert_allclose(res90.alpha_ci, [expected(name, mode, "feldt90_lower")[0],
                                                expected(name, mode, "feldt90_upper")[0]],
                               rtol=0, atol=TOL)


@pytest.mark.parametrize(("name", "mode"), CASES)
def test_omega_total_matches_psych_one_factor_ml(name, mode):
    res = reliability(keyed(name), missing=mode)
    assert abs(res.omega_total - expected(name, mode, "omega_total")[0]) < TOL_OMEGA
    np.testing.assert_allclose(res.loadings, expected(name, mode, "loading"), rtol=0,
                               atol=TOL_LOADING)
    # omega_model from psych's own loadings and u2 (independent of this fit)
    lam, u2 = expected(name, mode, "loading"), expected(name, mode, "uniqueness")
    assert abs(res.omega_model - lam.sum() ** 2 / (lam.sum() ** 2 + u2.sum())) < TOL_OMEGA
    # psych's one-factor "omega_h" is (sum of loadings)^2 over the observed total variance
    corr = keyed(name).dropna().corr() if mode == "listwise" else keyed(name).corr()
    assert abs(lam.sum() ** 2 / corr.to_numpy().sum() - expected(name, mode, "omega_h")[0]) < 1e-9


def test_heywood_case_is_reported():
    res = reliability(keyed("k3_n25"))
    assert any("Heywood" in n and "i2" in n for n in res.notes)
    assert abs(res.omega_total - expected("k3_n25", "listwise", "omega_total")[0]) < TOL_OMEGA


def test_alpha_by_hand_small_table():
    x = np.array([[1, 2, 3], [2, 2, 4], [3, 4, 4], [4, 5, 5], [2, 3, 2.0]])
    c = np.cov(x, rowvar=False)
    k = 3
    alpha = k / (k - 1) * (1 - np.trace(c) / c.sum())
    res = reliability(x)
    assert res.alpha == pytest.approx(alpha, abs=1e-12)
    assert res.items == ("item1", "item2", "item3")
    r = np.corrcoef(x, rowvar=False)
    rbar = (r.sum() - k) / (k * (k - 1))
    assert res.alpha_std == pytest.approx(k * rbar / (1 + (k - 1) * rbar), abs=1e-12)
    total = x.sum(axis=1)
    for j in range(k):
        assert res.item_total_r[j] == pytest.approx(np.corrcoef(x[:, j], total - x[:, j])[0, 1],
                                                    abs=1e-12)
        rest = np.delete(x, j, axis=1)
        cr = np.cov(rest, rowvar=False)
        assert res.alpha_if_deleted[j] == pytest.approx(2 * (1 - np.trace(cr) / cr.sum()),
                                                        abs=1e-12)


def test_two_items_alpha_defined_omega_not():
    x = keyed("k6_n15").iloc[:, :2]
    res = reliability(x)
    c = np.cov(x.to_numpy(), rowvar=False)
    assert res.alpha == pytest.approx(2 * (1 - np.trace(c) / c.sum()), abs=1e-12)
    assert np.isnan(res.omega_total) and all(np.isnan(res.alpha_if_deleted))
    assert any("at least 3 items" in n for n in res.notes)


# ---- missing values -------------------------------------------------------------------------


def test_listwise_counts_and_reports_every_dropped_row():
    x = keyed("k12_n200_miss")
    res = reliability(x)
    incomplete = int(x.isna().any(axis=1).sum())
    assert res.n_dropped == incomplete and res.n == len(x) - incomplete
    assert res.n_missing_values == int(x.isna().sum().sum()) and res.n_rows == len(x)
    assert any(f"{incomplete} of {len(x)} rows excluded" in n for n in res.notes)
    same = reliability(x.dropna())
    assert same.alpha == res.alpha and same.n_dropped == 0 and same.notes == ()


def test_pairwise_reports_its_n_and_refuses_bootstrap():
    x = keyed("k5_n60_rev_miss")
    res = reliability(x, missing="pairwise")
    assert res.missing == "pairwise" and any("smallest pair count" in n for n in res.notes)
    with pytest.raises(InputError, match="listwise"):
        reliability(x, missing="pairwise", n_boot=100)


@pytest.mark.parametrize(("bad", "match"), [
    (np.ones((10, 1)), "at least 2 items"),
    (np.array([[1.0, 2.0], [2.0, 3.0]]), "at least 3 rows"),
    (np.array([[1.0, np.inf], [2.0, 3.0], [3, 1]]), "infinite"),
    (np.array([["1", "2"], ["2", "3"]]), "text"),
    (pd.DataFrame({"a": [1, 2, 3, 4], "b": [np.nan] * 4}), "no non-missing"),
    (pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 2, 2]}), "no variance"),
    (pd.DataFrame({"a": [1, 2, 3, 4], "b": ["1", "x", "3", "4"]}), "text"),
    (np.arange(12.0), "participants x items"),
])
def test_bad_input_is_one_clear_error(bad, match):
    with pytest.raises(InputError, match=match):
        reliability(bad)


def test_bad_options():
    x = keyed("k6_n15")
    with pytest.raises(InputError, match="missing must be"):
        reliability(x, missing="mean")
    with pytest.raises(InputError, match="n_boot"):
        reliability(x, n_boot=-1)
    with pytest.raises(InputError, match="confidence"):
        reliability(x, confidence=95)


def test_unreversed_item_is_flagged():
    s = SETS["k5_n60_rev_miss"]
    raw = pd.read_csv(ORACLE / "k5_n60_rev_miss.csv")        # items 2 and 4 still reversed
    res = reliability(raw)
    assert res.alpha < reliability(keyed("k5_n60_rev_miss")).alpha
    note = next(n for n in res.notes if "negative corrected item-total" in n)
    assert all(f"i{j}" in note for j in s["reverse"])


def test_singular_correlation_matrix_skips_omega():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 8))                               # n < k
    res = reliability(x)
    assert np.isfinite(res.alpha) and np.isnan(res.omega_total)
    assert any("singular" in n for n in res.notes)


# ---- Feldt interval: coverage by simulation ---------------------------------------------------


def test_feldt_interval_coverage_by_simulation():
    """Parallel items (equal loadings and error variances, normal): Feldt's F is exact, so the
    95% interval must cover the population α in 95% of samples (4000 samples of n = 30, k = 6,
    all at once; Monte Carlo SE 0.0034)."""
    rng = np.random.default_rng(20261204)
    m, n, k, rho = 4000, 30, 6, 0.35
    true_alpha = k * rho / (1 + (k - 1) * rho)
    x = (np.sqrt(rho) * rng.standard_normal((m, n, 1))
         + np.sqrt(1 - rho) * rng.standard_normal((m, n, k)))
    xc = x - x.mean(axis=1, keepdims=True)
    item_var = (xc**2).sum(axis=1) / (n - 1)
    tot_var = (xc.sum(axis=2) ** 2).sum(axis=1) / (n - 1)
    alpha = k / (k - 1) * (1 - item_var.sum(axis=1) / tot_var)
    lo, hi = feldt_ci(alpha, n, k, 0.95)
    coverage = float(np.mean((lo <= true_alpha) & (true_alpha <= hi)))
    assert abs(coverage - 0.95) < 0.012
    below = float(np.mean(true_alpha < lo))
    assert abs(below - 0.025) < 0.008                        # equal tails
    first = reliability(x[0], omega=False)
    assert first.alpha == pytest.approx(alpha[0], abs=1e-12)
    assert first.alpha_ci == pytest.approx((lo[0], hi[0]), abs=1e-12)


# ---- bootstrap -------------------------------------------------------------------------------


def test_bootstrap_matches_explicit_resamples():
    """The vectorised percentile interval equals the one from explicitly rebuilt resamples
    (the same resample counts, each resample's α from numpy.cov)."""
    x = keyed("k8_n40_cont")
    n_boot, seed = 300, 11
    res = reliability(x, n_boot=n_boot, seed=seed)
    data = x.to_numpy()
    n, k = data.shape
    counts = np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=n_boot)
    alphas = []
    for c in counts:                                           # reference only
        xb = np.repeat(data, c, axis=0)
        cb = np.cov(xb, rowvar=False)
        alphas.append(k / (k - 1) * (1 - np.trace(cb) / cb.sum()))
    ref = np.quantile(alphas, [0.025, 0.975])
    assert res.alpha_ci_boot == pytest.approx(tuple(ref), abs=1e-10)
    again = reliability(x, n_boot=n_boot, seed=seed)
    assert again.alpha_ci_boot == res.alpha_ci_boot            # deterministic with a seed


def test_bootstrap_blocks_give_the_same_interval_as_one_block(monkeypatch):
    """Memory is bounded by computing resamples in blocks; the draws and the interval do not
    depend on the block size."""
    import alliance_analysis.stats.reliability as mod

    x = keyed("k20_n500_rev_miss").dropna()
    whole = reliability(x, n_boot=64, seed=5, omega=False)
    monkeypatch.setattr(mod, "BOOT_BLOCK_CELLS", 7 * len(x))    # blocks of 7 resamples
    assert reliability(x, n_boot=64, seed=5, omega=False).alpha_ci_boot == whole.alpha_ci_boot


def test_bootstrap_near_feldt_for_a_large_sample():
    x = keyed("k20_n500_rev_miss").dropna()
    res = reliability(x, n_boot=2000, seed=1, omega=False)
    assert res.alpha_ci_boot[0] == pytest.approx(res.alpha_ci[0], abs=0.02)
    assert res.alpha_ci_boot[1] == pytest.approx(res.alpha_ci[1], abs=0.02)


# ---- result object ---------------------------------------------------------------------------


def test_result_is_frozen_and_renders():
    res = reliability(keyed("k12_n200_miss"), n_boot=200, seed=2)
    assert isinstance(res, ReliabilityResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.alpha = 0.0
    frame = res.to_frame()
    assert list(frame.columns) == ["term", "estimate", "se", "ci_low", "ci_high", "confidence",
                                   "statistic", "df", "p", "method", "variable", "n", "k"]
    assert len(frame) == 6 + 6 * res.k                      # 2 alpha rows (Feldt, bootstrap)
    alpha_rows = frame[frame.term == "alpha"]
    assert list(alpha_rows.method) == ["Feldt", "percentile bootstrap"]
    assert alpha_rows.ci_low.iloc[0] == res.alpha_ci[0]
    item_r = frame[frame.term == "item_total_r"]
    assert list(item_r["variable"]) == list(res.items)
    assert item_r["estimate"].tolist() == list(res.item_total_r)
    text = res.apa()
    assert text.startswith("Cronbach's α = .81, 95% CI [") and "ω_t = .82" in text
    assert "(n = 136, 12 items)" in text
    summary = res.summary()
    assert "Feldt" in summary and "bootstrap percentile" in summary and "64 of 200" in summary
    d = res.to_dict()
    assert d["alpha_ci_lower"] == res.alpha_ci[0] and d["n_boot"] == 200


def test_repr_html_escapes_item_names():
    x = keyed("k6_n15").rename(columns={"i1": "<b>i1</b>"})
    page = reliability(x)._repr_html_()
    assert "<b>i1</b>" not in page and "&lt;b&gt;i1&lt;/b&gt;" in page


def test_invariances_and_item_deletion_against_refits():
    x = keyed("k20_n500_rev_miss").dropna()
    res = reliability(x, omega=False)
    perm = reliability(x[x.columns[::-1]], omega=False)
    assert perm.alpha == pytest.approx(res.alpha, abs=1e-12)
    scaled = reliability(x * np.arange(1, 21) + 5, omega=False)   # rescaled items
    assert scaled.alpha_std == pytest.approx(res.alpha_std, abs=1e-12)
    for j, col in enumerate(x.columns):
        refit = reliability(x.drop(columns=col), omega=False)
        assert res.alpha_if_deleted[j] == pytest.approx(refit.alpha, abs=1e-12)
        assert res.alpha_std_if_deleted[j] == pytest.approx(refit.alpha_std, abs=1e-12)
