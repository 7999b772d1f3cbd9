"""Exact (and pwr-compatible approximate) power for Pearson's r and the paired t-test.

Pearson correlation, H0: rho = 0, tested with t = r·sqrt(n − 2)/sqrt(1 − r²) on n − 2 df
(equivalently |r| ≥ r_c with r_c = t_c/sqrt(t_c² + n − 2)):

* ``method="exact"`` integrates the exact density of the sample correlation under bivariate
  normality (Fisher 1915; in the hypergeometric form of Hotelling 1953, eq. 24),

      f(r; rho, n) = (n − 2) Γ(n − 1) / (sqrt(2π) Γ(n − 1/2))
                     · (1 − rho²)^((n − 1)/2) (1 − r²)^((n − 4)/2) (1 − rho·r)^(−(n − 3/2))
                     · ₂F₁(1/2, 1/2; n − 1/2; (1 + rho·r)/2),

  over the rejection region (numerically, in Fisher's z = atanh r so the integrand is smooth
  for every n ≥ 3). This is the quantity G*Power reports for "Correlation: Bivariate normal
  model" (exact test of rho = 0); the test suite cross-checks it against an independent exact
  representation (a χ²_{n−1} mixture of noncentral t) and against brute-force simulation.
* ``method="fisher_z"`` reproduces R ``pwr::pwr.r.test`` (Champely; pwr ≥ 1.2) exactly: with
  t_c the upper alpha (one-sided) or alpha/2 (two-sided) quantile of t(n − 2),
  r_c = sqrt(t_c²/(t_c² + n − 2)), z_r = atanh(rho) + rho/(2(n − 1)) (Fisher's bias term added to
  the effect only, not to the critical value), z_c = atanh(r_c), and

      greater:   Φ((z_r − z_c)·sqrt(n − 3))
      less:      the same with rho → −rho
      two-sided: Φ((z_r − z_c)·sqrt(n − 3)) + Φ((−z_r − z_c)·sqrt(n − 3)),  rho → |rho|.

  It is an approximation: at rho = 0 it does not return exactly alpha.

Paired t-test (one-sample t on the differences) from d_z = mean(diff)/sd(diff): under H1 the
statistic is noncentral t with df = n − 1 and noncentrality d_z·sqrt(n) (Cohen 1988, ch. 2;
the same computation as ``statsmodels.stats.power.TTestPower`` and G*Power "Means: difference
from constant / matched pairs"); two-sided power counts both rejection tails.

Minimum detectable effects are found with Brent's method (the algorithm of
``scipy.optimize.brentq``, in :mod:`._roots`); sample sizes are the smallest whole n reaching the
target power (integer search, then the real-valued root is reported too, as pwr prints it).
Only ``scipy.special`` is imported (inside functions): the design-sensitivity table of a
reproduction needs neither ``scipy.stats`` nor ``scipy.optimize`` nor ``scipy.integrate``,
whose imports cost about 0.5 s of CPU together.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

import numpy as np

from ..apa import fmt_bounded, fmt_number
from ..errors import InputError
from ..results import Result, estimate_row
from ._common import (
    check_alpha,
    check_alternative,
    check_dz,
    check_n,
    check_power,
    check_rho,
    fmt_alpha,
    fmt_power,
    sided_phrase,
)
from ._roots import brentq

__all__ = [
    "CorrelationPower",
    "PairedPower",
    "MinimumDetectableEffect",
    "SampleSize",
    "power_r",
    "power_dz",
    "mde_r",
    "mde_dz",
    "sample_size_r",
    "sample_size_dz",
    "pearson_r_pdf",
    "pearson_r_sf",
    "r_critical",
]

METHODS = ("exact", "fisher_z")
_METHOD_LABEL = {"exact": "exact", "fisher_z": "Fisher z approximation",
                 "noncentral_t": "noncentral t"}
_N_MIN = {"exact": 3, "fisher_z": 4, "noncentral_t": 2}


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise InputError("unknown method for correlation power", value=method,
                         hint="Use 'exact' or 'fisher_z'")
    return method


# ---------------------------------------------------------------------------------------------
# Exact distribution of r
# ---------------------------------------------------------------------------------------------

def _log_density_z(z: np.ndarray | float, rho: float, n: float) -> np.ndarray:
    """log of the density of z = atanh(r) (Hotelling 1953 form, times dr/dz = 1 − r²)."""
    from scipy import special

    z = np.asarray(z, dtype=float)
    r = np.tanh(z)
    az = np.abs(z)
    log_1mr2 = -2.0 * (az + np.log1p(np.exp(-2.0 * az)) - math.log(2.0))  # log sech² z
    log_c = (math.log(n - 2.0) + special.gammaln(n - 1.0) - 0.5 * math.log(2.0 * math.pi)
             - special.gammaln(n - 0.5))
    return (log_c + 0.5 * (n - 1.0) * math.log1p(-rho * rho) + 0.5 * (n - 2.0) * log_1mr2
            - (n - 1.5) * np.log1p(-rho * r)
            + np.log(special.hyp2f1(0.5, 0.5, n - 0.5, 0.5 * (1.0 + rho * r))))


def pearson_r_pdf(r: float | np.ndarray, rho: float, n: float) -> np.ndarray:
    """Exact density of the sample Pearson r for n bivariate-normal pairs with correlation rho.

    Fisher (1915); hypergeometric form of Hotelling (1953), eq. (24). ``n`` may be real (≥ 3).
    """
    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.abs(r) < 1.0
        rr = np.where(inside, r, 0.0)
        out = np.exp(_log_density_z(np.arctanh(rr), rho, n)) / (1.0 - rr * rr)
    return np.where(inside, out, 0.0)


def pearson_r_sf(r: float, rho: float, n: float) -> float:
    """P(R ≥ r) for the sample correlation R (exact; numerical integration in Fisher's z).

    The integral runs over z = atanh(R) ∈ [atanh r, ∞); when r lies below atanh(rho) the
    (smaller) lower tail is integrated instead and subtracted from 1. See :func:`_upper_tail`.
    """
    if r <= -1.0:
        return 1.0
    if r >= 1.0:
        return 0.0
    if math.atanh(r) < math.atanh(rho):
        # the bulk lies above r: integrate the smaller lower tail, P(R < r) = P(R' > -r) for
        # R' with correlation -rho (f(r; rho) = f(-r; -rho))
        return min(max(1.0 - _upper_tail(-r, -rho, n), 0.0), 1.0)
    return min(max(_upper_tail(r, rho, n), 0.0), 1.0)


#: Gauss-Legendre nodes and weights on [0, 1] per panel of :func:`_upper_tail`
_GL_ORDER = 20


@functools.cache
def _gauss_legendre() -> tuple[np.ndarray, np.ndarray]:
    from numpy.polynomial.legendre import leggauss

    x, w = leggauss(_GL_ORDER)
    return (x + 1.0) / 2.0, w / 2.0


def _upper_tail(r: float, rho: float, n: float) -> float:
    """∫ of the density of z = atanh(R) from atanh r (at or above atanh rho) to ∞.

    Composite Gauss-Legendre quadrature (20 nodes per panel; Davis & Rabinowitz 1984, §2.7)
    in plain numpy, all nodes evaluated at once. The density of z is analytic on the real line
    (its nearest complex singularities, of sech z and of (1 − rho·tanh z), lie π/2 off the axis),
    has scale s = 1/sqrt(n − 3) around its mode and tails no heavier than e^(−(n − 2)|z|); the
    panels are s/2 wide (at most 1/2) and the integral stops where the integrand has fallen below
    e^(−46) of its value at the start (14 s, or 46/(n − 2) for small n, past atanh r). The
    truncation and quadrature errors are then below 1e-15 relative; tests/test_power_exact.py
    compares with adaptive QUADPACK (``scipy.integrate.quad``) at rtol 1e-11.
    """
    z0 = math.atanh(r)
    scale = 1.0 / math.sqrt(max(n - 3.0, 0.25))
    length = max(14.0 * scale, 46.0 / (n - 2.0))
    width = min(0.5 * scale, 0.5)
    panels = max(1, math.ceil(length / width))
    nodes, weights = _gauss_legendre()
    starts = z0 + width * np.arange(panels)
    z = (starts[:, None] + width * nodes[None, :]).ravel()
    values = np.exp(_log_density_z(z, rho, n))
    return float(width * (values.reshape(panels, -1) @ weights).sum())


def r_critical(n: float, alpha: float, alternative: str = "two-sided") -> float:
    """Smallest |r| significant at ``alpha``: r_c = t_c / sqrt(t_c² + n − 2), t_c from t(n − 2)."""
    from scipy import special

    alternative = check_alternative(alternative)
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    t_c = float(special.stdtrit(n - 2.0, 1.0 - tail))
    return t_c / math.sqrt(t_c * t_c + n - 2.0)


def _power_r(rho: float, n: float, alpha: float, alternative: str, method: str) -> float:
    if method == "exact":
        rc = r_critical(n, alpha, alternative)
        if alternative == "greater":
            return pearson_r_sf(rc, rho, n)
        if alternative == "less":
            return pearson_r_sf(rc, -rho, n)
        return min(pearson_r_sf(rc, rho, n) + pearson_r_sf(rc, -rho, n), 1.0)
    # fisher_z: pwr::pwr.r.test, line by line
    from scipy import special

    if alternative == "two-sided":
        rho = abs(rho)
    elif alternative == "less":
        rho = -rho
    rc = r_critical(n, alpha, alternative)
    zr = math.atanh(rho) + rho / (2.0 * (n - 1.0))
    zrc = math.atanh(rc)
    root = math.sqrt(n - 3.0)
    power = float(special.ndtr((zr - zrc) * root))
    if alternative == "two-sided":
        power += float(special.ndtr((-zr - zrc) * root))
    return power


def _power_dz(d_z: float, n: float, alpha: float, alternative: str) -> tuple[float, float, float]:
    """Noncentral-t power, every tail as an upper tail P(T'(δ) ≥ t_c) (lower tails through
    P(T'(δ) ≤ −t) = P(T'(−δ) ≥ t)). The functions are those of ``scipy.stats.t.isf`` and
    ``scipy.stats.nct.sf`` without importing ``scipy.stats`` (``stats._dist``: ``stdtrit`` and
    ``nctdtr`` with the reflection that keeps the upper tail's relative precision)."""
    from ..stats._dist import nct_sf, t_isf

    df = n - 1.0
    ncp = d_z * math.sqrt(n)
    if alternative == "two-sided":
        t_c = float(t_isf(alpha / 2.0, df))
        power = float(nct_sf(t_c, df, ncp) + nct_sf(t_c, df, -ncp))
    elif alternative == "greater":
        t_c = float(t_isf(alpha, df))
        power = float(nct_sf(t_c, df, ncp))
    else:
        t_c = float(t_isf(alpha, df))
        power = float(nct_sf(t_c, df, -ncp))
    return min(power, 1.0), t_c, ncp


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class CorrelationPower(Result):
    """Power of the test of rho = 0 for a true correlation ``rho`` with ``n`` pairs."""

    rho: float
    n: int
    alpha: float
    alternative: str
    method: str
    power: float
    r_critical: float

    def _rows(self) -> list[dict[str, Any]]:
        """Tidy row ``power`` (no interval: an exact calculation, not an estimate)."""
        return [estimate_row("power", self.power, method=self.method)]

    def apa(self) -> str:
        return (f"With n = {self.n} and {sided_phrase(self.alternative)} alpha = "
                f"{fmt_alpha(self.alpha)}, power to detect r = {fmt_bounded(self.rho)} is "
                f"{fmt_power(self.power)} ({_METHOD_LABEL[self.method]}).")


@dataclasses.dataclass(frozen=True)
class PairedPower(Result):
    """Power of the paired (one-sample) t-test for a standardized mean difference ``d_z``."""

    d_z: float
    n: int
    alpha: float
    alternative: str
    power: float
    t_critical: float
    df: int
    ncp: float
    method: str = "noncentral_t"

    def _rows(self) -> list[dict[str, Any]]:
        """Tidy row ``power`` (noncentral t; df and ncp in ``df``/``statistic`` are not a test)."""
        return [estimate_row("power", self.power, df=self.df, method=self.method)]

    def apa(self) -> str:
        return (f"With n = {self.n} and {sided_phrase(self.alternative)} alpha = "
                f"{fmt_alpha(self.alpha)}, power to detect d_z = {fmt_number(self.d_z)} is "
                f"{fmt_power(self.power)} (noncentral t).")


def _fmt_effect(effect: str, value: float) -> str:
    return f"r = {fmt_bounded(value)}" if effect == "r" else f"d_z = {fmt_number(value)}"


@dataclasses.dataclass(frozen=True)
class MinimumDetectableEffect(Result):
    """Smallest true effect (``r`` or ``d_z``) detected with the target power at ``n``."""

    effect: str
    value: float
    n: int
    alpha: float
    power: float
    alternative: str
    method: str

    def _rows(self) -> list[dict[str, Any]]:
        """Tidy row ``mde_r`` or ``mde_dz``."""
        return [estimate_row(f"mde_{self.effect}", self.value, method=self.method)]

    def apa(self) -> str:
        return (f"With n = {self.n} and {sided_phrase(self.alternative)} alpha = "
                f"{fmt_alpha(self.alpha)}, the smallest effect detectable with power "
                f"{fmt_bounded(self.power)} is {_fmt_effect(self.effect, self.value)} "
                f"({_METHOD_LABEL[self.method]}).")


@dataclasses.dataclass(frozen=True)
class SampleSize(Result):
    """Smallest whole n whose power reaches ``target_power`` (``n_continuous``: real root)."""

    effect: str
    value: float
    n: int
    n_continuous: float
    achieved_power: float
    target_power: float
    alpha: float
    alternative: str
    method: str

    def _rows(self) -> list[dict[str, Any]]:
        """Tidy rows ``n`` (whole participants), ``n_continuous`` and ``achieved_power``."""
        return [estimate_row("n", self.n, method=self.method),
                estimate_row("n_continuous", self.n_continuous, method=self.method),
                estimate_row("achieved_power", self.achieved_power, method=self.method)]

    def apa(self) -> str:
        return (f"To detect {_fmt_effect(self.effect, self.value)} with power "
                f"{fmt_bounded(self.target_power)} at {sided_phrase(self.alternative)} alpha = "
                f"{fmt_alpha(self.alpha)}, n = {self.n} participants are needed (achieved power "
                f"{fmt_power(self.achieved_power)}; {_METHOD_LABEL[self.method]}).")


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def power_r(rho: float, n: int, alpha: float = 0.05, alternative: str = "two-sided",
            method: str = "exact") -> CorrelationPower:
    """Power of the two-sided or one-sided test of rho = 0 (Pearson r) at true correlation rho.

    ``method="exact"``: exact distribution of r (Fisher 1915; Hotelling 1953), as G*Power's
    exact bivariate-normal test. ``method="fisher_z"``: R ``pwr.r.test`` (arctanh with bias
    term rho/(2(n − 1)); see the module docstring).
    """
    method = _check_method(method)
    alternative = check_alternative(alternative)
    alpha = check_alpha(alpha)
    rho = check_rho(rho)
    n = int(check_n(n, _N_MIN[method], f"correlation power ({method})"))
    power = _power_r(rho, n, alpha, alternative, method)
    return CorrelationPower(rho=rho, n=n, alpha=alpha, alternative=alternative, method=method,
                            power=power, r_critical=r_critical(n, alpha, alternative))


def power_dz(d_z: float, n: int, alpha: float = 0.05,
             alternative: str = "two-sided") -> PairedPower:
    """Power of the paired t-test: noncentral t, df = n − 1, ncp = d_z·sqrt(n) (Cohen 1988, ch. 2).

    Matches ``statsmodels.stats.power.TTestPower().power`` (both tails for two-sided).
    """
    alternative = check_alternative(alternative)
    alpha = check_alpha(alpha)
    d_z = check_dz(d_z)
    n = int(check_n(n, _N_MIN["noncentral_t"], "the paired t-test"))
    power, t_c, ncp = _power_dz(d_z, n, alpha, alternative)
    return PairedPower(d_z=d_z, n=n, alpha=alpha, alternative=alternative, power=power,
                       t_critical=t_c, df=n - 1, ncp=ncp)


def mde_r(n: int, alpha: float = 0.05, power: float = 0.80, alternative: str = "two-sided",
          method: str = "exact") -> MinimumDetectableEffect:
    """Minimum detectable correlation: the rho whose power equals ``power`` (Brent root).

    Positive for two-sided and ``greater``; negative for ``less``.
    """
    method = _check_method(method)
    alternative = check_alternative(alternative)
    alpha = check_alpha(alpha)
    power = check_power(power, alpha)
    n = int(check_n(n, _N_MIN[method], f"correlation power ({method})"))
    sign = -1.0 if alternative == "less" else 1.0

    def gap(rho: float) -> float:
        return _power_r(sign * rho, n, alpha, alternative, method) - power

    lo, hi = 1e-12, 1.0 - 1e-12
    if gap(lo) >= 0:  # only possible for the approximation at tiny n
        value = 0.0
    else:
        if gap(hi) < 0:
            raise InputError(f"no correlation below 1 reaches power {power:g} with n = {n}")
        value = brentq(gap, lo, hi, xtol=1e-14, rtol=1e-13, maxiter=500)
    return MinimumDetectableEffect(effect="r", value=sign * value, n=n, alpha=alpha, power=power,
                                   alternative=alternative, method=method)


def mde_dz(n: int, alpha: float = 0.05, power: float = 0.80,
           alternative: str = "two-sided") -> MinimumDetectableEffect:
    """Minimum detectable d_z for the paired t-test (noncentral t; Brent root)."""
    alternative = check_alternative(alternative)
    alpha = check_alpha(alpha)
    power = check_power(power, alpha)
    n = int(check_n(n, _N_MIN["noncentral_t"], "the paired t-test"))
    sign = -1.0 if alternative == "less" else 1.0

    def gap(d: float) -> float:
        return _power_dz(sign * d, n, alpha, alternative)[0] - power

    hi = 1.0
    while gap(hi) < 0:
        hi *= 2.0
        if hi > 1e6:  # pragma: no cover - unreachable for valid inputs
            raise InputError(f"no d_z reaches power {power:g} with n = {n}")
    value = brentq(gap, 0.0, hi, xtol=1e-14, rtol=1e-13, maxiter=500)
    return MinimumDetectableEffect(effect="d_z", value=sign * value, n=n, alpha=alpha,
                                   power=power, alternative=alternative, method="noncentral_t")


def _smallest_n(power_at, target: float, n_min: int, n_max: int, what: str) -> int:
    """Smallest integer n in [n_min, n_max] with power_at(n) ≥ target (power increasing in n)."""
    if power_at(n_min) >= target:
        return n_min
    lo, hi = n_min, max(n_min + 1, 8)
    while power_at(hi) < target:
        lo, hi = hi, hi * 2
        if lo > n_max:
            raise InputError(f"{what}: target power is not reached with n ≤ {n_max}",
                             hint="Check the effect size, or raise n_max")
    while hi - lo > 1:  # invariant: power(lo) < target ≤ power(hi)
        mid = (lo + hi) // 2
        if power_at(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi


def _continuous_root(power_at, target: float, n: int, n_min: int) -> float:
    if n <= n_min:
        return math.nan
    return float(brentq(lambda x: power_at(x) - target, n - 1.0, float(n),
                        xtol=1e-10, rtol=1e-13))


def _check_direction(value: float, alternative: str, name: str) -> None:
    if value == 0.0 or (alternative == "greater" and value < 0) or (
            alternative == "less" and value > 0):
        raise InputError(f"with alternative '{alternative}' power never exceeds alpha at "
                         f"{name} = {value:g}", hint="Give a non-zero effect in the tested "
                         "direction")


def sample_size_r(rho: float, power: float = 0.80, alpha: float = 0.05,
                  alternative: str = "two-sided", method: str = "exact",
                  n_max: int = 1_000_000) -> SampleSize:
    """Smallest n whose power to detect ``rho`` reaches ``power`` (n − 1 does not).

    ``n_continuous`` is the real-valued root of power(n) = target (what ``pwr.r.test`` prints
    for ``method="fisher_z"``).
    """
    method = _check_method(method)
    alternative = check_alternative(alternative)
    alpha = check_alpha(alpha)
    power = check_power(power, alpha)
    rho = check_rho(rho)
    _check_direction(rho, alternative, "rho")

    def power_at(n: float) -> float:
        return _power_r(rho, n, alpha, alternative, method)

    n = _smallest_n(power_at, power, _N_MIN[method], n_max, "correlation sample size")
    return SampleSize(effect="r", value=rho, n=n,
                      n_continuous=_continuous_root(power_at, power, n, _N_MIN[method]),
                      achieved_power=power_at(n), target_power=power, alpha=alpha,
                      alternative=alternative, method=method)


def sample_size_dz(d_z: float, power: float = 0.80, alpha: float = 0.05,
                   alternative: str = "two-sided", n_max: int = 1_000_000) -> SampleSize:
    """Smallest n whose paired t-test power to detect ``d_z`` reaches ``power``.

    ``n_continuous`` is the real root (as ``TTestPower().solve_power(nobs=None)`` returns).
    """
    alternative = check_alternative(alternative)
    alpha = check_alpha(alpha)
    power = check_power(power, alpha)
    d_z = check_dz(d_z)
    _check_direction(d_z, alternative, "d_z")

    def power_at(n: float) -> float:
        return _power_dz(d_z, n, alpha, alternative)[0]

    n = _smallest_n(power_at, power, _N_MIN["noncentral_t"], n_max, "paired t sample size")
    return SampleSize(effect="d_z", value=d_z, n=n,
                      n_continuous=_continuous_root(power_at, power, n, _N_MIN["noncentral_t"]),
                      achieved_power=power_at(n), target_power=power, alpha=alpha,
                      alternative=alternative, method="noncentral_t")
