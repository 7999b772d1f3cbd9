"""Coverage of every effect-size interval by simulation (nominal 95%, accepted 93-97%).

Each test draws its replications at once and runs the package's vectorised code on all of them
(the paired statistics column-wise, the noncentral-t solve in one call), so the whole file runs
in seconds. Seeds are fixed: the numbers are reproducible. Sampling error of a coverage estimate
over R replications is √(.95·.05/R) (0.34 points at R = 4000).
"""

from __future__ import annotations

import numpy as np
import pytest

from alliance_analysis.stats.effect_sizes import hedges_j, ncp_ci_many
from alliance_analysis.stats.paired import D_NAMES, G_NAMES, paired_arrays

LOW, HIGH = 0.93, 0.97


def _paired_coverage(n: int, reps: int, seed: int, delta_av: float = 0.5, rho: float = 0.5,
                     sd_ratio: float = 1.25) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    s1, s2 = 1.0, sd_ratio
    chol = np.linalg.cholesky(np.array([[s1 * s1, rho * s1 * s2], [rho * s1 * s2, s2 * s2]]))
    z = rng.standard_normal((n, reps, 2)) @ chol.T
    mu = delta_av * np.sqrt((s1**2 + s2**2) / 2.0)
    res = paired_arrays(z[..., 0], z[..., 1] + mu)
    sd_diff = np.sqrt(s1**2 + s2**2 - 2 * rho * s1 * s2)
    true = {"z": mu / sd_diff, "rm": mu / sd_diff * np.sqrt(2 * (1 - rho)),
            "av": mu / np.sqrt((s1**2 + s2**2) / 2), "av_lakens": mu / ((s1 + s2) / 2),
            "b": mu / s1}
    out = {}
    for name in (*D_NAMES, *G_NAMES):
        theta = true[name[2:]]
        lo, hi = res["cis"][name]
        out[name] = float(np.mean((lo <= theta) & (theta <= hi)))
    return out


@pytest.mark.parametrize("n", [15, 60])
def test_paired_effect_size_intervals_cover(n):
    """d_z (exact noncentral t) and d_rm, d_av, d_av_lakens, d_b (Algina-Keselman), and each g
    (the d interval · J), for the population δ of that d."""
    cover = _paired_coverage(n, reps=4000, seed=n)
    bad = {k: v for k, v in cover.items() if not LOW <= v <= HIGH}
    assert not bad, cover


def test_two_sample_d_s_and_g_s_intervals_cover():
    """Pooled-SD d_s and g_s, noncentral t (exact under equal variances), n = 15 and 60 per group."""
    for n, seed in ((15, 1), (60, 2)):
        reps = 4000
        rng = np.random.default_rng(seed)
        delta = 0.5
        a = rng.standard_normal((reps, n)) + delta
        b = rng.standard_normal((reps, n))
        sp = np.sqrt((a.var(axis=1, ddof=1) + b.var(axis=1, ddof=1)) / 2)
        d_s = (a.mean(axis=1) - b.mean(axis=1)) / sp
        scale = np.sqrt(n * n / (2 * n))
        lo, hi = ncp_ci_many(d_s * scale, np.full(reps, 2 * n - 2.0))
        lo, hi = lo / scale, hi / scale
        j = hedges_j(2 * n - 2.0)
        for name, (l_, h_) in (("d_s", (lo, hi)), ("g_s", (lo * j, hi * j))):
            cover = float(np.mean((l_ <= delta) & (delta <= h_)))
            assert LOW <= cover <= HIGH, (name, n, cover)


def test_welch_function_uses_the_checked_interval():
    """The vectorised interval above is the one welch_ttest reports (same formula, one case)."""
    from alliance_analysis.stats import welch_ttest

    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(15) + 0.5, rng.standard_normal(15)
    res = welch_ttest(a, b)
    scale = np.sqrt(15 * 15 / 30)
    lo, hi = ncp_ci_many(np.array([res.d_s * scale]), np.array([28.0]))
    assert res.d_s_ci == pytest.approx((lo[0] / scale, hi[0] / scale), rel=1e-12)


@pytest.mark.parametrize("n", [15, 60])
def test_mediation_path_t_intervals_cover(n):
    """a path (M ~ X) t interval, all replications solved at once as batched OLS."""
    from scipy.special import stdtrit

    reps = 4000
    rng = np.random.default_rng(100 + n)
    x = rng.standard_normal((reps, n))
    m = 0.4 * x + rng.standard_normal((reps, n))
    xc = x - x.mean(axis=1, keepdims=True)
    mc = m - m.mean(axis=1, keepdims=True)
    a = (xc * mc).sum(axis=1) / (xc * xc).sum(axis=1)
    resid = mc - a[:, None] * xc
    se = np.sqrt((resid**2).sum(axis=1) / (n - 2) / (xc * xc).sum(axis=1))
    half = stdtrit(n - 2.0, 0.975) * se
    cover = float(np.mean((a - half <= 0.4) & (0.4 <= a + half)))
    assert LOW <= cover <= HIGH


def test_mediation_reports_the_same_t_interval():
    import pandas as pd
    from scipy import stats as st

    from alliance_analysis.stats import mediate

    rng = np.random.default_rng(9)
    x = rng.standard_normal(30)
    m = 0.4 * x + rng.standard_normal(30)
    y = 0.3 * m + rng.standard_normal(30)
    res = mediate(pd.DataFrame({"x": x, "m": m, "y": y}), "x", "m", "y", n_boot=200)
    fit = st.linregress(x, m)
    half = st.t.ppf(0.975, 28) * fit.stderr
    assert res.a_ci == pytest.approx((fit.slope - half, fit.slope + half), rel=1e-10)
    frame = res.to_frame()
    assert list(frame.index) == ["a", "b", "c", "c'", "indirect", "indirect_std"]


@pytest.mark.parametrize("n", [15, 60])
def test_standardized_beta_bca_intervals_cover(n):
    """Standardized β of two correlated random predictors, BCa bootstrap (999 resamples)."""
    from alliance_analysis.stats.regression import beta_bca

    reps = 1000 if n == 15 else 400
    rng = np.random.default_rng(7 + n)
    cxx = np.array([[1.0, 0.3], [0.3, 1.0]])
    b = np.array([0.4, 0.2])
    true = b / np.sqrt(b @ cxx @ b + 1.0)
    chol = np.linalg.cholesky(cxx)
    hits = np.zeros(2)
    for _ in range(reps):  # each replication's bootstrap is itself one batched solve
        x = rng.standard_normal((n, 2)) @ chol.T
        y = x @ b + rng.standard_normal(n)
        v = np.column_stack([y, x])
        r = np.corrcoef(v, rowvar=False)
        est = np.linalg.solve(r[1:, 1:], r[1:, 0])
        lo, hi = beta_bca(v, est, 0.95, 999, int(rng.integers(2**31)))
        hits += (lo <= true) & (true <= hi)
    cover = hits / reps
    assert np.all((cover >= LOW) & (cover <= HIGH)), cover
