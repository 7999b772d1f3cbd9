"""Exact power: cross-checks against statsmodels, R pwr (formula + printed values), an
independent exact representation of the distribution of r, and brute-force simulation."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from alliance_analysis.errors import InputError
from alliance_analysis.power import (
    mde_dz,
    mde_r,
    pearson_r_pdf,
    pearson_r_sf,
    power_dz,
    power_r,
    r_critical,
    sample_size_dz,
    sample_size_r,
)

ALTS = ("two-sided", "greater", "less")
SM_ALT = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}


# ------------------------------------------------------------------ paired t vs statsmodels ---

@pytest.mark.parametrize("alternative", ALTS)
@pytest.mark.parametrize("n", [2, 5, 16, 20, 24, 60])
@pytest.mark.parametrize("d", [-0.6, 0.0, 0.2, 0.5, 1.1])
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_power_dz_matches_statsmodels(d, n, alpha, alternative):
    from statsmodels.stats.power import TTestPower

    expected = TTestPower().power(effect_size=d, nobs=n, alpha=alpha,
                                  alternative=SM_ALT[alternative])
    got = power_dz(d, n, alpha, alternative).power
    assert 0.0 <= got <= 1.0
    if np.isnan(expected):
        # statsmodels calls scipy's nct cdf, which is NaN far in the lower tail (large ncp);
        # the upper tail alone is then the power to within 1e-15
        expected = TTestPower().power(effect_size=d, nobs=n, alpha=alpha / 2,
                                      alternative="larger")
    assert got == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize("alternative", ["two-sided", "greater"])
@pytest.mark.parametrize("d", [0.3, 0.5, 0.8])
def test_sample_size_dz_matches_statsmodels_solve_power(d, alternative):
    from statsmodels.stats.power import TTestPower

    res = sample_size_dz(d, 0.8, 0.05, alternative)
    nobs = TTestPower().solve_power(effect_size=d, nobs=None, alpha=0.05, power=0.8,
                                    alternative=SM_ALT[alternative])
    assert res.n_continuous == pytest.approx(nobs, abs=1e-4)
    assert res.n == math.ceil(nobs)


@pytest.mark.parametrize("n", [10, 20, 24])
def test_mde_dz_matches_statsmodels_solve_power(n):
    from statsmodels.stats.power import TTestPower

    es = TTestPower().solve_power(effect_size=None, nobs=n, alpha=0.05, power=0.8)
    assert mde_dz(n, 0.05, 0.8).value == pytest.approx(es, abs=1e-6)


# ------------------------------------------------------------------- fisher_z vs R pwr -------

def pwr_r_test_power(r: float, n: float, sig_level: float, alternative: str) -> float:
    """R pwr::pwr.r.test (pwr 1.3-0) p.body, transcribed line by line (not the package code)."""
    from scipy import stats

    if alternative == "two-sided":
        r = abs(r)
        ttt = stats.t.isf(sig_level / 2, n - 2)        # qt(sig.level/2, n-2, lower=FALSE)
        rc = math.sqrt(ttt**2 / (ttt**2 + n - 2))
        zr = math.atanh(r) + r / (2 * (n - 1))
        zrc = math.atanh(rc)
        return (stats.norm.cdf((zr - zrc) * math.sqrt(n - 3))
                + stats.norm.cdf((-zr - zrc) * math.sqrt(n - 3)))
    if alternative == "less":
        r = -r
    ttt = stats.t.isf(sig_level, n - 2)
    rc = math.sqrt(ttt**2 / (ttt**2 + n - 2))
    zr = math.atanh(r) + r / (2 * (n - 1))
    zrc = math.atanh(rc)
    return stats.norm.cdf((zr - zrc) * math.sqrt(n - 3))


@pytest.mark.parametrize("alternative", ALTS)
@pytest.mark.parametrize("n", [4, 16, 20, 23, 24, 85, 400])
@pytest.mark.parametrize("r", [-0.5, -0.1, 0.0, 0.3, 0.5, 0.8])
def test_fisher_z_matches_pwr_formula(r, n, alternative):
    got = power_r(r, n, 0.05, alternative, method="fisher_z").power
    assert got == pytest.approx(pwr_r_test_power(r, n, 0.05, alternative), abs=1e-12)


def test_fisher_z_matches_printed_pwr_output():
    # printed by R: pwr.r.test(n = 50, r = 0.3) -> power = 0.5715558
    assert power_r(0.3, 50, method="fisher_z").power == pytest.approx(0.5715558, abs=5e-8)
    # pwr.r.test(r = .3, power = .8) -> n = 84.07364; r = .1 -> 781.7516; r = .5 -> 28.24842.
    # pwr solves with uniroot's default tolerance (~1.2e-4), so compare to 1e-3.
    for r, n_printed in ((0.3, 84.07364), (0.1, 781.7516), (0.5, 28.24842)):
        res = sample_size_r(r, 0.8, method="fisher_z")
        assert res.n_continuous == pytest.approx(n_printed, abs=1e-3)
        assert res.n == math.ceil(n_printed)
    # pwr.r.test(n = 125, sig.level = .1, power = .8, alternative = "less") -> r = -0.1890504
    assert mde_r(125, 0.1, 0.8, "less", "fisher_z").value == pytest.approx(-0.1890504, abs=1e-4)


# ------------------------------------------------------------------ exact distribution of r --

@pytest.mark.parametrize("n", [3, 4, 10, 20, 200])
@pytest.mark.parametrize("rho", [-0.8, 0.0, 0.5])
def test_pdf_integrates_to_one_and_sf_is_its_tail(n, rho):
    from scipy import integrate

    # integrate in r = sin(θ) (not in Fisher z as the package does): dr = cos θ dθ removes the
    # (1 − r²)^(−1/2) endpoint singularity at n = 3
    def f(theta):
        return float(pearson_r_pdf(math.sin(theta), rho, n)) * math.cos(theta)

    total = integrate.quad(f, -math.pi / 2, math.pi / 2, limit=200)[0]
    assert total == pytest.approx(1.0, abs=1e-8)
    for r in (-0.3, 0.2, 0.6):
        tail = integrate.quad(f, math.asin(r), math.pi / 2, limit=200, epsabs=1e-13)[0]
        assert pearson_r_sf(r, rho, n) == pytest.approx(tail, abs=1e-8)


@pytest.mark.parametrize("n", [5, 20, 24])
def test_null_pdf_is_the_textbook_null_density(n):
    from scipy import special

    r = np.linspace(-0.95, 0.95, 9)
    expected = (1 - r**2) ** ((n - 4) / 2) / special.beta(0.5, (n - 2) / 2)
    np.testing.assert_allclose(pearson_r_pdf(r, 0.0, n), expected, rtol=1e-10)


@pytest.mark.parametrize("alternative", ALTS)
@pytest.mark.parametrize("n", [3, 4, 16, 20, 24, 100, 5000])
@pytest.mark.parametrize("alpha", [0.05, 0.01, 0.1])
def test_exact_power_at_rho_zero_is_alpha(n, alpha, alternative):
    assert power_r(0.0, n, alpha, alternative).power == pytest.approx(alpha, abs=1e-10)


def _mixture_power(rho: float, n: int, alpha: float, alternative: str) -> float:
    """Independent exact representation: given x, the slope t is noncentral t(n − 2) with
    ncp = rho/sqrt(1 − rho²)·sqrt(W), W = SS_x ~ χ²(n − 1); t = r·sqrt(n − 2)/sqrt(1 − r²)."""
    from scipy import integrate, stats

    df = n - 2
    tail = alpha / 2 if alternative == "two-sided" else alpha
    tc = stats.t.isf(tail, df)
    lam = rho / math.sqrt(1 - rho * rho)

    def f(w):
        nc = lam * math.sqrt(w)
        up = stats.nct.sf(tc, df, nc)
        lo = stats.nct.cdf(-tc, df, nc)
        p = {"two-sided": up + lo, "greater": up, "less": lo}[alternative]
        return stats.chi2.pdf(w, n - 1) * p

    hi = stats.chi2.isf(1e-17, n - 1)
    return integrate.quad(f, 0, hi, points=[n - 1], epsabs=1e-13, epsrel=1e-12, limit=200)[0]


@pytest.mark.parametrize("alternative", ALTS)
@pytest.mark.parametrize(("n", "rho"), [(3, 0.5), (5, 0.3), (16, 0.52), (20, -0.65),
                                        (24, 0.4), (100, 0.2), (23, -0.05)])
def test_exact_power_matches_noncentral_t_mixture(n, rho, alternative):
    assert power_r(rho, n, 0.05, alternative).power == pytest.approx(
        _mixture_power(rho, n, 0.05, alternative), abs=1e-8)


@pytest.mark.parametrize(("n", "rho", "alternative"), [(20, 0.5, "two-sided"),
                                                       (10, -0.3, "less"),
                                                       (24, 0.2, "greater")])
def test_exact_power_matches_brute_force_simulation(n, rho, alternative):
    rng = np.random.default_rng(19150101)
    sims = 200_000
    x = rng.standard_normal((sims, n))
    y = rho * x + math.sqrt(1 - rho**2) * rng.standard_normal((sims, n))
    xc = x - x.mean(axis=1, keepdims=True)
    yc = y - y.mean(axis=1, keepdims=True)
    r = (xc * yc).sum(1) / np.sqrt((xc**2).sum(1) * (yc**2).sum(1))
    rc = r_critical(n, 0.05, alternative)
    hits = {"two-sided": np.abs(r) >= rc, "greater": r >= rc, "less": r <= -rc}[alternative]
    mc = hits.mean()
    exact = power_r(rho, n, 0.05, alternative).power
    assert abs(mc - exact) < 3 * math.sqrt(exact * (1 - exact) / sims)


def test_exact_and_fisher_z_differ_but_are_close():
    exact = power_r(0.5, 20).power
    approx = power_r(0.5, 20, method="fisher_z").power
    assert exact != approx
    assert abs(exact - approx) < 0.01


def test_cohen_1988_r30_needs_about_85():
    # Cohen (1988) ch. 3: r = .30, two-sided alpha = .05 needs n of about 85 for power .80.
    assert power_r(0.3, 85).power == pytest.approx(0.80, abs=0.01)
    assert power_r(0.3, 85, method="fisher_z").power == pytest.approx(0.80, abs=0.01)
    assert sample_size_r(0.3, 0.8).n == 84            # exact distribution of r
    assert sample_size_r(0.3, 0.8, method="fisher_z").n == 85   # pwr: ceiling(84.07)


# ------------------------------------------------------------- MDE and sample-size inverses --

@pytest.mark.parametrize("alternative", ALTS)
@pytest.mark.parametrize("method", ["exact", "fisher_z"])
@pytest.mark.parametrize("n", [4, 16, 20, 24, 120])
def test_mde_r_round_trip(n, method, alternative):
    res = mde_r(n, 0.05, 0.8, alternative, method)
    assert (res.value < 0) == (alternative == "less")
    assert power_r(res.value, n, 0.05, alternative, method).power == pytest.approx(0.8, abs=1e-9)


@pytest.mark.parametrize("alternative", ALTS)
@pytest.mark.parametrize("n", [2, 5, 20, 24])
def test_mde_dz_round_trip(n, alternative):
    res = mde_dz(n, 0.05, 0.9, alternative)
    assert power_dz(res.value, n, 0.05, alternative).power == pytest.approx(0.9, abs=1e-9)


@pytest.mark.parametrize("method", ["exact", "fisher_z"])
@pytest.mark.parametrize(("rho", "alternative"), [(0.5, "two-sided"), (-0.3, "two-sided"),
                                                  (0.3, "greater"), (-0.6, "less"),
                                                  (0.95, "two-sided")])
def test_sample_size_r_is_minimal(rho, alternative, method):
    res = sample_size_r(rho, 0.8, 0.05, alternative, method)
    assert res.achieved_power >= 0.8
    assert power_r(rho, res.n, 0.05, alternative, method).power == res.achieved_power
    minimum = 3 if method == "exact" else 4
    if res.n > minimum:
        assert power_r(rho, res.n - 1, 0.05, alternative, method).power < 0.8
        assert res.n - 1 < res.n_continuous <= res.n


@pytest.mark.parametrize(("d", "alternative"), [(0.5, "two-sided"), (0.2, "greater"),
                                                (-0.8, "less"), (3.0, "two-sided")])
def test_sample_size_dz_is_minimal(d, alternative):
    res = sample_size_dz(d, 0.8, 0.05, alternative)
    assert res.achieved_power >= 0.8
    if res.n > 2:
        assert power_dz(d, res.n - 1, 0.05, alternative).power < 0.8


# ------------------------------------------------------------------------ results and errors --

def test_result_objects_are_frozen_and_render_apa():
    res = power_r(0.5, 20)
    assert res.apa() == ("With n = 20 and two-sided alpha = .05, power to detect r = .50 is .64 "
                         "(exact).")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.power = 0.9  # type: ignore[misc]
    assert power_dz(0.5, 20).apa() == ("With n = 20 and two-sided alpha = .05, power to detect "
                                       "d_z = 0.50 is .56 (noncentral t).")
    assert mde_r(20).apa().endswith("power .80 is r = .58 (exact).")
    assert "n = 29 participants" in sample_size_r(0.5).apa()
    assert power_r(0.5, 20, alpha=0.005).apa().startswith("With n = 20 and two-sided alpha = .005")
    frame = res.to_frame()
    assert list(frame.columns[:3]) == ["term", "estimate", "se"]
    assert frame.loc["power", "estimate"] == res.power


@pytest.mark.parametrize("call", [
    lambda: power_r(1.0, 20),
    lambda: power_r(0.5, 2),
    lambda: power_r(0.5, 3, method="fisher_z"),
    lambda: power_r(0.5, 20, method="gpower"),
    lambda: power_r(0.5, 20, alternative="sideways"),
    lambda: power_r(0.5, 20.5),
    lambda: power_dz(0.5, 20, alpha=1.5),
    lambda: mde_r(20, power=0.04),
    lambda: sample_size_r(0.0),
    lambda: sample_size_r(-0.3, alternative="greater"),
    lambda: sample_size_dz(0.3, alternative="less"),
    lambda: sample_size_dz(1e-6, n_max=1000),
])
def test_bad_input_raises_input_error(call):
    with pytest.raises(InputError):
        call()


def test_r_alternative_spellings():
    assert power_r(0.4, 20, alternative="two.sided").alternative == "two-sided"
    assert power_r(0.4, 20, alternative="larger").power == power_r(
        0.4, 20, alternative="greater").power


# ------------------------------------------------------------------------ properties ---------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(rho=st.floats(0.01, 0.95), n=st.integers(4, 300),
       alternative=st.sampled_from(["two-sided", "greater"]))
def test_exact_power_increases_with_effect_and_n(rho, n, alternative):
    p = power_r(rho, n, alternative=alternative).power
    assert 0.05 - 1e-10 <= p <= 1.0
    assert power_r(min(rho + 0.02, 0.99), n, alternative=alternative).power >= p - 1e-12
    assert power_r(rho, n + 1, alternative=alternative).power >= p - 1e-12
    if alternative == "two-sided":   # symmetric in the sign of rho
        assert power_r(-rho, n).power == pytest.approx(p, abs=1e-12)


# ------------------------------------------- the scipy.special path against scipy.stats/quad --

def _quad_upper_tail(r: float, rho: float, n: float) -> float:
    """P(R >= r) by adaptive QUADPACK on the same density of z (the package's former method),
    relative tolerance only (epsabs = 0) so tiny tails are resolved too."""
    from scipy import integrate

    from alliance_analysis.power.exact import _log_density_z

    z0, centre = math.atanh(r), math.atanh(rho)
    spread = 8.0 / math.sqrt(max(n - 3.0, 0.25))
    edges = [z0, *sorted(c for c in (centre - spread, centre, centre + spread) if c > z0)]

    def f(z):
        return float(np.exp(_log_density_z(z, rho, n)))

    parts = [integrate.quad(f, a, b, epsabs=0, epsrel=1e-13, limit=400)[0]
             for a, b in zip(edges[:-1], edges[1:], strict=True)]
    return sum(parts) + integrate.quad(f, edges[-1], np.inf, epsabs=0, epsrel=1e-13, limit=400)[0]


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_gauss_legendre_tail_matches_adaptive_quadrature():
    from alliance_analysis.power.exact import _upper_tail

    rng = np.random.default_rng(1953)
    for n in (3.0, 3.5, 4.0, 5.0, 7.0, 10.0, 16.0, 23.0, 24.0, 84.07, 200.0, 1000.0):
        for _ in range(25):
            rho = rng.uniform(-0.99, 0.99)
            z0 = math.atanh(rho) + abs(rng.normal()) * rng.choice([0.1, 1.0, 3.0]) / math.sqrt(
                max(n - 3.0, 0.25))
            r = math.tanh(z0)
            if abs(r) >= 1.0:
                continue
            assert _upper_tail(r, rho, n) == pytest.approx(_quad_upper_tail(r, rho, n),
                                                           rel=1e-11, abs=0)


def _power_dz_scipy_stats(d: float, n: float, alpha: float, alternative: str) -> float:
    from scipy import stats

    df, ncp = n - 1.0, d * math.sqrt(n)
    tail = alpha / 2 if alternative == "two-sided" else alpha
    tc = stats.t.isf(tail, df)
    up, lo = stats.nct.sf(tc, df, ncp), stats.nct.sf(tc, df, -ncp)
    return min(float({"two-sided": up + lo, "greater": up, "less": lo}[alternative]), 1.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("alternative", ALTS)
def test_power_dz_equals_scipy_stats_noncentral_t(alternative):
    for n in (2, 3, 5, 16, 20, 24, 60, 500, 10_000):
        for d in (-3.0, -0.6, -0.01, 0.0, 0.2, 0.5, 1.1, 4.0, 40.0):
            for alpha in (0.05, 0.01, 0.2):
                got = power_dz(d, n, alpha, alternative).power
                assert got == pytest.approx(_power_dz_scipy_stats(d, n, alpha, alternative),
                                            rel=1e-14, abs=0)


@pytest.mark.parametrize("n", [4, 16, 20, 23, 24, 60])
def test_mde_dz_is_scipy_brentq_on_scipy_stats_power(n):
    from scipy import optimize

    want = optimize.brentq(lambda d: _power_dz_scipy_stats(d, n, 0.05, "two-sided") - 0.8,
                           0.0, 8.0, xtol=1e-14, rtol=1e-13)
    assert mde_dz(n).value == pytest.approx(want, rel=1e-12)


def test_sensitivity_table_imports_only_scipy_special():
    import subprocess
    import sys

    code = ("import sys; from alliance_analysis.power import sensitivity_table; "
            "sensitivity_table(); "
            "print(sorted(m for m in ('scipy.stats', 'scipy.optimize', 'scipy.integrate') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
